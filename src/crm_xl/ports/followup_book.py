"""Write the follow-up plan (跟进计划) workbook with xlsxwriter (SPEC F6.5, F6.6).

One sheet in the workbook's language: a header row with an autofilter and frozen panes, one row
per follow-up item, rows due on the as-of date filled yellow and overdue rows red. Text is always
written with ``write_string`` (a name such as ``=HYPERLINK(...)`` stays text, F9.6).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import xlsxwriter

from crm_xl.i18n import pick

__all__ = ["COLUMNS", "owner_file_name", "sheet_name", "write_followup_book"]

# (frame column, zh label, en label, width)
COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("owner", "负责人", "Owner", 10),
    ("due", "到期日", "Due", 11),
    ("priority", "优先级", "Priority", 8),
    ("customer_id", "客户编号", "Customer ID", 11),
    ("customer_name", "客户名称", "Customer", 26),
    ("reason", "事由", "Reason", 22),
    ("why", "说明", "Details", 60),
    ("greeting", "问候建议", "Greeting", 24),
    ("contact_id", "联系人编号", "Contact ID", 11),
    ("opportunity_id", "机会编号", "Opportunity ID", 12),
    ("ticket_id", "工单编号", "Ticket ID", 10),
    ("result", "跟进结果", "Result", 24),
)
_PRIORITY = {1: ("1 高", "1 high"), 2: ("2 中", "2 medium"), 3: ("3 低", "3 low")}


def sheet_name(lang: str) -> str:
    return pick("跟进计划", "Follow-up plan", lang)


def owner_file_name(owner: str, lang: str) -> str:
    """A safe file name for one owner's workbook, e.g. ``跟进计划_张三.xlsx``."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", str(owner)).strip(" .") or "_"
    return f"{sheet_name(lang).replace(' ', '-')}_{safe}.xlsx"


def write_followup_book(frame: pd.DataFrame, path: str | Path, lang: str, as_of: date) -> int:
    """Write the plan to ``path`` (a new file); returns the number of item rows written."""
    today = pd.Timestamp(as_of).normalize()
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{sheet_name(lang)} {today.date().isoformat()}", "author": "crm-xl"})
    ws = wb.add_worksheet(sheet_name(lang))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    fills = {"normal": {}, "today": {"bg_color": "#FFF2CC"}, "overdue": {"bg_color": "#F8CBAD", "font_color": "#9C0006"}}
    fmt = {(kind, typ): wb.add_format({**props, "border": 1, "valign": "top", "text_wrap": typ == "wrap",
                                       **({"num_format": "yyyy-mm-dd"} if typ == "date" else {})})
           for kind, props in fills.items() for typ in ("text", "wrap", "date")}
    for col, (key, zh, en, width) in enumerate(COLUMNS):
        ws.write_string(0, col, pick(zh, en, lang), head)
        ws.set_column(col, col, width)
    ws.set_row(0, 20)
    rows = frame.reset_index(drop=True)
    for i, rec in enumerate(rows.to_dict("records"), start=1):
        due = rec["due"]
        kind = "overdue" if due < today else "today" if due == today else "normal"
        for col, (key, *_rest) in enumerate(COLUMNS):
            if key == "due":
                ws.write_datetime(i, col, due.to_pydatetime(), fmt[(kind, "date")])
                continue
            value = rec.get(key)
            if key == "priority":
                value = pick(*_PRIORITY.get(int(value), (str(value), str(value))), lang)
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            ws.write_string(i, col, text, fmt[(kind, "wrap" if key in ("why", "greeting", "reason") else "text")])
    ws.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header(f"&L{sheet_name(lang)}&R{today.date().isoformat()}")
    ws.set_footer("&C&P / &N")
    wb.close()
    return len(rows)
