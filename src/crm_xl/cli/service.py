"""Commands for follow-ups and customer service: ``followups`` and ``complaint-form``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from crm_xl.cli.app import (REVIEW_MODULES, VALIDATION_MODULES, as_of_date, app, atomic_output, check_early, fail, handle_errors,
                            lang_option, preload,
                            resolve_lang, say, say_coverage, source_argument)

PLAN_MODULES = (*VALIDATION_MODULES, "crm_xl.review")  # what ``review(plan_only=True)`` imports


def _as_of(value: str | None) -> dt.date:
    try:
        return as_of_date(value)
    except ValueError:
        raise typer.BadParameter(f"--as-of must be YYYY-MM-DD, got {value!r}") from None


@app.command("followups", help="Write the follow-up plan (跟进计划): whom to contact, when and why.\n\n"
                               "Example: crm-xl followups 客户台账.xlsx --as-of 2026-11-23 --out 跟进计划.xlsx "
                               "--split-by-owner 各业务员 --ics 跟进计划.ics")
@handle_errors()
def followups(
    path: Path = source_argument(),
    out: Path = typer.Option(..., "--out", help="The plan workbook to write (.xlsx)."),
    as_of: str = typer.Option(None, "--as-of", help="Date of the plan (YYYY-MM-DD; default today)."),
    split_by_owner: Path = typer.Option(None, "--split-by-owner", help="Also write one workbook per owner into DIR "
                                                                        "(with --ics: one calendar per owner too)."),
    ics: Path = typer.Option(None, "--ics", help="Also write the plan and the open tickets' SLA deadlines as an "
                                                 "iCalendar file (.ics) for Outlook, Google or a phone."),
    lang: str = lang_option(),
) -> None:
    check_early(path)  # the input check runs on the second core while pandas and the core are imported
    from crm_xl.exports import ExportError
    from crm_xl.ports.reader import read_register

    # without --ics the review stops at the plan, whose analysis never imports the trend's statsmodels;
    # the book's writer (xlsxwriter) is imported during the read too
    preload((*(REVIEW_MODULES if ics is not None else PLAN_MODULES), "crm_xl.ports.followup_book"))
    register = read_register(path)
    from crm_xl.ports.followup_book import write_followup_book, write_owner_books
    from crm_xl.review import review

    lang = resolve_lang(lang, register.lang)
    say_coverage(register, lang)
    day = _as_of(as_of)
    done = review(register, day, lang=lang, plan_only=ics is None)
    plan = done.plan
    if ics is not None:
        events = _write_calendar(done, ics, lang)
    with atomic_output(out) as tmp:
        n = write_followup_book(plan, tmp, lang, day)
    say(f"已写入跟进计划 {out}：{n} 项", f"Wrote the follow-up plan {out}: {n} items", lang)
    if split_by_owner is not None:
        try:
            written = write_owner_books(plan, split_by_owner, lang, day)
        except ExportError as exc:
            fail(exc.message(lang))
        for owner, target, n in written:
            say(f"  {owner}：{n} 项 → {target}", f"  {owner}: {n} items → {target}", lang)
        if ics is not None:  # the owners' calendars go beside their books, listed in the same index
            from crm_xl.ports.export import write_index

            calendars = _write_owner_calendars(done, events, split_by_owner, lang)
            write_index(split_by_owner, [(o, t.name, n) for o, t, n in written + calendars])
        say(f"  负责人与文件对照：{split_by_owner / 'index.csv'}", f"  Owner ↔ file index: {split_by_owner / 'index.csv'}", lang)


@app.command("complaint-form", help="Render the complaint-handling form (投诉处理单) of a ticket as .xlsx, .html "
                                    "or .pdf; --all renders every open complaint.\n\n"
                                    "Example: crm-xl complaint-form 客户台账.xlsx T0042 --out T0042.pdf")
@handle_errors()
def complaint_form(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="The register workbook (read only)."),
    ticket_id: str = typer.Argument(None, help="The ticket's ID (omit with --all)."),
    out: Path = typer.Option(..., "--out", help="FILE.xlsx, FILE.html or FILE.pdf; with --all a .xlsx (one sheet "
                                                "per complaint) or a folder (one PDF per complaint)."),
    all_open: bool = typer.Option(False, "--all", help="Every complaint that is not closed."),
    as_of: str = typer.Option(None, "--as-of", help="Date the deadlines are judged at (YYYY-MM-DD; default today)."),
    engine: str = typer.Option(None, "--engine", help="PDF engine: weasyprint (the HTML template; default when "
                                                      "installed) or libreoffice (faster)."),
    lang: str = lang_option(),
) -> None:
    import contextlib

    from crm_xl.ports import child
    from crm_xl.reports.pdf import warm_up

    # PDFs: WeasyPrint and the fonts get ready on the other core while the register is read
    # (forked before anything starts a thread)
    printing = out.suffix.lower() == ".pdf" or (all_open and out.suffix == "")
    worker = child.start(warm_up) if printing and engine in (None, "weasyprint") else None
    with worker or contextlib.nullcontext():
        _complaint_form(path, ticket_id, out, all_open, as_of, engine, lang, worker)


def _complaint_form(path: Path, ticket_id: str | None, out: Path, all_open: bool, as_of: str | None,
                    engine: str | None, lang: str | None, worker) -> None:
    from crm_xl.calendar import calendar_for
    from crm_xl.forms import (complaint_context, open_complaints, render_html, render_pdf, render_pdfs,
                               write_form_workbook)
    from crm_xl.ports.reader import read_register
    from crm_xl.service import ticket_sla

    register = read_register(path)
    lang = resolve_lang(lang, register.lang)
    day = _as_of(as_of)
    if all_open == bool(ticket_id):
        raise typer.BadParameter("give either a TICKET_ID or --all")
    ids = open_complaints(register) if all_open else [ticket_id]
    if not ids:
        say("没有未关闭的投诉", "No open complaints", lang)
        return
    sla = ticket_sla(register, day, calendar_for(register.settings))
    contexts = {tid: complaint_context(register, tid, day, lang, sla=sla) for tid in ids}
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        with atomic_output(out) as tmp:
            write_form_workbook(list(contexts.values()), tmp)
    elif suffix == ".html" and not all_open:
        with atomic_output(out) as tmp:
            tmp.write_text(render_html(contexts[ids[0]]), encoding="utf-8")
    elif suffix == ".pdf" and not all_open:
        with atomic_output(out) as tmp:
            render_pdf(contexts[ids[0]], tmp, engine, worker=worker)
    elif all_open and suffix == "":
        out.mkdir(parents=True, exist_ok=True)
        made = render_pdfs({_stem(tid): ctx for tid, ctx in contexts.items()}, out, engine, worker=worker)
        say(f"已生成 {len(made)} 份投诉处理单 → {out}", f"Wrote {len(made)} complaint forms → {out}", lang)
        return
    else:
        raise typer.BadParameter("--out must end in .xlsx, .html or .pdf (with --all: .xlsx or a folder)")
    say(f"已生成投诉处理单 {out}（{len(ids)} 张）", f"Wrote the complaint form {out} ({len(ids)} tickets)", lang)


def _stem(ticket_id: str) -> str:
    import re

    return re.sub(r'[\\/:*?"<>|\s]+', "_", ticket_id) or "ticket"


def _calendar_title(lang: str) -> str:
    return "crm-xl 跟进计划" if lang != "en" else "crm-xl follow-ups"


def _write_calendar(done, ics: Path, lang: str) -> list[dict]:
    """The whole plan and the open tickets' SLA deadlines as one .ics; returns the events."""
    from crm_xl.ports.ics import calendar_events, write_ics

    events = calendar_events(done.plan, done.service.tickets, done.register["customers"], lang)
    with atomic_output(ics) as tmp:
        n = write_ics(events, tmp, _calendar_title(lang), _stamp(done))
    say(f"已写入日历 {ics}：{n} 个事件", f"Wrote the calendar {ics}: {n} events", lang)
    return events


def _stamp(done):
    import datetime as _dt

    return _dt.datetime.combine(done.as_of, _dt.time(0, 0))


def _write_owner_calendars(done, events: list[dict], folder: Path, lang: str) -> list[tuple[str, Path, int]]:
    """One .ics per owner in the split folder (already checked and written by the owner books)."""
    from crm_xl.ports.followup_book import owner_file_name
    from crm_xl.ports.ics import write_ics

    written = []
    for owner in sorted({e["owner"] for e in events}):
        mine = [e for e in events if e["owner"] == owner]
        target = folder / (Path(owner_file_name(owner, lang)).stem + ".ics")
        with atomic_output(target) as tmp:
            write_ics(mine, tmp, f"{_calendar_title(lang)} — {owner}", _stamp(done))
        say(f"  {owner}：{len(mine)} 个事件 → {target}", f"  {owner}: {len(mine)} events → {target}", lang)
        written.append((owner, target, len(mine)))
    return written