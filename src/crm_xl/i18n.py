"""Languages of the register and label folding.

The register is shown in simplified Chinese (zh-CN), traditional Chinese (zh-TW) or English (en).
Labels and messages are written once in zh-CN and en; zh-TW is derived with OpenCC (``s2tw``),
with a small table of overrides where the character conversion alone reads wrong.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

LANGS: tuple[str, ...] = ("zh-CN", "zh-TW", "en")
DEFAULT_LANG = "zh-CN"

_LANG_ALIASES = {
    "zh": "zh-CN", "zh-cn": "zh-CN", "zh_cn": "zh-CN", "zh-hans": "zh-CN", "cn": "zh-CN",
    "zh-tw": "zh-TW", "zh_tw": "zh-TW", "zh-hant": "zh-TW", "zh-hk": "zh-TW", "tw": "zh-TW",
    "en": "en", "en-us": "en", "en-gb": "en", "en_us": "en", "english": "en",
}

# Where OpenCC's character conversion is not what a Taiwanese or Hong Kong user would write.
_TW_OVERRIDES = {"臺賬": "台帳", "聯繫人": "聯絡人", "信息": "資訊", "郵件": "郵件"}


def normalize_lang(lang: str | None) -> str:
    """Return one of LANGS for a user-supplied language tag (``zh_cn``, ``EN``, ``zh-Hant`` …)."""
    if not lang:
        return DEFAULT_LANG
    key = lang.strip().lower()
    if key in _LANG_ALIASES:
        return _LANG_ALIASES[key]
    raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("s2tw")


# The zh-TW form of every label the schema declares (sheets, columns, enumeration options), made by
# OpenCC and shipped: building OpenCC's s2tw converter costs 0.12–0.16 s of one core (it holds the
# GIL), and every command that reads a workbook needs these labels to match headers. Other texts
# (messages) are converted on first use as before. `python -m crm_xl.i18n` writes the table again;
# a test checks that it equals what OpenCC and the overrides give today.
_TW_TABLE = Path(__file__).with_name("zh_tw_labels.json")


@lru_cache(maxsize=1)
def _tw_table() -> dict[str, str]:
    try:
        return json.loads(_TW_TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a damaged install converts everything, as before
        return {}


def label_strings() -> list[str]:
    """Every zh-CN label of the schema the reader and the templates convert to zh-TW."""
    from crm_xl import schema
    from crm_xl.schema import enums
    from crm_xl.schema.model import Enum

    texts = set()
    for sheet in schema.SHEETS.values():
        texts.add(sheet.zh)
        texts.update(c.zh for c in sheet.columns)
    for value in vars(enums).values():
        if isinstance(value, Enum):
            texts.update(o.zh for o in value.options)
    return sorted(t for t in texts if t)


def tw_table() -> dict[str, str]:
    """What the shipped table should hold: OpenCC's conversion of every schema label."""
    return {text: _convert(text) for text in label_strings()}


@lru_cache(maxsize=8192)
def to_traditional(text: str) -> str:
    """Simplified → traditional Chinese (Taiwan standard characters)."""
    hit = _tw_table().get(text)
    return hit if hit is not None else _convert(text)


def _convert(text: str) -> str:
    out = _converter().convert(text)
    for wrong, right in _TW_OVERRIDES.items():
        out = out.replace(wrong, right)
    return out


def pick(zh: str, en: str, lang: str, tw: str | None = None) -> str:
    """Choose the text for ``lang`` from a zh-CN and an English original."""
    if lang == "en":
        return en
    if lang == "zh-TW":
        return tw if tw is not None else to_traditional(zh)
    return zh


_SPACE = re.compile(r"[\s_\-·•.:：/\\()（）\[\]【】]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a header or label for matching: NFKC (full-width → half-width), case, spaces, punctuation.

    ``"  Customer ID "``, ``"customer_id"``, ``"ＣＵＳＴＯＭＥＲ　ＩＤ"`` all fold to ``"customerid"``;
    traditional characters are folded to simplified ones is NOT done here (labels are registered in
    both scripts instead).
    """
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    return _SPACE.sub("", t)


class UsageError(ValueError):
    """A value the user gave that does not fit (an unknown ID, a bad period or date, an existing
    file without ``--force``), with its message in zh-CN and English; the CLI exits 3."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(en)

    def message(self, lang: str) -> str:
        return pick(self.zh, self.en, lang)


class Text:
    """A piece of text in zh-CN and English, rendered in the reader's language at display time."""

    __slots__ = ("zh", "en")

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __call__(self, lang: str) -> str:
        return pick(self.zh, self.en, lang)

    def __str__(self) -> str:
        return self.en

    def __repr__(self) -> str:
        return f"Text({self.zh!r}, {self.en!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.zh, self.en) == (other.zh, other.en)

    def __hash__(self) -> int:
        return hash((self.zh, self.en))


if __name__ == "__main__":  # python -m crm_xl.i18n: write the shipped zh-TW label table again
    table = tw_table()
    _TW_TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{_TW_TABLE}: {len(table)} labels")
