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

_SPLIT = r"\s*[;；,，、/|]\s*|\s{3,}"
_ATOM = r"[A-Za-z0-9_%+\-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_FAST_EMAIL = re.compile(rf"^(?=.{{1,64}}@)(?=.{{3,254}}$){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
_NUMBER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
                 "voicemail", "fixed_line", "mobile")


def split_values(s: pd.Series) -> pd.Series:
    """A text column whose cells may hold several values (``a; b``) → one value per entry.

    The result keeps the frame's index (repeated for cells with several values), NFKC-normalized
    and stripped, without blanks.
    """
    text = s.dropna().astype(object).astype(str)
    if not len(text):
        return pd.Series([], dtype=object)
    wide = ~text.map(str.isascii).astype(bool)
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
    uniques = pd.Series(pd.unique(values.to_numpy(dtype=object)), dtype=object)
    fast = uniques.str.match(_FAST_EMAIL).fillna(False).astype(bool)
    tld = uniques.str.rsplit(".", n=1).str[-1].str.lower()
    fast &= ~tld.isin(_special_tlds()) & ~uniques.str.contains("--", regex=False)
    table = dict.fromkeys(uniques[fast], False)
    slow = uniques[~fast]
    if len(slow):
        from email_validator import EmailNotValidError, validate_email

        for v in slow:
            try:
                validate_email(v, check_deliverability=False)
                table[v] = False
            except EmailNotValidError:
                table[v] = True
    return values.map(table).astype(bool)


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


def _lengths(lengths: frozenset[int]) -> str:
    """A lookahead requiring the whole remaining number to have one of ``lengths`` digits."""
    if not lengths:
        return ""
    options = "|".join(r"\d{%d}" % n for n in sorted(lengths))
    return f"(?=(?:{options})$)"


@lru_cache(maxsize=512)
def _cc_regex(code: str) -> re.Pattern | None:
    """One regex per country calling code: the national number is valid for one of its regions.

    For each region: the general pattern and its lengths must match, and one number type's
    pattern and lengths must match (``phonenumbers.is_valid_number``'s test), as lookaheads.
    """
    parts = []
    for (g_len, g_pat), types in _cc_table().get(code, ()):
        general = f"{_lengths(g_len)}(?=(?:{g_pat})$)"
        parts += [f"{general}{_lengths(t_len)}(?:{t_pat})$" for t_len, t_pat in types]
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def _fast_phones(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(valid mask, E.164) for ``+cc …`` numbers whose national number matches a type pattern."""
    ok = pd.Series(False, index=texts.index)
    e164 = pd.Series(None, index=texts.index, dtype=object)
    intl = texts.str.fullmatch(r"\+[\d\s\-.()]{6,}")
    cand = texts[intl.fillna(False).astype(bool)]
    if not len(cand):
        return ok, e164
    digits = cand.str.replace(r"\D", "", regex=True)
    table = _cc_table()
    cc = pd.Series(None, index=digits.index, dtype=object)
    for n in (1, 2, 3):
        prefix = digits.str[:n]
        hit = cc.isna() & prefix.isin(table.keys())
        cc[hit] = prefix[hit]
    for code, group in digits[cc.notna()].groupby(cc[cc.notna()]):
        nsn = group.str[len(code):]
        regex = _cc_regex(code)
        if regex is None:
            continue
        good = nsn.str.match(regex).fillna(False).astype(bool)
        ok[good.index[good]] = True
        e164[good.index[good]] = "+" + group[good]
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
