"""``crm-xl report``: a sales, customer, service or monthly management report as HTML, PDF or XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from crm_xl.i18n import UsageError
from crm_xl.cli.app import (as_of_date, app, fits_in, handle_errors, lang_option, preload, resolve_lang,
                            review_modules, say, say_coverage, source_argument, start_fitter)


@app.command("report", help="Write a report (sales, customers, service or monthly) as HTML, PDF or Excel.\n\n"
                            "The format follows --out's suffix (.html, .pdf, .xlsx). The input workbook is only "
                            "read; the report is written to a temp file and renamed into place.\n\n"
                            "Example: crm-xl report 客户台账.xlsx --kind monthly --period 2026-10 "
                            "--approved-by 王经理 --out 月报-2026-10.pdf")
@handle_errors()
def report(
    path: Path = source_argument(),
    kind: str = typer.Option(..., "--kind", help="sales | customers | service | monthly"),
    out: Path = typer.Option(..., "--out", help="Output file: .html, .pdf or .xlsx"),
    as_of: str = typer.Option(None, "--as-of", help="Date the data is judged at (YYYY-MM-DD; default today)."),
    period: str = typer.Option(None, "--period", help="Data period: 2026-10, 2026-Q3, 2026 or "
                                                      "2026-01-01..2026-03-31 (default: last complete month)."),
    lang: str = lang_option(),
    approved_by: str = typer.Option(None, "--approved-by", help="Mark the report approved by NAME "
                                                                "(records the name and time); default draft."),
    pdf_engine: str = typer.Option("auto", "--pdf-engine", help="auto | weasyprint | libreoffice"),
    password: str = typer.Option(None, "--password", help="Password of an encrypted workbook "
                                                          "(or set CRM_XL_PASSWORD)."),
) -> None:
    import contextlib
    from functools import partial

    from crm_xl.ports import child as pdf_worker

    # Forked before anything starts a thread, children get ready on the other core while this
    # process reads and reviews the register: the trend's fits (statsmodels), a PDF's printer
    # (WeasyPrint, matplotlib, fonts) from the start, and chart drawers (matplotlib, fonts) once the
    # register is read (the read runs on both cores), which then draw an HTML or PDF report's charts
    # between them
    fitter = start_fitter()
    suffix = out.suffix.lower()
    # the second drawer is forked by the first child once that one is warm (worker "spares"): it
    # starts with matplotlib, the fonts and a first drawing loaded instead of loading them again
    printer = (pdf_worker.start(partial(_warm_up, charts=True), spares=1)
               if suffix == ".pdf" and pdf_engine != "libreoffice" else None)
    if printer is not None:
        drawers = list(printer.spares)
    elif suffix in (".html", ".pdf"):
        first = pdf_worker.start(None, spares=1)
        drawers = [first, *first.spares] if first is not None else [None]
    else:
        drawers = []
    with contextlib.ExitStack() as children:
        children.enter_context(fits_in(fitter))
        for child in (printer, *drawers):
            if child is not None:
                children.enter_context(child)
        from crm_xl.ports.reader import read_register
        from crm_xl.reports.build import build_report, prepare
        from crm_xl.reports.model import KINDS
        from crm_xl.reports.output import FORMATS, write_report

        if kind not in KINDS:
            raise UsageError(f"--kind 只能是 {'、'.join(KINDS)}", f"--kind must be one of {', '.join(KINDS)}")
        if suffix not in FORMATS:
            raise UsageError("--out 的文件名须以 .html、.pdf 或 .xlsx 结尾", "--out must end in .html, .pdf or .xlsx")
        # the review's validators (and statsmodels, without a fits' child), and this format's writer,
        # import on the second core while fastexcel reads (charts and the printer are the children's)
        charts_here = suffix != ".xlsx" and not any(drawers) and printer is None
        preload((*review_modules(fitter), *_WRITER_MODULES.get(suffix, ()), *(("crm_xl.reports.charts",) if charts_here else ())))
        register = read_register(path, password=password)
        if printer is None and drawers and drawers[0] is not None:
            drawers[0].warm(_warm_up_charts)  # and then forks the second drawer
        lang = resolve_lang(lang, register.lang)
        say_coverage(register, lang)
        day = as_of_date(as_of)
        inputs = prepare(register, day, period=period, lang=lang, workbook=path.name, approved_by=approved_by,
                         approved_at=dt.datetime.now().replace(microsecond=0) if approved_by else None)
        write_report(build_report(kind, inputs), out, pdf_engine=pdf_engine, worker=printer,
                     chart_workers=tuple(drawers))
    say(f"已生成报告 {out}", f"Wrote {out}", lang)


# what each format imports after the review (besides crm_xl.reports.build, already imported)
_WRITER_MODULES = {".html": ("crm_xl.reports.html",), ".xlsx": ("crm_xl.reports.xlsx",)}


def _warm_up(charts: bool) -> None:
    from crm_xl.reports.pdf import warm_up

    warm_up(charts=charts)


def _warm_up_charts() -> None:
    from crm_xl.reports.charts import warm_up

    warm_up()
