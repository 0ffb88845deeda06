"""The complaint-handling form (投诉处理单, SPEC F5.4): context, HTML, PDF and xlsx.

``complaint_context`` gathers one ticket's fields as display text in the user's language (the
customer, the complaint, expected resolution, SLA deadlines and their status, the handling steps
from ``status_history`` with their dates, root cause, solution, compensation, satisfaction).
``render_html`` fills ``templates/complaint_form.html.j2`` (Jinja2, autoescape, StrictUndefined);
``render_pdfs`` prints it to PDF with weasyprint, or with LibreOffice headless as a fallback;
``write_form_workbook`` lays the same form out on printable A4 sheets, one per ticket.
"""

from __future__ import annotations

from crm_xl.resources import resource_dirs

import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from crm_xl.calendar import WorkCalendar, calendar_for
from crm_xl.fonts import css_family, fontconfig_env
from crm_xl.i18n import pick
from crm_xl.i18n import UsageError
from crm_xl.ports.packaging import Workbook
from crm_xl.register import Register, record
from crm_xl.schema import ENUMS
from crm_xl.service import ticket_sla
from crm_xl.workflow import parse_steps

__all__ = ["LibreOfficeError", "complaint_context", "open_complaints", "render_html", "render_pdf", "render_pdfs",
           "pdf_engine", "soffice_binary", "write_form_workbook"]

TEMPLATE = "complaint_form.html.j2"
_TEMPLATE_DIRS = resource_dirs("templates")

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("投诉处理单", "Complaint Handling Form"),
    "ticket_id": ("工单编号", "Ticket no."), "urgency": ("紧急程度", "Urgency"), "printed": ("打印日期", "Printed"),
    "sec_customer": ("一、客户信息", "1. Customer"), "customer": ("客户", "Customer"),
    "country": ("国家/地区", "Country"), "owner": ("负责业务员", "Account owner"),
    "complainant": ("投诉人", "Complainant"), "contact_info": ("联系方式", "Contact"),
    "sec_complaint": ("二、投诉内容", "2. Complaint"), "received_at": ("受理时间", "Received"),
    "channel": ("渠道", "Channel"), "order_id": ("订单编号", "Order no."), "product": ("产品", "Product"),
    "category": ("问题类别", "Category"), "status": ("当前状态", "Status"), "description": ("问题描述", "Description"),
    "expected_resolution": ("期望解决方式", "Expected resolution"),
    "sec_sla": ("三、处理时限", "3. Deadlines (SLA)"), "deadline": ("时限", "Deadline"), "due": ("截止时间", "Due"),
    "done_at": ("完成时间", "Done"), "sla_status": ("状态", "Status"),
    "sec_steps": ("四、处理过程", "4. Handling steps"), "step_no": ("序号", "No."), "step_status": ("步骤", "Step"),
    "step_at": ("日期", "Date"), "step_note": ("记录", "Note"), "no_steps": ("（暂无记录）", "(none recorded)"),
    "sec_result": ("五、处理结果", "5. Result"), "responsible_dept": ("责任部门", "Responsible dept."),
    "assignee": ("处理人", "Handled by"), "root_cause": ("原因分析", "Root cause"), "solution": ("解决方案", "Solution"),
    "compensation": ("赔偿金额", "Compensation"), "closed_at": ("关闭时间", "Closed"),
    "satisfaction": ("客户满意度", "Customer satisfaction"),
    "sec_sign": ("六、签字确认", "6. Sign-off"), "sign_handler": ("处理人", "Handled by"),
    "sign_head": ("部门负责人", "Department head"), "sign_customer": ("客户确认", "Customer confirmation"),
    "sign_date": ("签字：　　　　　日期：", "Signature:            Date:"),
    "footnote": ("依据：外贸CRM管理制度 四(二) 客户投诉处理；汽车系统CRM管理制度 四(二)。",
                 "Per the foreign-trade CRM policy §4(2) complaint handling."),
}
_SLA_STATUS = {"met": ("按时完成", "met"), "breached": ("超时完成", "breached"), "overdue": ("已超时", "overdue"),
               "open": ("处理中（未到期）", "open, not yet due")}


class LibreOfficeError(OSError):
    """No PDF engine, or LibreOffice timed out or produced no PDF."""


def _fmt_dt(v: Any) -> str:
    if v is None or pd.isna(v):
        return ""
    ts = pd.Timestamp(v)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


def _txt(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _label(enum: str, code: Any, lang: str) -> str:
    return "" if code is None or pd.isna(code) else ENUMS[enum].label(str(code), lang)


def open_complaints(register: Register) -> list[str]:
    """IDs of complaints that are not closed, in sheet order."""
    k = register.frames["tickets"]
    keep = (k["type"] == "complaint").fillna(False) & (k["status"] != "closed").fillna(True)
    return k.loc[keep, "ticket_id"].dropna().astype(str).tolist()


def complaint_context(register: Register, ticket_id: str, as_of: date | datetime, lang: str,
                      sla: pd.DataFrame | None = None, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """Everything the form shows for one ticket, as display text in ``lang``.

    Raises:
        ValueError: no ticket with this ID.
    """
    s = register.settings
    p = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    k = register.frames["tickets"]
    hit = k[(k["ticket_id"] == str(ticket_id)).fillna(False)]
    if hit.empty:
        raise UsageError(f"找不到工单 {ticket_id}", f"no ticket {ticket_id}")
    row = record(hit.iloc[0])  # plain values: a blank cell is None, never an ambiguous NA
    if sla is None:
        sla = ticket_sla(register, as_of, calendar or calendar_for(s))
    r = record(sla[(sla["ticket_id"] == str(ticket_id)).fillna(False)].iloc[0])
    cust = register.frames["customers"]
    crow = cust[(cust["customer_id"] == row["customer_id"]).fillna(False)] if row["customer_id"] is not None else cust.iloc[:0]
    c = record(crow.iloc[0]) if len(crow) else {}
    complaint = row["type"] == "complaint"
    urgency = row["urgency"] if isinstance(row["urgency"], str) else "medium"
    response_label = (p(f"首次联系客户（{s.complaint_contact_workdays} 个工作日内）",
                        f"Contact the customer (within {s.complaint_contact_workdays} working days)") if complaint else
                      p(f"首次回复（{s.inquiry_response_hours:g} 个工作小时内）",
                        f"First response (within {s.inquiry_response_hours:g} working hours)"))
    days = s.resolution_days(urgency)
    sla_rows = []
    for label, due, done, status in (
        (response_label, r["response_due"], r["response_at"], r["response_status"]),
        (p(f"解决（{_label('urgency', urgency, lang)}：{days} 个工作日内）",
           f"Resolution ({_label('urgency', urgency, lang)}: within {days} working days)"),
         r["resolution_due"], r["closed_at"], r["resolution_status"]),
    ):
        st = _txt(status)
        sla_rows.append({"label": label, "due": _fmt_dt(due), "done": _fmt_dt(done),
                         "status": pick(*_SLA_STATUS[st], lang) if st in _SLA_STATUS else st,
                         "late": st in ("overdue", "breached")})
    steps = [{"status": _label("ticket_status", st.status, lang) if st.status else st.text,
              "at": _fmt_dt(st.at), "note": ""} for st in (parse_steps(row["status_history"]) if isinstance(row["status_history"], str) else ())]
    if not steps:
        for code, at, note in (("received", row["received_at"], ""),
                               (None, row["first_response_at"], p("首次响应", "First response")),
                               ("closed", row["closed_at"] if row["status"] == "closed" else None, "")):
            if at is not None and not pd.isna(at):
                steps.append({"status": _label("ticket_status", code, lang) if code else note, "at": _fmt_dt(at),
                              "note": ""})
    sat = row["satisfaction"]
    reopen = ""
    if bool(r["reopen_suggested"]):
        reopen = p(f"（低于 {s.reopen_satisfaction_below:g} 分，应重新处理）",
                   f"(below {s.reopen_satisfaction_below:g}: reopen the ticket)")
    comp = row["compensation"]
    return {
        "lang": lang, "L": {key: pick(zh, en, lang) for key, (zh, en) in _LABELS.items()},
        "printed": pd.Timestamp(as_of).strftime("%Y-%m-%d"),
        "t": {
            "ticket_id": _txt(row["ticket_id"]), "type": _label("ticket_type", row["type"], lang),
            "urgency": _label("urgency", row["urgency"], lang), "status": _label("ticket_status", row["status"], lang),
            "received_at": _fmt_dt(row["received_at"]), "channel": _label("method", row["channel"], lang),
            "complainant": _txt(row["complainant"]), "contact_info": _txt(row["contact_info"]),
            "order_id": _txt(row["order_id"]), "product": _txt(row["product"]),
            "category": _label("ticket_category", row["category"], lang), "description": _txt(row["description"]),
            "expected_resolution": _txt(row["expected_resolution"]), "responsible_dept": _txt(row["responsible_dept"]),
            "assignee": _txt(row["assignee"]), "root_cause": _txt(row["root_cause"]), "solution": _txt(row["solution"]),
            "compensation": "" if comp is None else f"{comp:,.2f}", "closed_at": _fmt_dt(row["closed_at"]),
            "satisfaction": "" if pd.isna(sat) else f"{sat:g} / 5",
        },
        "c": {"customer_id": _txt(row["customer_id"]), "company_name": _txt(c.get("company_name")),
              "country": _txt(c.get("country")), "owner": _txt(c.get("owner"))},
        "sla": sla_rows, "steps": steps, "reopen": reopen,
    }


def _environment() -> jinja2.Environment:
    dirs = [str(d) for d in _TEMPLATE_DIRS if (d / TEMPLATE).is_file()]
    return jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(context: dict[str, Any]) -> str:
    """The form as a standalone HTML page (A4 print CSS)."""
    return _environment().get_template(TEMPLATE).render(**context, fonts=Markup(css_family(context["lang"])))


def soffice_binary() -> str | None:
    """Path of LibreOffice's ``soffice`` (or ``libreoffice``), None when not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_engine() -> str | None:
    """'weasyprint' (HTML+CSS → PDF) when importable, else 'libreoffice' when installed, else None."""
    from crm_xl.reports.pdf import weasyprint_available

    if not weasyprint_available():  # ImportError, or OSError when Pango is missing
        return "libreoffice" if soffice_binary() else None
    return "weasyprint"


def render_pdfs(contexts: dict[str, dict[str, Any]], out_dir: str | Path, engine: str | None = None,
                timeout: float = 240, worker: Any = None) -> dict[str, Path]:
    """Render forms (file stem → context) to ``out_dir/<stem>.pdf``.

    ``weasyprint`` prints the HTML template with its A4 CSS. ``libreoffice`` (the fallback; its
    HTML import ignores much of the CSS) converts the printable xlsx layout of the same form with
    Calc headless, in one run with an isolated user profile and a timeout. Files are made in a
    private temp folder and moved into ``out_dir`` only when every PDF was produced. A
    :class:`~crm_xl.ports.child.Worker` (WeasyPrint loaded ahead in a child process)
    prints them when given and WeasyPrint can start there; else they are printed as without one.
    """
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="crm-xl-pdf-") as tmp:
        work = Path(tmp)
        (work / "pdf").mkdir()
        # WeasyPrint in the worker's child process when there is one; what it did not print (no
        # worker, or WeasyPrint could not start there) is printed here by the chosen engine.
        printed = worker is not None and engine in (None, "weasyprint") and _print_in_worker(worker, contexts, work)
        if not printed:
            engine = engine or pdf_engine()
            if engine is None:
                raise LibreOfficeError("no PDF engine: install weasyprint or LibreOffice (soffice); "
                                       "or use --out FILE.html / FILE.xlsx")
        out_dir.mkdir(parents=True, exist_ok=True)
        if not printed:
            _print_here(engine, contexts, work, timeout)
        done = {stem: work / "pdf" / f"{stem}.pdf" for stem in contexts}
        return {stem: Path(shutil.move(str(pdf), out_dir / pdf.name)) for stem, pdf in done.items()}


def _print_in_worker(worker: Any, contexts: dict[str, dict[str, Any]], work: Path) -> bool:
    """Print every form with WeasyPrint in the worker's child process; False when it could not."""
    from crm_xl.reports.pdf import print_html

    base = next((str(d) for d in _TEMPLATE_DIRS if d.is_dir()), None)
    pages = {str(work / "pdf" / f"{stem}.pdf"): render_html(ctx) for stem, ctx in contexts.items()}
    return bool(worker.run(print_html, pages, base))


def _print_here(engine: str, contexts: dict[str, dict[str, Any]], work: Path, timeout: float) -> None:
    """Print every form to ``work/pdf`` in this process with ``engine``."""
    if engine == "weasyprint":
        from crm_xl.reports.pdf import weasy_printer

        printer = weasy_printer()  # WeasyPrint and the fonts set up once for every form
        base = next((str(d) for d in _TEMPLATE_DIRS if d.is_dir()), None)
        for stem, ctx in contexts.items():
            printer.write(render_html(ctx), work / "pdf" / f"{stem}.pdf", base_url=base)
    elif engine == "libreoffice":
        _libreoffice_pdfs(contexts, work, timeout)
    else:
        raise ValueError(f"unknown PDF engine {engine!r}")


def _libreoffice_pdfs(contexts: dict[str, dict[str, Any]], work: Path, timeout: float) -> None:
    from crm_xl.reports.pdf import libreoffice_missing

    binary = soffice_binary()
    missing = libreoffice_missing("calc")  # the form's printable xlsx layout is printed by Calc
    if binary is None or missing:
        raise LibreOfficeError(missing or "LibreOffice (soffice) is not installed")
    sources = []
    for stem, ctx in contexts.items():
        src = work / f"{stem}.xlsx"
        write_form_workbook([ctx], src)
        sources.append(str(src))
    cmd = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(work / "pdf"), *sources]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": str(work), **fontconfig_env(work)})
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"LibreOffice did not finish within {timeout:g} s") from exc
    for stem in contexts:
        pdf = work / "pdf" / f"{stem}.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise LibreOfficeError(f"LibreOffice produced no PDF for {stem}: {proc.stderr.strip()[-400:]}")


def render_pdf(context: dict[str, Any], out: str | Path, engine: str | None = None, timeout: float = 240,
               worker: Any = None) -> Path:
    """Render one form to the PDF file ``out``."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="crm-xl-pdf-out-") as tmp:
        pdf = render_pdfs({"form": context}, tmp, engine, timeout, worker=worker)["form"]
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(pdf), out)
    return out


def _sheet_title(ticket_id: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", ticket_id)[:28] or "form"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]}~{n}", n + 1
    used.add(name.lower())
    return name


def write_form_workbook(contexts: list[dict[str, Any]], path: str | Path) -> int:
    """Write one printable A4 form sheet per context; returns the number of sheets."""
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    font = {"font_name": "Noto Sans CJK SC", "font_size": 10}
    f = {
        "title": wb.add_format({**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "meta": wb.add_format({**font, "font_size": 9}),
        "section": wb.add_format({**font, "bold": True, "bg_color": "#D9E2F3", "left": 5, "left_color": "#2F5597"}),
        "th": wb.add_format({**font, "bold": True, "bg_color": "#F2F2F2", "border": 1, "valign": "top",
                             "text_wrap": True}),
        "td": wb.add_format({**font, "border": 1, "valign": "top", "text_wrap": True}),
        "late": wb.add_format({**font, "border": 1, "valign": "top", "text_wrap": True, "bold": True,
                               "font_color": "#C00000"}),
        "sign": wb.add_format({**font, "border": 1, "valign": "bottom", "text_wrap": True}),
        "note": wb.add_format({**font, "font_size": 8, "font_color": "#444444"}),
    }
    used: set[str] = set()
    for ctx in contexts:
        L, t, c = ctx["L"], ctx["t"], ctx["c"]
        ws = wb.add_worksheet(_sheet_title(t["ticket_id"], used))
        ws.set_paper(9)
        ws.set_portrait()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.fit_to_pages(1, 0)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 2, 16)
        ws.set_column(3, 3, 30)
        r = 0
        ws.merge_range(r, 0, r, 3, L["title"], f["title"])
        ws.set_row(r, 30)
        r += 1
        ws.write_string(r, 0, f"{L['ticket_id']}：{t['ticket_id']}", f["meta"])
        ws.write_string(r, 2, f"{L['urgency']}：{t['urgency']}", f["meta"])
        ws.write_string(r, 3, f"{L['printed']}：{ctx['printed']}", f["meta"])
        r += 2

        def section(title: str) -> None:
            nonlocal r
            ws.merge_range(r, 0, r, 3, title, f["section"])
            r += 1

        def pair(l1: str, v1: str, l2: str | None = None, v2: str = "", height: float | None = None,
                 fmt: str = "td") -> None:
            nonlocal r
            ws.write_string(r, 0, l1, f["th"])
            if l2 is None:
                ws.merge_range(r, 1, r, 3, "", f[fmt])
                ws.write_string(r, 1, v1, f[fmt])
            else:
                ws.write_string(r, 1, v1, f[fmt])
                ws.write_string(r, 2, l2, f["th"])
                ws.write_string(r, 3, v2, f["td"])
            if height:
                ws.set_row(r, height)
            r += 1

        section(L["sec_customer"])
        pair(L["customer"], f"{c['company_name']}（{c['customer_id']}）")
        pair(L["country"], c["country"], L["owner"], c["owner"])
        pair(L["complainant"], t["complainant"], L["contact_info"], t["contact_info"])
        r += 1
        section(L["sec_complaint"])
        pair(L["received_at"], t["received_at"], L["channel"], t["channel"])
        pair(L["order_id"], t["order_id"], L["product"], t["product"])
        pair(L["category"], t["category"], L["status"], t["status"])
        pair(L["description"], t["description"], height=48)
        pair(L["expected_resolution"], t["expected_resolution"], height=30)
        r += 1
        section(L["sec_sla"])
        for col, key in enumerate(("deadline", "due", "done_at", "sla_status")):
            ws.write_string(r, col, L[key], f["th"])
        r += 1
        for row in ctx["sla"]:
            ws.write_string(r, 0, row["label"], f["td"])
            ws.write_string(r, 1, row["due"], f["td"])
            ws.write_string(r, 2, row["done"], f["td"])
            ws.write_string(r, 3, row["status"], f["late" if row["late"] else "td"])
            ws.set_row(r, 30)
            r += 1
        r += 1
        section(L["sec_steps"])
        for col, key in enumerate(("step_no", "step_status", "step_at", "step_note")):
            ws.write_string(r, col, L[key], f["th"])
        r += 1
        for i, step in enumerate(ctx["steps"] or [{"status": L["no_steps"], "at": "", "note": ""}], start=1):
            ws.write_string(r, 0, str(i) if ctx["steps"] else "", f["td"])
            ws.write_string(r, 1, step["status"], f["td"])
            ws.write_string(r, 2, step["at"], f["td"])
            ws.write_string(r, 3, step["note"], f["td"])
            r += 1
        r += 1
        section(L["sec_result"])
        pair(L["responsible_dept"], t["responsible_dept"], L["assignee"], t["assignee"])
        pair(L["root_cause"], t["root_cause"], height=40)
        pair(L["solution"], t["solution"], height=40)
        pair(L["compensation"], t["compensation"], L["closed_at"], t["closed_at"])
        pair(L["satisfaction"], f"{t['satisfaction']} {ctx['reopen']}".strip(),
             fmt="late" if ctx["reopen"] else "td")
        r += 1
        section(L["sec_sign"])
        ws.write_string(r, 0, L["sign_handler"], f["th"])
        ws.merge_range(r, 1, r, 2, L["sign_head"], f["th"])
        ws.write_string(r, 3, L["sign_customer"], f["th"])
        r += 1
        ws.write_string(r, 0, L["sign_date"], f["sign"])
        ws.merge_range(r, 1, r, 2, L["sign_date"], f["sign"])
        ws.write_string(r, 3, L["sign_date"], f["sign"])
        ws.set_row(r, 60)
        r += 2
        ws.write_string(r, 0, L["footnote"], f["note"])
        ws.print_area(0, 0, r, 3)
    wb.close()
    return len(contexts)
