"""Values as people type them: country names, money with a currency, short and Chinese dates.

Every function takes one text and returns what it can be sure of, or None — never a guess. The
tables come from libraries: country names from CLDR (Babel) in the languages trade teams write
plus pycountry's names and codes; currency symbols and names from CLDR; each currency's decimal
separator from the CLDR number formats of the territories that use it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from crm_xl.intake.matching import match_key

# Locales whose territory names are accepted. zh/en first: a name they define wins over the others.
COUNTRY_LOCALES = ("zh_Hans", "zh_Hant", "en", "de", "fr", "es", "it", "pt", "nl", "ru", "tr", "pl",
                   "ja", "ko", "vi", "th", "id", "ms", "ar")
# Short forms neither CLDR's territory names nor pycountry list (CLDR keeps them as "alt" forms
# Babel does not expose).
COUNTRY_SHORT_FORMS = {"UK": "GB", "U.K.": "GB", "Great Britain": "GB", "England": "GB", "英格兰": "GB",
                       "UAE": "AE", "阿联酋": "AE", "KSA": "SA", "沙特": "SA", "香港": "HK", "澳门": "MO",
                       "Holland": "NL", "Korea": "KR", "South Korea": "KR", "Russia": "RU", "Vietnam": "VN",
                       "Türkiye": "TR", "Turkey": "TR", "Czech Republic": "CZ", "Iran": "IR"}


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    import pycountry
    from babel import Locale

    table: dict[str, str] = {}
    for loc in COUNTRY_LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO"):
                table.setdefault(match_key(name), code)
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(c, attr, None)
            if value:
                table.setdefault(match_key(value), c.alpha_2)
    for name, code in COUNTRY_SHORT_FORMS.items():
        table[match_key(name)] = code
    return table


@lru_cache(maxsize=8192)
def country_code(text: str) -> str | None:
    """ISO 3166 alpha-2 for a code, alpha-3 code or a country name in a CLDR language, else None."""
    t = unicodedata.normalize("NFKC", str(text)).strip()
    if not t:
        return None
    short = COUNTRY_SHORT_FORMS.get(t.upper()) or COUNTRY_SHORT_FORMS.get(t)
    if short:
        return short
    if len(t) == 2 and t.isascii() and t.isalpha():
        return t.upper()
    return _country_table().get(match_key(t))


# -- money ----------------------------------------------------------------------------------------

# Words and symbols CLDR does not carry for the currencies Chinese trade teams use.
CURRENCY_WORDS = {"RMB": "CNY", "人民币": "CNY", "元": "CNY", "块": "CNY", "美金": "USD", "US$": "USD", "USD$": "USD",
                  "刀": "USD", "欧": "EUR", "日币": "JPY", "円": "JPY", "港币": "HKD", "港元": "HKD", "HK$": "HKD",
                  "英镑": "GBP", "澳元": "AUD", "A$": "AUD", "加元": "CAD", "C$": "CAD", "卢布": "RUB"}
MULTIPLIERS = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "千": 1e3, "k": 1e3, "K": 1e3}
# Symbols that several currencies share: read as the row's currency when it uses that symbol,
# else as the first listed (¥ is CNY for a Chinese team; $ is USD).
SHARED_SYMBOLS = {"$": ("USD", "HKD", "AUD", "CAD", "SGD", "NZD", "TWD", "MXN"), "¥": ("CNY", "JPY"),
                  "￥": ("CNY", "JPY"), "kr": ("SEK", "NOK", "DKK")}


@lru_cache(maxsize=1)
def _currency_tokens() -> dict[str, str]:
    """Folded symbol/name/code → ISO code, from CLDR (zh, zh_Hant, en) plus CURRENCY_WORDS."""
    from babel import Locale
    from babel.numbers import list_currencies

    table: dict[str, str] = {}
    for code in list_currencies():
        table[code.casefold()] = code
    for loc in ("zh_Hans", "zh_Hant", "en"):
        locale = Locale.parse(loc)
        for code, name in locale.currencies.items():
            if code in ("XXX",) or len(code) != 3:
                continue
            table.setdefault(name.casefold(), code)
        for code, sym in locale.currency_symbols.items():
            if sym and sym != code:
                table.setdefault(sym.casefold(), code)
    for word, code in CURRENCY_WORDS.items():
        table[word.casefold()] = code
    for sym, codes in SHARED_SYMBOLS.items():
        table[sym.casefold()] = codes[0]
    return table


@lru_cache(maxsize=512)
def decimal_separator(currency: str | None) -> str:
    """The decimal separator of the territories that use ``currency`` (CLDR), "." when unsure."""
    if not currency:
        return "."
    from babel import Locale
    from babel.core import get_global
    from babel.numbers import get_decimal_symbol

    votes: Counter[str] = Counter()
    for territory, entries in get_global("territory_currencies").items():
        if not any(e[0] == currency and e[2] is None and e[3] for e in entries):
            continue
        try:
            votes[get_decimal_symbol(Locale.parse(f"und_{territory}"))] += 1
        except Exception:  # noqa: BLE001 - a territory without a likely locale does not vote
            continue
    return votes.most_common(1)[0][0] if votes else "."


_MONEY = re.compile(r"^(?P<pre>[^\d\-+(.,]*?)\s*(?P<sign>[-+(]?)\s*(?P<num>\d[\d.,'’\s]*\d|\d)\s*\)?\s*"
                    r"(?P<mult>[万萬亿億千kK]?)\s*(?P<post>[^\d]*)$")


def _currency_of(token: str, row_currency: str | None) -> tuple[str | None, bool]:
    """(ISO code or None, recognised?) for the text around a number."""
    t = token.strip().strip(":：").strip()
    if not t:
        return None, True
    key = t.casefold()
    shared = SHARED_SYMBOLS.get(t) or SHARED_SYMBOLS.get(key)
    if shared and row_currency in shared:
        return row_currency, True
    code = _currency_tokens().get(key)
    if code:
        return code, True
    if t.endswith(("元",)) and len(t) > 1:  # 万元 handled by the multiplier; 美元 etc. are CLDR names
        code = _currency_tokens().get(t[:-1].casefold())
        if code:
            return code, True
    return None, False


def _number(text: str, currency: str | None) -> float | None:
    t = re.sub(r"[\s'’]", "", text)
    dots, commas = t.count("."), t.count(",")
    if dots and commas:
        dec = "." if t.rfind(".") > t.rfind(",") else ","
    elif dots or commas:
        sep = "." if dots else ","
        n = dots or commas
        tail = t.rsplit(sep, 1)[1]
        if n > 1:
            dec = "," if sep == "." else "."  # a separator used twice groups thousands
        elif len(tail) == 3 and sep == ",":
            dec = "."  # 8,500 groups thousands: teams write money to the cent, never to 1/1000
        elif len(tail) == 3:
            dec = decimal_separator(currency)  # 8.500 is 8500 in EUR (CLDR: decimal comma), 8.5 in USD
            if dec not in (".", ","):
                dec = "."
        else:
            dec = sep
    else:
        dec = "."
    thousands = "," if dec == "." else "."
    t = t.replace(thousands, "").replace(dec, ".")
    try:
        return float(t)
    except ValueError:
        return None


@lru_cache(maxsize=100_000)
def parse_money_text(text: str, row_currency: str | None = None) -> tuple[float | None, str | None]:
    """``"$12,000"`` → (12000.0, "USD"); ``"RMB 5万"`` → (50000.0, "CNY"); ``"€8.500,00"`` →
    (8500.0, "EUR"). The currency is None when the text names none; (None, None) when unreadable.
    ``row_currency`` decides shared symbols ($ of HKD) and the decimal convention of bare numbers.
    """
    t = unicodedata.normalize("NFKC", str(text)).strip()
    if not t:
        return None, None
    m = _MONEY.match(t)
    if not m:
        return None, None
    pre, post, mult = m["pre"], m["post"], m["mult"]
    if post.startswith("元") and mult:  # 5万元
        post = post[1:] or "元"
    cur_pre, ok_pre = _currency_of(pre, row_currency)
    cur_post, ok_post = _currency_of(post, row_currency)
    if not (ok_pre and ok_post) or (cur_pre and cur_post and cur_pre != cur_post):
        return None, None
    currency = cur_pre or cur_post
    value = _number(m["num"], currency or row_currency)
    if value is None:
        return None, None
    value *= MULTIPLIERS.get(mult, 1.0)
    if m["sign"] in ("-", "("):
        value = -value
    return value, currency


# -- dates ----------------------------------------------------------------------------------------

WEEKDAY_SUFFIX = re.compile(r"\s*[(（]?\s*(?:周|星期|礼拜|禮拜|週)[一二三四五六日天]\s*[)）]?\s*$"
                            r"|\s*[(（,]?\s*(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*[)）]?\s*$", re.IGNORECASE)
_SHORT_YMD = re.compile(r"^(\d{2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?$")


def strip_weekday(text: str) -> str:
    """``2026年03月05日 周四`` → ``2026年03月05日``."""
    return WEEKDAY_SUFFIX.sub("", text)


def short_date(text: str) -> dt.datetime | None:
    """``26/3/5`` → 2026-03-05 (two-digit year first, the Chinese short form).

    None when the text could as well be day/month/year (``05/03/26``): the last number could not
    be a month and the first could, so both readings are dates — that is for a finding, not a guess.
    """
    m = _SHORT_YMD.match(text)
    if not m:
        return None
    a, b, c = int(m[1]), int(m[3]), int(m[4])
    if a <= 12 and c > 12:
        return None
    try:
        return dt.datetime(2000 + a, b, c)
    except ValueError:
        return None


def month_day(text: str) -> tuple[int, int] | None:
    """``3月5日`` → (3, 5): a date without its year (the reader takes the year from context)."""
    m = _MONTH_DAY.match(text)
    if not m:
        return None
    mo, d = int(m[1]), int(m[2])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return mo, d
