"""Units written into a header: ``年采购额(万元)``, ``金额（千美元）``, ``Annual purchases (k USD)``.

Chinese trade staff write money in 万 (10,000) and say so in the header, not in the cells: a 50
under ``年采购额(万元)`` is 500,000. A reader that maps the header to its column must scale the
numbers by the header's factor and say it did; a unit it cannot read, or a multiplier on a column
that is no amount, is a finding — never a silent guess.

The multiplier words come from CLDR's compact decimal formats (Babel): ``0万``/``0亿`` (zh),
``0萬``/``0億`` (zh_Hant), ``0K``/``0M``/``0B``/``0T`` and ``0 thousand``/``0 million``… (en,
en_GB: ``k``/``m``/``bn``/``tn``). Only those locales: in German and French "billion" is 10¹²,
so more languages would make words ambiguous. CLDR has no word for 10³ in Chinese (千), none for
百万/千万, no plurals and not the finance shorthands ``mn``/``'000``; :data:`EXTRA_MULTIPLIERS`
adds those by hand. Currency words come from CLDR too (:func:`crm_xl.intake.values._currency_tokens`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

MULTIPLIER_LOCALES = ("zh_Hans", "zh_Hant", "en", "en_GB")
# Not in CLDR's compact formats of those locales (a small explicit table, see the module docstring).
EXTRA_MULTIPLIERS: dict[str, int] = {
    "千": 10**3, "仟": 10**3, "十万": 10**5, "十萬": 10**5, "百万": 10**6, "百萬": 10**6, "千万": 10**7, "千萬": 10**7,
    "thousands": 10**3, "millions": 10**6, "billions": 10**9, "mn": 10**6, "mln": 10**6, "'000": 10**3,
    "000s": 10**3, "'000s": 10**3,
}
# Words CLDR gives one meaning that people use for another: 兆 is 10¹² in Taiwan (CLDR zh_Hant) but
# "mega" (10⁶) in mainland usage — a finding, not a guess.
AMBIGUOUS = {"兆"}
# Words meaning "in the register's base currency" (the register's own labels use 本币).
BASE_CURRENCY_WORDS = {"本币", "本幣", "base", "base currency", "本位币", "本位幣"}
# 元 alone is the unit of any money (美元 is "US 元"): 万元 says 10,000, the row's currency says which.
GENERIC_MONEY_WORDS = {"元", "块"}
_FILLERS = {"in", "of", "单位", "單位", "unit", "units", "单位为", "單位為"}

_BRACKETS = re.compile(r"^(?P<base>.*?\S)\s*[(\[【〔](?P<unit>[^()\[\]【】〔〕]+)[)\]】〕]\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class HeaderUnit:
    """The unit in a header's trailing brackets."""

    text: str  # the brackets' content as written: "万美元"
    base: str  # the header without the brackets: "年采购额"
    multiplier: Decimal | None  # 10000 for 万; None when the brackets name no multiplier
    currency: str | None  # ISO code the brackets name ("USD"), else None
    known: bool  # every word in the brackets was understood (a multiplier and/or a currency)

    @property
    def factor(self) -> Decimal:
        return self.multiplier if self.multiplier is not None else Decimal(1)


@lru_cache(maxsize=1)
def multipliers() -> dict[str, Decimal]:
    """Folded multiplier word → factor (CLDR compact decimal formats plus EXTRA_MULTIPLIERS)."""
    from babel import Locale

    table: dict[str, Decimal] = {}
    clash: set[str] = set()
    for loc in MULTIPLIER_LOCALES:
        formats = Locale.parse(loc).compact_decimal_formats
        for width in ("short", "long"):
            for patterns in (formats.get(width) or {}).values():
                for magnitude, pattern in patterns.items():
                    text = pattern.pattern
                    if text.count("0") != 1:  # 00万 is 10 × 万: the one-zero pattern names the word
                        continue
                    word = text.replace("0", "").replace("\u00a0", " ").replace("\u202f", " ").strip().casefold()
                    if not word:
                        continue
                    factor = Decimal(magnitude)
                    if table.get(word, factor) != factor:
                        clash.add(word)
                    table[word] = factor
    for word, factor in EXTRA_MULTIPLIERS.items():
        table[word.casefold()] = Decimal(factor)
    for word in clash | AMBIGUOUS:
        table.pop(word, None)
    return table


def _currency(text: str) -> tuple[bool, str | None]:
    """(understood?, ISO code or None) for the words beside a multiplier."""
    from crm_xl.intake.values import _currency_tokens

    words = [w for w in re.split(r"[\s,，/]+", text.strip()) if w and w.casefold() not in _FILLERS]
    if not words:
        return True, None
    joined = " ".join(words)
    if joined.casefold() in BASE_CURRENCY_WORDS or joined in GENERIC_MONEY_WORDS:
        return True, None
    tokens = _currency_tokens()
    for candidate in (joined, "".join(words)):
        code = tokens.get(candidate.casefold())
        if code:
            return True, code
    if joined.endswith("元") and len(joined) > 1:  # 美元 is CLDR's name; 港元, 澳元 are CURRENCY_WORDS
        code = tokens.get(joined[:-1].casefold())
        if code:
            return True, code
    return False, None


@lru_cache(maxsize=4096)
def header_unit(header: str) -> HeaderUnit | None:
    """The unit in a header's trailing brackets (full- or half-width), or None when it has none.

    ``年采购额(万元)`` → × 10,000 (the row's currency); ``Amount (USD thousands)`` → 1000 × USD; ``金额(含税)`` → not
    known (no multiplier, no currency); ``净重(kg)`` → not known (only money columns care).
    """
    t = unicodedata.normalize("NFKC", str(header)).strip()
    m = _BRACKETS.match(t)
    if not m:
        return None
    base, content = m["base"].strip(), m["unit"].strip()
    inner = re.sub(r"^(?:单位|單位|units?|in)\s*[:：]?\s*", "", content, flags=re.IGNORECASE).strip()
    inner = re.sub(r"\s*('000s?|000s)\b", r" \1", inner)  # USD'000
    table = multipliers()
    multiplier: Decimal | None = None
    rest = inner
    # Chinese: the multiplier opens the unit (万美元, 百万元); the longest word wins (万亿 over 万)
    for word in sorted((w for w in table if _CJK.search(w)), key=len, reverse=True):
        if inner.startswith(word):
            multiplier, rest = table[word], inner[len(word):]
            break
    if multiplier is None:
        words = [w for w in re.split(r"[\s,，/]+", inner) if w]
        found = [i for i, w in enumerate(words) if w.casefold() in table]
        if len(found) == 1:
            multiplier = table[words[found[0]].casefold()]
            rest = " ".join(w for i, w in enumerate(words) if i != found[0])
        elif not found and len(words) == 1 and re.fullmatch(r"[kKmM][A-Z]{3}", words[0]):  # kUSD, MEUR
            multiplier, rest = table[words[0][0].casefold()], words[0][1:]
    if any(w in inner for w in AMBIGUOUS):
        return HeaderUnit(content, base, None, None, False)
    known, currency = _currency(rest)
    return HeaderUnit(content, base, multiplier, currency, known and (multiplier is not None or currency is not None
                                                                     or rest.strip().casefold() in BASE_CURRENCY_WORDS
                                                                     or rest.strip() in GENERIC_MONEY_WORDS))


# -- what a unit does to a column -------------------------------------------------------------------

SCALE, NOT_MONEY, UNKNOWN = "scale", "not_money", "unknown"


def effect(column_kind: str, unit: HeaderUnit | None) -> str | None:
    """What a header's unit means for the column it was mapped to: SCALE (a money column in a
    known unit: multiply, and take the currency it names), NOT_MONEY (a multiplier on a column that
    is no amount: not applied, a finding), UNKNOWN (words on a money column that are no known
    unit: read as written, a finding), or None (nothing to do or say)."""
    if unit is None:
        return None
    if column_kind == "money":
        if not unit.known:
            return UNKNOWN
        return SCALE if unit.factor != 1 or unit.currency else None
    return NOT_MONEY if unit.multiplier is not None else None


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))  # the shortest text that reads back as the float: 1.23, not 1.229999…


def _money_text(amount: Decimal, currency: str) -> str:
    """``USD 500000``: text the money parser reads back exactly (never ``8500.125``, whose three
    decimals a EUR row would read as thousands)."""
    text = format(amount.normalize(), "f")
    if "." in text and len(text.rsplit(".", 1)[1]) == 3:
        text += "0"
    return f"{currency} {text}"


def scale_value(value: Any, factor: Decimal, currency: str | None = None) -> Any:
    """One cell of a money column under a header with a unit: a number times ``factor`` (as text
    naming ``currency`` when the header names one, so the row's currency is filled or checked as
    for ``$12,000``). A cell that names its own multiplier (``5万``), a percentage, or text that is
    no amount is left as typed — the first two say what they are, the last is reported unreadable."""
    import numpy as np

    from crm_xl.intake import values as iv

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, np.integer)):
        amount = Decimal(int(value)) * factor
    elif isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return value
        amount = _decimal(value) * factor
    elif isinstance(value, str):
        t = unicodedata.normalize("NFKC", value).strip()
        m = iv._MONEY.match(t)
        if not t or not m or m["mult"] or t.endswith("%"):
            return value
        number, named = iv.parse_money_text(t, currency)
        if number is None:
            return value
        try:
            amount = _decimal(number) * factor
        except InvalidOperation:
            return value
        currency = named or currency
    else:
        return value
    if currency:
        return _money_text(amount, currency)
    return float(amount)


def scale_amounts(raw, amount, factor: Decimal):
    """Parsed amounts (``amount``, float) of the raw cells ``raw`` times ``factor``, Decimal-exact
    (1.23 万 is 12300, not 12300.000000000002), once per distinct value. Cells that name their own
    multiplier (``5万``, ``3k``) or are a percentage keep the amount they state."""
    import numpy as np
    import pandas as pd

    from crm_xl.intake import values as iv

    values = amount.to_numpy(dtype="float64", na_value=np.nan)
    todo = np.isfinite(values)
    if not (raw.dtype.kind in "biuf"):
        texts = raw.astype(object)
        own = {}
        for u in pd.unique(texts[texts.notna()]):
            if isinstance(u, str):
                t = unicodedata.normalize("NFKC", u).strip()
                m = iv._MONEY.match(t)
                own[u] = bool(m and m["mult"]) or t.endswith("%")
        if any(own.values()):
            todo &= ~texts.map(lambda v: own.get(v, False) if isinstance(v, str) else False).to_numpy(dtype=bool)
    if not todo.any():
        return amount
    picked = values[todo]
    table = {u: float(_decimal(u) * factor) for u in np.unique(picked)}
    out = values.copy()
    out[todo] = pd.Series(picked).map(table).to_numpy(dtype="float64")
    return pd.Series(out, index=amount.index)


def show_factor(factor: Decimal) -> str:
    """10000 → ``10,000``; 0.001 → ``0.001``."""
    text = format(factor.normalize(), ",f")
    return text
