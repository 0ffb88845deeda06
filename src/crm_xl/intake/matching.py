"""Sheet and header matching: what a team wrote above its columns → the register's keys.

Order of trust, the same for every reader (file, Excel, import):

1. the user's map file (``--map``), when it names the header or sheet;
2. the key or a label in any language (zh-CN, zh-TW, en), folded (:func:`crm_xl.i18n.fold`);
3. a synonym declared in the schema beside the labels (``Column.aliases``, ``Sheet.aliases``);
4. fuzzy matching (rapidfuzz) at or above :data:`FUZZY_THRESHOLD` — never when two different keys
   score equally well, never onto a key another header already took.

Traditional characters are folded to simplified ones first (OpenCC), so a zh-TW workbook
matches the simplified synonyms. What is not mapped keeps the closest candidate as a suggestion,
so the reader can say "列“金额”未识别，是否为“预计金额”？".

A header with a unit in trailing brackets (``年采购额(万元)``, ``Amount (USD thousands)``) that is
not itself a known name is matched by the name before the brackets when the unit is understood
(:mod:`crm_xl.intake.units`); every such match carries the unit, so the reader scales the values
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal, Mapping, Sequence

from crm_xl.i18n import LANGS, fold
from crm_xl.intake.units import HeaderUnit, header_unit
from crm_xl.schema import REGISTER_SHEETS, SHEETS, Sheet

FUZZY_THRESHOLD = 80.0  # rapidfuzz ratio (0–100) a header must reach to be mapped by guess
# Each Chinese character carries a word: 微信群 (a group) is not 微信 (an ID) though the ratio is 80.
FUZZY_THRESHOLD_CJK = 86.0
SUGGEST_THRESHOLD = 60.0  # WRatio above which the closest known column is named in the finding

How = Literal["map", "exact", "synonym", "fuzzy", "contains", "values", "none", "ignored", "split"]


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """A header, sheet name or value folded for matching: traditional → simplified, then fold."""
    t = str(text)
    if any("\u4e00" <= ch <= "\u9fff" for ch in t):
        t = _t2s().convert(t)
    return fold(t)


@dataclass(frozen=True)
class HeaderMatch:
    """How one source header was mapped."""

    header: str
    index: int  # 0-based column position in the source
    key: str | None
    how: How
    score: float = 100.0
    suggestion: str | None = None  # closest column key when unmapped (or the guess when fuzzy);
    # for "split" (import): "<sheet>.<column>" of the other sheet the values went to
    unit: HeaderUnit | None = None  # the unit in the header's brackets, unless the header is a known name

    @property
    def guessed(self) -> bool:
        return self.how in GUESSES


GUESSES = ("fuzzy", "contains", "values")


@dataclass(frozen=True)
class _Table:
    exact: dict[str, str]  # match key → column key (keys and labels)
    synonyms: dict[str, str]  # match key → column key (declared synonyms)
    choices: tuple[tuple[str, str], ...]  # (match key, column key) for fuzzy matching


@lru_cache(maxsize=64)
def _table(sheet_key: str) -> _Table:
    sheet = SHEETS[sheet_key]
    exact: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    for c in sheet.columns:
        exact.setdefault(match_key(c.key), c.key)
        for text in c.labels().values():
            exact.setdefault(match_key(text), c.key)
    for c in sheet.columns:
        for alias in c.aliases:
            k = match_key(alias)
            if k not in exact:
                synonyms.setdefault(k, c.key)
    choices = tuple({**{k: v for k, v in synonyms.items()}, **exact}.items())
    return _Table(exact, synonyms, choices)


def known_header(sheet: Sheet, header: str) -> str | None:
    """The column key of a header known exactly (label, key or synonym), else None."""
    t = _table(sheet.key)
    k = match_key(header)
    found = t.exact.get(k) or t.synonyms.get(k)
    if found is None:
        unit = header_unit(header)
        if unit is not None and unit.known:
            base = match_key(unit.base)
            found = t.exact.get(base) or t.synonyms.get(base)
    return found


def header_hits(sheet: Sheet, cells: Iterable[object]) -> int:
    """How many cells of a row are known headers of ``sheet`` (used to find the header row)."""
    return sum(1 for c in cells if isinstance(c, str) and c.strip() and known_header(sheet, c))


def _fuzzy(key: str, choices: Sequence[tuple[str, str]], taken: set[str]) -> tuple[str | None, float, str | None]:
    """(mapped column key or None, score, suggestion) for one folded header."""
    from rapidfuzz import fuzz

    if not key or not choices:
        return None, 0.0, None
    best: dict[str, float] = {}
    hint: dict[str, float] = {}
    for text, ckey in choices:
        if ckey in taken:
            continue
        s = fuzz.ratio(key, text)
        if s > best.get(ckey, -1):
            best[ckey] = s
        w = fuzz.WRatio(key, text)
        if w > hint.get(ckey, -1):
            hint[ckey] = w
    if not best:
        return None, 0.0, None
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    top_key, top = ranked[0]
    tie = len(ranked) > 1 and ranked[1][1] == top
    hints = sorted(hint.items(), key=lambda kv: -kv[1])
    suggestion = hints[0][0] if hints and hints[0][1] >= SUGGEST_THRESHOLD else None
    if len(hints) > 1 and hints[0][1] == hints[1][1]:
        suggestion = None  # two equally close candidates: name neither
    threshold = FUZZY_THRESHOLD_CJK if any("\u4e00" <= ch <= "\u9fff" for ch in key) else FUZZY_THRESHOLD
    if top >= threshold and not tie:
        return top_key, float(top), top_key
    return None, float(top), suggestion


def match_headers(sheet: Sheet, headers: Sequence[object], overrides: Mapping[str, str] | None = None,
                  fuzzy: bool = True) -> list[HeaderMatch]:
    """Map every non-blank header of a source sheet to a column key of ``sheet`` (or to nothing).

    ``overrides`` is the map file's part for this sheet: header as written → column key (a key of
    ``""`` or ``null`` ignores that header on purpose). The first header to claim a key keeps it;
    a later header with the same key is reported unmapped (its values are kept, not merged).
    """
    table = _table(sheet.key)
    overrides = {match_key(h): k for h, k in (overrides or {}).items()}
    out: list[HeaderMatch | None] = []
    taken: set[str] = set()
    pending: list[tuple[int, str, str]] = []
    for index, raw in enumerate(headers):
        if raw is None or not str(raw).strip() or str(raw).startswith("__UNNAMED__"):
            out.append(None)
            continue
        header = str(raw).strip()
        k = match_key(header)
        unit = None if k in table.exact or k in table.synonyms else header_unit(header)
        base = match_key(unit.base) if unit is not None and unit.known else None
        if k in overrides or base in overrides:
            target = overrides[k] if k in overrides else overrides[base]
            if not target:
                out.append(HeaderMatch(header, index, None, "ignored"))
                continue
            how: How = "map"
        elif k in table.exact:
            target, how = table.exact[k], "exact"
        elif k in table.synonyms:
            target, how = table.synonyms[k], "synonym"
        elif base in table.exact:
            target, how = table.exact[base], "exact"
        elif base in table.synonyms:
            target, how = table.synonyms[base], "synonym"
        else:
            out.append(None)
            pending.append((index, header, base or k, unit))
            continue
        if target in taken:
            out.append(HeaderMatch(header, index, None, "none", 0.0, target, unit=unit))
        else:
            taken.add(target)
            out.append(HeaderMatch(header, index, target, how, unit=unit))
    for index, header, k, unit in pending:
        if fuzzy:
            target, score, suggestion = _fuzzy(k, table.choices, taken)
        else:
            target, score, suggestion = None, 0.0, None
        how: How = "fuzzy"
        if not target and fuzzy:
            target, length = _contained(k, table.choices, taken)
            if target:
                how, score = "contains", 100.0 * length / len(k)
        if target:
            taken.add(target)
            out[index] = HeaderMatch(header, index, target, how, score, target, unit)
        else:
            out[index] = HeaderMatch(header, index, None, "none", score, suggestion, unit)
    return [m for m in out if m is not None]


def _contained(key: str, choices: Sequence[tuple[str, str]], taken: set[str]) -> tuple[str | None, int]:
    """The column whose label or synonym ends the header (对接业务员 → 业务员, Primary email →
    email): Chinese and English compounds put their head last, so 微信群 (a group) is not 微信.
    The longest such name wins; none when two different columns end it equally long."""
    best: dict[str, int] = {}
    for text, ckey in choices:
        if ckey in taken or len(text) >= len(key):
            continue
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        if len(text) < (2 if cjk else 4) or not key.endswith(text):
            continue
        best[ckey] = max(best.get(ckey, 0), len(text))
    if not best:
        return None, 0
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, 0
    return ranked[0]


def match_by_values(sheet: Sheet, matches: list[HeaderMatch], columns: Mapping[int, Sequence[object]],
                    known: Mapping[str, Mapping[str, str | None]] | None = None,
                    share: float = 0.8) -> list[HeaderMatch]:
    """Map still-unmapped columns by what they hold: a column whose values are (nearly) all options
    of one free enumeration or country column — 谈判中/已报价, or words the map file names — is
    that column. Never when two columns fit, never onto a taken column."""
    from crm_xl.schema import ENUMS

    taken = {m.key for m in matches if m.key}
    out = []
    for m in matches:
        if m.key or m.how not in ("none",):
            out.append(m)
            continue
        values = [v for v in columns.get(m.index, ()) if isinstance(v, str) and v.strip()]
        if len(values) < 2:
            out.append(m)
            continue
        fits = []
        for c in sheet.columns:
            if c.key in taken or c.derived or c.kind not in ("enum", "country"):
                continue
            extra = {match_key(t) for t in (known or {}).get(c.key, {})}
            if c.kind == "enum":
                lookup = ENUMS[c.enum or ""].lookup()
                hit = sum(1 for v in values if match_key(v) in extra or fold(v) in lookup or match_key(v) in lookup)
            else:
                from crm_xl.intake.values import country_code

                hit = sum(1 for v in values if match_key(v) in extra or (len(v.strip()) > 2 and country_code(v)))
            if hit >= share * len(values):
                fits.append((c.key, hit / len(values)))
        if len(fits) == 1:
            taken.add(fits[0][0])
            out.append(HeaderMatch(m.header, m.index, fits[0][0], "values", 100.0 * fits[0][1], fits[0][0]))
        else:
            out.append(m)
    return out


# -- sheets ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _sheet_table() -> _Table:
    exact: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    for s in REGISTER_SHEETS:
        exact.setdefault(match_key(s.key), s.key)
        for lang in LANGS:
            exact.setdefault(match_key(s.label(lang)), s.key)
    for s in REGISTER_SHEETS:
        for alias in s.aliases:
            k = match_key(alias)
            if k not in exact:
                synonyms.setdefault(k, s.key)
    return _Table(exact, synonyms, tuple({**synonyms, **exact}.items()))


@dataclass(frozen=True)
class SheetMatch:
    name: str
    key: str | None
    how: How
    score: float = 100.0


def match_sheet_name(name: str, overrides: Mapping[str, str] | None = None) -> SheetMatch:
    """A source sheet name → register sheet key by map file, label, synonym or fuzzy guess."""
    table = _sheet_table()
    k = match_key(name)
    over = {match_key(n): v for n, v in (overrides or {}).items()}
    if k in over:
        return SheetMatch(name, over[k] or None, "map" if over[k] else "ignored")
    if k in table.exact:
        return SheetMatch(name, table.exact[k], "exact")
    if k in table.synonyms:
        return SheetMatch(name, table.synonyms[k], "synonym")
    target, score, _ = _fuzzy(k, table.choices, set())
    if target:
        return SheetMatch(name, target, "fuzzy", score)
    return SheetMatch(name, None, "none", score)


# Sheets crm-xl itself writes beside the register sheets (dropdown lists, how-to, control panel,
# import notes, marks, the add-in's settings): never guessed from their contents, by any reader —
# the Lists sheet's headers are the names of option lists (grade, source_channel …), not records.
GENERATED_SHEETS = frozenset(fold(n) for n in (
    "使用说明", "How to use", "使用說明", "Lists", "控制台", "Control", "控制臺", "crm-xl marks", "导入说明",
    "Import notes", "導入說明", "xlwings.conf"))


def generated_sheet(name: str) -> bool:
    """Whether ``name`` is a sheet crm-xl writes itself (not a register sheet, no records)."""
    return fold(name) in GENERATED_SHEETS


MIN_HEADER_VOTES = 3  # known headers a sheet needs before its entity is guessed from them


def guess_sheet_from_headers(rows: Sequence[Sequence[object]], candidates: Iterable[str] | None = None
                             ) -> tuple[str | None, int, int]:
    """(sheet key, header row index, known headers) for a sheet whose name says nothing.

    Looks at the first rows for the one with the most known headers of any data sheet; a tie
    between two sheets (the same number of known headers) is no guess.
    """
    keys = list(candidates) if candidates is not None else [s.key for s in REGISTER_SHEETS if not s.settings_table]
    best: tuple[int, int, str | None] = (0, 0, None)
    tie = False
    for r, row in enumerate(rows):
        for key in keys:
            hits = header_hits(SHEETS[key], row) + _distinctive(key, row)
            if hits > best[0]:
                best, tie = (hits, r, key), False
            elif hits == best[0] and hits and key != best[2] and r == best[1]:
                tie = True
    hits, r, key = best
    if key is None or tie or hits < MIN_HEADER_VOTES:
        return None, 0, hits
    return key, r, hits


def _distinctive(key: str, row: Sequence[object]) -> int:
    """A bonus for headers only this sheet has (its ID column or a column no other sheet has)."""
    bonus = 0
    for cell in row:
        if not isinstance(cell, str) or not cell.strip():
            continue
        col = known_header(SHEETS[key], cell)
        if col and col == SHEETS[key].id_column:
            bonus += 1
    return bonus
