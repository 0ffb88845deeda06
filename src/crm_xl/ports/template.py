"""File port, writing side: a register workbook built with xlsxwriter.

``write_register`` writes every register sheet as an Excel Table in the chosen language with a
styled, frozen header row, column widths, number/date formats, dropdowns fed from a hidden Lists
sheet, input messages explaining each column, a Settings sheet pre-filled with the values in force
and notes citing the policy clause, and a short how-to sheet. Text is always written as text, so a
value starting with ``=`` can never become a formula.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import xlsxwriter

from crm_xl import __version__
from crm_xl.findings import column_letter
from crm_xl.i18n import pick
from crm_xl.ports.packaging import Workbook
from crm_xl.ports.sheet_rows import RowsWorksheet, date_serials
from crm_xl.register import Register
from crm_xl.schema import ENUMS, SHEETS, Column, Sheet
from crm_xl.settings import SCALAR_KEYS, Settings, format_value, setting_note

LISTS_SHEET = "Lists"
HEADER_COLOR = "#1F4E78"
DERIVED_COLOR = "#E7E6E6"
EMPTY_ROWS = 500  # rows below the data that keep dropdowns and formats for new entries
BIG = 50_000

HOWTO_TITLE = ("使用说明", "How to use")
SHEET_ORDER = ("customers", "contacts", "opportunities", "activities", "orders", "tickets", "surveys",
               "vehicles", "service_visits", "events", "intelligence", "projects", "milestones",
               "project_changes", "staff", "training_sessions", "training_attendance", "changelog",
               "settings", "stages", "fx_rates", "holidays")


def sheets_for(profile: str) -> list[str]:
    """The register sheets a workbook of this profile has, in workbook order."""
    return [k for k in SHEET_ORDER if profile in SHEETS[k].profiles]


def _howto_lines(lang: str, macros: bool, profile: str = "trade") -> list[tuple[str, str]]:
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    lines = [
        ("title", t("crm-xl 外贸客户关系管理台账", "crm-xl — customer register for foreign-trade sales")),
        ("text", t(f"版本 {__version__}。每个工作表是一张 Excel 表格：在表格最后一行下面直接输入即可自动扩展。",
                   f"Version {__version__}. Each sheet is an Excel Table: type below its last row to extend it.")),
        ("head", t("工作表", "Sheets")),
    ]
    for key in sheets_for(profile):
        s = SHEETS[key]
        lines.append(("sheet", f"{s.label(lang)} — {pick(s.purpose_zh, s.purpose_en, lang)}"))
    lines += [
        ("head", t("填写规则", "Rules")),
        ("text", t("带下拉箭头的列请从列表中选择；选中单元格时会显示该列的填写说明。",
                   "Columns with a dropdown take a value from the list; selecting a cell shows what the column expects.")),
        ("text", t("日期可写 2026-03-05、2026/3/5 或 2026年3月5日；金额按行内币种填写，系统按汇率表折算本位币。",
                   "Dates may be 2026-03-05, 2026/3/5 or 2026年3月5日; amounts are in the row's currency and are converted with the FX sheet.")),
        ("text", t("灰色列（规模分类、ABC分类、客户等级、风险等级、加权金额……）由 crm-xl 计算，请勿手工填写。",
                   "Grey columns (scale, ABC, level, risk, weighted amount …) are computed by crm-xl; do not type in them.")),
        ("text", t("更正已录入的信息时，请在“变更日志”中记录更正原因和时间（制度要求）。",
                   "When you correct a recorded value, log the reason and time in the Change log (policy requirement).")),
        ("text", t("“参数设置”“阶段概率”“汇率”“节假日”中的数值由经理维护，所有规则都从这里读取。",
                   "Managers maintain Settings, Stage probabilities, FX rates and Holidays; every rule reads them.")),
        ("head", t("检查与报表", "Checks and reports")),
    ]
    if macros:
        lines.append(("text", t("在“控制台”点击按钮：校验、刷新报表、生成跟进计划、生成投诉单（需安装 Python 与 crm-xl）。",
                                "On the Control sheet click Validate, Refresh report, Follow-ups or Complaint form (needs Python and crm-xl).")))
    lines += [
        ("code", "crm-xl validate " + t("台账.xlsx", "register.xlsx")),
        ("code", "crm-xl analyze " + t("台账.xlsx", "register.xlsx") + " --format text"),
        ("code", "crm-xl followups " + t("台账.xlsx", "register.xlsx") + " --out followups.xlsx"),
        ("code", "crm-xl report " + t("台账.xlsx", "register.xlsx") + " --kind monthly --out report.html"),
    ]
    return lines


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.header = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_COLOR,
                                     "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.header_derived = wb.add_format({"bold": True, "font_color": "#1F1F1F", "bg_color": "#BFBFBF",
                                             "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_color": HEADER_COLOR})
        self.head = wb.add_format({"bold": True, "font_size": 12, "font_color": HEADER_COLOR})
        self.code = wb.add_format({"font_name": "Consolas", "bg_color": "#F2F2F2"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self._cache: dict[tuple[str | None, bool], Any] = {}

    def cell(self, num_format: str | None, derived: bool, unlocked: bool = False):
        key = (num_format, derived, unlocked)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if num_format:
                props["num_format"] = num_format
            if derived:
                props["bg_color"] = DERIVED_COLOR
            if unlocked:
                props["locked"] = False
            self._cache[key] = self.wb.add_format(props) if props else None
        return self._cache[key]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _column_values(frame: pd.DataFrame, column: Column, lang: str, kept: dict[int, tuple[str, str]]
                   ) -> Callable[[int, int], list]:
    """The cell values of one register column, a chunk of rows at a time, for
    :meth:`~crm_xl.ports.sheet_rows.RowsWorksheet.write_rows`: enum codes as their labels in
    ``lang``, dates as Excel serials, and the text the user typed where the reader could not use
    a cell (``kept``: position → (text, note)), written as text, never a formula."""
    enum = ENUMS.get(column.enum or "")
    series = frame[column.key] if column.key in frame.columns else None
    labels: dict[str, str] = {}

    def label(value: Any) -> Any:
        if _plain(value) is None:
            return None
        text = str(value)
        if text not in labels:
            labels[text] = enum.label(text, lang)
        return labels[text]

    def values(start: int, stop: int) -> list:
        if series is None:
            chunk = [None] * (stop - start)
        else:
            part = series.iloc[start:stop]
            chunk = None if enum is not None else date_serials(part)
            if chunk is None:
                chunk = part.tolist()
            if enum is not None:
                chunk = [label(v) for v in chunk]
        for pos, (text, _note) in kept.items():
            if start <= pos < stop:
                chunk[pos - start] = str(text)
        return chunk

    return values


def _add_lists(wb: xlsxwriter.Workbook, lang: str, settings: Settings) -> dict[str, str]:
    ws = wb.add_worksheet(LISTS_SHEET)
    names: dict[str, str] = {}
    lists = {name: e.labels(lang) for name, e in ENUMS.items()}
    lists["currency_codes"] = sorted({r.currency for r in settings.fx_rates} | {settings.base_currency})
    for c, (name, labels) in enumerate(lists.items()):
        ws.write_string(0, c, name)
        for r, label in enumerate(labels, start=1):
            ws.write_string(r, c, label)
        letter = column_letter(c)
        ref = f"=Lists!${letter}$2:${letter}${len(labels) + 1}"
        wb.define_name(f"list_{name}", ref)
        names[name] = f"=list_{name}"
    ws.hide()
    return names


def _validation(column: Column, lang: str, lists: dict[str, str]) -> dict[str, Any] | None:
    help_text = column.help(lang)
    title = column.label(lang)[:32]
    if column.derived:
        return {"validate": "any", "input_title": title, "input_message": help_text[:255]} if help_text else None
    if column.kind == "enum" and column.enum:
        options = {"validate": "list", "source": lists[column.enum], "error_type": "warning",
                   "error_title": title, "error_message": pick("请从下拉列表中选择", "Please choose from the list", lang)}
    elif column.kind == "currency":
        options = {"validate": "list", "source": lists["currency_codes"], "error_type": "information",
                   "error_message": pick("该币种不在汇率表中，请先在“汇率”表添加汇率", "Add a rate for this currency on the FX sheet", lang)}
    elif column.kind in ("date", "datetime"):
        options = {"validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
                   "maximum": dt.date(2100, 12, 31), "error_type": "warning",
                   "error_message": pick("请输入日期，如 2026-03-05", "Please enter a date such as 2026-03-05", lang)}
    elif column.kind in ("money", "number", "integer", "probability", "score") and column.minimum is not None:
        options = {"validate": "decimal", "criteria": "between" if column.maximum is not None else ">=",
                   "error_type": "warning",
                   "error_message": pick("数值超出允许范围", "The number is outside the allowed range", lang)}
        if column.maximum is not None:
            options.update(minimum=column.minimum, maximum=column.maximum)
        else:
            options["value"] = column.minimum
    else:
        options = {"validate": "any"}
    if help_text:
        options.update(input_title=title, input_message=help_text[:255])
    elif options["validate"] == "any":
        return None
    return options


def _write_table(wb, fmts: _Formats, sheet: Sheet, frame: pd.DataFrame | None, lang: str,
                 lists: dict[str, str], columns: list[Column], protect: str | None = None,
                 originals: dict[str, dict[int, tuple[str, str]]] | None = None, big: bool = False) -> None:
    """``big``: a register of ``BIG`` rows or more, written as xlsxwriter's constant-memory mode
    wrote it (no Excel Table: an autofilter and a header row of cells; text in the cells)."""
    ws = wb.add_worksheet(sheet.label(lang)[:31], worksheet_class=RowsWorksheet)
    n = 0 if frame is None else len(frame)
    last_row = n + EMPTY_ROWS if n < BIG else n
    cell_formats = [fmts.cell(c.num_format, c.derived, unlocked=bool(protect) and not c.derived) for c in columns]
    for c, column in enumerate(columns):
        ws.set_column(c, c, column.width, cell_formats[c] if n < BIG else None)
    ws.set_row(0, 32)
    if big:  # no Excel Table: write the header row itself
        for c, column in enumerate(columns):
            ws.write_string(0, c, column.label(lang), fmts.header_derived if column.derived else fmts.header)
    if n:
        kept = originals or {}
        ws.write_rows(1, [(c, _column_values(frame, column, lang, kept.get(column.key, {})), cell_formats[c])
                          for c, column in enumerate(columns)], n, inline=big)
        # cells the reader could not use keep what was typed, with the finding as the comment
        notes = sorted((pos, c, note) for c, column in enumerate(columns)
                       for pos, (_text, note) in kept.get(column.key, {}).items() if note)
        for pos, c, note in notes:
            ws.write_comment(pos + 1, c, note, {"x_scale": 2, "y_scale": 1.5})
    # A protected sheet cannot grow its table, so a protected table already spans the empty rows.
    table_rows = last_row if protect else max(n, 1)
    if big:  # as xlsxwriter's constant-memory mode had to: no Excel Table for a huge register
        ws.autofilter(0, 0, table_rows, len(columns) - 1)
    else:
        ws.add_table(0, 0, table_rows, len(columns) - 1, {
            "name": f"T_{sheet.key}",
            "style": "Table Style Light 9",
            "columns": [{"header": c.label(lang), "header_format": fmts.header_derived if c.derived else fmts.header}
                        for c in columns],
        })
    for c, column in enumerate(columns):
        options = _validation(column, lang, lists)
        if options:
            ws.data_validation(1, c, last_row, c, options)
    ws.freeze_panes(1, 1 if sheet.id_column else 0)
    _print_setup(ws, len(columns), n, sum(c.width for c in columns))
    if protect:
        ws.protect(protect, PROTECT_OPTIONS)


# What users may still do on a protected register sheet: everything but typing into locked cells.
PROTECT_OPTIONS = {"format_cells": True, "format_columns": True, "format_rows": True, "insert_rows": True,
                   "delete_rows": True, "sort": True, "autofilter": True, "select_locked_cells": True,
                   "select_unlocked_cells": True}


PRINT_WIDTH_PER_PAGE = 170  # column-width units that stay readable on one landscape A4 page


def _print_setup(ws, n_columns: int, n_rows: int, total_width: float) -> None:
    """Landscape A4, readable font size, header row repeated on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    ws.fit_to_pages(max(1, math.ceil(total_width / PRINT_WIDTH_PER_PAGE)), 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, max(n_rows, 1), n_columns - 1)


def _settings_frames(settings: Settings, lang: str) -> dict[str, pd.DataFrame]:
    values = pd.DataFrame({
        "key": list(SCALAR_KEYS),
        "value": [format_value(getattr(settings, k)) for k in SCALAR_KEYS],
        "note": [setting_note(k, lang) for k in SCALAR_KEYS],
    })
    stages = pd.DataFrame([{"stage": s, **rule.model_dump()} for s, rule in settings.stages.items()])
    fx = pd.DataFrame([r.model_dump() for r in settings.fx_rates]) if settings.fx_rates else None
    hol = [{"date": d, "name": pick("公司休息日", "Company day off", lang), "kind": "holiday"} for d in settings.extra_holidays]
    hol += [{"date": d, "name": pick("调休上班", "Working day", lang), "kind": "workday"} for d in settings.extra_workdays]
    return {"settings": values, "stages": stages, "fx_rates": fx, "holidays": pd.DataFrame(hol) if hol else None}


def _howto(wb, fmts: _Formats, lang: str, macros: bool, profile: str) -> None:
    ws = wb.add_worksheet(pick(*HOWTO_TITLE, lang))
    ws.set_column(0, 0, 110)
    ws.hide_gridlines(2)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    r = 0
    for kind, text in _howto_lines(lang, macros, profile):
        if kind == "head":
            r += 1  # a blank line before each section
        fmt = {"title": fmts.title, "head": fmts.head, "code": fmts.code}.get(kind, fmts.wrap)
        ws.write_string(r, 0, ("  • " + text) if kind == "sheet" else text, fmt)
        if kind == "title":
            ws.set_row(r, 26)
        r += 1


def write_register(path: str | Path, register: Register | None = None, *, lang: str = "zh-CN",
                   settings: Settings | None = None, before_sheets: Callable | None = None,
                   vba_project: str | Path | None = None, created: dt.datetime | None = None,
                   after_sheets: Callable | None = None, macros: bool = False,
                   protect: str | None = None) -> Path:
    """Write a register workbook to ``path`` (callers write to a temp path and rename).

    ``register`` supplies the records (None = an empty register). ``before_sheets(workbook,
    formats)`` may add sheets (e.g. the Control sheet) before the register sheets;
    ``after_sheets(workbook, formats)`` runs once every sheet exists (e.g. to attach a VBA project
    that needs every sheet's code name). ``macros`` (or a ``vba_project``) makes the how-to sheet
    mention the Control sheet's buttons. ``protect``
    is a sheet-protection password: derived columns and generated sheets are locked, input
    columns stay editable (the password is never stored anywhere but in Excel's own hash).
    """
    path = Path(path)
    settings = settings or (register.settings if register else Settings())
    settings = settings.model_copy(update={"language": lang})
    total = sum(len(f) for f in register.frames.values()) if register else 0
    big = total >= BIG
    wb = Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    try:
        wb.set_properties({"title": pick("客户关系管理台账", "Customer register", lang), "author": "crm-xl",
                           "comments": f"crm-xl {__version__}", "created": created or dt.datetime.now()})
        if vba_project:
            wb.add_vba_project(str(vba_project))
        fmts = _Formats(wb)
        if before_sheets:
            before_sheets(wb, fmts)
        _howto(wb, fmts, lang, bool(vba_project) or macros, settings.profile)
        lists = _add_lists(wb, lang, settings)
        settings_frames = _settings_frames(settings, lang)
        for key in sheets_for(settings.profile):
            sheet = SHEETS[key]
            if key in settings_frames:
                frame = settings_frames[key]
            else:
                frame = register.frames.get(key) if register else None
            originals = register.originals(key, frame, lang) if register and frame is not None and \
                key not in settings_frames else None
            _write_table(wb, fmts, sheet, frame, lang, lists, sheet.columns_for(settings.profile), protect, originals,
                         big)
        if protect:
            for ws in wb.worksheets():
                if ws.name in (LISTS_SHEET, pick(*HOWTO_TITLE, lang)):
                    ws.protect(protect)
        if after_sheets:
            after_sheets(wb, fmts)
        wb.worksheets()[0].activate()
    finally:
        wb.close()
    return path
