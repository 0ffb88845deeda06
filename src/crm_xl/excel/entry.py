"""Excel entry points: what the Control sheet's buttons run (through xlwings' ``RunPython``).

``validate()``, ``refresh()``, ``followups()`` and ``complaint_form()`` each take the calling
workbook (``xw.Book.caller()``, inside the function, never at import) unless a port is given,
read every register sheet in one call per sheet, run the same library functions as the CLI and
write each result block in one call. Progress goes to the status bar and errors to a message box,
in the workbook's language. User-entered cells are never written: only the Issues, Forecast,
KPI, Follow-ups, Dashboard and hidden bookkeeping sheets and the derived (grey) columns. Cells
with findings are coloured by the workbook's conditional formats from the hidden ``crm-xl marks``
sheet (:mod:`crm_xl.excel.marks`): no cell's own fill or note is ever written, so the user's
marks stay theirs. ``main()`` is the xlwings add-in convention's entry ("Run main": Refresh).

Every entry point compares the xlwings version the workbook's VBA was built for (Control sheet,
cell B3) with the running xlwings and says in the message box what to do when they differ.

A capability whose library module is not installed (an older crm-xl) is reported as not
available in a message box; nothing is made up.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crm_xl.excel.marks import FILLS, MARKS_HEADER, MARKS_SHEET, mark_key
from crm_xl.excel.port import (CloudPathUnmapped, ExcelPort, SheetLayout, XlwingsPort, cell_address, find_sheet,
                               read_register, sheet_ref)
from crm_xl.findings import SEVERITY_RANK, Finding, column_letter
from crm_xl.i18n import pick
from crm_xl.ports.errors import UnreadableWorkbook
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS

__all__ = ["FILLS", "ISSUES_SHEET", "MARKS_SHEET", "Outcome", "complaint_form", "followups", "installed_xlwings",
           "main", "refresh", "validate", "version_notice"]

ISSUES_SHEET = ("校验结果", "Issues")
FORECAST_SHEET = ("预测", "Forecast")
KPI_SHEET = ("KPI", "KPI")
FOLLOWUPS_SHEET = ("跟进计划", "Follow-ups")
DASHBOARD_SHEET = ("仪表板", "Dashboard")
DERIVED_FILL = "#E7E6E6"  # the template's fill of derived columns, restored when a legacy mark is cleared


@dataclass
class Session:
    """One button click: the port, the register read from it and where each sheet sits."""

    port: ExcelPort
    register: Register
    layouts: dict[str, SheetLayout]
    as_of: dt.date

    @property
    def lang(self) -> str:
        return self.register.lang

    def t(self, zh: str, en: str) -> str:
        return pick(zh, en, self.lang)

    def status(self, zh: str, en: str) -> None:
        self.port.status("crm-xl: " + self.t(zh, en))


@dataclass
class Outcome:
    """What an entry point did (also returned to callers such as tests)."""

    ok: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------- running
def _run(action: Callable[[Session], Outcome], port: ExcelPort | None, as_of: dt.date | None = None) -> Outcome:
    if port is None:
        import xlwings as xw

        port = XlwingsPort(xw.Book.caller())
    lang = "zh-CN"
    notices: dict[str, str] = {}
    try:
        port.status("crm-xl: " + pick("正在读取工作簿…", "reading the workbook…", lang))
        register, layouts = read_register(port)
        lang = register.lang
        notice = version_notice(port, lang)
        if notice:
            notices["version_mismatch"] = notice
        try:  # crm-xl needs no file path, but say what to set: xlwings' own features will
            port.book_path()
        except CloudPathUnmapped as exc:
            notices["cloud_path_unmapped"] = exc.message(lang)
        outcome = action(Session(port, register, layouts, as_of or dt.date.today()))
    except UnreadableWorkbook as exc:
        outcome = Outcome(False, exc.message(lang))
    except Exception as exc:  # noqa: BLE001 - every error ends in a message box, never a silent stop
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        outcome = Outcome(False, pick(f"crm-xl 出错：{detail}", f"crm-xl failed: {detail}", lang))
    finally:
        port.status(None)
    for kind, notice in notices.items():
        outcome.message += "\n\n" + notice
        outcome.counts[kind] = 1
    port.message(outcome.message, "crm-xl")
    return outcome


def installed_xlwings() -> str | None:
    """The version of the xlwings package this Python runs (None when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlwings")
    except PackageNotFoundError:
        return None


def version_notice(port: ExcelPort, lang: str) -> str:
    """What to do when the workbook's VBA was built for another xlwings than the running one ("" if same).

    The build writes the xlwings version next to the label ``xlwings`` on the Control sheet. The
    embedded xlwings module names its DLL and AppleScript by version, so with another xlwings the
    ``CRM_*`` functions stop calculating (the buttons still run). A workbook without a Control
    sheet (the macro-free .xlsx) has no VBA to compare.
    """
    from crm_xl.excel.xlsm import CONTROL_TITLE, XLWINGS_LABEL

    names = port.sheet_names()
    control = next((n for title in CONTROL_TITLE if (n := find_sheet(names, title))), None)
    if control is None:
        return ""
    built = next((row[1] for row in port.read_sheet(control) if len(row) > 1 and isinstance(row[0], str)
                  and row[0].strip().casefold() == XLWINGS_LABEL and row[1] not in (None, "")), None)
    running = installed_xlwings()
    book = port.book_name()
    new = book.rsplit(".", 1)[0] + "-new.xlsm"
    if built is None:
        return pick(f"注意：这个工作簿的宏是旧版 crm-xl 生成的，没有记录 xlwings 版本，无法核对。"
                    f"可以运行：crm-xl upgrade-macros \"{book}\" --out \"{new}\"（数据不变）。",
                    f"Note: this workbook's macros were built by an older crm-xl that did not record the xlwings "
                    f"version, so it cannot be checked. To rebuild them (your data stays as it is): "
                    f"crm-xl upgrade-macros \"{book}\" --out \"{new}\"", lang)
    built = str(built).strip()
    if running is None or built == running:
        return ""
    return pick(
        f"注意：这个工作簿的宏是为 xlwings {built} 生成的，而本机 Python 装的是 xlwings {running}。"
        f"两者一致之前，CRM_* 工作表函数不会计算。任选一种办法：\n"
        f"1. 装回相同版本：pip install xlwings=={built}\n"
        f"2. 为本机的 xlwings 重建宏（数据不变）：crm-xl upgrade-macros \"{book}\" --out \"{new}\"，然后打开新文件。",
        f"Note: this workbook's macros were built for xlwings {built}, but this Python has xlwings {running}. "
        f"Until they match, the CRM_* worksheet functions do not calculate. Do one of:\n"
        f"1. install the same version: pip install xlwings=={built}\n"
        f"2. rebuild the macros for this xlwings (your data stays as it is): "
        f"crm-xl upgrade-macros \"{book}\" --out \"{new}\", then open the new file.", lang)


def validate(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """校验 Validate: list every finding on the Issues sheet and mark the bad cells."""
    return _run(_validate, port, as_of)


def refresh(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """刷新报表 Refresh: derived columns, Forecast, KPI, Follow-ups and Dashboard sheets."""
    return _run(_refresh, port, as_of)


def followups(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """生成跟进计划 Follow-ups: the follow-up plan sheet."""
    return _run(_followups, port, as_of)


def complaint_form(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """生成投诉单 Complaint form: the handling form of every complaint that is not closed."""
    return _run(_complaint_form, port, as_of)


def main(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """The xlwings add-in convention's entry: the ribbon's "Run main" runs 刷新报表 Refresh.

    The add-in runs ``import <workbook name>; <workbook name>.main()``, so a file named like the
    workbook (``crm.py`` next to ``crm.xlsm``) holds ``from crm_xl.excel import main``.
    """
    return _run(_refresh, port, as_of)


def trade_document(port: ExcelPort | None = None, as_of: dt.date | None = None) -> Outcome:
    """生成单据 Trade document: the PI of the selected order row, or the quotation of the selected
    opportunity row, as a PDF beside the workbook; its number goes into the Change log sheet."""
    return _run(_trade_document, port, as_of)


def _trade_document(session: Session) -> Outcome:
    from pathlib import Path

    from crm_xl.documents import changelog_entry, document_context, next_number
    from crm_xl.ports.trade_documents import write_document

    reg, t = session.register, session.t
    selected = session.port.selection()
    by_name = {layout.name: key for key, layout in session.layouts.items()}
    sheet = by_name.get(selected[0]) if selected else None
    if sheet not in ("orders", "opportunities"):
        return Outcome(False, t(f"请先在“{reg.sheet_label('orders')}”或“{reg.sheet_label('opportunities')}”表中选中一行。",
                                f"Select a row on the {reg.sheet_label('orders')} or "
                                f"{reg.sheet_label('opportunities')} sheet first."))
    frame = reg.frames[sheet]
    hit = frame[frame["_row"] == selected[1]]
    id_col = "order_id" if sheet == "orders" else "opportunity_id"
    if hit.empty or not isinstance(hit.iloc[0][id_col], str):
        return Outcome(False, t(f"第 {selected[1]} 行没有编号，无法生成单据。", f"Row {selected[1]} has no ID."))
    record_id = hit.iloc[0][id_col]
    kind = "pi" if sheet == "orders" else "quotation"
    ref = {"order_id": record_id} if sheet == "orders" else {"opportunity_id": record_id}
    ctx = document_context(reg, kind, as_of=session.as_of, lang=session.lang, **ref)
    number, new = next_number(reg, kind, session.as_of, (sheet, record_id))
    ctx["number"] = number
    path = session.port.book_path()
    if not path:
        return Outcome(False, t("请先保存工作簿：单据保存在工作簿所在的文件夹。", "Save the workbook first: the "
                                "document is written into its folder."))
    target = Path(path).parent / f"{number}.pdf"
    session.status("正在生成单据…", "writing the document…")
    write_document(ctx, target)
    if new and "changelog" in session.layouts:
        log = session.layouts["changelog"]
        entry = changelog_entry(kind, (sheet, record_id), number, getpass.getuser(), dt.datetime.now().replace(microsecond=0))
        first, last = min(log.positions.values()), max(log.positions.values())
        row = [None] * (last - first + 1)
        for key, col in log.positions.items():
            row[col - first] = entry.get(key)
        session.port.write_block(log.name, cell_address(log.last_row + 1, first), [row])
    missing = "".join(f"\n- {m}" for m in ctx["missing"])
    return Outcome(True, t(f"已生成 {ctx['title_zh']} {number}：{target}" + (f"\n缺少（单据上留空）：{missing}" if missing else ""),
                           f"Wrote {ctx['title_en'].lower()} {number}: {target}" +
                           (f"\nMissing (left blank):{missing}" if missing else "")),
                   {"documents": 1, "recorded": int(new)})


# ----------------------------------------------------------------------------------- validate
def run_validation(session: Session) -> tuple[list[Finding], bool]:
    """(findings, complete): every finding of the same validation ``crm-xl validate`` runs."""
    from crm_xl.validation import validate as check

    return list(check(session.register, as_of=session.as_of).findings), True


def _validate(session: Session) -> Outcome:
    session.status("正在校验…", "validating…")
    findings, complete = run_validation(session)
    session.status("正在写入校验结果…", "writing the issues…")
    issues_rows = write_issues(session, findings)
    marked = mark_cells(session, findings)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    text = session.t(f"校验完成：{errors} 个错误，{warnings} 个警告，已在“{pick(*ISSUES_SHEET, 'zh-CN')}”表列出。",
                     f"Validation done: {errors} errors, {warnings} warnings, listed on the {ISSUES_SHEET[1]} sheet.")
    if not complete:
        text += session.t("\n注意：完整的规则校验模块未安装，只检查了无法识别的单元格、缺少的列和参数设置。",
                          "\nNote: the full rule checks are not installed; only unreadable cells, missing columns "
                          "and the Settings were checked.")
    return Outcome(True, text, {"errors": errors, "warnings": warnings, "issues": issues_rows, "marked": marked})


def _sheet_label(register: Register, sheet: str) -> str:
    return register.sheet_label(sheet) if sheet in SHEETS else sheet


def _column_label(sheet: str, column: str | None, lang: str) -> str | None:
    if column and sheet in SHEETS and SHEETS[sheet].has(column):
        return SHEETS[sheet].column(column).label(lang)
    return column


def _sorted(findings: Sequence[Finding]) -> list[Finding]:
    order = {key: i for i, key in enumerate(SHEETS)}
    return sorted(findings, key=lambda f: (order.get(f.sheet, len(order)), f.row or 0, f.column or "",
                                           -SEVERITY_RANK.get(f.severity, 0), f.code))


def write_issues(session: Session, findings: Sequence[Finding]) -> int:
    """The Issues sheet: one row per finding (sheet, linked cell, column, severity, code, message, value)."""
    reg, lang, port = session.register, session.lang, session.port
    name = session.t(*ISSUES_SHEET)
    header = [session.t("工作表", "Sheet"), session.t("单元格", "Cell"), session.t("列", "Column"),
              session.t("严重程度", "Severity"), session.t("代码", "Code"), session.t("说明", "Message"),
              session.t("值", "Value")]
    rows, links = [header], []
    for i, f in enumerate(_sorted(findings), start=2):
        value = f.value
        if value is not None and not isinstance(value, (str, int, float, bool, dt.date)):
            value = str(value)
        if isinstance(value, float) and math.isnan(value):
            value = None
        rows.append([_sheet_label(reg, f.sheet), f.cell, _column_label(f.sheet, f.column, lang),
                     ENUMS["severity"].label(f.severity, lang), f.code, f.message(lang), value])
        if f.cell and f.sheet in reg.sheet_names:
            links.append((f"B{i}", sheet_ref(reg.sheet_names[f.sheet], f.cell), f.cell))
    port.ensure_sheet(name, clear=True)
    port.write_block(name, "A1", rows)
    if links:
        port.add_hyperlinks(name, links)
    return len(rows) - 1


def _derived_cell(session: Session, sheet: str, cell: str) -> bool:
    key = next((k for k, v in session.layouts.items() if v.name == sheet), None)
    if key is None:
        return False
    col = "".join(ch for ch in cell if ch.isalpha())
    for column, index in session.layouts[key].positions.items():
        if column_letter(index) == col:
            return SHEETS[key].column(column).derived
    return False


def mark_cells(session: Session, findings: Sequence[Finding]) -> int:
    """Write the hidden marks sheet: one row per cell with a finding (its worst severity), one block.

    The workbook's conditional formats colour those cells from it (:mod:`crm_xl.excel.marks`); no
    cell's own fill or note is written, so the user's stay as they set them. Marks of a workbook
    that an earlier crm-xl coloured directly are cleared once, as that version recorded them.
    """
    port, reg = session.port, session.register
    existing = find_sheet(port.sheet_names(), MARKS_SHEET)
    if existing is not None:
        old = port.read_sheet(existing)
        if old and len(old[0]) >= 3 and old[0][2] == "restore_fill":
            _clear_legacy_marks(session, old[1:])
    worst: dict[tuple[str, str], str] = {}
    for f in _sorted(findings):
        if not f.cell or f.sheet not in reg.sheet_names:
            continue
        key = (f.sheet, f.cell)
        if SEVERITY_RANK.get(f.severity, 0) > SEVERITY_RANK.get(worst.get(key, ""), -1):
            worst[key] = f.severity
    rows = [list(MARKS_HEADER)] + [[sheet, cell, severity, mark_key(sheet, cell, severity)]
                                   for (sheet, cell), severity in worst.items()]
    port.ensure_sheet(MARKS_SHEET, clear=True, hidden=True)
    port.write_block(MARKS_SHEET, "A1", rows)
    return len(worst)


def _clear_legacy_marks(session: Session, rows: Sequence[Sequence[Any]]) -> None:
    """Undo the fills and notes crm-xl 0.1 wrote on flagged cells (recorded as sheet, cell, fill)."""
    port = session.port
    names = port.sheet_names()
    old: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for row in rows:
        if row and len(row) >= 2 and row[0] and row[1]:
            old[str(row[0])].append((str(row[1]), row[2] if len(row) > 2 and row[2] else None))
    for sheet, cells in old.items():
        name = find_sheet(names, sheet)
        if name is None:
            continue
        by_fill: dict[Any, list[str]] = defaultdict(list)
        for cell, restore in cells:
            by_fill[restore].append(cell)
        for restore, group in by_fill.items():
            port.set_fill(name, group, restore)
        port.set_notes(name, {cell: None for cell, _ in cells})


# ----------------------------------------------------------------------------------- refresh
def _analysis(session: Session) -> Any:
    """The same analysis ``crm-xl analyze`` gives (validated rows, follow-ups and service included)."""
    from crm_xl.review import review

    return review(session.register, session.as_of, lang=session.lang).analysis


def _cell_value(value: Any, enum: str | None, lang: str) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if enum and isinstance(value, str):
        return ENUMS[enum].label(value, lang)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_derived(session: Session, sheet: str, values: pd.DataFrame) -> int:
    """Write `values` (index = record ID, columns = derived column keys) into the sheet's derived columns.

    Only derived columns are written, one block per run of adjacent derived columns, covering the
    register's first to last record row; a row whose ID has no value gets a blank.
    """
    layout = session.layouts.get(sheet)
    spec = SHEETS[sheet]
    frame = session.register.frames[sheet]
    if layout is None or spec.id_column is None or not len(frame):
        return 0
    columns = [c for c in values.columns if spec.has(c) and spec.column(c).derived and c in layout.positions]
    if not columns:
        return 0
    first, last = layout.header_row + 1, int(frame[ROW].max())
    ids = pd.Series([None] * (last - first + 1), dtype=object)
    ids.iloc[(frame[ROW] - first).to_numpy()] = frame[spec.id_column].astype(object).to_numpy()
    table = values[~values.index.duplicated()]
    runs: list[list[str]] = []
    for column in sorted(columns, key=lambda c: layout.positions[c]):
        if runs and layout.positions[runs[-1][-1]] + 1 == layout.positions[column]:
            runs[-1].append(column)
        else:
            runs.append([column])
    for run in runs:
        block = []
        for rid in ids:
            found = rid is not None and rid is not pd.NA and rid in table.index
            block.append([_cell_value(table.at[rid, c], spec.column(c).enum, session.lang) if found else None
                          for c in run])
        session.port.write_block(layout.name, cell_address(first, layout.positions[run[0]]), block)
    return len(runs)


def _write_table(session: Session, title: tuple[str, str], header: list[str], rows: list[list[Any]]) -> str:
    name = session.t(*title)
    session.port.ensure_sheet(name, clear=True)
    session.port.write_block(name, "A1", [header] + rows)
    return name


def _refresh(session: Session) -> Outcome:
    session.status("正在计算分级、预测和 KPI…", "computing grades, forecast and KPI…")
    analysis = _analysis(session)
    data = analysis.to_json(session.lang)
    lang = session.lang
    session.status("正在写入派生列…", "writing the derived columns…")
    customers = pd.DataFrame(data.get("customers", [])).set_index("customer_id") if data.get("customers") else None
    blocks = 0
    if customers is not None:
        blocks += write_derived(session, "customers", customers)
    from crm_xl.analysis import derived_columns

    for sheet, values in derived_columns(analysis).items():
        if sheet != "customers":
            blocks += write_derived(session, sheet, values)
    session.status("正在写入报表…", "writing the report sheets…")
    forecast = data.get("forecast", {}).get("by_month", [])
    _write_table(session, FORECAST_SHEET,
                 [session.t("月份", "Month"), session.t("管道金额", "Pipeline"), session.t("加权金额", "Weighted"),
                  session.t("承诺", "Commit"), session.t("最佳情况", "Best case"), session.t("数量", "Quantity")],
                 [[m.get("month"), m.get("pipeline"), m.get("weighted"), m.get("commit"), m.get("best_case"),
                   m.get("quantity")] for m in forecast])
    kpi = data.get("kpi", [])
    _write_table(session, KPI_SHEET,
                 [session.t("负责人", "Owner"), session.t("总分", "Score"), session.t("等级", "Grade"),
                  session.t("排名", "Rank")],
                 [[k.get("owner"), k.get("score"), _cell_value(k.get("grade"), "kpi_grade", lang), k.get("rank")]
                  for k in kpi])
    plan = write_followups(session, followup_plan(session))
    dashboard = [
        [session.t("crm-xl 仪表板", "crm-xl Dashboard"), None],
        [session.t("截至日期", "As of"), data.get("as_of")],
        [session.t("本位币", "Base currency"), data.get("base_currency")],
        [session.t("客户数", "Customers"), len(data.get("customers", []))],
        [session.t("12 个月加权管道", "Weighted pipeline, 12 months"), sum(m.get("weighted") or 0 for m in forecast)],
        [session.t("承诺金额", "Commit"), sum(m.get("commit") or 0 for m in forecast)],
        [session.t("跟进事项", "Follow-ups"), plan],
        [session.t("KPI 人数", "Staff with KPI"), len(kpi)],
    ]
    name = session.t(*DASHBOARD_SHEET)
    session.port.ensure_sheet(name, clear=True)
    session.port.write_block(name, "A1", dashboard)
    return Outcome(True, session.t(f"刷新完成（截至 {data.get('as_of')}）。", f"Refresh done (as of {data.get('as_of')})."),
                   {"derived_blocks": blocks, "forecast_months": len(forecast), "kpi_rows": len(kpi), "followups": plan})


# ----------------------------------------------------------------------------------- follow-ups
FOLLOWUP_HEADERS = {
    "owner": ("负责人", "Owner"), "due": ("到期日", "Due"), "priority": ("优先级", "Priority"), "code": ("代码", "Code"),
    "reason": ("原因", "Reason"), "why": ("说明", "Details"), "greeting": ("问候建议", "Greeting"),
    "customer_id": ("客户编号", "Customer ID"), "customer_name": ("客户名称", "Customer"),
    "contact_id": ("联系人编号", "Contact ID"), "opportunity_id": ("机会编号", "Opportunity ID"),
    "ticket_id": ("工单编号", "Ticket ID"),
}


def followup_plan(session: Session) -> pd.DataFrame:
    """The follow-up plan, built exactly as ``crm-xl followups`` builds it."""
    from crm_xl.review import review

    return review(session.register, session.as_of, lang=session.lang).plan


def write_followups(session: Session, plan: pd.DataFrame) -> int:
    """The Follow-ups sheet (跟进计划): one row per item, the plan's columns, one block."""
    columns = [c for c in FOLLOWUP_HEADERS if c in plan.columns]
    rows = [[_cell_value(v, None, session.lang) for v in record]
            for record in plan[columns].astype(object).itertuples(index=False, name=None)]
    _write_table(session, FOLLOWUPS_SHEET, [session.t(*FOLLOWUP_HEADERS[c]) for c in columns], rows)
    return len(rows)


def _followups(session: Session) -> Outcome:
    session.status("正在生成跟进计划…", "building the follow-up plan…")
    count = write_followups(session, followup_plan(session))
    return Outcome(True, session.t(f"跟进计划已生成：{count} 项，见“{FOLLOWUPS_SHEET[0]}”表。",
                                   f"Follow-up plan written: {count} items on the {FOLLOWUPS_SHEET[1]} sheet."),
                   {"followups": count})


# ----------------------------------------------------------------------------------- complaint form
FORM_SHEET = ("投诉处理单", "Complaint form")


def form_block(context: dict[str, Any]) -> list[list[Any]]:
    """One complaint-handling form (from ``forms.complaint_context``) as rows of a printable sheet."""
    L, t, c = context["L"], context["t"], context["c"]
    rows: list[list[Any]] = [[L["title"], None, None, None], [L["ticket_id"], t["ticket_id"], L["printed"], context["printed"]]]
    rows.append([L["sec_customer"], None, None, None])
    rows += [[L["customer"], f"{c['customer_id']} {c['company_name']}".strip(), L["country"], c["country"]],
             [L["owner"], c["owner"], L["complainant"], t["complainant"]], [L["contact_info"], t["contact_info"], None, None]]
    rows.append([L["sec_complaint"], None, None, None])
    rows += [[L["received_at"], t["received_at"], L["channel"], t["channel"]],
             [L["order_id"], t["order_id"], L["product"], t["product"]],
             [L["category"], t["category"], L["urgency"], t["urgency"]],
             [L["status"], t["status"], None, None], [L["description"], t["description"], None, None],
             [L["expected_resolution"], t["expected_resolution"], None, None]]
    rows.append([L["sec_sla"], None, None, None])
    rows.append([L["deadline"], L["due"], L["done_at"], L["sla_status"]])
    rows += [[r["label"], r["due"], r["done"], r["status"]] for r in context["sla"]]
    rows.append([L["sec_steps"], None, None, None])
    rows.append([L["step_no"], L["step_status"], L["step_at"], L["step_note"]])
    rows += [[i, st["status"], st["at"], st["note"]] for i, st in enumerate(context["steps"], start=1)] or [
        [L["no_steps"], None, None, None]]
    rows.append([L["sec_result"], None, None, None])
    rows += [[L["responsible_dept"], t["responsible_dept"], L["assignee"], t["assignee"]],
             [L["root_cause"], t["root_cause"], None, None], [L["solution"], t["solution"], None, None],
             [L["compensation"], t["compensation"], L["closed_at"], t["closed_at"]],
             [L["satisfaction"], (t["satisfaction"] + " " + context["reopen"]).strip(), None, None]]
    rows.append([L["sec_sign"], None, None, None])
    rows += [[L["sign_handler"], L["sign_date"], None, None], [L["sign_head"], L["sign_date"], None, None],
             [L["sign_customer"], L["sign_date"], None, None], [L["footnote"], None, None, None]]
    return [[None if v == "" else v for v in row] for row in rows]


def _complaint_form(session: Session) -> Outcome:
    """Forms of every complaint that is not closed, stacked on one printable sheet (one block)."""
    from crm_xl.calendar import calendar_for
    from crm_xl.forms import complaint_context as context
    from crm_xl.forms import open_complaints as open_ids
    from crm_xl.service import ticket_sla

    session.status("正在生成投诉处理单…", "writing the complaint forms…")
    reg = session.register
    ids = open_ids(reg)
    if not ids:
        return Outcome(True, session.t("没有未关闭的投诉。", "No open complaints."), {"forms": 0})
    sla = ticket_sla(reg, session.as_of, calendar_for(reg.settings))
    block: list[list[Any]] = []
    for tid in ids:
        block += form_block(context(reg, tid, session.as_of, session.lang, sla=sla)) + [[None] * 4]
    _write_table(session, FORM_SHEET, block[0], block[1:])
    return Outcome(True, session.t(f"已生成 {len(ids)} 张投诉处理单，见“{FORM_SHEET[0]}”表。",
                                   f"Wrote {len(ids)} complaint forms on the {FORM_SHEET[1]} sheet."), {"forms": len(ids)})
