"""Every date form users type reads as the same date; what cannot be read is flagged, not lost."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_xl.parsing import parse_datetime, parse_datetime_text, parse_enum, parse_number
from crm_xl.schema import ENUMS


@pytest.mark.parametrize("text", ["2026-03-05", "2026/3/5", "2026年3月5日", "2026.3.5", "05.03.2026",
                                  "05/03/2026", "２０２６－０３－０５", "2026-03-05 00:00:00", "20260305", "46086"])
def test_text_dates(text):
    assert parse_datetime_text(text, True).date() == dt.date(2026, 3, 5)


def test_month_first_setting():
    assert parse_datetime_text("03/05/2026", day_first=False).date() == dt.date(2026, 3, 5)
    assert parse_datetime_text("03/05/2026", day_first=True).date() == dt.date(2026, 5, 3)
    # a dotted date is always day first (German/Russian style), whatever the setting
    assert parse_datetime_text("05.03.2026", day_first=False).date() == dt.date(2026, 3, 5)


@pytest.mark.parametrize("text", ["abc", "2026-13-01", "2026-02-30", "31/31/2026", "next week"])
def test_unreadable_dates_flagged(text):
    typed, bad = parse_datetime(pd.Series([text], dtype=object))
    assert typed.isna().all() and bad.all()


def test_mixed_column_keeps_every_cell():
    raw = pd.Series([dt.datetime(2026, 1, 2), "2026/3/5", 46086.0, None, "oops"], dtype=object)
    typed, bad = parse_datetime(raw, date_only=True)
    assert [d.date() if pd.notna(d) else None for d in typed] == [
        dt.date(2026, 1, 2), dt.date(2026, 3, 5), dt.date(2026, 3, 5), None, None]
    assert bad.tolist() == [False, False, False, False, True]


def test_numbers():
    typed, bad = parse_number(pd.Series(["1,234.50", "70%", "¥100", "(5)", "１２", "x", None], dtype=object))
    assert typed.tolist()[:5] == [1234.5, 0.7, 100.0, -5.0, 12.0]
    assert bad.tolist() == [False] * 5 + [True, False]


def test_enum_labels_in_any_language_and_aliases():
    typed, bad = parse_enum(pd.Series(["商务谈判", "商務談判", "Negotiation", " negotiation ", "谈判中", "談判中",
                                       "快成了"]), ENUMS["stage"])
    assert typed.tolist()[:6] == ["negotiation"] * 6  # 谈判中: a synonym teams write (zh-TW through OpenCC)
    assert bad.tolist() == [False] * 6 + [True]
    typed, _ = parse_enum(pd.Series(["T/T", "电汇", "l/c"]), ENUMS["payment_terms"])
    assert typed.tolist() == ["TT", "TT", "LC"]


def test_missing_text_stays_missing():
    from crm_xl.parsing import parse_text

    out = parse_text(pd.Series(["a", pd.NA, None, float("nan"), "  ", 1001.0], dtype=object))
    assert out.isna().tolist() == [False, True, True, True, True, False]
    assert out.tolist()[0] == "a" and out.tolist()[5] == "1001"
    out = parse_text(pd.Series(["x", None], dtype="string"))
    assert out.isna().tolist() == [False, True]
