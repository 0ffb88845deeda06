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

import re
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.intake.mapfile import MapFile
from crm_xl.intake.matching import (
    HeaderMatch, guess_sheet_from_headers, header_hits, match_by_values, match_headers, match_key, match_sheet_name)
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


def import_tables(tables: list[SourceTable], mapping: MapFile | None = None) -> ImportResult:
    """Every source table → canonical records per register sheet, notes, and the mapping used."""
    mapping = mapping or MapFile()
    used = MapFile(values={k: dict(v) for k, v in mapping.values.items()})
    notes: list[ImportNote] = []
    report = IntakeReport()
    primary: dict[str, list[dict[str, Any]]] = {}
    side: dict[str, list[dict[str, Any]]] = {"customers": [], "contacts": []}

    for table in tables:
        rows = [list(r) for r in table.rows if r is not None]
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
        else:
            m = match_sheet_name(name)
            key, how = m.key, m.how
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
        columns = {m.index: [row[m.index] if m.index < len(row) else None for row in body] for m in matches}
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
        n = 0
        for offset, row in enumerate(body):
            src_row = header + 2 + offset
            if all(_blank(v) for v in row):
                continue
            rec: dict[str, Any] = {}
            extra: dict[str, dict[str, Any]] = {}
            for m in matches:
                v = row[m.index] if m.index < len(row) else None
                if _blank(v):
                    continue
                if m.index in scales:
                    v = scale_value(v, *scales[m.index])
                if m.key:
                    rec[m.key] = _mapped_value(mapping, m.key, v)
                elif m.index in second:
                    other, col = second[m.index]
                    extra.setdefault(other, {})[col] = _mapped_value(mapping, col, v)
                elif m.how == "ignored":
                    notes.append(ImportNote(table.source, name, src_row, m.header, v, "映射文件要求不导入此列，值保留在此",
                                            "The map file leaves this column out; the value is kept here"))
                else:
                    notes.append(ImportNote(table.source, name, src_row, m.header, v, "未识别的列，值保留在此",
                                            "Column not recognised; the value is kept here"))
            if not rec and not extra:
                continue
            if by_sheet_owner:
                rec["owner"] = name
            if open_deals:
                rec["status"] = "open"
            rec["_src"] = (table.source, name, src_row)
            for other, values in extra.items():
                values["_src"] = (table.source, name, src_row)
                side[other].append(values)
                rec[f"_{other}"] = values
            primary.setdefault(key, []).append(rec)
            n += 1
        shown = [replace(m, how="split", suggestion=f"{second[m.index][0]}.{second[m.index][1]}")
                 if m.index in second else m for m in matches]
        report.sheets[key if key not in report.sheets else f"{key}#{name}"] = \
            SheetIntake(key, name, how, header + 1, n, shown, table.source)
        if by_sheet_owner:
            notes.append(ImportNote(table.source, name, None, None, name, "工作表名作为负责人（一个业务员一张表）",
                                    "Sheet name taken as the owner (one sheet per salesperson)"))
        if open_deals and n:
            notes.append(ImportNote(table.source, name, None, None, None,
                                    "没有状态列：这些机会按“进行中”导入，赢单或丢单的请改状态",
                                    "No status column: these opportunities are imported as open; mark won or lost ones"))

    records = _link(primary, side, notes)
    return ImportResult(records, notes, report, used, [t.source for t in tables])


def _mapped_value(mapping: MapFile, column: str, v: Any) -> Any:
    named, code = mapping.value(column, v)
    return code if named and code is not None else v


def _link(primary: dict[str, list[dict[str, Any]]], side: dict[str, list[dict[str, Any]]],
          notes: list[ImportNote]) -> dict[str, pd.DataFrame]:
    from crm_xl.validation.identity import normalize_company

    customers: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    # every customer ID (as text) → its customer; IDs are unique (a record naming a known ID is
    # merged into that customer), so its keys are also the IDs already taken
    by_id: dict[str, dict[str, Any]] = {}
    # company names and the texts of customer-ID cells, normalized in one call (a call per name
    # costs a regex compile and an Arrow round trip: minutes for a few thousand customers)
    names = {str(r["company_name"]) for r in [*primary.get("customers", []), *side["customers"]]
             if not _blank(r.get("company_name"))}
    names |= {str(r["customer_id"]) for k, recs in primary.items() if k not in ("customers", "contacts")
              for r in recs if not _blank(r.get("customer_id"))}
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

    for rec in primary.get("customers", []):
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
    for rec in primary.get("customers", []):
        if "_contacts" in rec:
            owner = add_customer({"customer_id": rec.get("customer_id"), "company_name": rec.get("company_name")})
            add_contact(rec["_contacts"], owner.get("customer_id"))
    for rec in primary.get("contacts", []):
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

    out: dict[str, list[dict[str, Any]]] = {}
    for key, recs in primary.items():
        if key in ("customers", "contacts"):
            continue
        rows = []
        for rec in recs:
            row = {k: v for k, v in rec.items() if not k.startswith("_")}
            sheet = SHEETS[key]
            if sheet.has("customer_id") and (_blank(row.get("customer_id")) or str(row["customer_id"]) not in by_id):
                cid = _resolve_customer(row, rec, by_id, by_name, key_of, by_email, domains, add_customer,
                                       new_customer_id)
                if not _blank(row.get("customer_id")) and cid is None:
                    pass  # an ID we do not know stays as typed; validation reports it
                elif cid is not None:
                    if not _blank(row.get("customer_id")) and str(row["customer_id"]) != cid:
                        notes.append(ImportNote(rec["_src"][0], rec["_src"][1], rec["_src"][2], None, row["customer_id"],
                                                f"客户“{row['customer_id']}”按名称对应到客户编号 {cid}",
                                                f"Customer “{row['customer_id']}” linked by name to {cid}"))
                    row["customer_id"] = cid
            assign_customers()
            if "_contacts" in rec and sheet.has("contact_id"):
                contact = add_contact(rec["_contacts"], row.get("customer_id"))
                if contact is not None:
                    row.setdefault("_contact", contact)
            rows.append(row)
        out[key] = rows
    assign_customers()
    _assign_ids(contacts, "contact_id", "P")
    for key, rows in out.items():
        for row in rows:
            contact = row.pop("_contact", None)
            if contact is not None and _blank(row.get("contact_id")):
                row["contact_id"] = contact.get("contact_id")
        if SHEETS[key].id_column and key in ID_PREFIX:
            _assign_ids(rows, SHEETS[key].id_column, ID_PREFIX[key])
    out["customers"] = customers
    out["contacts"] = contacts
    return {k: pd.DataFrame(v) for k, v in out.items() if v}


def _resolve_customer(row, rec, by_id, by_name, key_of, by_email, domains, add_customer,
                      new_customer_id) -> str | None:
    cid = row.get("customer_id")
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


def header_matches(result: ImportResult) -> list[tuple[str, HeaderMatch]]:
    return [(s.name, m) for s in result.intake.sheets.values() for m in s.matches]


def to_register(result: ImportResult, lang: str = "zh-CN", profile: str = "trade"):
    """The imported records as a Register (parsed exactly as a typed register is), with the
    original text put back into every cell that could not be read, so nothing typed is lost; each
    such value also gets a note, and enum values nobody could read go into the map (``null``)."""
    from crm_xl.register import CURRENCY_CONFLICT, DATE_NO_YEAR, ROW, Register
    from crm_xl.settings import Settings

    settings = Settings(profile=profile, language=lang)
    register = Register.from_records(result.records, settings=settings, lang=lang)
    bad = register.unreadable
    for rec in bad.itertuples(index=False):
        frame = register.frames[rec.sheet]
        at = frame.index[frame[ROW] == rec.row]
        if rec.kind == DATE_NO_YEAR:
            result.notes.append(ImportNote("", SHEETS[rec.sheet].label(lang), int(rec.row), rec.column, rec.value,
                                           "日期没有年份，已按本列其他日期补年份，请核对",
                                           "Date without a year; the year was taken from the column's other dates"))
            continue
        if len(at):
            column = frame[rec.column]
            if column.dtype != object:
                frame[rec.column] = column.astype(object)
            frame.loc[at, rec.column] = rec.value
        why = ("金额写明的币种与本行币种矛盾", "The amount names another currency than its row") \
            if rec.kind == CURRENCY_CONFLICT else ("无法识别的值，原文保留在单元格中", "Unreadable value; the text is kept in the cell")
        result.notes.append(ImportNote("", SHEETS[rec.sheet].label(lang), int(rec.row), rec.column, rec.value, *why))
        column = SHEETS[rec.sheet].column(rec.column)
        if rec.kind == "enum" or column.kind == "country":
            result.mapping.values.setdefault(rec.column, {})[str(rec.value)] = None
    return register
