"""Coverage (pure core): for each measure, which records it used and which it left out, and why.

Errors never erase data: a record counts in every measure for which it has what the measure
needs. What a measure needs is declared as a list of :class:`Need`; a record in the measure's
scope that lacks one is *left out* of it, under the first need it fails:

* ``"<column> missing"`` — the cell is blank;
* ``"<column> unusable"`` — a validation finding made the value unusable (the value is named in
  the findings);
* ``"no FX rate"`` — the amount's currency has no rate in the FX table on the date that applies.

``Coverage.json()`` is ``coverage.measures`` of ``crm-xl analyze --format json``:
``{measure: {"used", "left_out", "reasons": [{"reason", "column", "ids", "rows"}]}}`` (``ids``
the record IDs, ``rows`` the Excel rows, so a record without an ID is named too);
:func:`summary_line` is the one line the text and report outputs show when anything was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from crm_xl.i18n import pick

NO_RATE = "no FX rate"


@dataclass(frozen=True)
class Need:
    """What a measure needs of a record: ``column`` filled (``required``) and not made unusable
    by a finding; or, with ``present``, a computed condition (e.g. an FX rate) with its reason."""

    column: str
    required: bool = True
    present: np.ndarray | pd.Series | None = None
    reason: str | None = None


@dataclass
class Coverage:
    """Per measure: records used, left out, and why (see the module doc)."""

    measures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, frame: pd.DataFrame, sheet: str, id_column: str | None, needs: list[Need],
            unusable: Mapping[str, Mapping[str, set[int]]], scope: np.ndarray | pd.Series | None = None) -> None:
        """Record measure ``name`` over the records of ``frame`` (a ``sheet`` frame with ``_row``)
        selected by ``scope`` (default: all)."""
        n = len(frame)
        in_scope = np.ones(n, dtype=bool) if scope is None else np.asarray(scope, dtype=bool)
        rows = frame["_row"].to_numpy() if "_row" in frame.columns else np.zeros(n, dtype="int64")
        ids = frame[id_column] if id_column and id_column in frame.columns else pd.Series([None] * n)
        left = np.zeros(n, dtype=bool)
        reasons: list[dict[str, Any]] = []
        flagged_sheet = unusable.get(sheet, {})
        for need in needs:
            flagged = np.isin(rows, np.fromiter(flagged_sheet.get(need.column, ()), dtype="int64"))
            if need.present is not None:
                ok = np.asarray(need.present, dtype=bool)
                groups = [(need.reason or f"{need.column} missing", ~ok & ~flagged)]
            else:
                blank = _blank(frame[need.column]) if need.column in frame.columns else np.ones(n, dtype=bool)
                groups = [(f"{need.column} missing", blank & ~flagged)] if need.required else []
            groups.insert(0, (f"{need.column} unusable", flagged))
            for reason, bad in groups:
                hit = in_scope & ~left & bad
                if hit.any():
                    picked = ids[hit] if isinstance(ids, pd.Series) else ids
                    reasons.append({"reason": reason, "column": need.column,
                                    "ids": [str(v) for v in pd.Series(picked).tolist() if not _isna(v)],
                                    "rows": [int(r) for r in rows[hit]]})
                    left |= hit
        self.measures[name] = {"used": int((in_scope & ~left).sum()), "left_out": int(left.sum()),
                               "reasons": reasons}

    def json(self) -> dict[str, Any]:
        return {k: {"used": v["used"], "left_out": v["left_out"],
                    "reasons": [dict(r) for r in v["reasons"]]} for k, v in self.measures.items()}


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _blank(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        return (s.isna() | s.astype("string").str.strip().eq("").fillna(True)).to_numpy(dtype=bool)
    return s.isna().to_numpy(dtype=bool)


MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "pipeline": ("管道金额", "pipeline"), "weighted": ("加权金额", "weighted"), "commit": ("承诺", "commit"),
    "best_case": ("最佳情况", "best case"), "by_month": ("按月", "by month"), "by_product": ("按产品", "by product"),
    "by_region": ("按区域", "by region"), "by_owner": ("按负责人", "by owner"), "by_scale": ("按规模", "by scale"),
    "by_abc": ("按 ABC", "by ABC"), "grades": ("客户分级", "grades"), "scale": ("规模", "scale"),
    "trend": ("趋势预测", "trend"), "order_to_cash": ("订单执行", "order-to-cash"),
    "receivables": ("应收账款", "receivables"), "kpi.sales_amount": ("KPI 销售额", "KPI sales"),
    "kpi.conversion_rate": ("KPI 转化率", "KPI conversion"),
    "kpi.followup_timeliness": ("KPI 跟进及时率", "KPI follow-up timeliness"),
    "kpi.customer_satisfaction": ("KPI 客户满意度", "KPI satisfaction"),
    "kpi.complaint_ontime_rate": ("KPI 投诉按时率", "KPI complaints on time"),
    "kpi.data_accuracy": ("KPI 数据准确率", "KPI data accuracy"),
}
REASON_WORDS = {"missing": ("为空", "missing"), "unusable": ("无法使用", "unusable")}
SHOWN_IDS = 5  # IDs named per measure in the one-line summary (all of them are in the JSON)


def _reason_text(reason: dict[str, Any], lang: str, column_label) -> str:
    text = reason["reason"]
    if text == NO_RATE:
        return pick("缺少汇率", "no FX rate", lang)
    column, _, word = text.rpartition(" ")
    if word in REASON_WORDS and column == reason["column"]:
        zh, en = REASON_WORDS[word]
        return f"{column_label(column)}{zh}" if lang != "en" else f"{column_label(column)} {en}"
    return text


def column_labeller(lang: str):
    """Column key → its label in ``lang`` (from the first sheet that has it; else the key)."""
    from crm_xl.schema import SHEETS

    def label(key: str) -> str:
        for sheet in SHEETS.values():
            if sheet.has(key):
                return sheet.column(key).label(lang)
        return key
    return label


def summary_line(measures: Mapping[str, Mapping[str, Any]], lang: str, column_label=None) -> str | None:
    """One line naming what the measures left out (None when nothing was left out); measures that
    left out the same records for the same reasons share one entry."""
    column_label = column_label or column_labeller(lang)
    groups: dict[str, list[str]] = {}
    for name, m in measures.items():
        if not m.get("left_out"):
            continue
        reasons = "; ".join(
            f"{_reason_text(r, lang, column_label)} {len(r['ids'] or r['rows'])}: "
            + ", ".join((r["ids"] or [pick(f"第 {x} 行", f"row {x}", lang) for x in r["rows"]])[:SHOWN_IDS])
            + ("…" if len(r["ids"] or r["rows"]) > SHOWN_IDS else "") for r in m["reasons"])
        zh, en = MEASURE_LABELS.get(name) or MEASURE_LABELS.get(name.rpartition(".")[0], (name, name))
        groups.setdefault(reasons, []).append(pick(zh, en, lang))
    if not groups:
        return None
    sep = "；" if lang != "en" else "; "
    parts = [pick(f"{'、'.join(names)}（{reasons}）", f"{', '.join(names)} ({reasons})", lang)
             for reasons, names in groups.items()]
    return pick("未计入：", "Left out: ", lang) + sep.join(parts)
