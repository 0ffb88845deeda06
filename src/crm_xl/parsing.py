"""Turning raw cell values into typed columns (pure core, vectorized over distinct values).

Each ``parse_*`` function takes a pandas Series of whatever the file port delivered (Arrow-typed
numbers, timestamps, booleans or text) and returns ``(typed, bad)``: the typed Series and a
boolean mask of cells that held something that could not be read. Bad cells become NA in the
typed Series and an "unreadable value" record for validation — never an exception, never a
silently emptied cell.

Dates read from Excel dates, Excel serial numbers and text: ``2026-03-05``, ``2026/3/5``,
``2026年3月5日``, ``2026.3.5``, ``05.03.2026`` (always day first), ``05/03/2026`` (day first when
``day_first``, else month first), full-width digits included; a trailing weekday (``周四``,
``(Thu)``) is ignored; ``26/3/5`` is 2026-03-05 (two-digit year first); ``3月5日`` takes its year
from the other dates of its column (and the reader warns). Money reads ``$12,000``, ``RMB 5万``,
``€8.500,00`` into amount and currency (:func:`parse_money`); countries are read from names in
the CLDR languages (:func:`crm_xl.intake.values.country_code`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

from crm_xl.i18n import fold
from crm_xl.intake import values as intake_values
from crm_xl.intake.matching import match_key
from crm_xl.schema.model import Column, Enum

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 1, 2_958_465  # 1900-01-01 .. 9999-12-31

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER_CLEAN = re.compile(r"[,\s'’_]|^[¥￥$€£]|^(?:RMB|CNY|USD|EUR)\s*", re.IGNORECASE)


def _norm_text(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


@lru_cache(maxsize=200_000)
def parse_datetime_text(text: str, day_first: bool = True) -> dt.datetime | None:
    """One text value → datetime, or None when it is not a date we can be sure of."""
    t = intake_values.strip_weekday(_norm_text(text))
    if not t:
        return None
    short = intake_values.short_date(t)
    if short is not None:
        return short
    try:
        m = _YMD.match(t)
        if m:
            y, mo, d, hh, mm, ss = m.groups()
            return dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        m = _DMY.match(t)
        if m:
            a, sep, b, y, hh, mm, ss = m.groups()
            if sep == "." or day_first:
                d, mo = int(a), int(b)
            else:
                mo, d = int(a), int(b)
            return dt.datetime(int(y), mo, d, int(hh or 0), int(mm or 0), int(ss or 0))
        m = _YMD_COMPACT.match(t)
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        number = float(t)
    except (ValueError, OverflowError):
        return None
    return serial_to_datetime(number)


def context_year(dates: list[dt.datetime]) -> int:
    """The year a date written without one belongs to: the most common year of the other dates of
    its column, else the current year."""
    from collections import Counter

    years = Counter(d.year for d in dates if d is not None)
    return years.most_common(1)[0][0] if years else dt.date.today().year


def yearless_mask(s: pd.Series) -> pd.Series:
    """Cells written as a month and day only (``3月5日``): the reader warns that it took the year."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return pd.Series(False, index=s.index)
    text = s.astype("string")
    uniques = {u: intake_values.month_day(_norm_text(u)) is not None for u in pd.unique(text.dropna())}
    return text.map(uniques).fillna(False).astype(bool)


def serial_to_datetime(number: float) -> dt.datetime | None:
    if not np.isfinite(number) or not (_SERIAL_MIN <= number <= _SERIAL_MAX):
        return None
    return EXCEL_EPOCH + dt.timedelta(days=float(number))


def arrow_text(s: object):
    """The Arrow (chunked) array behind an Arrow-backed text Series or Index (what the file port
    delivers), else None (another dtype, or not a pandas object at all)."""
    array = getattr(s, "array", None)
    if isinstance(array, pd.arrays.ArrowStringArray):
        return getattr(array, "_pa_array", None)
    return None


def blank_mask(s: pd.Series) -> np.ndarray:
    """:func:`_blank` as a numpy mask; on Arrow text in one pass of Arrow kernels (the same
    whitespace trim pandas' ``str.strip`` uses there)."""
    arrow = arrow_text(s)
    if arrow is not None:
        import pyarrow.compute as pc

        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(arrow), ""), True)
        return empty.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    return _blank(s).to_numpy(dtype=bool)


def _blank(s: pd.Series) -> pd.Series:
    """Missing or whitespace-only cells."""
    if arrow_text(s) is not None:
        return pd.Series(blank_mask(s), index=s.index)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        return s.isna() | s.astype("string").str.strip().eq("").fillna(True)
    return s.isna()


# Dates pandas can compute with (nanosecond timestamps: 1677-09-22 … 2262-04-11); others are findings.
_REPRESENTABLE = (dt.datetime(1677, 9, 22, 0, 12, 44), dt.datetime(2262, 4, 11, 23, 47, 16))


def parse_datetime(s: pd.Series, day_first: bool = True, date_only: bool = False) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        inside = s.isna() | s.between(pd.Timestamp.min, pd.Timestamp.max)  # beyond 2262: a finding
        out = s.where(inside).astype("datetime64[ns]")
        bad = ~inside
    elif pd.api.types.is_numeric_dtype(s.dtype) and s.dtype != bool:
        num = s.astype("float64")
        ok = num.between(_SERIAL_MIN, _SERIAL_MAX)
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        out[ok] = (EXCEL_EPOCH + pd.to_timedelta(num[ok], unit="D")).astype("datetime64[ns]")
        bad = num.notna() & ~ok
    else:
        blank = _blank(s)
        values = s[~blank]
        uniques = pd.unique(values.astype(object))
        table = {}
        for u in uniques:
            if isinstance(u, (dt.datetime, pd.Timestamp)):
                table[u] = pd.Timestamp(u).to_pydatetime()
            elif isinstance(u, dt.date):
                table[u] = dt.datetime(u.year, u.month, u.day)
            elif isinstance(u, (int, float, np.integer, np.floating)) and not isinstance(u, bool):
                table[u] = serial_to_datetime(float(u))
            else:
                table[u] = parse_datetime_text(str(u), day_first)
        yearless = {u: intake_values.month_day(_norm_text(u)) for u, v in table.items()
                    if v is None and isinstance(u, str)}
        yearless = {u: md for u, md in yearless.items() if md}
        if yearless:
            year = context_year([v for v in table.values() if v is not None])
            for u, (mo, d) in yearless.items():
                try:
                    table[u] = dt.datetime(year, mo, d)
                except ValueError:
                    pass
        table = {u: (v if v is None or _REPRESENTABLE[0] <= v <= _REPRESENTABLE[1] else None) for u, v in table.items()}
        mapped = values.astype(object).map(table)
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        out[mapped.index] = pd.to_datetime(mapped, errors="coerce")
        bad = pd.Series(False, index=s.index)
        bad[mapped.index] = mapped.isna()
    if date_only:
        out = out.dt.normalize()
    return out, bad


_PCT = re.compile(r"^(-?\d+(?:\.\d+)?)\s*%$")


@lru_cache(maxsize=200_000)
def parse_number_text(text: str) -> float | None:
    t = _norm_text(text)
    if not t:
        return None
    pct = _PCT.match(t.replace(",", ""))
    if pct:
        return float(pct[1]) / 100
    t = _NUMBER_CLEAN.sub("", t)
    if t.startswith("(") and t.endswith(")"):  # accounting negative
        t = "-" + t[1:-1]
    try:
        value = float(t)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    if s.dtype == bool or pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(np.nan, index=s.index), s.notna()
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), pd.Series(False, index=s.index)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.Series(np.nan, index=s.index), s.notna()
    blank = _blank(s)
    values = s[~blank].astype(object)
    table = {}
    for u in pd.unique(values):
        if isinstance(u, bool):
            table[u] = None
        elif isinstance(u, (int, float, np.integer, np.floating)):
            table[u] = float(u)
        elif isinstance(u, (dt.date, dt.datetime)):
            table[u] = None
        else:
            table[u] = parse_number_text(str(u))
    mapped = values.map(table)
    out = pd.Series(np.nan, index=s.index)
    out[mapped.index] = mapped.astype("float64")
    bad = pd.Series(False, index=s.index)
    bad[mapped.index] = mapped.isna()
    return out, bad


def _int_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def parse_text(s: pd.Series) -> pd.Series:
    """Text columns: stripped strings, NA for blanks; IDs typed as numbers lose the ``.0``."""
    if pd.api.types.is_float_dtype(s.dtype):
        obj = s.astype(object).where(s.notna(), None)
        out = obj.map(lambda v: None if v is None else _int_text(v))
    elif arrow_text(s) is not None:  # Arrow text: Arrow kernels, NA stays NA
        import pyarrow as pa
        import pyarrow.compute as pc

        trimmed = pc.utf8_trim_whitespace(arrow_text(s))
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
        return pd.Series(pd.arrays.ArrowStringArray(trimmed), index=s.index)
    elif s.dtype != object and pd.api.types.is_string_dtype(s.dtype):  # other text dtypes: vectorized
        out = s.astype("string").str.strip()
    elif s.dtype == object:
        obj = s.astype(object)
        out = obj.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                      else _int_text(v).strip())
    else:
        out = s.astype(object).map(lambda v: None if pd.isna(v) else _int_text(v))
    out = out.astype("string")
    return out.mask(out.eq("")).astype("string")


def parse_enum(s: pd.Series, enum: Enum) -> tuple[pd.Series, pd.Series]:
    text = parse_text(s)
    lookup = enum.lookup()
    arrow = arrow_text(text)
    if arrow is not None and not (enum.name == "bool" and pd.api.types.is_bool_dtype(s.dtype)):
        # each distinct text looked up once (Arrow dictionary encoding), the codes taken back out
        import pyarrow as pa
        import pyarrow.compute as pc

        arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        encoded = pc.dictionary_encode(arrow)
        table = [lookup.get(fold(u)) or lookup.get(match_key(u)) for u in encoded.dictionary.to_pylist()]
        mapped = pa.array(table, type=pa.large_string()).take(encoded.indices)
        bad = pc.and_(pc.is_null(mapped), pc.is_valid(arrow)).to_numpy(zero_copy_only=False)
        return (pd.Series(pd.arrays.ArrowStringArray(mapped), index=s.index),
                pd.Series(bad.astype(bool, copy=False), index=s.index))
    values = text.dropna()
    # zh-TW spellings of synonyms match through the simplified form (談判中 → 谈判中)
    table = {u: lookup.get(fold(u)) or lookup.get(match_key(u)) for u in pd.unique(values)}
    if enum.name == "bool" and pd.api.types.is_bool_dtype(s.dtype):
        table.update({"True": "yes", "False": "no", "true": "yes", "false": "no"})
    mapped = values.map(table)
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    out[mapped.index] = mapped.astype("string")
    bad = pd.Series(False, index=s.index)
    bad[mapped.index] = mapped.isna()
    return out, bad


_CURRENCY_ALIASES = {"RMB": "CNY", "¥": "CNY", "￥": "CNY", "人民币": "CNY", "元": "CNY", "$": "USD",
                     "US$": "USD", "美元": "USD", "€": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP",
                     "日元": "JPY", "港币": "HKD", "港元": "HKD"}


@lru_cache(maxsize=4096)
def normalize_currency(text: str) -> str:
    t = _norm_text(text)
    return _CURRENCY_ALIASES.get(t, _CURRENCY_ALIASES.get(t.upper(), t.upper()))


@lru_cache(maxsize=4096)
def normalize_country(text: str) -> str:
    """ISO alpha-2 when the text is a code (any case), an alpha-3 code or a country name in a CLDR
    language (美国, 德國, Deutschland, UK); otherwise the text as typed, for validation to report."""
    t = _norm_text(text)
    return intake_values.country_code(t) or t


def parse_money_text_currency(text: str) -> str | None:
    """The currency a money text names (``$12,000`` → USD), else None."""
    return intake_values.parse_money_text(text)[1]


def parse_money(s: pd.Series, row_currency: pd.Series | None = None
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Money cells → (amount, currency named in the cell or NA, unreadable mask).

    ``$12,000`` is 12000 USD, ``RMB 5万`` 50000 CNY, ``€8.500,00`` 8500 EUR; a bare ``8.500`` is
    read by the decimal convention of the row's currency (``row_currency``, normalized codes).
    """
    none = pd.Series(pd.NA, index=s.index, dtype="string")
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        out, bad = parse_number(s)
        return out, none, bad
    blank = _blank(s)
    values = s[~blank].astype(object)
    cur = (row_currency.reindex(s.index) if row_currency is not None
           else pd.Series(pd.NA, index=s.index, dtype="string"))[~blank]
    amounts = np.full(len(values), np.nan)
    named: list[object] = [pd.NA] * len(values)
    for i, (u, c) in enumerate(zip(values.tolist(), cur.tolist())):
        if isinstance(u, bool) or isinstance(u, (dt.date, dt.datetime)):
            continue
        if isinstance(u, (int, float, np.integer, np.floating)):
            amounts[i] = float(u)
            continue
        c = None if c is None or c is pd.NA else str(c)
        pct = _PCT.match(_norm_text(u).replace(",", ""))
        if pct:
            amounts[i] = float(pct[1]) / 100
            continue
        value, code = intake_values.parse_money_text(str(u), c)
        if value is not None and np.isfinite(value):
            amounts[i] = value
            named[i] = code if code else pd.NA
    out = pd.Series(np.nan, index=s.index)
    out[values.index] = amounts
    currency = none.copy()
    currency[values.index] = pd.Series(named, index=values.index, dtype="string")
    bad = pd.Series(False, index=s.index)
    bad[values.index] = np.isnan(amounts)
    return out, currency, bad


def parse_column(s: pd.Series, column: Column, enums: dict[str, Enum], day_first: bool = True
                 ) -> tuple[pd.Series, pd.Series]:
    """Parse one raw column by its schema kind → (typed Series, mask of unreadable cells)."""
    kind = column.kind
    if kind in ("date", "datetime"):
        return parse_datetime(s, day_first, date_only=(kind == "date"))
    if kind in ("number", "integer", "money", "probability", "score"):
        out, bad = parse_number(s)
        if kind == "probability":  # 70 → 70 %; text already in per cent ("150%" = 1.5) is left alone
            pct = np.zeros(len(s), dtype=bool)
            if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
                pct = s.astype("string").str.strip().str.endswith(("%", "％")).fillna(False).to_numpy(dtype=bool)
            out = out.where(~((out > 1) & (out <= 100) & ~pct), out / 100)
        return out, bad
    if kind == "enum":
        return parse_enum(s, enums[column.enum or ""])
    text = parse_text(s)
    none = pd.Series(False, index=s.index)
    if kind == "currency":
        return text.map(normalize_currency, na_action="ignore").astype("string"), none
    if kind == "country":
        return text.map(normalize_country, na_action="ignore").astype("string"), none
    return text, none
