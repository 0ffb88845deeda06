"""Currency conversion: dated rates, undated fallback, base currency, missing rates (never 1:1)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crm_xl.currency import FX_MISSING, missing_rate_findings, to_base
from crm_xl.register import Register
from crm_xl.settings import FxRate, Settings

RATES = (FxRate(currency="USD", rate=7.0),
         FxRate(currency="USD", rate=7.2, valid_from=dt.date(2026, 1, 1)),
         FxRate(currency="USD", rate=7.1, valid_from=dt.date(2026, 6, 1)),
         FxRate(currency="EUR", rate=8.0, valid_from=dt.date(2026, 1, 1)))


def convert(currency: str, day: str | None, amount: float = 100.0, rates=RATES) -> float:
    s = Settings(fx_rates=rates)
    dates = pd.Series([pd.Timestamp(day) if day else pd.NaT])
    return float(to_base(pd.Series([amount]), pd.Series([currency], dtype="string"), dates, s).iloc[0])


def test_latest_dated_rate_on_or_before_the_date_else_undated():
    assert convert("USD", "2025-12-31") == 700.0  # before every dated rate: the undated 7.0
    assert convert("USD", "2026-01-01") == 720.0  # valid_from is inclusive
    assert convert("USD", "2026-05-31") == 720.0
    assert convert("USD", "2026-06-01") == 710.0
    assert convert("USD", None) == 710.0  # no date: the latest rate


def test_base_and_blank_currency_are_one_to_one_lower_case_is_read():
    assert convert("CNY", "2026-03-01") == 100.0  # CNY is not in RATES: the base is always 1:1
    assert convert("", "2026-03-01") == 100.0
    assert convert("usd", "2026-03-01") == 720.0


def test_missing_rate_is_nan_never_one_to_one():
    assert np.isnan(convert("XYZ", "2026-03-01"))
    assert np.isnan(convert("EUR", "2025-12-31"))  # only a dated EUR rate, and it starts later
    assert convert("EUR", "2026-02-01") == 800.0


def test_changed_rate_and_base_currency_are_read():
    assert convert("USD", "2025-01-01", rates=(FxRate(currency="USD", rate=6.5),)) == 650.0
    s = Settings(base_currency="USD", fx_rates=(FxRate(currency="CNY", rate=0.125),))
    out = to_base(pd.Series([80.0, 10.0]), pd.Series(["CNY", "USD"], dtype="string"), None, s)
    assert out.tolist() == [10.0, 10.0]


def test_missing_rate_finding_names_row_cell_and_currency():
    reg = Register.from_records({"orders": [
        {"order_id": "SO1", "customer_id": "C1", "order_date": "2026-03-05", "product": "x", "quantity": 1,
         "currency": "XYZ", "amount": 5, "status": "confirmed", "owner": "a"},
        {"order_id": "SO2", "customer_id": "C1", "order_date": "2026-03-05", "product": "x", "quantity": 1,
         "currency": "USD", "amount": 5, "status": "confirmed", "owner": "a"}]})
    o = reg.frames["orders"]
    conv = to_base(o["amount"], o["currency"], o["order_date"], reg.settings)
    found = missing_rate_findings(o, "orders", ["amount"], conv, "order_date", "order_id")
    assert len(found) == 1
    f = found[0]
    assert (f.sheet, f.row, f.column, f.code, f.record_id) == ("orders", 2, "currency", FX_MISSING, "SO1")
    assert "XYZ" in f.message("en") and "2026-03-05" in f.message("en") and "XYZ" in f.message("zh-CN")
