"""The register schema: the single source for template, reader, validator and docs."""

from __future__ import annotations

from crm_xl.i18n import fold
from crm_xl.schema.enums import ENUMS, STAGE_ORDER
from crm_xl.schema.model import Column, Enum, Option, Sheet
from crm_xl.schema.sheets import REGISTER_SHEETS

SHEETS: dict[str, Sheet] = {s.key: s for s in REGISTER_SHEETS}
DATA_SHEETS: tuple[str, ...] = tuple(s.key for s in REGISTER_SHEETS if not s.settings_table)


def sheet(key: str) -> Sheet:
    return SHEETS[key]


def enum(name: str) -> Enum:
    return ENUMS[name]


def sheet_lookup() -> dict[str, str]:
    """Folded sheet key or label in any language → sheet key."""
    table: dict[str, str] = {}
    for s in REGISTER_SHEETS:
        table[fold(s.key)] = s.key
        for text in s.labels().values():
            table.setdefault(fold(text), s.key)
    return table


__all__ = ["Column", "Enum", "Option", "Sheet", "SHEETS", "DATA_SHEETS", "ENUMS", "STAGE_ORDER",
           "sheet", "enum", "sheet_lookup"]
