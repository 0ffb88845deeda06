"""Currency conversion to the base currency through the Settings FX table (pure core, no I/O).

Rule (SPEC "base_currency"; the FX sheet's note): a rate is *units of base currency per 1 unit of
the currency*. For an amount dated ``d`` the applicable rate of its currency is the dated rate with
the latest ``valid_from`` on or before ``d``; when the currency has no dated rate on or before
``d``, its undated rate (blank ``valid_from``) applies. A row without a date uses the latest rate
of its currency. The base currency itself always converts 1:1, and a blank currency cell means
the base currency (orders require a currency, so validation reports the blank cell itself).

A currency with no applicable rate is **never** counted 1:1: its converted amount is NaN (so
every money total leaves the row out) and :func:`missing_rate_findings` reports it as ``A101``.
When several undated rates are given for one currency, the last row of the FX table wins.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from crm_xl.findings import Finding
from crm_xl.messages import define
from crm_xl.settings import Settings

FX_MISSING = define(
    "A101", "warning",
    "币种 {currency} 在汇率表中没有 {date} 适用的汇率，此行金额未计入本位币合计",
    "No FX rate for currency {currency} on {date}; the amount is left out of base-currency totals",
    "SPEC base_currency（外贸惯例）", "缺少汇率", "No FX rate")

# Stand-ins for "undated" (valid since forever) and "no date" (use the latest rate).
_EARLIEST = pd.Timestamp("1678-01-01")
_LATEST = pd.Timestamp("2261-12-31")


def rate_table(settings: Settings) -> pd.DataFrame:
    """The FX table as a frame (currency, valid_from, rate); undated rates get the earliest date."""
    rows = [(r.currency.strip().upper(), pd.Timestamp(r.valid_from) if r.valid_from else _EARLIEST, float(r.rate), i)
            for i, r in enumerate(settings.fx_rates)]
    table = pd.DataFrame(rows, columns=["currency", "valid_from", "rate", "order"])
    table = table.astype({"currency": "str", "valid_from": "datetime64[ns]", "rate": "float64", "order": "int64"})
    # the later row wins for a (currency, valid_from) pair
    table = table.sort_values(["currency", "valid_from", "order"]).drop_duplicates(["currency", "valid_from"], keep="last")
    return table.drop(columns="order").sort_values("valid_from", kind="stable").reset_index(drop=True)


def rates_for(currencies: pd.Series, dates: pd.Series | pd.Timestamp | None, settings: Settings) -> pd.Series:
    """The rate (base per unit) applicable to each row; NaN where the currency has none."""
    index = currencies.index
    cur = currencies.astype("string").str.strip().str.upper().fillna("").to_numpy(dtype=object)
    base = settings.base_currency
    cur = np.where(cur == "", base, cur)
    if dates is None or isinstance(dates, pd.Timestamp) or np.ndim(dates) == 0:
        when = np.full(len(cur), pd.Timestamp(dates) if dates is not None else _LATEST, dtype="datetime64[ns]")
    else:
        when = pd.to_datetime(pd.Series(dates).reset_index(drop=True)).to_numpy(dtype="datetime64[ns]")
    when = np.where(np.isnat(when), _LATEST.to_datetime64(), when).astype("datetime64[ns]")
    left = pd.DataFrame({"currency": pd.array(cur, dtype="str"), "when": when, "pos": np.arange(len(cur))})
    left = left.sort_values("when", kind="stable")
    table = rate_table(settings)
    if len(table) and len(left):
        merged = pd.merge_asof(left, table, left_on="when", right_on="valid_from", by="currency",
                               direction="backward")
        rates = np.empty(len(cur))
        rates[merged["pos"].to_numpy()] = merged["rate"].to_numpy(dtype="float64")
    else:
        rates = np.full(len(cur), np.nan)
    rates = np.where(cur == base, 1.0, rates)
    return pd.Series(rates, index=index, dtype="float64")


def to_base(amounts: pd.Series, currencies: pd.Series, dates: pd.Series | pd.Timestamp | None,
            settings: Settings) -> pd.Series:
    """Amounts in the base currency (NaN where the amount is blank or its currency has no rate)."""
    return amounts.astype("float64") * rates_for(currencies, dates, settings)


def missing_rate_findings(frame: pd.DataFrame, sheet: str, amount_columns: Iterable[str], converted: pd.Series,
                          date_column: str | None, id_column: str | None = None) -> list[Finding]:
    """One ``A101`` finding per row that has an amount but no applicable FX rate.

    ``converted`` is the row's converted amount (NaN where no rate); rows whose amount columns are
    all blank are not reported (there is nothing to convert).
    """
    has_amount = np.zeros(len(frame), dtype=bool)
    for col in amount_columns:
        has_amount |= frame[col].notna().to_numpy()
    bad = has_amount & converted.isna().to_numpy()
    if not bad.any():
        return []
    part = frame.loc[bad]
    dates = part[date_column] if date_column else pd.Series(pd.NaT, index=part.index)
    ids = part[id_column] if id_column else pd.Series(None, index=part.index)
    out = []
    for row, cur, when, rid in zip(part["_row"], part["currency"], dates, ids):
        day = when.date() if isinstance(when, pd.Timestamp) and not pd.isna(when) else "—"
        out.append(Finding(sheet, int(row), "currency", FX_MISSING, "warning",
                           {"currency": cur, "date": day}, cur, record_id=None if pd.isna(rid) else str(rid)))
    return out
