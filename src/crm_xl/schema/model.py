"""The declaration types of the register schema: enumerations, columns and sheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crm_xl.i18n import LANGS, fold, pick

Kind = Literal[
    "id", "text", "enum", "date", "datetime", "number", "integer", "money", "probability",
    "bool", "country", "currency", "email", "phone", "score",
]


@dataclass(frozen=True)
class Option:
    """One value of an enumeration: a canonical code and its labels."""

    code: str
    zh: str
    en: str
    tw: str | None = None

    def label(self, lang: str) -> str:
        return pick(self.zh, self.en, lang, self.tw)

    def labels(self) -> dict[str, str]:
        return {lang: self.label(lang) for lang in LANGS}


@dataclass(frozen=True)
class Enum:
    """An enumeration stored as canonical codes and shown as labels of the workbook's language."""

    name: str
    options: tuple[Option, ...]
    # Extra spellings users type (folded), mapped to a code: "t/t" → "TT", "电汇" → "TT".
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def label(self, code: str, lang: str) -> str:
        for o in self.options:
            if o.code == code:
                return o.label(lang)
        return code

    def labels(self, lang: str) -> list[str]:
        return [o.label(lang) for o in self.options]

    def lookup(self) -> dict[str, str]:
        """Folded code/label/alias in any language → canonical code."""
        table: dict[str, str] = {}
        for o in self.options:
            table[fold(o.code)] = o.code
            for text in o.labels().values():
                table.setdefault(fold(text), o.code)
        for alias, code in self.aliases:
            table.setdefault(fold(alias), code)
        return table


@dataclass(frozen=True)
class Column:
    """One column of a register sheet: the single source for template, reader, validator and docs."""

    key: str
    zh: str
    en: str
    kind: Kind = "text"
    enum: str | None = None
    required: bool = False
    help_zh: str = ""
    help_en: str = ""
    width: float = 14
    num_format: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False  # computed by crm-xl (refresh); protected, never typed by users
    tw: str | None = None
    unique: bool = False
    ref: str | None = None  # "sheet.column" this column refers to
    profiles: tuple[str, ...] = ("trade", "auto")  # profiles whose workbooks show this column
    aliases: tuple[str, ...] = ()  # other headers users write for this column

    def label(self, lang: str) -> str:
        return pick(self.zh, self.en, lang, self.tw)

    def labels(self) -> dict[str, str]:
        return {lang: self.label(lang) for lang in LANGS}

    def help(self, lang: str) -> str:
        return pick(self.help_zh, self.help_en, lang) if (self.help_zh or self.help_en) else ""


@dataclass(frozen=True)
class Sheet:
    """One register sheet: a canonical key, labels and its columns in display order."""

    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    purpose_zh: str = ""
    purpose_en: str = ""
    id_column: str | None = None
    tw: str | None = None
    settings_table: bool = False  # part of the Settings (parameters, stages, FX, holidays)
    profiles: tuple[str, ...] = ("trade", "auto")
    aliases: tuple[str, ...] = ()  # other sheet names teams use (客户信息, Deals …); see intake
    _by_key: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({c.key: c for c in self.columns})

    def label(self, lang: str) -> str:
        return pick(self.zh, self.en, lang, self.tw)

    def labels(self) -> dict[str, str]:
        return {lang: self.label(lang) for lang in LANGS}

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def has(self, key: str) -> bool:
        return key in self._by_key

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def input_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.derived]

    def header_lookup(self) -> dict[str, str]:
        """Folded key or label in any language → column key."""
        table: dict[str, str] = {}
        for c in self.columns:
            table[fold(c.key)] = c.key
            for text in c.labels().values():
                table.setdefault(fold(text), c.key)
        for c in self.columns:
            for alias in c.aliases:
                table.setdefault(fold(alias), c.key)
        return table

    def columns_for(self, profile: str) -> list[Column]:
        """The columns a workbook of this profile shows."""
        return [c for c in self.columns if profile in c.profiles]
