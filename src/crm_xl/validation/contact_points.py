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
    several = text.str.contains(_SPLIT, regex=True)
    if several.any():
        parts = text[several].str.split(_SPLIT, regex=True).explode()
        text = pd.concat([text[~several], parts]).sort_index(kind="stable")
    text = text.str.strip()
    return text[text.notna() & text.ne("")]


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
def _cc_table():
    """Country calling code → list of (general pattern, [(lengths, pattern)] per number type)."""
    import phonenumbers
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, REGION_CODE_FOR_NON_GEO_ENTITY

    def desc(d):
        if d is None or not d.national_number_pattern:
            return None
        return frozenset(d.possible_length or ()), d.national_number_pattern

    table = {}
    for cc, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        metas = []
        for region in regions:
            meta = (PhoneMetadata.metadata_for_nongeo_region(cc) if region == REGION_CODE_FOR_NON_GEO_ENTITY
                    else PhoneMetadata.metadata_for_region(region))
            if meta is None:
                continue
            general = desc(meta.general_desc)
            types = [t for t in (desc(getattr(meta, name, None)) for name in _NUMBER_TYPES) if t]
            if general and types:
                metas.append((general, types))
        table[str(cc)] = metas
    del phonenumbers
    return table


@lru_cache(maxsize=4096)
def _cc_checks(code: str, length: int) -> tuple[tuple[str, str], ...]:
    """For national numbers of ``length`` digits under calling code ``code``: per region, the
    general pattern and the alternation of the number-type patterns whose lengths allow it
    (``phonenumbers.is_valid_number``: general and one type must match, lengths included)."""
    checks = []
    for (g_len, g_pat), types in _cc_table().get(code, ()):
        if g_len and length not in g_len:
            continue
        alts = [t_pat for t_len, t_pat in types if not t_len or length in t_len]
        if alts:
            checks.append((g_pat, "|".join(f"(?:{p})" for p in alts)))
    return tuple(checks)


def _fullmatch(texts: pd.Series, pattern: str) -> np.ndarray:
    try:
        out = texts.astype(ARROW_TEXT).str.fullmatch(pattern)
    except Exception:  # a pattern RE2 does not support: Python's re
        out = texts.astype(object).str.fullmatch(pattern)
    return out.fillna(False).to_numpy(dtype=bool)


def _fast_phones(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(valid mask, E.164) for ``+cc …`` numbers whose national number matches a type pattern."""
    ok = pd.Series(False, index=texts.index)
    e164 = pd.Series(None, index=texts.index, dtype=object)
    texts = texts.astype(ARROW_TEXT)
    cand = texts[texts.str.fullmatch(r"\+[\d\s\-.()]{6,}").fillna(False).to_numpy(dtype=bool)]
    if not len(cand):
        return ok, e164
    digits = cand.str.replace(r"\D", "", regex=True)
    table = _cc_table()
    cc = pd.Series(None, index=digits.index, dtype=object)
    for n in (1, 2, 3):
        prefix = digits.str[:n]
        hit = cc.isna().to_numpy() & prefix.isin(list(table)).to_numpy(dtype=bool)
        cc[hit] = prefix[hit].astype(object)
    known = cc.notna().to_numpy()
    frame = pd.DataFrame({"digits": digits[known], "cc": cc[known].astype(object)})
    frame["length"] = frame["digits"].str.len().to_numpy() - frame["cc"].str.len().to_numpy()
    for (code, length), group in frame.groupby(["cc", "length"], sort=False):
        nsn = group["digits"].str[len(code):]
        good = np.zeros(len(nsn), dtype=bool)
        for general, types in _cc_checks(code, int(length)):
            todo = ~good
            if not todo.any():
                break
            sub = nsn[todo]
            good[np.flatnonzero(todo)] = _fullmatch(sub, general) & _fullmatch(sub, types)
        idx = group.index[good]
        ok[idx] = True
        e164[idx] = ("+" + group["digits"][good]).astype(object)
    return ok, e164


def check_phones(values: pd.Series, regions: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Check each phone value with its default region (the customer's country).

    Returns (status per value: PHONE_OK / PHONE_BAD / PHONE_NOT_IN_USE, E.164 text or None), both
    indexed like ``values``. Each distinct (number, region) pair is checked once.
    """
    key = pd.DataFrame({"text": values.astype(object).to_numpy(),
                        "region": regions.astype(object).where(regions.notna(), "").to_numpy()})
    group = key.groupby(["text", "region"], sort=False).ngroup().to_numpy()
    uniq = key.drop_duplicates().reset_index(drop=True)  # row i is group i (first appearances in order)
    ok, e164 = _fast_phones(uniq["text"])
    status = pd.Series(np.where(ok, PHONE_OK, -1), index=uniq.index)
    slow = uniq[~ok]
    if len(slow):
        import phonenumbers

        for i, text, region in zip(slow.index, slow["text"], slow["region"]):
            try:
                number = phonenumbers.parse(text, region or None)
            except phonenumbers.NumberParseException:
                status[i] = PHONE_BAD
                continue
            if not phonenumbers.is_possible_number(number):
                status[i] = PHONE_BAD
            elif not phonenumbers.is_valid_number(number):
                status[i] = PHONE_NOT_IN_USE
            else:
                status[i] = PHONE_OK
                e164[i] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return (pd.Series(status.to_numpy()[group], index=values.index, dtype="int64"),
            pd.Series(e164.to_numpy()[group], index=values.index, dtype=object))
