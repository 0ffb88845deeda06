"""E-mail addresses and phone numbers, checked once per distinct value and mostly vectorized.

``email-validator`` and ``phonenumbers`` cost about 0.1 ms per call, too slow for 100,000
contacts. Both checks therefore take a vectorized fast path for the common, clearly valid forms
and call the library only for the rest:

* e-mail: a plain ASCII address (dot-atoms of letters, digits and ``_%+-``; LDH domain labels; an
  alphabetic, non-special-use TLD) is accepted by a regular expression; everything else goes to
  ``email_validator.validate_email(check_deliverability=False)``.
* phone: a number written with ``+`` and the country code is accepted when its national number
  matches one of libphonenumber's number-type patterns for that country code (exactly what
  ``phonenumbers.is_valid_number`` checks); everything else goes to ``phonenumbers.parse`` with
  the customer's country as the default region.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

PHONE_OK, PHONE_BAD, PHONE_NOT_IN_USE = 0, 1, 2
ARROW_TEXT = "string[pyarrow]"  # vectorized string kernels (RE2) instead of a Python loop per value

_SPLIT = r"\s*[;；,，、/|]\s*|\s{3,}"
_ATOM = r"[A-Za-z0-9_%+\-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
# The same without lookaheads (RE2): lengths are checked separately.
_FAST_EMAIL_RE2 = rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
_FAST_EMAIL = re.compile(rf"^(?=.{{1,64}}@)(?=.{{3,254}}$){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
_NUMBER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
                 "voicemail", "fixed_line", "mobile")


def split_values(s: pd.Series) -> pd.Series:
    """A text column whose cells may hold several values (``a; b``) → one value per entry.

    The result keeps the frame's index (repeated for cells with several values), NFKC-normalized
    and stripped, without blanks.
    """
    text = s.dropna().astype(ARROW_TEXT)
    if not len(text):
        return pd.Series([], dtype=ARROW_TEXT)
    wide = ~text.str.isascii().to_numpy(dtype=bool)
    if wide.any():
        text[wide] = [unicodedata.normalize("NFKC", t) for t in text[wide]]
    several = _contains_split(text)
    if several.any():
        parts = text[several].str.split(_SPLIT, regex=True).explode()
        text = pd.concat([text[~several], parts]).sort_index(kind="stable")
    text = text.str.strip()
    return text[text.notna() & text.ne("")]


# ``_SPLIT`` found anywhere, as Python's ``re`` reads it on ASCII text, for RE2 (whose ``\s`` lacks
# \v and \x1c-\x1f): a separator, or three whitespace characters in a row.
_SPLIT_FOUND_ASCII = r"[;；,，、/|]|[\t\n\v\f\r\x1c-\x1f ]{3}"


def _contains_split(text: pd.Series) -> pd.Series:
    r"""``text.str.contains(_SPLIT)``: through RE2 when the text is ASCII (pandas runs Python's
    ``re`` once per value for a pattern with ``\s``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.array(text.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    if pc.all(pc.string_is_ascii(arrow)).as_py() is False:
        return text.str.contains(_SPLIT, regex=True)
    found = pc.match_substring_regex(arrow, _SPLIT_FOUND_ASCII).fill_null(False)
    return pd.Series(np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool), index=text.index)


@lru_cache(maxsize=1)
def _special_tlds() -> frozenset[str]:
    import email_validator

    return frozenset(d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES if "." not in d)


def invalid_emails(values: pd.Series) -> pd.Series:
    """For each value (index kept): True when it is not a valid e-mail address."""
    uniques = pd.Series(pd.unique(values.to_numpy(dtype=object)), dtype=ARROW_TEXT)
    fast = uniques.str.fullmatch(_FAST_EMAIL_RE2).fillna(False)
    fast &= uniques.str.len().between(3, 254) & uniques.str.find("@").between(1, 64)
    tld = uniques.str.extract(r"\.([^.]*)$", expand=False).str.lower()
    fast &= ~tld.isin(list(_special_tlds())) & ~uniques.str.contains("--", regex=False)
    fast = fast.fillna(False).to_numpy(dtype=bool)
    uniques = uniques.astype(object)
    bad = np.zeros(len(uniques), dtype=bool)
    slow = np.flatnonzero(~fast)
    if len(slow):
        from email_validator import EmailNotValidError, validate_email

        for i in slow:
            try:
                validate_email(uniques.iloc[i], check_deliverability=False)
            except EmailNotValidError:
                bad[i] = True
    from crm_xl.validation.context import text_lookup

    return pd.Series(text_lookup(values, uniques, bad), index=values.index).fillna(False).astype(bool)


@lru_cache(maxsize=1)
def _calling_codes() -> tuple[str, ...]:
    """Every country calling code libphonenumber knows, as text (``"1"``, ``"49"``, ``"971"``)."""
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    return tuple(str(cc) for cc in COUNTRY_CODE_TO_REGION_CODE)


@lru_cache(maxsize=None)
def _region_desc(code: str, k: int):
    """The ``k``-th region of calling code ``code``: (general (lengths, pattern), [(lengths,
    pattern)] per number type), None when it has no usable metadata; False past the last region.

    Loaded one region at a time, when a number is still unmatched: libphonenumber loads each
    region's metadata on first use, and +1 alone has 25 regions."""
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, REGION_CODE_FOR_NON_GEO_ENTITY

    def desc(d):
        if d is None or not d.national_number_pattern:
            return None
        return frozenset(d.possible_length or ()), d.national_number_pattern

    cc = int(code)
    regions = COUNTRY_CODE_TO_REGION_CODE.get(cc, ())
    if k >= len(regions):
        return False
    region = regions[k]
    meta = (PhoneMetadata.metadata_for_nongeo_region(cc) if region == REGION_CODE_FOR_NON_GEO_ENTITY
            else PhoneMetadata.metadata_for_region(region))
    if meta is None:
        return None
    general = desc(meta.general_desc)
    types = [t for t in (desc(getattr(meta, name, None)) for name in _NUMBER_TYPES) if t]
    return (general, types) if general and types else None


@lru_cache(maxsize=None)
def _region_check(code: str, length: int, k: int):
    """For national numbers of ``length`` digits under calling code ``code``, region ``k``: the
    general pattern and the alternation of the number-type patterns whose lengths allow it
    (``phonenumbers.is_valid_number``: general and one type must match, lengths included); None
    when that region cannot hold such a number; False past the last region."""
    desc = _region_desc(code, k)
    if not desc:
        return desc
    (g_len, g_pat), types = desc
    if g_len and length not in g_len:
        return None
    alts = [t_pat for t_len, t_pat in types if not t_len or length in t_len]
    return (g_pat, "|".join(f"(?:{p})" for p in alts)) if alts else None


def _cc_checks(code: str, length: int):
    """Per region of calling code ``code`` (in libphonenumber's order), lazily: the (general,
    types) patterns a national number of ``length`` digits must match."""
    k = 0
    while (check := _region_check(code, length, k)) is not False:
        if check is not None:
            yield check
        k += 1


def _fullmatch(texts: pd.Series, pattern: str) -> np.ndarray:
    try:
        out = texts.astype(ARROW_TEXT).str.fullmatch(pattern)
    except Exception:  # a pattern RE2 does not support: Python's re
        out = texts.astype(object).str.fullmatch(pattern)
    return out.fillna(False).to_numpy(dtype=bool)


def _mask(result) -> np.ndarray:
    return np.asarray(result.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _fullmatch_ascii(values, pattern: str) -> np.ndarray:
    """``_fullmatch`` for an Arrow array of ASCII text, straight through Arrow's RE2: pandas parses
    each pattern with Python's ``re`` parser first (to choose between RE2 and ``re``), which costs
    more than the match for libphonenumber's long patterns. On ASCII digits both engines agree."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return _mask(pc.match_substring_regex(values, f"^(?:{pattern})$"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _fullmatch(pd.Series(values.to_pylist(), dtype=object), pattern)


# ``\+[\d\s\-.()]{6,}`` and ``\D`` as Python's ``re`` reads them on ASCII text, for RE2 (whose ``\s``
# lacks \v and \x1c-\x1f).
_CANDIDATE_ASCII = r"^\+[0-9\t\n\v\f\r\x1c-\x1f \-.()]{6,}$"
_NON_DIGIT_ASCII = r"[^0-9]"


def _fast_phones(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(valid mask, E.164) for ``+cc …`` numbers whose national number matches a type pattern."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ok = np.zeros(len(texts), dtype=bool)
    e164 = np.full(len(texts), None, dtype=object)

    def result() -> tuple[pd.Series, pd.Series]:
        return pd.Series(ok, index=texts.index), pd.Series(e164, index=texts.index, dtype=object)

    arrow = pa.array(texts.astype(ARROW_TEXT).array)  # noqa: the ArrowExtensionArray's data
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    ascii_text = len(arrow) and pc.all(pc.string_is_ascii(arrow)).as_py() is not False
    if ascii_text:
        is_cand = _mask(pc.match_substring_regex(arrow, _CANDIDATE_ASCII))
    else:
        is_cand = texts.astype(ARROW_TEXT).str.fullmatch(r"\+[\d\s\-.()]{6,}").fillna(False).to_numpy(dtype=bool)
    if not is_cand.any():
        return result()
    cand_pos = np.flatnonzero(is_cand)
    if ascii_text:
        digits = pc.replace_substring_regex(arrow.filter(pa.array(is_cand)), _NON_DIGIT_ASCII, "")
    else:
        digits = pa.array(texts[is_cand].astype(ARROW_TEXT).str.replace(r"\D", "", regex=True).astype(object),
                          type=pa.string())
    codes = pa.array(_calling_codes(), type=digits.type)
    cc = np.full(len(digits), None, dtype=object)
    for n in (1, 2, 3):
        prefix = pc.utf8_slice_codeunits(digits, 0, n)
        hit = _mask(pc.is_in(prefix, value_set=codes)) & pd.isna(cc)
        cc[hit] = np.asarray(prefix.to_numpy(zero_copy_only=False), dtype=object)[hit]
    known = np.flatnonzero(~pd.isna(cc))
    if not len(known):
        return result()
    lengths = np.asarray(pc.utf8_length(digits).to_numpy(zero_copy_only=False), dtype="int64")
    cc_len = np.asarray(pc.utf8_length(pa.array(cc[known], type=pa.string())).to_numpy(zero_copy_only=False),
                        dtype="int64")
    plus = np.asarray(pc.binary_join_element_wise(pa.scalar("+", digits.type), digits,
                                                           pa.scalar("", digits.type)).to_numpy(zero_copy_only=False), dtype=object)
    keys = pd.DataFrame({"cc": cc[known], "length": lengths[known] - cc_len})
    for (code, length), members in keys.groupby(["cc", "length"], sort=False).indices.items():
        where = known[members]  # positions among the candidates
        nsn = pc.utf8_slice_codeunits(digits.take(pa.array(where)), len(code))
        if pc.all(pc.string_is_ascii(nsn)).as_py() is not False:
            def match(v, p):
                return _fullmatch_ascii(v, p)
        else:
            def match(v, p):
                return _fullmatch(pd.Series(v.to_pylist(), dtype=object), p)
        good = np.zeros(len(nsn), dtype=bool)
        for general, types in _cc_checks(code, int(length)):
            todo = np.flatnonzero(~good)
            if not len(todo):
                break
            todo = todo[match(nsn.take(pa.array(todo)), general)]
            if len(todo):
                good[todo] = match(nsn.take(pa.array(todo)), types)
        pos = where[good]
        ok[cand_pos[pos]] = True
        e164[cand_pos[pos]] = plus[pos]
    return result()


def check_phones(values: pd.Series, regions: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Check each phone value with its default region (the customer's country).

    Returns (status per value: PHONE_OK / PHONE_BAD / PHONE_NOT_IN_USE, E.164 text or None), both
    indexed like ``values``. Each distinct number takes the fast path once (it does not depend on
    the region) and each distinct (number, region) pair it leaves goes to phonenumbers once.
    """
    text = values.astype(object).to_numpy()
    region = regions.astype(object).where(regions.notna(), "").to_numpy()
    codes, uniq = pd.factorize(text)
    ok, fast_e164 = _fast_phones(pd.Series(uniq, dtype=object))
    status = np.where(ok.to_numpy(), PHONE_OK, -1)[codes].astype("int64")
    e164 = fast_e164.to_numpy(dtype=object)[codes]
    slow = np.flatnonzero(status == -1)
    if len(slow):
        done: dict[tuple, tuple[int, str | None]] = {}
        for i in slow:
            key = (text[i], region[i])
            got = done.get(key)
            if got is None:
                got = done[key] = _parse_phone(*key)
            status[i], e164[i] = got
    return pd.Series(status, index=values.index, dtype="int64"), pd.Series(e164, index=values.index, dtype=object)


def _parse_phone(text: str, region: str) -> tuple[int, str | None]:
    """(status, E.164) of one number by phonenumbers, ``region`` its default region ('' for none)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return PHONE_BAD, None
    if not phonenumbers.is_possible_number(number):
        return PHONE_BAD, None
    if not phonenumbers.is_valid_number(number):
        return PHONE_NOT_IN_USE, None
    return PHONE_OK, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
