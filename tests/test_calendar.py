"""Working-day calendar: real Chinese holidays and 调休, Settings overrides, SLAs, vectorized = scalar."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_xl.calendar import WorkCalendar, holidays_in_window

CAL = WorkCalendar()


# ------------------------------------------------------------------ the real calendar
def test_national_day_2025_and_make_up_days_match_the_package() -> None:
    for day in range(1, 9):
        assert not CAL.is_workday(date(2025, 10, day)), f"2025-10-0{day} is a National Day holiday"
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday, make-up working day
    assert CAL.is_workday(date(2025, 10, 11))  # Saturday, make-up working day
    assert CAL.is_workday(date(2025, 1, 26))  # Sunday before Spring Festival
    assert not CAL.is_workday(date(2025, 10, 12))  # an ordinary Sunday
    assert CAL.is_workday(date(2025, 10, 9))


def test_every_day_agrees_with_holidays_is_working_day() -> None:
    pkg = holidays.country_holidays("CN", years=range(2019, 2028))
    d = date(2019, 1, 1)
    while d <= date(2027, 12, 31):
        assert CAL.is_workday(d) == pkg.is_working_day(d), d
        d += timedelta(days=1)


def test_revisit_due_across_national_day_lands_on_first_working_day_after() -> None:
    # a revisit due on a holiday moves to the next working day
    assert CAL.roll_forward(date(2025, 10, 3)) == date(2025, 10, 9)
    assert CAL.roll_forward(date(2025, 10, 9)) == date(2025, 10, 9)
    assert CAL.next_workday(date(2025, 9, 30)) == date(2025, 10, 9)
    assert CAL.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert CAL.add_workdays(date(2025, 9, 30), 4) == date(2025, 10, 13)
    assert CAL.add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert CAL.add_workdays(date(2025, 10, 4), -1) == date(2025, 9, 30)
    # the vectorized follow-up path gives the same
    due = pd.Series(pd.to_datetime(["2025-10-03", "2025-10-08", "2025-10-12", None]))
    rolled = CAL.roll_forward_series(due)
    assert rolled.tolist()[:3] == [pd.Timestamp("2025-10-09"), pd.Timestamp("2025-10-09"),
                                   pd.Timestamp("2025-10-13")]
    assert pd.isna(rolled.iloc[3])


def test_make_up_saturday_counts_as_a_working_day() -> None:
    friday, saturday, monday = date(2025, 10, 10), date(2025, 10, 11), date(2025, 10, 13)
    assert saturday.weekday() == 5
    assert CAL.workdays_between(friday, monday) == 2  # Saturday 11th and Monday 13th
    assert CAL.add_workdays(friday, 1) == saturday
    assert CAL.workdays_between(date(2025, 2, 7), date(2025, 2, 10)) == 2  # Sat 2025-02-08
    plain = WorkCalendar(country=None)  # weekends only, no 调休
    assert plain.workdays_between(friday, monday) == 1
    s = CAL.workdays_between_series(pd.Series([friday, date(2025, 2, 7)]),
                                    pd.Series([monday, date(2025, 2, 10)]))
    assert s.tolist() == [2, 2]
    assert CAL.add_workdays_series(pd.Series([friday]), 1).iloc[0] == pd.Timestamp(saturday)


def test_entry_deadline_counts_working_days_after_first_contact() -> None:
    # first contact on the make-up Sunday, entered after the holiday: 9-29, 9-30, 10-09
    assert CAL.workdays_between(date(2025, 9, 28), date(2025, 10, 9)) == 3
    assert CAL.workdays_between(date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert CAL.workdays_between(date(2025, 10, 9), date(2025, 9, 28)) == -3
    # Saturday contact, Monday entry: one working day
    assert CAL.workdays_between(date(2025, 3, 15), date(2025, 3, 17)) == 1
    assert CAL.add_workdays(date(2025, 3, 15), 1) == date(2025, 3, 17)
    assert CAL.add_workdays(date(2025, 3, 15), 0) == date(2025, 3, 17)


# ------------------------------------------------------------------ Settings overrides
def test_extra_holidays_and_workdays_change_results() -> None:
    company_day_off = WorkCalendar(extra_holidays=[date(2025, 10, 9)])
    assert company_day_off.roll_forward(date(2025, 10, 3)) == date(2025, 10, 10)
    assert company_day_off.workdays_between(date(2025, 9, 30), date(2025, 10, 10)) == 1
    skeleton_crew = WorkCalendar(extra_workdays=[date(2025, 10, 4)])
    assert skeleton_crew.roll_forward(date(2025, 10, 3)) == date(2025, 10, 4)
    assert skeleton_crew.add_workdays(date(2025, 9, 30), 2) == date(2025, 10, 9)
    # an extra holiday beats a make-up working day of the package
    no_make_up = WorkCalendar(extra_holidays=[date(2025, 10, 11)])
    assert not no_make_up.is_workday(date(2025, 10, 11))
    assert no_make_up.add_workdays(date(2025, 10, 10), 1) == date(2025, 10, 13)
    # the vectorized helpers read the overrides too
    s = pd.Series([date(2025, 10, 3)])
    assert company_day_off.roll_forward_series(s).iloc[0] == pd.Timestamp("2025-10-10")
    assert skeleton_crew.roll_forward_series(s).iloc[0] == pd.Timestamp("2025-10-04")
    assert no_make_up.workdays_between_series(pd.Series([date(2025, 10, 10)]),
                                              pd.Series([date(2025, 10, 13)])).iloc[0] == 1
    # overrides in another year than the first lookup are still applied
    late = WorkCalendar(extra_holidays=["2031-06-03"])
    assert late.is_workday(date(2025, 6, 3))
    assert CAL.is_workday(date(2031, 6, 3)) and not late.is_workday(date(2031, 6, 3))


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(extra_holidays=[date(2025, 5, 6)], extra_workdays=[date(2025, 5, 6)])
    with pytest.raises(ValueError, match="before"):
        WorkCalendar(day_start=time(18), day_end=time(9))
    with pytest.raises(ValueError, match="country"):
        WorkCalendar(country="XX")
    with pytest.raises(ValueError, match="years"):
        CAL.is_workday(date(1800, 1, 1))


def test_calendar_is_immutable_and_comparable() -> None:
    cal = WorkCalendar(extra_holidays=[date(2025, 5, 6)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.day_start = time(8)  # type: ignore[misc]
    assert cal == WorkCalendar(extra_holidays=(date(2025, 5, 6),))
    assert hash(cal) == hash(WorkCalendar(extra_holidays={date(2025, 5, 6)}))
    assert cal != CAL


# ------------------------------------------------------------------ working hours (SLA)
def test_sla_from_friday_evening_continues_on_next_working_day() -> None:
    # 24 working hours from Friday 17:30, 9 h a day: 0.5 h Fri + 9 Mon + 9 Tue + 5.5 Wed
    assert CAL.add_work_hours(datetime(2025, 3, 14, 17, 30), 24) == datetime(2025, 3, 19, 14, 30)
    # the weekend after Friday 2025-09-26 has a make-up Sunday: 0.5 + 9 (Sun) + 9 (Mon) + 5.5 (Tue)
    assert CAL.add_work_hours(datetime(2025, 9, 26, 17, 30), 24) == datetime(2025, 9, 30, 14, 30)
    # started after day_end: counts from Monday 09:00
    assert CAL.add_work_hours(datetime(2025, 3, 14, 19, 0), 2) == datetime(2025, 3, 17, 11, 0)
    # started before day_start: counts from 09:00
    assert CAL.add_work_hours(datetime(2025, 3, 17, 7, 0), 1) == datetime(2025, 3, 17, 10, 0)
    # a full day ends at day_end, not at the next morning
    assert CAL.add_work_hours(datetime(2025, 3, 17, 9, 0), 9) == datetime(2025, 3, 17, 18, 0)
    # inquiry answered within 24 working hours, received before National Day
    assert CAL.add_work_hours(datetime(2025, 9, 30, 16, 0), 24) == datetime(2025, 10, 11, 13, 0)
    assert CAL.work_hours_between(datetime(2025, 3, 14, 17, 30), datetime(2025, 3, 19, 14, 30)) == 24
    assert CAL.work_hours_between(datetime(2025, 3, 19, 14, 30), datetime(2025, 3, 14, 17, 30)) == -24
    assert CAL.work_hours_between(datetime(2025, 10, 1, 10), datetime(2025, 10, 8, 23)) == 0


def test_working_hours_come_from_settings() -> None:
    early = WorkCalendar(day_start=time(8, 30), day_end=time(17, 30))
    assert early.hours_per_day == 9
    assert early.add_work_hours(datetime(2025, 3, 14, 17, 0), 24) == datetime(2025, 3, 19, 14, 0)
    short = WorkCalendar(day_start=time(9), day_end=time(17))
    assert short.add_work_hours(datetime(2025, 3, 14, 17, 30), 24) == datetime(2025, 3, 19, 17, 0)
    assert short.work_hours_between(datetime(2025, 3, 17, 8), datetime(2025, 3, 18, 20)) == 16


def test_timezone_is_kept() -> None:
    tz = timezone(timedelta(hours=8))
    assert CAL.add_work_hours(datetime(2025, 3, 14, 17, 30, tzinfo=tz), 1) == datetime(
        2025, 3, 17, 9, 30, tzinfo=tz)


def test_series_work_hours_match_hand_results() -> None:
    starts = pd.Series(pd.to_datetime(["2025-03-14 17:30", "2025-09-26 17:30", None, "2025-09-30 16:00"]),
                       index=[10, 11, 12, 13])
    hours = pd.Series([24, 24, 24, None], index=starts.index, dtype="Float64")
    due = CAL.add_work_hours_series(starts, hours)
    assert list(due.index) == [10, 11, 12, 13]
    assert due[10] == pd.Timestamp("2025-03-19 14:30") and due[11] == pd.Timestamp("2025-09-30 14:30")
    assert pd.isna(due[12]) and pd.isna(due[13])
    back = CAL.work_hours_between_series(starts, due)
    assert back[10] == 24 and back[11] == 24 and pd.isna(back[12])


# ------------------------------------------------------------------ vectorized == scalar
_days = st.dates(min_value=date(2018, 1, 1), max_value=date(2029, 12, 31))
_maybe_days = st.one_of(st.none(), _days)
_moments = st.datetimes(min_value=datetime(2018, 1, 1), max_value=datetime(2029, 12, 31)).map(
    lambda dt: dt.replace(microsecond=0))
_OVERRIDDEN = WorkCalendar(extra_holidays=[date(2024, 5, 6), date(2025, 10, 11)],
                           extra_workdays=[date(2025, 10, 4), date(2026, 1, 3)],
                           day_start=time(8, 30), day_end=time(17, 45))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_maybe_days, _maybe_days), min_size=1, max_size=40),
       st.sampled_from([CAL, _OVERRIDDEN]))
def test_workdays_between_series_equals_scalar(pairs, cal) -> None:
    starts = pd.Series([a for a, _ in pairs], dtype="object")
    ends = pd.Series([b for _, b in pairs], dtype="object")
    got = cal.workdays_between_series(starts, ends)
    assert str(got.dtype) == "Int64"
    for (a, b), g in zip(pairs, got):
        if a is None or b is None:
            assert pd.isna(g)
        else:
            assert g == cal.workdays_between(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_maybe_days, st.integers(-400, 400)), min_size=1, max_size=40),
       st.sampled_from([CAL, _OVERRIDDEN]))
def test_add_workdays_series_equals_scalar(rows, cal) -> None:
    dates = pd.Series([d for d, _ in rows], dtype="object")
    ns = pd.Series([n for _, n in rows])
    got = cal.add_workdays_series(dates, ns)
    for (d, n), g in zip(rows, got):
        if d is None:
            assert pd.isna(g)
        else:
            expected = cal.add_workdays(d, n)
            assert g == pd.Timestamp(expected)
            if n > 0:
                assert cal.workdays_between(d, expected) == n
                assert cal.workdays_between(d, expected - timedelta(days=1)) == n - 1
    flags = cal.is_workday_series(dates)
    for d, f in zip(dates, flags):
        assert pd.isna(f) if d is None else f == cal.is_workday(d)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_moments, st.floats(0, 200, allow_nan=False)), min_size=1, max_size=30),
       st.sampled_from([CAL, _OVERRIDDEN]))
def test_work_hours_series_equal_scalar_and_invert(rows, cal) -> None:
    starts = pd.Series([s for s, _ in rows])
    hours = pd.Series([h for _, h in rows])
    due = cal.add_work_hours_series(starts, hours)
    for (s, h), g in zip(rows, due):
        expected = cal.add_work_hours(s, h)
        assert g == pd.Timestamp(expected)
        assert cal.work_hours_between(s, expected) == pytest.approx(h, abs=1e-6)
        if cal.is_workday(expected):
            assert cal.day_start <= expected.time() <= cal.day_end
    spent = cal.work_hours_between_series(starts, due)
    for (s, _), g, d in zip(rows, spent, due):
        assert g == pytest.approx(cal.work_hours_between(s, d.to_pydatetime()), abs=1e-9)


def test_series_accept_a_scalar_side_and_keep_the_index() -> None:
    starts = pd.Series(pd.to_datetime(["2025-09-28", "2025-10-01", None]), index=["a", "b", "c"])
    got = CAL.workdays_between_series(starts, date(2025, 10, 10))
    assert list(got.index) == ["a", "b", "c"]
    assert got.tolist()[:2] == [4, 2] and pd.isna(got["c"])
    with pytest.raises(ValueError, match="index"):
        CAL.workdays_between_series(starts, pd.Series(starts.to_numpy()))


def test_large_series_matches_scalar_on_sample() -> None:
    rng = np.random.default_rng(7)
    start = pd.Series(pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 3650, 100_000), unit="D"))
    end = start + pd.to_timedelta(rng.integers(-60, 400, 100_000), unit="D")
    got = CAL.workdays_between_series(start, end)
    for i in rng.integers(0, 100_000, 300):
        assert got.iloc[i] == CAL.workdays_between(start.iloc[i], end.iloc[i])


# ------------------------------------------------------------------ customers' holidays
def test_customer_country_holidays_have_names() -> None:
    de = dict(holidays_in_window("DE", date(2025, 10, 1), date(2025, 12, 31), "en_US"))
    assert de[date(2025, 10, 3)] == "German Unity Day"
    assert date(2025, 12, 25) in de
    us = dict(holidays_in_window("us", date(2025, 7, 1), date(2025, 7, 31), "en"))
    assert us == {date(2025, 7, 4): "Independence Day"}
    jp = dict(holidays_in_window("JP", date(2025, 11, 1), date(2025, 11, 30), "zh_CN"))
    assert jp[date(2025, 11, 3)] == "Culture Day"  # no Chinese names for Japan: English
    de_native = dict(holidays_in_window("DE", date(2025, 10, 3), date(2025, 10, 3), "de"))
    assert de_native == {date(2025, 10, 3): "Tag der Deutschen Einheit"}


def test_chinese_holiday_names_in_both_scripts() -> None:
    cn = dict(holidays_in_window("CN", date(2025, 9, 30), date(2025, 10, 8), "zh-CN"))
    assert cn[date(2025, 10, 1)] == "国庆节"
    assert date(2025, 9, 30) not in cn and date(2025, 10, 8) in cn
    tw = dict(holidays_in_window("CN", date(2025, 10, 1), date(2025, 10, 1), "zh_TW"))
    assert tw[date(2025, 10, 1)] == "國慶節"
    window = holidays_in_window("JP", date(2025, 12, 20), date(2026, 1, 5), "ja")
    assert [d for d, _ in window] == sorted(d for d, _ in window)
    assert any(d.year == 2026 for d, _ in window)  # the window spans a new year


def test_unknown_country_gives_no_holidays() -> None:
    assert holidays_in_window("XX", date(2025, 1, 1), date(2025, 12, 31), "en_US") == []
    assert holidays_in_window("", date(2025, 1, 1), date(2025, 12, 31), "en_US") == []
    assert holidays_in_window(None, date(2025, 1, 1), date(2025, 12, 31), "en_US") == []  # type: ignore[arg-type]
    assert WorkCalendar.holidays_in_window("DE", date(2025, 12, 31), date(2025, 1, 1), "en_US") == []


# ------------------------------------------------------------------ range, errors, extension
def test_long_offsets_extend_the_tables_consistently() -> None:
    cal = WorkCalendar()
    start = date(2025, 6, 1)
    far = cal.add_workdays(start, 3000)
    assert cal.workdays_between(start, far) == 3000 and cal.is_workday(far)
    # going back lands on the last working day on or before the (non-working) Sunday start:
    # Monday 2025-06-02 is the Dragon Boat holiday in lieu, so Friday 2025-05-30
    assert cal.add_workdays(far, -3000) == date(2025, 5, 30)
    fresh = WorkCalendar()  # vectorized path extends its own tables from scratch
    assert fresh.add_workdays_series(pd.Series([start, start]), pd.Series([3000, -3000])).tolist() == [
        pd.Timestamp(far), pd.Timestamp(cal.add_workdays(start, -3000))]


def test_out_of_range_rows_become_missing_and_bad_input_raises() -> None:
    s = CAL.workdays_between_series(pd.Series([date(1850, 1, 1), date(2025, 1, 2)]), date(2025, 1, 6))
    assert pd.isna(s.iloc[0]) and s.iloc[1] == 2
    with pytest.raises(ValueError):
        CAL.add_work_hours(datetime(2025, 1, 2, 10), -1)
    with pytest.raises(ValueError):
        CAL.add_workdays_series(pd.Series([date(2025, 1, 2)]), 1.5)


def test_calendar_survives_pickling() -> None:
    import pickle

    cal = WorkCalendar(extra_holidays=[date(2025, 10, 9)])
    cal.is_workday(date(2025, 1, 1))
    copy = pickle.loads(pickle.dumps(cal))
    assert copy == cal and copy.roll_forward(date(2025, 10, 3)) == date(2025, 10, 10)
