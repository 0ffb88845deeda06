"""Working-day and working-hour calendar (pure core, no I/O).

Used by the entry-deadline rule (F1.2), complaint SLAs (F5.1) and follow-up due dates (F6).

A day is a *working day* when the ``holidays`` package says so for the calendar's country
(for China: weekends and public holidays are off, make-up working days (调休) on a weekend are
on), unless the workbook's Settings override it: a date in ``extra_holidays`` is always off, a
date in ``extra_workdays`` is always on.

Definitions (shared by the scalar and the vectorized functions):

* ``workdays_between(start, end)`` is the number of working days ``d`` with
  ``start < d <= end`` (the start day itself never counts, the end day does); when
  ``end < start`` it is minus the number of working days with ``end < d <= start``.
  So Monday → Wednesday is 2, a day → the same day is 0.
* ``add_workdays(d, n)``: for ``n > 0`` the ``n``-th working day after ``d`` (the earliest ``e``
  with ``workdays_between(d, e) == n``); for ``n == 0`` ``d`` itself when it is a working day,
  else the next working day; for ``n < 0`` the ``|n|``-th working day before ``d``.
* Working time runs from ``day_start`` to ``day_end`` on working days. ``add_work_hours``
  counts from ``day_start`` when it starts earlier in a working day and from the next working
  day's ``day_start`` when it starts after ``day_end`` or on a non-working day; a deadline
  that uses up a day exactly ends at that day's ``day_end``.

Holiday tables are built lazily for a contiguous range of years and cached; the years
``MIN_YEAR``–``MAX_YEAR`` are supported (a technical bound, not a policy value).

The vectorized helpers use numpy's busday functions. numpy's weekmask cannot declare a single
Saturday a working day, so they use the all-days weekmask ``1111111`` and pass every
non-working date of the covered years (ordinary weekends that are not make-up days, and
holidays) as numpy "holidays"; make-up weekend days are then simply working days.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MAX_YEAR", "MIN_YEAR", "WorkCalendar", "calendar_for", "holidays_in_window"]

MIN_YEAR = 1900
MAX_YEAR = 2199

_US_PER_HOUR = 3_600_000_000
_NS_PER_US = 1_000
_ONE_DAY = np.timedelta64(1, "D")

DateLike = date | datetime | pd.Timestamp | np.datetime64 | str


# --------------------------------------------------------------------------- conversions
def _as_date(value: Any) -> date:
    """A ``date`` from a date, datetime, Timestamp, numpy datetime64 or ISO string."""
    if isinstance(value, datetime):  # includes pd.Timestamp
        if pd.isna(value):
            raise ValueError("NaT is not a date")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("NaT is not a date")
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise TypeError(f"not a date: {value!r}")


def _as_datetime(value: Any) -> datetime:
    """A ``datetime`` from a datetime, Timestamp, date (midnight) or ISO string."""
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            raise ValueError("NaT is not a datetime")
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (str, np.datetime64)):
        return _as_datetime(pd.Timestamp(value))
    raise TypeError(f"not a datetime: {value!r}")


def _time_us(t: time) -> int:
    """Microseconds since midnight of a wall-clock time."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _hours_us(hours: float) -> int:
    """Hours as whole microseconds (half-to-even rounding, like ``np.round``)."""
    return round(hours * _US_PER_HOUR)


def _datetime_values(values: Any) -> tuple[pd.Index | None, np.ndarray, bool]:
    """(index, datetime64 array with NaT, is_scalar) from a Series, array-like or scalar."""
    if isinstance(values, pd.Series):
        s = values
    elif np.ndim(values) == 0:
        if values is None or pd.isna(values):
            return None, np.array(["NaT"], dtype="datetime64[us]"), True
        s = pd.Series([values])
        return None, _series_datetimes(s), True
    else:
        s = pd.Series(list(values) if not isinstance(values, np.ndarray) else values)
        return None, _series_datetimes(s), False
    return s.index, _series_datetimes(s), False


def _series_datetimes(s: pd.Series) -> np.ndarray:
    conv = pd.to_datetime(s)
    if isinstance(conv.dtype, pd.DatetimeTZDtype):
        conv = conv.dt.tz_localize(None)  # wall-clock time where the data was entered
    return conv.to_numpy()


def _broadcast(a: tuple[pd.Index | None, np.ndarray, bool],
               b: tuple[pd.Index | None, np.ndarray, bool]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Broadcast two converted inputs to one length; Series inputs must share their index."""
    (ia, va, sa), (ib, vb, sb) = a, b
    if ia is not None and ib is not None and not ia.equals(ib):
        raise ValueError("the two Series must have the same index")
    if not sa and not sb and len(va) != len(vb):
        raise ValueError(f"length mismatch: {len(va)} vs {len(vb)}")
    n = len(vb) if sa else len(va)
    index = ia if ia is not None else ib if ib is not None else pd.RangeIndex(n)
    if sa:
        va = np.repeat(va, n)
    if sb:
        vb = np.repeat(vb, n)
    return index, va, vb


def _numbers(values: Any, n: int, index: pd.Index | None) -> np.ndarray:
    """A float array (NaN for missing) of length ``n`` from a scalar, Series or array-like."""
    if isinstance(values, pd.Series):
        if index is not None and not values.index.equals(index):
            raise ValueError("the Series must have the same index as the dates")
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
    elif np.ndim(values) == 0:
        arr = np.full(n, np.nan if values is None or pd.isna(values) else float(values))
    else:
        arr = pd.Series(values).to_numpy(dtype="float64", na_value=np.nan)
    if len(arr) != n:
        raise ValueError(f"length mismatch: {len(arr)} vs {n}")
    return arr


def _finer_unit(arr: np.ndarray) -> str:
    """The input's datetime unit, at least microseconds (hours are added at µs precision)."""
    unit = np.datetime_data(arr.dtype)[0]
    return unit if unit in ("us", "ns") else "us"


def _signed_count(a: np.ndarray, b: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    """Working days in ``[a, b)``, or minus those in ``[b, a)`` when ``b < a``.

    ``np.busday_count`` itself counts ``(b, a]`` for reversed arguments, which is not the
    mirror image of ``[a, b)``; counting the ordered pair keeps the sign rule symmetric.
    """
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return np.where(b < a, -1, 1) * np.busday_count(lo, hi, busdaycal=cal)


# --------------------------------------------------------------------------- holiday data
_HOLIDAYS_SETUP = threading.Lock()


def _holidays():
    """The ``holidays`` package, imported on first use, loading only the countries asked for.

    ``holidays`` finds a country lazily (``holidays.countries.china``), but importing any module of
    its ``holidays.countries`` package first runs that package's ``__init__``, which imports all
    250 countries (≈ 0.1 s of every command's start-up, for the one or few countries used). So the
    package is registered without running its ``__init__``: each country module imports on its
    own, from the same files. Code that asks the package itself for a name
    (``from holidays.countries import Germany``) makes it run the real ``__init__`` then, so
    nothing else changes.
    """
    import holidays

    name = "holidays.countries"
    if name not in sys.modules:
        with _HOLIDAYS_SETUP:
            if name not in sys.modules:
                import importlib.util

                spec = importlib.util.find_spec(name)
                if spec is not None and spec.loader is not None and spec.submodule_search_locations:
                    package = importlib.util.module_from_spec(spec)

                    def complete(attr: str, package=package, loader=spec.loader):
                        if attr.startswith("__") and attr != "__all__":
                            raise AttributeError(attr)
                        with _HOLIDAYS_SETUP:
                            if package.__dict__.pop("__getattr__", None) is not None:
                                loader.exec_module(package)  # the real __init__: every country
                        return getattr(package, attr)

                    package.__getattr__ = complete
                    sys.modules[name] = package
                    holidays.countries = package  # what the import system sets on the parent
    return holidays


@lru_cache(maxsize=4096)
def _country_year(country: str, year: int) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(holiday dates, weekend working dates, weekend weekdays) of one country and year."""
    h = _holidays().country_holidays(country, years=[year, year + 1])
    hol = frozenset(d for d in h if d.year == year)
    wwd = frozenset(d for d in h.weekend_workdays if d.year == year)
    return hol, wwd, frozenset(h.weekend)


# The working day a calendar assumes when none is given (Settings workday_start / workday_end
# carry the company's own, with the same defaults).
DEFAULT_DAY_START, DEFAULT_DAY_END = time(9), time(18)


@dataclass(frozen=True, slots=True)
class _Table:
    """Working-day tables for the years ``first_year``..``last_year`` (inclusive)."""

    first_year: int
    last_year: int
    base: int  # ordinal of 1 January of first_year
    working: bytes  # working[i] == 1 when base + i is a working day
    cum: list[int]  # cum[i] = working days in [base, base + i]
    days: list[int]  # ordinals of the working days, ascending
    busdaycal: np.busdaycalendar


class _Coverage:
    """Mutable cache behind the immutable calendar; replaced whole, under a lock."""

    def __init__(self) -> None:
        self.table: _Table | None = None
        self.lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()


# --------------------------------------------------------------------------- the calendar
@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours of one country plus the workbook's Settings overrides.

    Args:
        country: ISO alpha-2 code for the ``holidays`` package, or None for Saturday/Sunday
            weekends and no public holidays.
        extra_holidays: dates that are never working days (Settings holiday table).
        extra_workdays: dates that are always working days (Settings holiday table).
        day_start, day_end: the working hours of a working day (Settings).

    Raises:
        ValueError: unknown country, ``day_start >= day_end``, or a date that is both an
            extra holiday and an extra working day.
    """

    country: str | None = "CN"
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    day_start: time = DEFAULT_DAY_START
    day_end: time = DEFAULT_DAY_END
    _coverage: _Coverage = field(default_factory=_Coverage, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        country = self.country.strip().upper() if self.country else None
        if country is not None:
            try:
                _holidays().country_holidays(country, years=[])
            except NotImplementedError as exc:
                raise ValueError(f"no holiday calendar for country {self.country!r}") from exc
        extra_h = frozenset(_as_date(d) for d in self.extra_holidays)
        extra_w = frozenset(_as_date(d) for d in self.extra_workdays)
        clash = extra_h & extra_w
        if clash:
            raise ValueError(f"dates both extra holiday and extra working day: {sorted(clash)}")
        if not isinstance(self.day_start, time) or not isinstance(self.day_end, time):
            raise TypeError("day_start and day_end must be datetime.time")
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("day_start and day_end must be naive wall-clock times")
        if self.day_start >= self.day_end:
            raise ValueError(f"day_start {self.day_start} must be before day_end {self.day_end}")
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "extra_holidays", extra_h)
        object.__setattr__(self, "extra_workdays", extra_w)

    # ------------------------------------------------------------------ tables
    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day."""
        return self._day_us / _US_PER_HOUR

    @property
    def _day_us(self) -> int:
        return _time_us(self.day_end) - _time_us(self.day_start)

    def _is_working_raw(self, d: date) -> bool:
        if d in self.extra_holidays:
            return False
        if d in self.extra_workdays:
            return True
        if self.country is None:
            return d.weekday() < 5
        hol, wwd, weekend = _country_year(self.country, d.year)
        return d in wwd if d.weekday() in weekend else d not in hol

    def _build(self, first_year: int, last_year: int) -> _Table:
        base = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal() + 1
        flags = bytes(self._is_working_raw(date.fromordinal(o)) for o in range(base, end))
        arr = np.frombuffer(flags, dtype=np.uint8)
        cum = np.cumsum(arr, dtype=np.int64)
        ordinals = np.arange(base, end)
        epoch = date(1970, 1, 1).toordinal()
        off = (ordinals[arr == 0] - epoch).astype("datetime64[D]")
        return _Table(
            first_year=first_year,
            last_year=last_year,
            base=base,
            working=flags,
            cum=cum.tolist(),
            days=ordinals[arr == 1].tolist(),
            busdaycal=np.busdaycalendar(weekmask="1111111", holidays=off),
        )

    def _table(self, first_year: int, last_year: int) -> _Table:
        """A table covering at least the given years (extended lazily, then cached)."""
        t = self._coverage.table
        if t is not None and t.first_year <= first_year and last_year <= t.last_year:
            return t
        if first_year < MIN_YEAR or last_year > MAX_YEAR:
            raise ValueError(f"dates must lie in the years {MIN_YEAR}–{MAX_YEAR}")
        with self._coverage.lock:
            t = self._coverage.table
            lo, hi = (first_year - 1, last_year + 1) if t is None else (
                min(first_year, t.first_year), max(last_year, t.last_year))
            lo, hi = max(lo, MIN_YEAR), min(hi, MAX_YEAR)
            if t is None or (lo, hi) != (t.first_year, t.last_year):
                t = self._build(lo, hi)
                self._coverage.table = t
            return t

    # ------------------------------------------------------------------ scalar API
    def is_workday(self, d: DateLike) -> bool:
        """True when ``d`` is a working day."""
        d = _as_date(d)
        t = self._table(d.year, d.year)
        return t.working[d.toordinal() - t.base] == 1

    def workdays_between(self, start: DateLike, end: DateLike) -> int:
        """Working days ``d`` with ``start < d <= end``; negative when ``end < start``."""
        s, e = _as_date(start), _as_date(end)
        t = self._table(min(s.year, e.year), max(s.year, e.year))
        return t.cum[e.toordinal() - t.base] - t.cum[s.toordinal() - t.base]

    def add_workdays(self, d: DateLike, n: int) -> date:
        """The ``n``-th working day after ``d`` (see the module docstring for n ≤ 0)."""
        d = _as_date(d)
        n = int(n)
        first, last = d.year, d.year
        while True:
            t = self._table(first, last)
            i = d.toordinal() - t.base
            c = t.cum[i]
            working = t.working[i] == 1
            if n > 0:
                k = c + n - 1
            elif n == 0:
                k = c - 1 if working else c
            else:
                k = c + n - 1 if working else c + n
            if 0 <= k < len(t.days):
                return date.fromordinal(t.days[k])
            span = abs(n) // 200 + 1  # at least ~240 working days a year
            if k < 0:
                first = max(MIN_YEAR, t.first_year - span)
                if t.first_year == MIN_YEAR:
                    raise ValueError(f"result before {MIN_YEAR}")
            else:
                last = min(MAX_YEAR, t.last_year + span)
                if t.last_year == MAX_YEAR:
                    raise ValueError(f"result after {MAX_YEAR}")

    def roll_forward(self, d: DateLike) -> date:
        """``d`` when it is a working day, else the next working day (due-date rule)."""
        return self.add_workdays(d, 0)

    def next_workday(self, d: DateLike) -> date:
        """The first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def add_work_hours(self, dt: DateLike, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``dt`` (keeps ``dt``'s tzinfo)."""
        if hours < 0 or math.isnan(hours):
            raise ValueError(f"hours must be >= 0, got {hours}")
        dt = _as_datetime(dt)
        start_us, end_us, day_us = _time_us(self.day_start), _time_us(self.day_end), self._day_us
        d = dt.date()
        tod = _time_us(dt.time())
        left = _hours_us(hours)
        if not self.is_workday(d) or tod > end_us:
            d, tod = self.next_workday(d), start_us
        tod = max(tod, start_us)
        if left > end_us - tod:
            left -= end_us - tod
            n_days = -(-left // day_us)
            d = self.add_workdays(d, n_days)
            tod = start_us + left - (n_days - 1) * day_us
        else:
            tod += left
        return datetime.combine(d, time(), tzinfo=dt.tzinfo) + timedelta(microseconds=tod)

    def work_hours_between(self, start_dt: DateLike, end_dt: DateLike) -> float:
        """Working hours from ``start_dt`` to ``end_dt``; negative when ``end_dt`` is earlier."""
        s, e = _as_datetime(start_dt), _as_datetime(end_dt)
        if s.tzinfo is not None and e.tzinfo is not None:
            e = e.astimezone(s.tzinfo)
        ds, de = s.date(), e.date()
        t = self._table(min(ds.year, de.year), max(ds.year, de.year))
        before = lambda o: t.cum[o - t.base] - t.working[o - t.base]  # noqa: E731
        full = before(de.toordinal()) - before(ds.toordinal())
        us = full * self._day_us + self._partial_us(e) - self._partial_us(s)
        return us / _US_PER_HOUR

    def _partial_us(self, dt: datetime) -> int:
        """Working microseconds of ``dt``'s day that lie before ``dt``."""
        if not self.is_workday(dt.date()):
            return 0
        s, e = _time_us(self.day_start), _time_us(self.day_end)
        return min(max(_time_us(dt.time()), s), e) - s

    # ------------------------------------------------------------------ vectorized API
    def _table_for(self, *day_arrays: np.ndarray) -> tuple[_Table, np.ndarray]:
        """Table covering all non-NaT days, and the mask of usable (non-NaT, in-range) rows."""
        valid = np.ones(len(day_arrays[0]), dtype=bool)
        for a in day_arrays:
            years = a.astype("datetime64[Y]").astype(np.int64) + 1970
            valid &= ~np.isnat(a) & (years >= MIN_YEAR) & (years <= MAX_YEAR)
        if not valid.any():
            return self._table(2000, 2000), valid
        ys = np.concatenate([a[valid] for a in day_arrays]).astype("datetime64[Y]").astype(np.int64) + 1970
        return self._table(int(ys.min()), int(ys.max())), valid

    def is_workday_series(self, dates: Any) -> pd.Series:
        """Vectorized ``is_workday``: nullable boolean, NA for missing dates."""
        index, vals, _ = _datetime_values(dates)
        days = vals.astype("datetime64[D]")
        t, valid = self._table_for(days)
        out = np.zeros(len(days), dtype=bool)
        out[valid] = np.is_busday(days[valid], busdaycal=t.busdaycal)
        return pd.Series(pd.arrays.BooleanArray(out, ~valid), index=index)

    def workdays_between_series(self, start: Any, end: Any) -> pd.Series:
        """Vectorized ``workdays_between`` (``Int64``; NA where a date is missing).

        Either side may be a scalar (e.g. the as-of date), broadcast to the other's length.
        """
        index, s, e = _broadcast(_datetime_values(start), _datetime_values(end))
        s, e = s.astype("datetime64[D]"), e.astype("datetime64[D]")
        t, valid = self._table_for(s, e)
        out = np.zeros(len(s), dtype=np.int64)
        out[valid] = _signed_count(s[valid] + _ONE_DAY, e[valid] + _ONE_DAY, t.busdaycal)
        return pd.Series(pd.arrays.IntegerArray(out, ~valid), index=index)

    def add_workdays_series(self, dates: Any, n: Any) -> pd.Series:
        """Vectorized ``add_workdays``; ``n`` is a scalar or a Series of whole numbers.

        Returns datetime64 dates at midnight; NaT where the date or ``n`` is missing.
        """
        index, vals, is_scalar = _datetime_values(dates)
        days = vals.astype("datetime64[D]")
        if is_scalar and np.ndim(n) > 0:
            index = n.index if isinstance(n, pd.Series) else pd.RangeIndex(len(n))
            days = np.repeat(days, len(index))
        index = index if index is not None else pd.RangeIndex(len(days))
        nums = _numbers(n, len(days), index)
        if np.any(np.isfinite(nums) & (nums != np.round(nums))):
            raise ValueError("n must be whole numbers of working days")
        out = self._offset_days(days, nums)
        return pd.Series(out.astype(vals.dtype), index=index)

    def roll_forward_series(self, dates: Any) -> pd.Series:
        """Vectorized ``roll_forward`` (due dates on non-working days move forward)."""
        return self.add_workdays_series(dates, 0)

    def _offset_days(self, days: np.ndarray, nums: np.ndarray) -> np.ndarray:
        """``add_workdays`` on arrays of days and float counts (NaN → NaT)."""
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
        t, valid = self._table_for(days)
        valid &= np.isfinite(nums)
        if not valid.any():
            return out
        d, k = days[valid], nums[valid].astype(np.int64)
        first, last = t.first_year, t.last_year
        lo_day = np.datetime64(f"{MIN_YEAR:04d}-01-01")
        hi_day = np.datetime64(f"{MAX_YEAR:04d}-12-31")
        while True:
            t = self._table(first, last)
            res = np.where(
                k > 0,
                np.busday_offset(d, np.maximum(k, 0), roll="backward", busdaycal=t.busdaycal),
                np.busday_offset(d, np.minimum(k, 0), roll="forward", busdaycal=t.busdaycal),
            )
            cov_lo = np.datetime64(f"{t.first_year:04d}-01-01")
            cov_hi = np.datetime64(f"{t.last_year:04d}-12-31")
            span = int(np.abs(k).max()) // 200 + 1
            grow_lo, grow_hi = bool((res < cov_lo).any()), bool((res > cov_hi).any())
            if not grow_lo and not grow_hi:
                break
            if (grow_lo and t.first_year == MIN_YEAR) or (grow_hi and t.last_year == MAX_YEAR):
                res = np.where((res < lo_day) | (res > hi_day) | (res < cov_lo) | (res > cov_hi),
                               np.datetime64("NaT"), res)
                break
            first = max(MIN_YEAR, t.first_year - span) if grow_lo else t.first_year
            last = min(MAX_YEAR, t.last_year + span) if grow_hi else t.last_year
        out[valid] = res
        return out

    def add_work_hours_series(self, start: Any, hours: Any) -> pd.Series:
        """Vectorized ``add_work_hours``; ``hours`` is a scalar or a Series (e.g. per urgency)."""
        index, vals, is_scalar = _datetime_values(start)
        if is_scalar and np.ndim(hours) > 0:
            index = hours.index if isinstance(hours, pd.Series) else pd.RangeIndex(len(hours))
            vals = np.repeat(vals, len(index))
        index = index if index is not None else pd.RangeIndex(len(vals))
        h = _numbers(hours, len(vals), index)
        if np.any(h < 0):
            raise ValueError("hours must be >= 0")
        unit = _finer_unit(vals)
        us = vals.astype("datetime64[us]")
        days = us.astype("datetime64[D]")
        tod = (us - days).astype(np.int64)
        left = np.round(h * _US_PER_HOUR)
        start_us, end_us, day_us = _time_us(self.day_start), _time_us(self.day_end), self._day_us
        t, in_range = self._table_for(days)
        valid = in_range & np.isfinite(left)
        work = np.zeros(len(days), dtype=bool)
        work[valid] = np.is_busday(days[valid], busdaycal=t.busdaycal)
        roll = valid & (~work | (tod > end_us))
        days = days.copy()
        days[roll] = self._offset_days(days[roll], np.ones(int(roll.sum())))
        tod = np.where(roll, start_us, np.maximum(tod, start_us))
        left = np.where(valid, left, 0).astype(np.int64)
        over = valid & (left > end_us - tod)
        rest = left - (end_us - tod)
        n_days = np.where(over, -(-rest // day_us), 0)
        days[over] = self._offset_days(days[over], n_days[over].astype(float))
        tod = np.where(over, start_us + rest - (n_days - 1) * day_us, tod + left)
        res = days.astype("datetime64[us]") + tod.astype("timedelta64[us]")
        res[~valid | np.isnat(days)] = np.datetime64("NaT")
        return pd.Series(res.astype(f"datetime64[{unit}]"), index=index)

    def work_hours_between_series(self, start: Any, end: Any) -> pd.Series:
        """Vectorized ``work_hours_between`` (``Float64``; NA where a moment is missing)."""
        index, s, e = _broadcast(_datetime_values(start), _datetime_values(end))
        s, e = s.astype("datetime64[us]"), e.astype("datetime64[us]")
        ds, de = s.astype("datetime64[D]"), e.astype("datetime64[D]")
        t, valid = self._table_for(ds, de)
        full = np.zeros(len(s), dtype=np.int64)
        full[valid] = _signed_count(ds[valid], de[valid], t.busdaycal)
        start_us, end_us = _time_us(self.day_start), _time_us(self.day_end)

        def partial(moment: np.ndarray, day: np.ndarray) -> np.ndarray:
            work = np.zeros(len(day), dtype=bool)
            work[valid] = np.is_busday(day[valid], busdaycal=t.busdaycal)
            tod = (moment - day).astype(np.int64)
            return np.where(work, np.clip(tod, start_us, end_us) - start_us, 0)

        us = full * self._day_us + partial(e, de) - partial(s, ds)
        out = np.where(valid, us / _US_PER_HOUR, np.nan)
        return pd.Series(pd.array(out, dtype="Float64"), index=index).mask(~valid)

    # ------------------------------------------------------------------ customers' holidays
    @staticmethod
    def holidays_in_window(country_code: str, start: DateLike, end: DateLike,
                           language: str | None = "zh_CN") -> list[tuple[date, str]]:
        """Same as the module-level :func:`holidays_in_window`."""
        return holidays_in_window(country_code, start, end, language)


# --------------------------------------------------------------------------- customers' holidays
_LANGUAGE_FALLBACKS = {
    "zh_CN": ("zh_CN", "zh_TW", "zh_HK"),
    "zh_TW": ("zh_TW", "zh_HK", "zh_CN"),
    "zh_HK": ("zh_HK", "zh_TW", "zh_CN"),
}


def _normalize_language(language: str | None) -> str | None:
    """``zh-cn`` / ``zh_CN`` / ``zh-Hans`` → ``zh_CN``; ``en`` → ``en_US``; others as given."""
    if not language:
        return None
    lang = language.strip().replace("-", "_")
    low = lang.lower()
    if low in ("zh", "zh_cn", "zh_hans", "zh_sg"):
        return "zh_CN"
    if low in ("zh_tw", "zh_hant"):
        return "zh_TW"
    if low == "zh_hk":
        return "zh_HK"
    if low in ("en", "en_us"):
        return "en_US"
    head, _, tail = lang.partition("_")
    return f"{head.lower()}_{tail.upper()}" if tail else head.lower()


def _pick_language(requested: str | None, supported: Iterable[str], default: str | None) -> str | None:
    """The supported language closest to ``requested``: exact, same family, English, default."""
    supported = tuple(supported)
    req = _normalize_language(requested)
    if req is None:
        return default
    candidates = list(_LANGUAGE_FALLBACKS.get(req, (req,)))
    family = req.split("_")[0]
    candidates += [s for s in supported if s.split("_")[0] == family]
    candidates += ["en_US"] + [s for s in supported if s.startswith("en")]
    for c in candidates:
        if c in supported or c == default:
            return c
    return default


@lru_cache(maxsize=2048)
def _named_holidays(country: str, year: int, language: str | None) -> tuple[tuple[date, str], ...]:
    h = _holidays().country_holidays(country, years=[year], language=language)
    return tuple(sorted((d, name) for d, name in h.items() if d.year == year))


@lru_cache(maxsize=512)
def _country_languages(country: str) -> tuple[tuple[str, ...], str | None] | None:
    """(supported languages, default language) of a country, or None when unknown."""
    try:
        h = _holidays().country_holidays(country, years=[])
    except NotImplementedError:
        return None
    return tuple(getattr(h, "supported_languages", ()) or ()), getattr(h, "default_language", None)


def holidays_in_window(country_code: str | None, start: DateLike, end: DateLike,
                       language: str | None = "zh_CN") -> list[tuple[date, str]]:
    """Public holidays of a customer's country with ``start <= date <= end``, by date.

    Names are in ``language`` (``zh_CN``/``zh-CN``, ``zh_TW``, ``en``/``en_US`` or any code the
    ``holidays`` package knows) when the country's data has it, else in another Chinese
    variant for Chinese requests, else English, else the country's own language. An unknown or
    empty country code gives an empty list. Several holidays on one date share one name
    joined by ``"; "`` (the package's convention).
    """
    if not isinstance(country_code, str) or not country_code.strip():
        return []
    country = country_code.strip().upper()
    info = _country_languages(country)
    if info is None:
        return []
    s, e = _as_date(start), _as_date(end)
    if e < s:
        return []
    lang = _pick_language(language, *info)
    return [(d, name)
            for year in range(max(s.year, MIN_YEAR), min(e.year, MAX_YEAR) + 1)
            for d, name in _named_holidays(country, year, lang)
            if s <= d <= e]


def calendar_for(settings: Any, country: str | None = "CN") -> WorkCalendar:
    """The company's working calendar from the workbook's Settings (holiday table, working hours).

    Calendars are immutable, so equal Settings share one (and its cached day tables). Settings that
    contradict themselves never stop the work: a date listed both as a day off and as a working day
    is a day off, and working hours that end before they start give way to the default hours.
    """
    holidays_ = frozenset(settings.extra_holidays)
    start, end = settings.workday_start, settings.workday_end
    if not start < end:
        start, end = DEFAULT_DAY_START, DEFAULT_DAY_END
    return _calendar(country, holidays_, frozenset(settings.extra_workdays) - holidays_, start, end)


@lru_cache(maxsize=32)
def _calendar(country: str | None, extra_holidays: frozenset[date], extra_workdays: frozenset[date],
              day_start: time, day_end: time) -> WorkCalendar:
    return WorkCalendar(country=country, extra_holidays=extra_holidays, extra_workdays=extra_workdays,
                        day_start=day_start, day_end=day_end)
