"""F4.4 forecast vs actual from pipeline snapshots (pure core).

Every ``crm-xl sync`` stores a snapshot of the open pipeline (deal, owner, stage, base amount,
probability, weighted amount, expected close). For each complete month before the as-of date:

* **forecast** = the weighted amount of the deals expected to close in that month, as the pipeline
  stood at the start of the month: the latest snapshot taken on or before its first day;
* **actual** = the base-currency amount of the non-cancelled orders dated in that month;
* **accuracy** = ``max(0, 1 − |actual − forecast| / actual)``; a month without orders has no
  accuracy (stated, never a quiet 0 or 100%).

Per month and per owner. Months before the first snapshot cannot be judged and are not listed;
a register read from a workbook has no snapshots and the result says so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crm_xl.i18n import pick


def accuracy(actual: float, forecast: float) -> float | None:
    if actual is None or pd.isna(actual) or actual <= 0:
        return None
    return max(0.0, 1.0 - abs(actual - forecast) / actual)


def _r(x: float | None) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 2)


def forecast_vs_actual(snapshots: pd.DataFrame | None, orders: pd.DataFrame, as_of: pd.Timestamp,
                       lang: str = "zh-CN") -> dict[str, Any]:
    """``orders``: non-cancelled orders with ``amount_base`` (``receivables.base_orders``)."""
    if snapshots is None or snapshots.empty:
        return {"available": False, "months": [],
                "reason": pick("需要管道快照：用 crm-xl sync 把台账同步到数据库，再对数据库运行 analyze",
                               "needs pipeline snapshots: crm-xl sync the register into a database and analyze "
                               "the database", lang)}
    snaps = snapshots.copy()
    snaps["snapshot_date"] = pd.to_datetime(snaps["snapshot_date"])
    snaps["expected_close_date"] = pd.to_datetime(snaps["expected_close_date"])
    taken = snaps.groupby("sync_id")["snapshot_date"].first().sort_values()
    first_month = (taken.iloc[0].to_period("M") + (0 if taken.iloc[0].day == 1 else 1))
    last_month = pd.Timestamp(as_of).to_period("M") - 1
    o = orders[orders["order_date"].notna()].copy()
    o["month"] = o["order_date"].dt.to_period("M")
    o["owner"] = o["owner"].astype("string").fillna("")
    unpriced = int(o["amount_base"].isna().sum())
    months = []
    for month in pd.period_range(first_month, last_month, freq="M") if first_month <= last_month else []:
        start = month.to_timestamp(how="start")
        before = taken[taken <= start]
        if before.empty:
            continue
        sync_id = before.index[before.argmax()] if len(before) == 1 else before.index[-1]
        snap = snaps[(snaps["sync_id"] == sync_id) & (snaps["expected_close_date"].dt.to_period("M") == month)]
        f_owner = snap.assign(owner=snap["owner"].astype("string").fillna("")).groupby("owner")["weighted"].sum()
        got = o[o["month"] == month]
        a_owner = got.groupby("owner")["amount_base"].sum()
        forecast, actual = float(snap["weighted"].sum()), float(got["amount_base"].sum())
        owners = sorted(set(f_owner.index) | set(a_owner.index))
        months.append({
            "month": str(month), "snapshot_date": taken[sync_id].date().isoformat(), "sync_id": int(sync_id),
            "forecast": _r(forecast), "actual": _r(actual), "accuracy": _r4(accuracy(actual, forecast)),
            "deals": int(len(snap)), "orders": int(len(got)),
            "by_owner": [{"owner": w, "forecast": _r(f_owner.get(w, 0.0)), "actual": _r(a_owner.get(w, 0.0)),
                          "accuracy": _r4(accuracy(float(a_owner.get(w, 0.0)), float(f_owner.get(w, 0.0))))}
                         for w in owners],
        })
    out: dict[str, Any] = {"available": bool(months), "months": months,
                           "formula": "max(0, 1 - |actual - forecast| / actual)"}
    if not months:
        out["reason"] = pick("还没有完整的月份可比较：第一个快照之后的月份结束后才有预测与实际的对比",
                             "no complete month to compare yet: a month is judged once it has ended after the "
                             "first snapshot", lang)
    if unpriced:
        out["orders_without_rate"] = unpriced
    return out


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
