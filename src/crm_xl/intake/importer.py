"""A team's own spreadsheets → register records (the core of ``crm-xl import``; no file I/O).

For each source table: which register sheet it is (map file, name, synonym, fuzzy guess, else its
headers), which row holds the headers (title rows above are skipped and noted), which column is
which (:func:`~crm_xl.intake.matching.match_headers`). Columns that belong to another sheet are
split off — a customer list with 联系人/邮箱 columns gives contacts, a deal list that names the
customer (客户名称/国家) gives customers — and records are linked by company name (normalized as
duplicate detection does), e-mail or e-mail domain when IDs are absent; missing IDs are generated
in order of appearance (C0001, P0001, O0001 …), so the same sources give the same IDs.

Nothing is dropped: a value in a column no sheet knows, a title row, a sheet that is no register
sheet, the original text of a value that cannot be read — each becomes an :class:`ImportNote`,
written to the register's 导入说明 sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable, Iterator

import numpy as np
import pandas as pd

from crm_xl.findings import column_letter
from crm_xl.i18n import pick
from crm_xl.intake.mapfile import MapFile
from crm_xl.intake.matching import (
    HeaderMatch, generated_sheet, guess_sheet_from_headers, header_hits, match_by_values, match_headers, match_key,
    match_sheet_name)
from crm_xl.intake.report import IntakeReport, SheetIntake, unit_findings, unit_scales
from crm_xl.intake.units import scale_value
from crm_xl.schema import SHEETS

HEADER_SCAN_ROWS = 10
# Sheets whose rows may carry columns of another sheet (a flat list), in the order they are tried.
SPLITS: dict[str, tuple[str, ...]] = {
    "customers": ("contacts",),
    "contacts": ("customers",),
    "opportunities": ("customers", "contacts"),
    "orders": ("customers", "contacts"),
    "activities": ("customers", "contacts"),
    "tickets": ("customers",),
    "intelligence": ("customers",),
    "projects": ("customers",),
}
ID_PREFIX = {"customers": "C", "contacts": "P", "opportunities": "O", "activities": "A", "orders": "SO",
             "tickets": "T", "surveys": "S", "intelligence": "I", "projects": "PJ"}
_EMAIL = re.compile(r"[^@\s<>]+@([^@\s<>]+\.[a-z]{2,})", re.IGNORECASE)


@dataclass
class SourceTable:
    """One sheet (or CSV file) as read: cells as values, rows as lists."""

    source: str
    name: str
    rows: list[list[Any]]
    encoding: str | None = None


@dataclass(frozen=True)
class ImportNote:
    """Something the import kept aside: where it came from, the text, and why."""

    source: str
    sheet: str
    row: int | None  # 1-based row in the source
    header: str | None
    value: Any
    reason_zh: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return pick(self.reason_zh, self.reason_en, lang)


@dataclass
class ImportResult:
    records: dict[str, pd.DataFrame]
    notes: list[ImportNote] = field(default_factory=list)
    intake: IntakeReport = field(default_factory=IntakeReport)
    mapping: MapFile = field(default_factory=MapFile)
    sources: list[str] = field(default_factory=list)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _header_row(sheet_key: str, rows: list[list[Any]], overrides: dict[str, Any]) -> tuple[int, int]:
    sheet = SHEETS[sheet_key]
    over = {match_key(h) for h in overrides}
    best, best_hits = 0, 0
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = header_hits(sheet, row) + sum(1 for c in row if isinstance(c, str) and match_key(c) in over)
        if hits > best_hits:
            best, best_hits = r, hits
    return best, best_hits


class _Block:
    """The records one source table gives one register sheet, as columns: ``cols[key][i]`` is
    record ``i``'s value (:data:`_ABSENT` where it has none), :meth:`src` where it came from,
    ``extra[i]`` the values it carries for other sheets (``{"_customers": {...}}``, or None)."""

    __slots__ = ("key", "cols", "source", "sheet", "rows", "extra", "contact", "n")

    def __init__(self, key: str, cols: dict[str, list], source: str, sheet: str, rows: list[int],
                 extra: list[dict[str, dict[str, Any]] | None]) -> None:
        self.key, self.cols, self.source, self.sheet, self.rows, self.extra = key, cols, source, sheet, rows, extra
        self.n = len(rows)
        self.contact: dict[int, dict[str, Any]] = {}  # record → the contact split off it

    def src(self, i: int) -> tuple[str, str, int]:
        """(source file, source sheet, 1-based source row) of record ``i``."""
        return self.source, self.sheet, self.rows[i]

    def get(self, column: str, i: int) -> Any:
        values = self.cols.get(column)
        v = _ABSENT if values is None else values[i]
        return None if v is _ABSENT else v

    def put(self, column: str, i: int, v: Any) -> None:
        if column not in self.cols:
            self.cols[column] = [_ABSENT] * self.n
        self.cols[column][i] = v

    def records(self) -> list[dict[str, Any]]:
        """The records as the dicts of one record each (``_src`` and ``_<sheet>`` included)."""
        names = list(self.cols)
        columns = [c.tolist() if isinstance(c, np.ndarray) else c for c in self.cols.values()]
        out = []
        for i, values in enumerate(zip(*columns) if names else [()] * self.n):
            rec = {k: v for k, v in zip(names, values) if v is not _ABSENT}
            rec["_src"] = self.src(i)
            if self.extra[i]:
                rec.update(self.extra[i])
            out.append(rec)
        return out


# A record without this column (an empty cell), unlike a value None: NaN, the very object pandas puts
# where a record dict lacks a key, so columns go to pandas as they are. No value kept is NaN (blank
# cells are not kept), so ``v is _ABSENT`` tells the two apart.
_ABSENT = np.nan


def _present(values: list) -> np.ndarray:
    """Which values are not blank (:func:`_blank` of each), as a mask. Most columns hold text and
    empty cells only, and no text that is all whitespace: that is checked over the whole column at
    once (missing values by pandas, whitespace by one search over the texts joined), the rest value
    by value."""
    arr = _objects(values)
    na = pd.isna(arr)
    if set(map(type, arr[na].tolist())) <= {type(None), float}:  # what pandas calls missing is blank here
        rest = arr[~na].tolist()
        kinds = set(map(type, rest))
        if kinds <= _NEVER_BLANK | {str}:
            texts = rest if kinds == {str} else [v for v in rest if v.__class__ is str] if str in kinds else []
            joined = "\x00".join(texts)
            if not texts or (joined.count("\x00") == len(texts) - 1 and not _WHITESPACE_ONLY.search(joined)):
                return ~na
    return np.array([bool(v.strip()) if v.__class__ is str else not _blank(v) for v in values], dtype=bool)


# Cell types that are never blank once pandas' missing values (None, NaN) are set apart.
_NEVER_BLANK = {int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta}


# A text that is empty or whitespace only, among texts joined by NUL (``\s`` is ``str.isspace``).
_WHITESPACE_ONLY = re.compile(r"(?:^|\x00)\s*(?:\x00|\Z)")


def _column(body: list, index: int, shortest: int) -> list:
    if index < shortest:
        return list(map(itemgetter(index), body))
    return [r[index] if index < len(r) else None for r in body]


def _mapper(mapping: MapFile, column: str):
    """``v → the map's code for v`` for one column (each distinct value looked up once), or None
    when the map names no value of that column."""
    if not mapping.values.get(column):
        return None
    seen: dict[tuple[type, Any], Any] = {}

    def mapped(v: Any) -> Any:
        k = (v.__class__, v)
        if k not in seen:
            seen[k] = _mapped_value(mapping, column, v)
        return seen[k]
    return mapped


def import_tables(tables: Iterable[SourceTable], mapping: MapFile | None = None) -> ImportResult:
    """Every source table → canonical records per register sheet, notes, and the mapping used.

    The tables are taken one after the other and nothing here holds a table once it is done, so an
    iterator that lets go of them (:func:`consumed`) frees each table's cells before the next one's
    records are made."""
    mapping = mapping or MapFile()
    used = MapFile(values={k: dict(v) for k, v in mapping.values.items()})
    notes: list[ImportNote] = []
    report = IntakeReport()
    primary: dict[str, list[_Block]] = {}
    side: dict[str, list[dict[str, Any]]] = {"customers": [], "contacts": []}

    sources: list[str] = []
    for table in tables:
        sources.append(table.source)
        rows = [r for r in table.rows if r is not None]
        while rows and all(_blank(v) for v in rows[-1]):
            rows.pop()
        if not rows:
            continue
        name = table.name
        over_sheets = {match_key(n): v for n, v in mapping.sheets.items()}
        overrides = mapping.columns_for(name)
        how = "map"
        if match_key(name) in over_sheets:
            key = over_sheets[match_key(name)]
            if key is None:
                used.sheets[name] = None
                notes.append(ImportNote(table.source, name, None, None, None, "映射文件要求不导入此工作表",
                                        "The map file says not to import this sheet"))
                continue
            header, hits = _header_row(key, rows, overrides)
        elif generated_sheet(name):  # crm-xl's own Lists / 使用说明 / 控制台 …: no records, said once
            used.sheets[name] = None
            cells = sum(1 for row in rows for c in row if not _blank(c))
            notes.append(ImportNote(
                table.source, name, None, None, None,
                f"crm-xl 自己生成的工作表（下拉列表、使用说明、控制台等），不是记录，未导入（{cells} 个单元格）；"
                "新台账会重新生成它。如果它是您的数据，请在映射文件中指定工作表类型",
                f"A sheet crm-xl writes itself (dropdown lists, how-to, control panel …), not records; not imported "
                f"({cells} cells) — the new register writes its own. If it holds your data, name its kind in a map file"))
            continue
        else:
            m = match_sheet_name(name)
            key, how, score = m.key, m.how, m.score
            if key:
                header, hits = _header_row(key, rows, overrides)
            if not key or hits == 0:
                key, header, hits = guess_sheet_from_headers(rows[:HEADER_SCAN_ROWS])
                how = "headers"
        if not key:
            used.sheets[name] = None
            for r, row in enumerate(rows, start=1):
                for c in row:
                    if not _blank(c):
                        notes.append(ImportNote(table.source, name, r, None, c, "工作表未识别为任何台账表，内容未导入",
                                                "Sheet matches no register sheet; not imported"))
            report.unknown_sheets.append(name)
            continue
        used.sheets[name] = key
        if how in ("fuzzy", "headers"):  # a guess, not a name: said, with what it rests on
            label = SHEETS[key]
            zh, en = (f"名称相似 {score:.0f}%", f"a similar name, {score:.0f}%") if how == "fuzzy" else \
                (f"{hits} 个列标题是该表的列", f"{hits} of its headers are that sheet's columns")
            notes.append(ImportNote(table.source, name, header + 1, None, name,
                                    f"工作表按猜测读作“{label.label('zh-CN')}”（依据：{zh}），如不对请在映射文件中更正",
                                    f"Sheet guessed to be {label.label('en')} ({en}); correct it in a map file if wrong"))
        for r in range(header):
            for c in rows[r]:
                if not _blank(c):
                    notes.append(ImportNote(table.source, name, r + 1, None, c, "标题行（表头之上），未导入",
                                            "Title row above the header; not imported"))
        headers = rows[header]
        sheet = SHEETS[key]
        # "<sheet>.<column>" in the map sends a header to another sheet (a flat list's contact columns)
        directed = {match_key(h): v.split(".", 1) for h, v in overrides.items() if v and "." in v}
        matches = match_headers(sheet, headers, {h: v for h, v in overrides.items() if not (v and "." in v)})
        matches = [replace(m, key=None, how="none") if match_key(m.header) in directed else m for m in matches]
        body = rows[header + 1:]
        shortest = min(map(len, body), default=0)
        columns = {m.index: _column(body, m.index, shortest) for m in matches}
        matches = match_by_values(sheet, matches, columns, mapping.values)
        used_cols: dict[str, str | None] = {}
        second: dict[int, tuple[str, str]] = {}
        scales = unit_scales(key, matches)  # 年采购额(万元): the numbers × 10,000 (index → factor, currency)
        for m in matches:
            used_cols[m.header] = m.key
            if m.key is None and match_key(m.header) in directed:
                other, col = directed[match_key(m.header)]
                second[m.index] = (other, col)
                used_cols[m.header] = f"{other}.{col}"
            elif m.key is None and m.how != "ignored":
                for other in SPLITS.get(key, ()):
                    found = [x for x in match_headers(SHEETS[other], [m.header], fuzzy=False) if x.key]
                    if found and found[0].key not in ("notes",):
                        second[m.index] = (other, found[0].key)
                        if 0 in unit_scales(other, found):  # found[0] is that one header, index 0
                            scales[m.index] = unit_scales(other, found)[0]
                        used_cols[m.header] = f"{other}.{found[0].key}"
                        break
        used.columns[name] = used_cols
        for f in unit_findings(key, matches, header + 1):  # each header unit applied or not, said
            notes.append(ImportNote(table.source, name, header + 1, f.value, None, f.message("zh-CN"), f.message("en")))
        by_sheet_owner = how == "headers" and sheet.has("owner") and not any(m.key == "owner" for m in matches)
        # a list of deals without a status column is a list of deals in progress: said, not guessed
        open_deals = key == "opportunities" and not any(m.key == "status" for m in matches)
        # Column by column: a row is a record when a cell of this sheet or of a split-off sheet holds
        # something; a value in an unknown or ignored column becomes a note, row by row.
        first = header + 2  # the source row of body[0]
        present = {m.index: _present(columns[m.index]) for m in matches}
        is_record = np.zeros(len(body), dtype=bool)
        for m in matches:
            if m.key or m.index in second:
                is_record |= present[m.index]
        at = np.flatnonzero(is_record)
        n = len(at)
        cols: dict[str, list] = {}
        extra: list[dict[str, dict[str, Any]] | None] = [None] * n
        kept: list[tuple[int, int, ImportNote]] = []
        for j, m in enumerate(matches):
            values, mask = columns[m.index], present[m.index]
            if m.key or m.index in second:
                column = m.key or second[m.index][1]
                mapped = _mapper(mapping, column)
                out = _objects(values)[at]
                here = mask[at]
                out[~here] = _ABSENT
                scale = scales.get(m.index)  # 年采购额(万元): the number × 10,000, then the map
                if mapped is not None or scale is not None:
                    where = np.flatnonzero(here)
                    got = out[where].tolist()
                    if scale is not None:
                        got = [scale_value(v, *scale) for v in got]
                    if mapped is not None:
                        got = [mapped(v) for v in got]
                    out[where] = _objects(got)
                if m.key:
                    cols[m.key] = out
                else:
                    other = second[m.index][0]
                    for p in np.flatnonzero(here).tolist():
                        rec = extra[p]
                        if rec is None:
                            rec = extra[p] = {}
                        rec.setdefault(other, {})[column] = out[p]
            else:
                why = ("映射文件要求不导入此列，值保留在此", "The map file leaves this column out; the value is kept here") \
                    if m.how == "ignored" else ("未识别的列，值保留在此", "Column not recognised; the value is kept here")
                kept.extend((p, j, ImportNote(table.source, name, first + p, m.header, values[p], *why))
                            for p in np.flatnonzero(mask).tolist())
        # a column whose header cell is blank (a header merged across two columns, a column added
        # later): its values are kept like an unknown column's, with a count at the header
        blank_columns: dict[int, int] = {}
        named = {m.index for m in matches}
        width = max(len(headers), max(map(len, body), default=0))
        for index in range(width):
            if index in named or (index < len(headers) and not _blank(headers[index])):
                continue
            values = _column(body, index, shortest)
            mask = _present(values)
            count = int(mask.sum())
            if not count:
                continue
            blank_columns[index] = count
            letter = column_letter(index)
            notes.append(ImportNote(table.source, name, header + 1, letter, None,
                                    f"{letter} 列没有表头：{count} 个值未导入，保留在下方",
                                    f"Column {letter} has no header: {count} values not imported, kept below"))
            kept.extend((p, len(matches) + index, ImportNote(
                table.source, name, first + p, letter, values[p], "列没有表头，值保留在此",
                "Column has no header; the value is kept here")) for p in np.flatnonzero(mask).tolist())
        kept.sort(key=lambda k: (k[0], k[1]))
        notes.extend(k[2] for k in kept)
        if by_sheet_owner:
            cols["owner"] = [name] * n
        if open_deals:
            cols["status"] = ["open"] * n
        block = _Block(key, cols, table.source, name, (at + first).tolist(), extra)
        if second:
            for i, others in enumerate(extra):
                if others is not None:
                    for other, values in list(others.items()):
                        values["_src"] = block.src(i)
                        side[other].append(values)
                        others[f"_{other}"] = others.pop(other)
        if n:
            primary.setdefault(key, []).append(block)
        shown = [replace(m, how="split", suggestion=f"{second[m.index][0]}.{second[m.index][1]}")
                 if m.index in second else m for m in matches]
        report.sheets[key if key not in report.sheets else f"{key}#{name}"] = \
            SheetIntake(key, name, how, header + 1, n, shown, table.source, blank_columns)
        if by_sheet_owner:
            notes.append(ImportNote(table.source, name, None, None, name, "工作表名作为负责人（一个业务员一张表）",
                                    "Sheet name taken as the owner (one sheet per salesperson)"))
        if open_deals and n:
            notes.append(ImportNote(table.source, name, None, None, None,
                                    "没有状态列：这些机会按“进行中”导入，赢单或丢单的请改状态",
                                    "No status column: these opportunities are imported as open; mark won or lost ones"))

    records = _link(primary, side, notes)
    return ImportResult(records, notes, report, used, sources)


def consumed(tables: list[SourceTable]) -> Iterator[SourceTable]:
    """The tables in order, each dropped from ``tables`` as it is handed out (``tables`` ends empty),
    so that what :func:`import_tables` is done with is freed: the cells of a team's workbook of 100k
    customers, as Python values, are about 2 GB."""
    tables.reverse()
    while tables:
        yield tables.pop()


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _mapped_value(mapping: MapFile, column: str, v: Any) -> Any:
    named, code = mapping.value(column, v)
    return code if named and code is not None else v


def _frame(columns: dict[str, list], n: int) -> pd.DataFrame:
    """``n`` records as columns with :data:`_ABSENT` cells → the frame ``pd.DataFrame(list of record
    dicts)`` gives (NaN where a record lacks a key, each column's type inferred by the same pandas
    function), without building the dicts."""
    from pandas.core.indexes.api import default_index
    from pandas.core.internals.construction import convert_object_array

    names = [k for k, v in columns.items() if any(x is not _ABSENT for x in v)]
    arrays = [_objects(columns[k]) for k in names]
    if arrays:
        arrays = convert_object_array(arrays, dtype=None)
    return pd.DataFrame._from_arrays(arrays, columns=names, index=default_index(n))


def _link(primary: dict[str, list[_Block]], side: dict[str, list[dict[str, Any]]],
          notes: list[ImportNote]) -> dict[str, pd.DataFrame]:
    from crm_xl.validation.identity import normalize_company

    customers: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    # every customer ID (as text) → its customer; IDs are unique (a record naming a known ID is
    # merged into that customer), so its keys are also the IDs already taken
    by_id: dict[str, dict[str, Any]] = {}
    customer_recs = [r for b in primary.get("customers", []) for r in b.records()]
    contact_recs = [r for b in primary.get("contacts", []) for r in b.records()]
    # company names and the texts of customer-ID cells, normalized in one call (a call per name
    # costs a regex compile and an Arrow round trip: minutes for a few thousand customers)
    names = {str(r["company_name"]) for r in [*customer_recs, *side["customers"]]
             if not _blank(r.get("company_name"))}
    names |= {str(v) for k, blocks in primary.items() if k not in ("customers", "contacts")
              for b in blocks for v in b.cols.get("customer_id", ()) if v is not _ABSENT and not _blank(v)}
    ordered = sorted(names)
    keys: dict[str, Any] = dict(zip(ordered, normalize_company(pd.Series(ordered, dtype=object)))) if names else {}

    def key_of(name: Any) -> str | None:
        if _blank(name):
            return None
        text = str(name)
        if text not in keys:
            keys[text] = normalize_company(pd.Series([text], dtype=object)).iloc[0]
        return keys[text] or None

    def add_customer(rec: dict[str, Any]) -> dict[str, Any]:
        k = key_of(rec.get("company_name"))
        cid = rec.get("customer_id")
        target = (by_id.get(str(cid)) if not _blank(cid) else None) or (by_name.get(k) if k else None)
        if target is None:
            target = {}
            customers.append(target)
        for col, v in rec.items():
            if col.startswith("_"):
                continue
            if _blank(target.get(col)):
                target[col] = v
        if not _blank(target.get("customer_id")):
            by_id[str(target["customer_id"])] = target
        if k:
            by_name.setdefault(k, target)
        return target

    for rec in customer_recs:
        add_customer(rec)
    for rec in side["customers"]:
        add_customer(rec)

    counter = [0, 0]  # the last C-number handed out (C0001 … below it are all taken), customers done

    def new_customer_id() -> str:
        """The first free C0001, C0002 …: IDs are only ever added, so the search goes on from the last."""
        while True:
            counter[0] += 1
            candidate = f"C{counter[0]:04d}"
            if candidate not in by_id:
                return candidate

    def assign_customers() -> None:
        """IDs for the customers added since the last call, in order (earlier ones all have one)."""
        for c in customers[counter[1]:]:
            if _blank(c.get("customer_id")):
                c["customer_id"] = new_customer_id()
            by_id[str(c["customer_id"])] = c
        counter[1] = len(customers)

    assign_customers()

    contacts: list[dict[str, Any]] = []
    by_email: dict[str, dict[str, Any]] = {}
    domains: dict[str, str] = {}

    def add_contact(rec: dict[str, Any], customer_id: Any) -> dict[str, Any] | None:
        if all(_blank(rec.get(c)) for c in ("name", "email", "phone", "wechat", "whatsapp")):
            return None
        email = str(rec.get("email") or "").strip().lower()
        target = by_email.get(email) if email else None
        if target is None:
            target = {}
            contacts.append(target)
        for col, v in rec.items():
            if not col.startswith("_") and _blank(target.get(col)):
                target[col] = v
        if _blank(target.get("customer_id")) and not _blank(customer_id):
            target["customer_id"] = customer_id
        if email:
            by_email[email] = target
        return target

    # contacts split off a customer row belong to that customer
    for rec in customer_recs:
        if "_contacts" in rec:
            owner = add_customer({"customer_id": rec.get("customer_id"), "company_name": rec.get("company_name")})
            add_contact(rec["_contacts"], owner.get("customer_id"))
    for rec in contact_recs:
        cust = rec.get("_customers")
        cid = rec.get("customer_id")
        if _blank(cid) and cust:
            cid = add_customer(cust).get("customer_id")
        add_contact({k: v for k, v in rec.items() if not k.startswith("_")}, cid)
    assign_customers()
    for c in contacts:
        m = _EMAIL.search(str(c.get("email") or ""))
        if m and not _blank(c.get("customer_id")):
            domains.setdefault(m.group(1).lower(), c["customer_id"])

    out: dict[str, list[_Block]] = {}
    for key, blocks in primary.items():
        if key in ("customers", "contacts"):
            continue
        sheet = SHEETS[key]
        for b in blocks:
            # A record naming a known customer ID, with no contact split off, changes nothing: only
            # the others are linked, in order (IDs are only ever added, so "known" stays known).
            ids = b.cols.get("customer_id")
            if sheet.has("customer_id"):
                slow = [i for i, v in enumerate(ids)
                        if v is _ABSENT or _blank(v) or str(v) not in by_id] if ids is not None else range(b.n)
            else:
                slow = []
            contact_rows = [i for i, e in enumerate(b.extra) if e and "_contacts" in e] if sheet.has("contact_id") else []
            for i in sorted({*slow, *contact_rows}):
                rec = b.extra[i] or {}
                cid = b.get("customer_id", i)
                if sheet.has("customer_id") and (_blank(cid) or str(cid) not in by_id):
                    new = _resolve_customer(cid, rec, by_id, by_name, key_of, by_email, domains, add_customer,
                                            new_customer_id)
                    if not _blank(cid) and new is None:
                        pass  # an ID we do not know stays as typed; validation reports it
                    elif new is not None:
                        if not _blank(cid) and str(cid) != new:
                            src = b.src(i)
                            notes.append(ImportNote(src[0], src[1], src[2], None, cid,
                                                    f"客户“{cid}”按名称对应到客户编号 {new}",
                                                    f"Customer “{cid}” linked by name to {new}"))
                        b.put("customer_id", i, new)
                assign_customers()
                if "_contacts" in rec and sheet.has("contact_id"):
                    contact = add_contact(rec["_contacts"], b.get("customer_id", i))
                    if contact is not None:
                        b.contact[i] = contact
        out[key] = blocks
    assign_customers()
    _assign_ids(contacts, "contact_id", "P")
    frames: dict[str, pd.DataFrame] = {}
    for key, blocks in out.items():
        for b in blocks:
            for i, contact in b.contact.items():
                if _blank(b.get("contact_id", i)):
                    b.put("contact_id", i, contact.get("contact_id"))
        if SHEETS[key].id_column and key in ID_PREFIX:
            _assign_block_ids(blocks, SHEETS[key].id_column, ID_PREFIX[key])
        names_in_order = list(dict.fromkeys(k for b in blocks for k in b.cols))
        frames[key] = _frame({k: blocks[0].cols[k] if len(blocks) == 1 else
                              list(chain.from_iterable(b.cols[k] if k in b.cols else [_ABSENT] * b.n for b in blocks))
                              for k in names_in_order}, sum(b.n for b in blocks))
    if customers:
        frames["customers"] = pd.DataFrame(customers)
    if contacts:
        frames["contacts"] = pd.DataFrame(contacts)
    return {k: v for k, v in frames.items() if len(v)}


def _resolve_customer(cid, rec, by_id, by_name, key_of, by_email, domains, add_customer,
                      new_customer_id) -> str | None:
    if not _blank(cid):  # an ID column holding a name (客户 = "Acme Inc.")
        k = key_of(cid)
        if k and k in by_name:
            return by_name[k].get("customer_id")
    cust = rec.get("_customers")
    if cust:
        target = add_customer(cust)
        if _blank(target.get("customer_id")):
            target["customer_id"] = new_customer_id()
            by_id[str(target["customer_id"])] = target
        return target.get("customer_id")
    contact = rec.get("_contacts") or {}
    email = str(contact.get("email") or "").strip().lower()
    if email in by_email and not _blank(by_email[email].get("customer_id")):
        return by_email[email]["customer_id"]
    m = _EMAIL.search(email)
    if m and m.group(1).lower() in domains:
        return domains[m.group(1).lower()]
    return None


def _assign_ids(rows: list[dict[str, Any]], column: str, prefix: str, taken: set[str] | None = None) -> None:
    """Generate IDs (C0001 …) for records without one, in order, skipping IDs already used."""
    used = set(taken or ()) | {str(r[column]) for r in rows if not _blank(r.get(column))}
    n = 0
    for r in rows:
        if _blank(r.get(column)):
            while True:
                n += 1
                candidate = f"{prefix}{n:04d}"
                if candidate not in used:
                    break
            r[column] = candidate
            used.add(candidate)


def _assign_block_ids(blocks: list[_Block], column: str, prefix: str) -> None:
    """:func:`_assign_ids` over the records of blocks (one sheet's, in order)."""
    used = {str(v) for b in blocks for v in b.cols.get(column, ()) if v is not _ABSENT and not _blank(v)}
    n = 0
    for b in blocks:
        values = b.cols.get(column)
        missing = range(b.n) if values is None else [i for i, v in enumerate(values) if v is _ABSENT or _blank(v)]
        for i in missing:
            while True:
                n += 1
                candidate = f"{prefix}{n:04d}"
                if candidate not in used:
                    break
            b.put(column, i, candidate)
            used.add(candidate)


def header_matches(result: ImportResult) -> list[tuple[str, HeaderMatch]]:
    return [(s.name, m) for s in result.intake.sheets.values() for m in s.matches]


def to_register(result: ImportResult, lang: str = "zh-CN", profile: str = "trade"):
    """The imported records as a Register (parsed exactly as a typed register is), with the
    original text put back into every cell that could not be read, so nothing typed is lost; each
    such value also gets a note, and enum values nobody could read go into the map (``null``)."""
    from crm_xl.register import CURRENCY_CONFLICT, DATE_NO_YEAR, ROW, Register
    from crm_xl.settings import Settings

    settings = Settings(profile=profile, language=lang)
    records = {k: _dates_typed(k, f) for k, f in result.records.items()}
    register = Register.from_records(records, settings=settings, lang=lang)
    bad = register.unreadable
    kept: dict[tuple[str, str], list[tuple[int, Any]]] = {}  # (sheet, column) → (row, text), in order
    for rec in bad.itertuples(index=False):
        if rec.kind == DATE_NO_YEAR:
            result.notes.append(ImportNote("", SHEETS[rec.sheet].label(lang), int(rec.row), rec.column, rec.value,
                                           "日期没有年份，已按本列其他日期补年份，请核对",
                                           "Date without a year; the year was taken from the column's other dates"))
            continue
        kept.setdefault((rec.sheet, rec.column), []).append((int(rec.row), rec.value))
        why = ("金额写明的币种与本行币种矛盾", "The amount names another currency than its row") \
            if rec.kind == CURRENCY_CONFLICT else ("无法识别的值，原文保留在单元格中", "Unreadable value; the text is kept in the cell")
        if isinstance(rec.value, dt.time) and rec.kind in ("date", "datetime"):  # how calamine reads a date cell below 1
            why = ("日期单元格中是 0、负数或只有时间，不是日期（Excel 显示为 1900-01-00 或 #####），该日期不参与计算",
                   "The date cell holds 0, a negative number or a time alone — no date (Excel shows 1900-01-00 or "
                   "#####); the date is not used")
        result.notes.append(ImportNote("", SHEETS[rec.sheet].label(lang), int(rec.row), rec.column, rec.value, *why))
        column = SHEETS[rec.sheet].column(rec.column)
        if rec.kind == "enum" or column.kind == "country":
            result.mapping.values.setdefault(rec.column, {})[str(rec.value)] = None
    # the text as typed back into each unreadable cell: per column, one object column written once
    for (sheet_key, name), cells in kept.items():
        frame = register.frames[sheet_key]
        position = pd.Series(np.arange(len(frame)), index=frame[ROW].to_numpy())
        values = frame[name].astype(object).to_numpy(copy=True)
        found = False
        for row, value in cells:
            if row in position.index:
                found = True
                for i in position.loc[[row]].to_numpy():
                    values[i] = value
        if found:
            frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return register


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _dates_typed(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns whose every value is a ``datetime.date`` (a date cell) as datetime64: what the
    register's parser makes of them either way, without parsing each date as text would be (the
    same typed frame; dates pandas cannot hold stay as they are, for the parser to report)."""
    sheet = SHEETS.get(key)
    if sheet is None:
        return frame
    out = None
    low, high = dt.date(1677, 9, 23), dt.date(2262, 4, 10)
    for column in sheet.columns:
        if column.kind not in ("date", "datetime") or column.key not in frame.columns:
            continue
        s = frame[column.key]
        if s.dtype != object:
            continue
        values = s.to_numpy()
        missing = pd.isna(values)
        dates = values[~missing].tolist()
        if not dates or set(map(type, dates)) != {dt.date} or min(dates) < low or max(dates) > high:
            continue
        days = np.fromiter(map(dt.date.toordinal, dates), dtype=np.int64, count=len(dates)) - _EPOCH_ORDINAL
        typed = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
        typed[~missing] = days.astype("datetime64[D]").astype("datetime64[ns]")
        if out is None:
            out = frame.copy(deep=False)
        out[column.key] = pd.Series(typed, index=frame.index)
    return frame if out is None else out
