"""Personal data in text: find and mask phone numbers, e-mail addresses, IM handles, ID-card and
passport numbers wherever they are written (policy 000 二(四): customer information leaves the
company only with approval and masked).

One detector for every text cell of a masked export and for the change log's values, so a phone
typed into a note is masked exactly like one in the phone column. What it finds:

- **phone numbers** with phonenumbers' ``PhoneNumberMatcher`` (leniency POSSIBLE) for every region
  the register's customers are in plus China; numbers written with ``+``/``00`` are found whatever
  the region. Any other run of seven or more digits (with spaces, dashes, dots or brackets between
  them) is masked too, except dates, times and amounts with thousands separators;
- **e-mail addresses** (``j***@example.com``: the local part hidden, the domain kept);
- **IM handles** after their label: WeChat/微信/weixin/wx/vx, WhatsApp, LINE, Skype, QQ, Telegram,
  Viber, KakaoTalk (``微信：zhangsan_88`` → ``微信：z***``);
- **ID-card numbers** (Chinese 18/15-digit resident IDs, ``110101********123X``) and
  **passport-like numbers** (one or two capital letters and 7–9 digits, ``E1*******``).

Masking is deterministic (the same text masks the same way), so an ID masked in two sheets still
matches. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import pandas as pd

MASK = "***"
KINDS = ("phone", "email", "handle", "id_card", "passport")

_EMAIL = re.compile(r"(?<![\w.%+\-])([\w.%+\-]+)@((?:[\w\-]+\.)+[A-Za-z\u00a1-\uffff]{2,})")
# Labels after which the next word is an IM handle. Short or ambiguous labels (wx, vx, line, tg,
# wa) need a colon or "ID" before the handle; the others may be followed by a space only.
_HANDLE = r"([A-Za-z0-9][A-Za-z0-9_\-.:]{1,62}[A-Za-z0-9_])"
_ID_WORD = r"(?:\s*(?:id|号|账号|帳號|帐号))?"
_HANDLE_PATTERNS = (
    re.compile(r"(?i)(?<![a-z])(?:we\s?chat|weixin|微信号?|whats\s?app|skype|qq号?|telegram|viber|kakao(?:\s?talk)?)"
               + _ID_WORD + r"\s*[:：=]?\s*" + _HANDLE),
    re.compile(r"(?<![A-Za-z])(?:LINE|Line)" + _ID_WORD + r"\s*[:：=]?\s*" + _HANDLE),
    re.compile(r"(?i)(?<![a-z])(?:wx|vx|line|tg|wa)(?:" + _ID_WORD + r"\s*[:：=]|\s*id)\s*" + _HANDLE),
)
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Passport-like numbers after a passport or travel-document label (without one, an order number
# such as SO20260001 would look the same).
_PASSPORT = re.compile(r"(?i:护照|護照|passport|pass\s?no|travel\s?doc\w*|证件|證件|通行证|通行證)[^A-Za-z0-9]{0,12}"
                       r"(?<![0-9A-Za-z])([A-Za-z]{1,2}\d{6,9})(?![0-9A-Za-z])")
# Runs of digits a phone could be: at least seven digits with single separators between groups.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9_.,])(?<![A-Za-z]-)(?:\+|00)?\d(?:[ \-–.()（）/\u3000]{0,2}\d)+(?![A-Za-z0-9_])")
# What may not stand right before a phone number: a letter or digit (SO20260001, HT-2026-0001).
_GLUED = re.compile(r"(?:[A-Za-z0-9_]|[A-Za-z]-)$")
# Text that looks like digits but is not personal: dates, times, amounts with separators.
_NOT_PERSONAL = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    # a month or a quarter/half of a year: 考核期 2026-10, 交期 2025年11月, 2026-Q3, 2026H1
    # (not when the digits go on around it: +49 2025-11 345 is a phone)
    r"|(?<![\d+])(?<!\d[\s\-./()])(?:19|20)\d{2}"
    r"(?:\s?[-/.年]\s?(?:1[0-2]|0?[1-9])(?:月|(?![\s\-./()]?\d))|\s?[-/]?\s?[QqHh][1-4](?![A-Za-z0-9]))"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d+\.\d+(?![\d.\-])")
# Cheap test for "may hold personal data" (vectorized pre-filter).
PREFILTER = r"\d(?:[\s\-().（）/]{0,2}\d){4}|@|(?i:wechat|weixin|whats|skype|telegram|viber|kakao|line|qq|微信|wx|vx|tg)"


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


def _mask_digits(digits: str) -> str:
    """Keep a short leading prefix and the last four digits; at least four digits hidden."""
    n = len(digits)
    if n <= 4:
        return "*" * n
    if n < 8:
        return "*" * 4 + digits[4 - (8 - n):] if n > 4 else "*" * n
    prefix = min(3, n - 8)
    return digits[:prefix] + "*" * (n - prefix - 4) + digits[-4:]


def mask_phone_text(text: str) -> str:
    """``13812345678`` → ``138****5678``; ``+86 138-1234-5678`` → ``+86 138****5678``."""
    digits = re.sub(r"\D", "", text)
    international = text.lstrip().startswith(("+", "00"))
    if international:
        national = digits[2:] if text.lstrip().startswith("00") else digits
        cc = _country_code(national)
        if cc:
            return f"+{cc} {_mask_digits(national[len(cc):])}"
    return _mask_digits(digits)


@lru_cache(maxsize=4096)
def _country_code(digits: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return ""
    cc = str(number.country_code)
    return cc if digits.startswith(cc) else ""


def mask_email_text(local: str, domain: str) -> str:
    return f"{local[:1]}{MASK}@{domain}"


def mask_handle_text(handle: str) -> str:
    return handle[:1] + MASK


def mask_id_text(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) >= 15 else "*" * len(number)


def mask_passport_text(number: str) -> str:
    return number[:1] + "*" * (len(number) - 1)


class PersonalDataDetector:
    """Finds personal data in a text. ``regions``: ISO 3166 codes whose national phone formats
    are looked for (China is always included)."""

    def __init__(self, regions: Iterable[str] = ()) -> None:
        import phonenumbers

        supported = phonenumbers.SUPPORTED_REGIONS
        wanted = ["CN"] + sorted({str(r).strip().upper() for r in regions if isinstance(r, str)} - {"CN"})
        self.regions = tuple(r for r in wanted if r in supported)
        self._masked: dict[tuple[str, bool], str] = {}  # text → masked text: the same ID, name or
        # note recurs across rows and sheets (a customer ID in every sheet), and the phone matcher
        # runs once per region on each text, which made a masked export of 1k customers take minutes

    # ---- finding
    def find(self, text: str, digit_runs: bool = True) -> list[Span]:
        """Non-overlapping spans of personal data, in text order. ``digit_runs=False`` leaves out
        the rule for bare digit runs (for ID columns, where ``2026-0001`` is a reference)."""
        if not isinstance(text, str) or not text:
            return []
        spans: list[Span] = []
        taken = bytearray(len(text))

        def add(kind: str, start: int, end: int) -> None:
            if start >= end or any(taken[start:end]):
                return
            taken[start:end] = b"\x01" * (end - start)
            spans.append(Span(kind, start, end))

        for m in _EMAIL.finditer(text):
            add("email", m.start(), m.end())
        for pattern in _HANDLE_PATTERNS:
            for m in pattern.finditer(text):
                add("handle", m.start(1), m.end(1))
        for m in _ID_CARD.finditer(text):
            add("id_card", m.start(), m.end())
        for m in _PASSPORT.finditer(text):
            add("passport", m.start(1), m.end(1))
        if sum(ch.isdigit() for ch in text) >= 5:
            # dates, times and amounts are hidden from the phone rules (same length, so offsets hold)
            shadow = _NOT_PERSONAL.sub(lambda m: "#" * len(m.group(0)), text)
            for start, end in self._phones(shadow):
                add("phone", start, end)
            if digit_runs:
                for m in _DIGIT_RUN.finditer(shadow):
                    if sum(ch.isdigit() for ch in m.group(0)) >= 7:
                        add("phone", m.start(), m.end())
        return sorted(spans, key=lambda s: s.start)

    def _phones(self, text: str) -> list[tuple[int, int]]:
        import phonenumbers

        found = []
        for region in self.regions:
            try:
                for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE,
                                                             max_tries=200):
                    if not _GLUED.search(text[max(0, match.start - 2):match.start]):
                        found.append((match.start, match.end))
            except Exception:  # the matcher on odd input: the digit-run rule still applies
                continue
        return found

    def contains(self, text: str) -> bool:
        return bool(self.find(text))

    # ---- masking
    def mask(self, value: object, digit_runs: bool = True) -> object:
        """``value`` with every piece of personal data masked; non-text values unchanged."""
        if not isinstance(value, str) or not value:
            return value
        known = self._masked.get((value, digit_runs))
        if known is not None:
            return known
        spans = self.find(value, digit_runs)
        out, last = [], 0
        for span in spans:
            out.append(value[last:span.start])
            out.append(_mask_span(span.kind, value[span.start:span.end]))
            last = span.end
        out.append(value[last:])
        masked = "".join(out) if spans else value
        self._masked[(value, digit_runs)] = masked
        return masked

    def mask_series(self, series: pd.Series, digit_runs: bool = True) -> pd.Series:
        """Column-wise :meth:`mask`; only cells the cheap pre-filter flags are examined."""
        if series.dtype.kind in "biufcmM" or series.empty:
            return series
        text = series.astype("string")
        candidates = text.str.contains(PREFILTER, regex=True, na=False).astype(bool)
        if not candidates.any():
            return series
        out = series.astype(object).copy()
        out[candidates] = [self.mask(v, digit_runs) for v in text[candidates]]
        return out


def _mask_span(kind: str, text: str) -> str:
    if kind == "email":
        local, _, domain = text.rpartition("@")
        return mask_email_text(local, domain)
    if kind == "handle":
        return mask_handle_text(text)
    if kind == "id_card":
        return mask_id_text(text)
    if kind == "passport":
        return mask_passport_text(text)
    return mask_phone_text(text)


def mask_name(value: object) -> object:
    """A private person's name: the first character and ``***`` (``张伟`` → ``张***``)."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value.strip()[:1] + MASK


def mask_address(value: object, keep: int = 6) -> object:
    """A street address: the first ``keep`` characters (at most half of it) and ``***``."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    return text[: min(keep, len(text) // 2)] + MASK


def mask_plate(value: object) -> object:
    """A number plate: the region prefix (two characters) and ``***`` (``粤B12345`` → ``粤B***``)."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value.strip()[:2] + MASK
