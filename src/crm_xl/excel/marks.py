"""How Validate colours the cells with findings without touching the user's own fills or notes.

The .xlsm carries, on every register sheet, three conditional-format rules (error, warning, info)
whose formula looks the cell up in the hidden sheet ``crm-xl marks`` through the defined name
``CrmMarkKey``. Validate writes that sheet as one block (sheet key, cell, severity, key); Excel
then colours exactly those cells. The cells' own fill, font and notes are never written, so what
the user set is kept, and clearing a mark is rewriting the block. A conditional format drawn
over a fill shows on top of it and disappears with the mark, leaving the user's fill as it was.

The rules name the schema key of the sheet (``customers``), not its label, so renaming a sheet
or changing the workbook language keeps them working. A defined name carries the reference to
the marks sheet because a conditional format may not refer to another sheet directly in the
file format Excel 2007 introduced.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FILLS", "MARKS_HEADER", "MARKS_SHEET", "MARK_KEY_NAME", "add_mark_rules", "mark_key", "marks_sheet"]

MARKS_SHEET = "crm-xl marks"
"""Hidden sheet listing the cells the last validation marked (sheet key, cell, severity, key)."""
MARKS_HEADER = ["sheet", "cell", "severity", "key"]
MARK_KEY_NAME = "CrmMarkKey"
FILLS = {"error": "#FFC7CE", "warning": "#FFEB9C", "info": "#DDEBF7"}
_LAST_ROW = 1_048_575


def mark_key(sheet_key: str, cell: str, severity: str) -> str:
    """The text the conditional formats look for: ``customers!K3!error``."""
    return f"{sheet_key}!{cell}!{severity}"


def marks_sheet(workbook: Any) -> Any:
    """Add the hidden marks sheet (header only) and the defined name its key column goes by."""
    ws = workbook.add_worksheet(MARKS_SHEET)
    for col, text in enumerate(MARKS_HEADER):
        ws.write_string(0, col, text)
    ws.hide()
    workbook.define_name(MARK_KEY_NAME, f"='{MARKS_SHEET}'!$D:$D")
    return ws


def add_mark_rules(workbook: Any, worksheet: Any, sheet_key: str, columns: int) -> None:
    """The three rules on `worksheet` (register sheet `sheet_key`), over its first `columns` columns."""
    for severity in ("error", "warning", "info"):
        fmt = workbook.add_format({"bg_color": FILLS[severity]})
        formula = (f'=ISNUMBER(MATCH("{sheet_key}!"&ADDRESS(ROW(),COLUMN(),4)&"!{severity}",'
                   f"{MARK_KEY_NAME},0))")
        worksheet.conditional_format(0, 0, _LAST_ROW, max(columns, 1) - 1,
                                     {"type": "formula", "criteria": formula, "format": fmt, "stop_if_true": True})
