"""Findings: what is wrong (or worth knowing) about a cell, a row or the workbook.

A finding is data — ``Finding(sheet, row, column, code, severity, params)`` — and its message is
rendered from the catalogue (:mod:`crm_xl.messages`) in the workbook's language. ``row`` is the
Excel row number (1-based, as the user sees it); ``cell`` is the A1 address when the column's
position is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Finding:
    sheet: str
    row: int | None
    column: str | None
    code: str
    severity: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    value: Any = None
    cell: str | None = None
    record_id: str | None = None

    def message(self, lang: str) -> str:
        from crm_xl.messages import render

        return render(self.code, self.params, lang)

    def to_json(self, lang: str) -> dict[str, Any]:
        value = self.value
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        return {
            "sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell,
            "code": self.code, "severity": self.severity, "message": self.message(lang), "value": value,
        }
