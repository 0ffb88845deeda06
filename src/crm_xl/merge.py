"""Three-way merge of salespeople's books back into the master register (pure core, no I/O).

Each book started as an export of the master (its *base*). Per record ID and input column:

* changed in the book only (book ≠ base, master = base) → taken, and written to 变更日志;
* changed the same way on both sides → nothing to do;
* changed differently on both sides → a **conflict**: the master's value stays, both values are
  reported (the 合并冲突 sheet), nothing is overwritten in silence;
* a record the book added → added; when its ID is already used in the master (by another record)
  it gets the next free ID of the same pattern, references to it in the book's other sheets follow,
  and the renaming is reported;
* a record the book removed → removed only when the master still has it exactly as in the base
  (the master agrees); otherwise it stays and the refusal is a conflict;
* a cell the book has but could not be read (a finding) never replaces a value: conflict.

Derived columns are not merged (crm-xl recomputes them). Sheets without a record ID (staff
targets, training attendance, events) merge by whole rows: rows the book added are added, rows it
removed are removed when the master has them unchanged. Settings, stages, FX rates and holidays stay
the master's. Books are applied one after another, so two books that change one cell differently
conflict as well.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from crm_xl.i18n import fold, pick
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS, Sheet, sheet_lookup

SKIPPED = ("changelog", "settings", "stages", "fx_rates", "holidays")  # never merged as data
RECORD = "*"  # the "column" of a change or conflict about a whole record


@dataclass
class Book:
    """One salesperson's book: its name (file), owner, register and the base it started from."""

    name: str
    owner: str
    register: Register
    base: Register


@dataclass
class Change:
    sheet: str
    record_id: str
    column: str
    old: Any
    new: Any
    who: str
    book: str
    reason: str
    kind: str  # update | add | delete
    at: dt.datetime | None = None


@dataclass
class Conflict:
    sheet: str
    record_id: str
    column: str
    base: Any
    master: Any
    book_value: Any
    book: str
    owner: str
    kind: str  # both_changed | deleted_in_master | changed_in_master | unreadable_in_book


@dataclass
class Renamed:
    sheet: str
    book: str
    old_id: str
    new_id: str


@dataclass
class MergeResult:
    frames: dict[str, pd.DataFrame]
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"update": 0, "add": 0, "delete": 0}
        for c in self.changes:
            out[c.kind] += 1
        return out


def same(a: Any, b: Any) -> bool:
    """Equal as values: NA equals NA, numbers within float noise, dates by day and time."""
    a, b = norm(a), norm(b)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def norm(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return pd.Timestamp(v)
    if isinstance(v, str):
        return v if v.strip() else None
    return v


def display(v: Any) -> str | None:
    """A value as text for 变更日志 and 合并冲突 (dates ISO, whole numbers without .0)."""
    v = norm(v)
    if v is None:
        return None
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat() if v == v.normalize() else v.isoformat(sep=" ")
    return str(v)


def shown(sheet: str, column: str, v: Any, lang: str) -> str | None:
    """``display`` with enum codes as their labels in the workbook's language (what the user typed)."""
    text = display(v)
    if text is None or column == RECORD or not SHEETS[sheet].has(column):
        return text
    enum = SHEETS[sheet].column(column).enum
    return ENUMS[enum].label(text, lang) if enum else text


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def next_free_id(taken: set[str], old: str) -> str:
    """The next ID of ``old``'s pattern (prefix + zero-padded number) not in ``taken``."""
    m = _NUMBERED.match(old)
    if not m:
        n = 2
        while f"{old}-{n}" in taken:
            n += 1
        return f"{old}-{n}"
    prefix, digits = m.group(1), m.group(2)
    numbers = [int(mm.group(2)) for t in taken if (mm := _NUMBERED.match(t)) and mm.group(1) == prefix]
    n = max(numbers + [int(digits)]) + 1
    candidate = f"{prefix}{n:0{len(digits)}d}"
    while candidate in taken:
        n += 1
        candidate = f"{prefix}{n:0{len(digits)}d}"
    return candidate


def _first_positions(frame: pd.DataFrame, column: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for pos, v in enumerate(frame[column].tolist()):
        v = norm(v)
        if v is not None and str(v).strip() and str(v) not in out:
            out[str(v)] = pos
    return out


def _reasons(book: Book) -> dict[tuple[str, str, str], tuple[str, Any]]:
    """(sheet key, record ID, column key) → (reason, time) from the rows the book added to 变更日志."""
    log, base_log = book.register.frames.get("changelog"), book.base.frames.get("changelog")
    if log is None or log.empty:
        return {}
    seen = {tuple(display(v) for v in r) for r in base_log[["at", "record_id", "column", "reason"]].itertuples(
        index=False)} if base_log is not None and len(base_log) else set()
    sheets = sheet_lookup()
    out = {}
    for rec in log.to_dict("records"):
        if tuple(display(rec[k]) for k in ("at", "record_id", "column", "reason")) in seen:
            continue
        sheet = sheets.get(fold(str(rec.get("sheet") or "")))
        if not sheet or rec.get("record_id") is None or pd.isna(rec.get("record_id")):
            continue
        column = SHEETS[sheet].header_lookup().get(fold(str(rec.get("column") or "")), str(rec.get("column") or ""))
        reason = rec.get("reason")
        if isinstance(reason, str) and reason.strip():
            out[(sheet, str(rec["record_id"]).strip(), column)] = (reason.strip(), rec.get("at"))
    return out


def _unreadable(register: Register, sheet: str) -> dict[tuple[int, str], Any]:
    u = register.unreadable
    if u is None or u.empty:
        return {}
    part = u[u["sheet"] == sheet]
    return {(int(r), str(c)): v for r, c, v in zip(part["row"], part["column"], part["value"])}


class _Merger:
    def __init__(self, master: Register, lang: str, now: dt.datetime) -> None:
        self.lang, self.now = lang, now
        self.frames = {k: v.copy() for k, v in master.frames.items()}
        self.result = MergeResult(self.frames)
        self.master_unreadable = {k: _unreadable(master, k) for k in SHEETS}

    def default_reason(self, book: Book) -> str:
        return pick(f"合并 {book.name}（{book.owner}）", f"merged from {book.name} ({book.owner})", self.lang)

    def change(self, book: Book, reasons, sheet: str, rid: str, column: str, old, new, kind: str) -> None:
        reason, at = reasons.get((sheet, rid, column)) or reasons.get((sheet, rid, RECORD)) or (None, None)
        if reason is None and kind != "update":
            reason, at = next(((r, a) for (s, i, _), (r, a) in reasons.items() if s == sheet and i == rid), (None, None))
        self.result.changes.append(Change(sheet, rid, column, old, new, book.owner, book.name,
                                          reason or self.default_reason(book), kind,
                                          at if isinstance(at, (dt.datetime, pd.Timestamp)) and not pd.isna(at) else None))

    def conflict(self, book: Book, sheet: str, rid: str, column: str, base, master, value, kind: str) -> None:
        self.result.conflicts.append(Conflict(sheet, rid, column, base, master, value, book.name, book.owner, kind))

    def merge(self, book: Book) -> None:
        reasons = _reasons(book)
        remap: dict[str, dict[str, str]] = {}  # sheet → old ID → new ID (clashing additions)
        for key, sheet in SHEETS.items():
            if key in SKIPPED or key not in self.frames:
                continue
            mine = book.register.frames.get(key)
            base = book.base.frames.get(key)
            if mine is None or base is None:
                continue
            mine = self._follow_renames(sheet, mine, remap)
            if sheet.id_column:
                self._merge_records(book, sheet, mine, base, reasons, remap)
            else:
                self._merge_rows(book, sheet, mine, base, reasons)

    def _follow_renames(self, sheet: Sheet, frame: pd.DataFrame, remap) -> pd.DataFrame:
        refs = [(c.key, c.ref.split(".")[0]) for c in sheet.columns if c.ref]
        if not any(target in remap for _, target in refs):
            return frame
        frame = frame.copy()
        for column, target in refs:
            if remap.get(target) and column in frame.columns:
                frame[column] = frame[column].map(lambda v, m=remap[target]: m.get(str(v), v) if norm(v) is not None else v)
        return frame

    def _columns(self, sheet: Sheet, *frames: pd.DataFrame) -> list[str]:
        return [c.key for c in sheet.input_columns
                if c.key != sheet.id_column and all(c.key in f.columns for f in frames)]

    def _merge_records(self, book: Book, sheet: Sheet, mine: pd.DataFrame, base: pd.DataFrame, reasons, remap) -> None:
        key, idc = sheet.key, sheet.id_column
        master = self.frames[key]
        columns = self._columns(sheet, mine, base, master)
        b_pos, k_pos, m_pos = _first_positions(base, idc), _first_positions(mine, idc), _first_positions(master, idc)
        bad_in_book = _unreadable(book.register, key)
        bad_in_master = self.master_unreadable.get(key, {})
        m_rows = master[ROW].tolist()
        updates: dict[tuple[int, str], Any] = {}
        additions: list[dict[str, Any]] = []
        removals: list[int] = []
        taken = set(m_pos) | set(k_pos) | set(b_pos)
        for rid, kp in k_pos.items():
            krow = mine.iloc[kp]
            if rid in b_pos:
                brow = base.iloc[b_pos[rid]]
                changed = [c for c in columns if not same(krow[c], brow[c]) or (int(krow[ROW]), c) in bad_in_book]
                if not changed:
                    continue
                if rid not in m_pos:
                    self.conflict(book, key, rid, RECORD, pick("（有）", "(present)", self.lang),
                                  pick("（已删除）", "(deleted)", self.lang), pick("（已修改）", "(changed)", self.lang),
                                  "deleted_in_master")
                    continue
                mp = m_pos[rid]
                for c in changed:
                    kv, bv, mv = krow[c], brow[c], master.iloc[mp][c]
                    if (int(krow[ROW]), c) in bad_in_book:
                        self.conflict(book, key, rid, c, bv, mv, bad_in_book[(int(krow[ROW]), c)], "unreadable_in_book")
                        continue
                    master_text = bad_in_master.get((int(m_rows[mp]), c))
                    if master_text is None and same(mv, bv):
                        updates[(mp, c)] = kv
                        self.change(book, reasons, key, rid, c, mv, kv, "update")
                    elif master_text is None and same(mv, kv):
                        continue
                    else:
                        self.conflict(book, key, rid, c, bv, master_text if master_text is not None else mv, kv,
                                      "both_changed")
            else:  # added in the book
                record = {c: krow[c] for c in mine.columns if c != ROW and not str(c).startswith("_")}
                if rid in m_pos:
                    mrow = master.iloc[m_pos[rid]]
                    if all(same(krow[c], mrow[c]) for c in columns):
                        continue  # the same record is already there (e.g. merged before)
                    new_id = next_free_id(taken, rid)
                    taken.add(new_id)
                    remap.setdefault(key, {})[rid] = new_id
                    self.result.renamed.append(Renamed(key, book.name, rid, new_id))
                    record[idc] = new_id
                    rid = new_id
                additions.append(record)
                self.change(book, reasons, key, rid, RECORD, None, rid, "add")
        for rid, bp in b_pos.items():
            if rid in k_pos or rid not in m_pos:
                continue
            brow, mrow = base.iloc[bp], master.iloc[m_pos[rid]]
            if all(same(brow[c], mrow[c]) for c in columns):
                removals.append(m_pos[rid])
                self.change(book, reasons, key, rid, RECORD, rid, None, "delete")
            else:
                self.conflict(book, key, rid, RECORD, pick("（有）", "(present)", self.lang),
                              pick("（已修改）", "(changed)", self.lang), pick("（已删除）", "(deleted)", self.lang),
                              "changed_in_master")
        self.frames[key] = _apply(master, updates, additions, removals)

    def _merge_rows(self, book: Book, sheet: Sheet, mine: pd.DataFrame, base: pd.DataFrame, reasons) -> None:
        key = sheet.key
        master = self.frames[key]
        columns = [c.key for c in sheet.input_columns if c.key in mine.columns and c.key in base.columns
                   and c.key in master.columns]

        def rows(frame):
            return [tuple(display(v) for v in r) for r in frame[columns].itertuples(index=False)]

        b_rows, k_rows, m_rows = rows(base), rows(mine), rows(master)
        from collections import Counter

        bc, kc = Counter(b_rows), Counter(k_rows)
        additions, removals = [], []
        used: set[int] = set()
        label = lambda r: " / ".join(v for v in r[:2] if v)  # noqa: E731 - a readable name for a row
        for pos, r in enumerate(k_rows):
            if kc[r] > bc.get(r, 0):
                kc[r] -= 1
                additions.append({c: mine.iloc[pos][c] for c in columns})
                self.change(book, reasons, key, label(r), RECORD, None, label(r), "add")
        for r, n in (Counter(b_rows) - Counter(k_rows)).items():
            for _ in range(n):
                pos = next((i for i, m in enumerate(m_rows) if m == r and i not in used), None)
                if pos is None:
                    continue
                used.add(pos)
                removals.append(pos)
                self.change(book, reasons, key, label(r), RECORD, label(r), None, "delete")
        self.frames[key] = _apply(master, {}, additions, removals)


def _apply(frame: pd.DataFrame, updates: dict[tuple[int, str], Any], additions: list[dict], removals: list[int]
           ) -> pd.DataFrame:
    if not updates and not additions and not removals:
        return frame
    out = frame.copy()
    for (pos, column), value in updates.items():
        out.iloc[pos, out.columns.get_loc(column)] = value
    if removals:
        out = out.drop(index=out.index[removals])
    if additions:
        added = pd.DataFrame(additions)
        for c in out.columns:
            if c in added.columns:
                added[c] = added[c].astype(out[c].dtype) if c != ROW else added[c]
        start = int(out[ROW].max()) + 1 if len(out) else 2
        added[ROW] = np.arange(start, start + len(added))
        out = pd.concat([out, added[[c for c in out.columns if c in added.columns]]], ignore_index=True)
    return out.reset_index(drop=True)


def merge_books(master: Register, books: Sequence[Book], *, lang: str | None = None,
                now: dt.datetime | None = None) -> MergeResult:
    """Merge ``books`` into ``master`` one after another; the change log gets one row per change."""
    lang = lang or master.lang
    now = (now or dt.datetime.now()).replace(microsecond=0)
    merger = _Merger(master, lang, now)
    for book in books:
        merger.merge(book)
    result = merger.result
    result.frames["changelog"] = _with_log(result.frames.get("changelog"), result.changes, lang, now)
    return result


def _with_log(log: pd.DataFrame | None, changes: list[Change], lang: str, now: dt.datetime) -> pd.DataFrame:
    if not changes:
        return log
    def column_label(c: Change) -> str:
        if c.column == RECORD:
            return pick({"add": "（新增记录）", "delete": "（删除记录）"}.get(c.kind, "（记录）"),
                        {"add": "(record added)", "delete": "(record removed)"}.get(c.kind, "(record)"), lang)
        return SHEETS[c.sheet].column(c.column).label(lang)

    rows = pd.DataFrame({
        "at": pd.to_datetime([c.at or now for c in changes]),
        "user": [c.who for c in changes],
        "sheet": [SHEETS[c.sheet].label(lang) for c in changes],
        "record_id": [c.record_id for c in changes],
        "column": [column_label(c) for c in changes],
        "old_value": [shown(c.sheet, c.column, c.old, lang) for c in changes],
        "new_value": [shown(c.sheet, c.column, c.new, lang) for c in changes],
        "reason": [c.reason for c in changes],
    })
    if log is None or log.empty:
        start = 2
        base = log if log is not None else pd.DataFrame(columns=list(rows.columns) + [ROW])
    else:
        start, base = int(log[ROW].max()) + 1, log
    rows[ROW] = np.arange(start, start + len(rows))
    for c in base.columns:
        if c in rows.columns and c != ROW:
            rows[c] = rows[c].astype(base[c].dtype)
    return pd.concat([base, rows[[c for c in base.columns if c in rows.columns]]], ignore_index=True)


CONFLICT_COLUMNS = (
    ("sheet", "工作表", "Sheet"), ("record_id", "记录编号", "Record ID"), ("column", "字段", "Column"),
    ("base", "导出时的值", "Value at export"), ("master", "主台账的值（保留）", "Master's value (kept)"),
    ("book_value", "业务员台账的值", "Book's value"), ("book", "来源台账", "Book"), ("owner", "负责人", "Owner"),
    ("kind", "说明", "What happened"),
)
CONFLICT_KINDS = {
    "both_changed": ("双方都改了这个值，改得不同：保留主台账的值，请核对后手工更正",
                     "both changed this value differently: the master's value is kept; check and correct by hand"),
    "deleted_in_master": ("主台账已删除此记录，业务员台账修改了它：未恢复",
                          "deleted in the master, changed in the book: not restored"),
    "changed_in_master": ("业务员台账删除了此记录，但主台账在导出后修改过它：未删除",
                          "removed in the book but changed in the master since the export: not removed"),
    "unreadable_in_book": ("业务员台账中此单元格无法识别：原文保留在此，未合并",
                           "the book's cell could not be read: its text is kept here, not merged"),
}
CONFLICT_SHEET = ("合并冲突", "Merge conflicts", "合併衝突")


def conflict_rows(result: MergeResult, lang: str) -> list[list[str]]:
    """The 合并冲突 sheet's rows (header first), in the workbook's language."""
    header = [pick(zh, en, lang) for _, zh, en in CONFLICT_COLUMNS]
    out = [header]
    for c in result.conflicts:
        sheet = SHEETS[c.sheet]
        column = pick("（整条记录）", "(whole record)", lang) if c.column == RECORD else sheet.column(c.column).label(lang)
        value = lambda v: shown(c.sheet, c.column, v, lang) or ""  # noqa: E731
        out.append([sheet.label(lang), c.record_id, column, value(c.base), value(c.master), value(c.book_value),
                    c.book, c.owner, pick(*CONFLICT_KINDS[c.kind], lang)])
    return out
