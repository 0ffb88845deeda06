"""The map file: what a user corrects once so next month's import needs no guessing.

``{"sheets": {"<source sheet>": "<sheet key>"}, "columns": {"<source sheet>": {"<header>": "<column key>"}},
"values": {"<column key>": {"<text as typed>": "<canonical code>"}}}`` — every part optional. What it
names wins over every guess; ``null`` ignores a sheet or a header on purpose, and a value mapped to
``null`` is left as typed (``--save-map`` writes the values it could not read that way, for the
user to fill in). An unknown part, sheet key, column key or code is a :class:`MapFileError`
naming it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from crm_xl.intake.matching import match_key
from crm_xl.schema import ENUMS, SHEETS

PARTS = ("sheets", "columns", "values")


class MapFileError(ValueError):
    """A map file that names something crm-xl does not know."""


@dataclass
class MapFile:
    sheets: dict[str, str | None] = field(default_factory=dict)
    columns: dict[str, dict[str, str | None]] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def columns_for(self, source_sheet: str) -> dict[str, str | None]:
        k = match_key(source_sheet)
        for name, cols in self.columns.items():
            if match_key(name) == k:
                return cols
        return {}

    def value(self, column: str, text: Any) -> tuple[bool, str | None]:
        """(the map names this text, its code) for a column key."""
        table = self.values.get(column)
        if not table or text is None:
            return False, None
        k = match_key(str(text))
        for typed, code in table.items():
            if match_key(typed) == k:
                return True, code
        return False, None

    def to_json(self) -> dict[str, Any]:
        return {"sheets": dict(self.sheets), "columns": {k: dict(v) for k, v in self.columns.items()},
                "values": {k: dict(v) for k, v in self.values.items()}}


def _columns_of_any_sheet() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in SHEETS.values():
        for c in s.columns:
            out.setdefault(c.key, set()).add(s.key)
    return out


def parse_map(data: Any, source: str = "map file") -> MapFile:
    """Check a loaded map file and return it; anything unknown raises :class:`MapFileError`."""
    if not isinstance(data, dict):
        raise MapFileError(f"{source}: must be a JSON object with any of {', '.join(PARTS)}")
    unknown = [k for k in data if k not in PARTS]
    if unknown:
        raise MapFileError(f"{source}: unknown part {unknown[0]!r}; expected {', '.join(PARTS)}")
    sheets = data.get("sheets") or {}
    columns = data.get("columns") or {}
    values = data.get("values") or {}
    for part, obj in (("sheets", sheets), ("columns", columns), ("values", values)):
        if not isinstance(obj, dict):
            raise MapFileError(f"{source}: {part!r} must be an object")
    for name, key in sheets.items():
        if key is not None and key not in SHEETS:
            raise MapFileError(f"{source}: sheets[{name!r}] = {key!r} is not a register sheet; "
                               f"use one of {', '.join(SHEETS)}")
    all_columns = _columns_of_any_sheet()
    for name, cols in columns.items():
        if not isinstance(cols, dict):
            raise MapFileError(f"{source}: columns[{name!r}] must be an object of header → column key")
        target = next((v for n, v in sheets.items() if match_key(n) == match_key(name)), None)
        for header, key in cols.items():
            if key is None or key == "":
                continue
            if "." in key:  # "<sheet>.<column>": this header's values belong to another sheet
                other, col = key.split(".", 1)
                if other not in SHEETS or not SHEETS[other].has(col):
                    raise MapFileError(f"{source}: columns[{name!r}][{header!r}] = {key!r} is not "
                                       "<sheet key>.<column key>")
                continue
            if target and not SHEETS[target].has(key):
                raise MapFileError(f"{source}: columns[{name!r}][{header!r}] = {key!r} is not a column of "
                                   f"{target}; use one of {', '.join(SHEETS[target].keys)}")
            if key not in all_columns:
                raise MapFileError(f"{source}: columns[{name!r}][{header!r}] = {key!r} is not a column key")
    for column, table in values.items():
        if column not in all_columns:
            raise MapFileError(f"{source}: values[{column!r}]: {column!r} is not a column key")
        if not isinstance(table, dict):
            raise MapFileError(f"{source}: values[{column!r}] must be an object of text → code")
        codes = _codes_for(column)
        for text, code in table.items():
            if code is None:
                continue
            if codes is not None and code not in codes:
                raise MapFileError(f"{source}: values[{column!r}][{text!r}] = {code!r} is not a code of "
                                   f"{column}; use one of {', '.join(sorted(codes))}")
    return MapFile(dict(sheets), {k: dict(v) for k, v in columns.items()}, {k: dict(v) for k, v in values.items()})


def _codes_for(column: str) -> set[str] | None:
    """The codes a value of this column key may map to, over every sheet with that column
    (None: any text, e.g. owner names)."""
    codes: set[str] = set()
    free = False
    for s in SHEETS.values():
        if not s.has(column):
            continue
        c = s.column(column)
        if c.kind == "enum" and c.enum:
            codes |= set(ENUMS[c.enum].codes)
        elif c.kind == "country":
            import pycountry

            codes |= {x.alpha_2 for x in pycountry.countries}
        else:
            free = True
    return None if free or not codes else codes


def load_map(text: str, source: str = "map file") -> MapFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MapFileError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    return parse_map(data, source)


def dump_map(mapping: MapFile) -> str:
    return json.dumps(mapping.to_json(), ensure_ascii=False, indent=2) + "\n"
