"""Differences between two versions of a register (pure core), checked against the change log.

Policy 000 二(二)2: "如发现信息录入错误,应及时更正,并记录更正原因和时间" — a changed value needs a
change-log row (sheet, record, column) with a reason. ``diff_registers`` lists added, removed and
changed records and cells by record ID, and marks each changed cell that has no such row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_xl.i18n import fold
from crm_xl.register import ROW, Register
from crm_xl.schema import SHEETS, sheet_lookup


@dataclass
class RegisterDiff:
    added: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["sheet", "record_id", "row"]))
    removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["sheet", "record_id", "row"]))
    changed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["sheet", "record_id", "row", "column", "old", "new", "logged", "reason"]))

    @property
    def unexplained(self) -> pd.DataFrame:
        return self.changed[~self.changed["logged"]]

    def to_json(self) -> dict:
        def rows(frame: pd.DataFrame) -> list[dict]:
            return [{k: (None if _blank(v) else (v.isoformat()[:10] if hasattr(v, "isoformat") else v))
                     for k, v in rec.items()} for rec in frame.to_dict("records")]

        return {"version": 1, "summary": {"added": len(self.added), "removed": len(self.removed),
                                          "changed_cells": len(self.changed), "unexplained": len(self.unexplained)},
                "added": rows(self.added), "removed": rows(self.removed), "changed": rows(self.changed)}


def _blank(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _comparable(series: pd.Series) -> pd.Series:
    """Values as comparable objects: NA → None, timestamps → date strings, floats rounded."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "", regex=False).astype(object).where(series.notna(), None)
    if pd.api.types.is_float_dtype(series.dtype):
        return series.round(6).astype(object).where(series.notna(), None)
    return series.astype(object).where(series.notna(), None)


def _logged(new: Register) -> dict[tuple[str, str, str], str]:
    """(sheet key, record id, column key) → reason, from the NEW register's change log."""
    sheets = sheet_lookup()
    out: dict[tuple[str, str, str], str] = {}
    log = new["changelog"]
    for sheet, record, column, reason in zip(log["sheet"], log["record_id"], log["column"], log["reason"]):
        if _blank(sheet) or _blank(record) or _blank(column) or _blank(reason) or not str(reason).strip():
            continue
        key = sheets.get(fold(str(sheet)))
        if key is None:
            continue
        col = SHEETS[key].header_lookup().get(fold(str(column)))
        if col:
            out[(key, str(record), col)] = str(reason)
    return out


def diff_registers(old: Register, new: Register) -> RegisterDiff:
    logged = _logged(new)
    added, removed, changed = [], [], []
    for key, sheet in SHEETS.items():
        if sheet.settings_table or not sheet.id_column or key == "changelog":
            continue
        id_col = sheet.id_column
        a = old[key].dropna(subset=[id_col]).drop_duplicates(id_col).set_index(id_col)
        b = new[key].dropna(subset=[id_col]).drop_duplicates(id_col).set_index(id_col)
        for rid in b.index.difference(a.index):
            added.append({"sheet": key, "record_id": rid, "row": int(b.at[rid, ROW])})
        for rid in a.index.difference(b.index):
            removed.append({"sheet": key, "record_id": rid, "row": int(a.at[rid, ROW])})
        common = a.index.intersection(b.index)
        if not len(common):
            continue
        for column in sheet.input_columns:
            if column.key == id_col:
                continue
            x = _comparable(a.loc[common, column.key])
            y = _comparable(b.loc[common, column.key])
            differs = [not (_blank(u) and _blank(v)) and u != v for u, v in zip(x, y)]
            for rid, old_v, new_v in zip(common[differs], x[differs], y[differs]):
                reason = logged.get((key, str(rid), column.key))
                changed.append({"sheet": key, "record_id": rid, "row": int(b.at[rid, ROW]), "column": column.key,
                                "old": old_v, "new": new_v, "logged": reason is not None, "reason": reason})
    result = RegisterDiff()
    if added:
        result.added = pd.DataFrame(added)
    if removed:
        result.removed = pd.DataFrame(removed)
    if changed:
        result.changed = pd.DataFrame(changed)
    return result
