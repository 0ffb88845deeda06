"""What an export may contain (pure core): one owner's records as a closed set, and what an
outside party sees (masked, and without what they have no business seeing).

Policy 000 二(四): customer information is shown only to authorised people and shared outside
only with approval; 000 二(四)3 / 002 二.4: what is shared outside is limited to what is needed.

**Owner scope.** A row of any sheet is in an owner's export only when it is reachable from that
owner's customers through a reference the schema declares (``Column.ref``, a sheet *and* an ID):
contacts, orders, tickets … by ``customer_id``; milestones by ``project_id`` of an included
project; service visits by ``vin`` of an included vehicle when they name no customer; change-log
rows by their (sheet, record ID) pair. Rows that no declared reference ties to the owner's
customers (staff and their targets, training, unattached intelligence) are not exported.

**Outside parties** (``--mask``): every text cell goes through one personal-data detector
(:mod:`crm_xl.personal_data`), dedicated columns (phone, e-mail, IM, address, names of private
persons) are masked whole, and staff targets and costs, order costs, the company's Settings and
birthdays are left out unless the caller names them in ``include``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_xl.findings import Finding, column_letter
from crm_xl.i18n import fold
from crm_xl.messages import define
from crm_xl.personal_data import PersonalDataDetector, mask_address, mask_name, mask_plate
from crm_xl.register import ROW, SETTINGS_SHEETS, Register
from crm_xl.schema import SHEETS, sheet_lookup


# What an outside party does not see unless ``include`` names it: name → (sheet, columns or None for
# the whole sheet).
WITHHELD: dict[str, tuple[tuple[str, tuple[str, ...] | None], ...]] = {
    "staff": (("staff", None), ("training_sessions", None), ("training_attendance", None)),
    "costs": (("orders", ("cost",)),),
    "settings": tuple((key, None) for key in SETTINGS_SHEETS),
    "birthdays": (("contacts", ("birthday",)), ("customers", ("birthday",))),
}

# Columns masked whole (not only the personal data found in them): sheet → column → kind.
DEDICATED: dict[str, dict[str, str]] = {
    "customers": {"address": "address", "legal_rep": "name", "wechat": "handle"},
    "contacts": {"phone": "phone", "email": "email", "wechat": "handle", "whatsapp": "phone"},
    "tickets": {"contact_info": "contact", "complainant": "name"},
    "vehicles": {"plate": "plate"},
}
# Auto profile: customers are private persons, so their names are personal data too.
PRIVATE_PERSON_NAMES: dict[str, tuple[str, ...]] = {"customers": ("company_name",), "contacts": ("name",)}

EXCEL_CELL_LIMIT = 32_767
OVERLONG = define(
    "X001", "warning", "文本长 {length} 字，超过单元格上限 32,767 字，导出时已截断",
    "A text of {length} characters is longer than a cell holds (32,767); the export cut it",
    "000 二(四) 数据导出", "导出时截断的长文本", "Long text cut in an export")


class ExportError(ValueError):
    """An export that must not be written (an unknown owner, a folder holding other files)."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code, self.zh, self.en = code, zh, en
        super().__init__(en)

    def message(self, lang: str) -> str:
        from crm_xl.i18n import pick

        return pick(self.zh, self.en, lang)


# --------------------------------------------------------------------------------------------
# Owner scope: a closed set by declared references
# --------------------------------------------------------------------------------------------


def id_text(value: object) -> str | None:
    """An ID as text, so that 7, 7.0 and "7" are one ID; None for a blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _ids(series: pd.Series) -> pd.Series:
    """:func:`id_text` of every value, computed once per distinct value (an ID recurs in many rows:
    the 10k register's 56k activities name 10k customers)."""
    if not isinstance(series.dtype, pd.StringDtype):  # object: 1, 1.0 and True would be one value
        return series.map(id_text)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([id_text(v) for v in uniques] + [None], dtype=object)  # code -1 (missing): None
    return pd.Series(texts[codes], index=series.index, dtype=object)


def owners(register: Register) -> list[str]:
    values = register["customers"]["owner"].dropna().astype(str).str.strip()
    return sorted(set(values) - {""})


def check_owner(register: Register, owner: str | None) -> str:
    """The owner's name as the register spells it; :class:`ExportError` for a blank or unknown one."""
    name = (owner or "").strip()
    known = owners(register)
    if not name:
        raise ExportError("owner_blank", "--owner 不能为空：请填写负责人姓名", "--owner is empty: give an owner's name")
    if name not in known:
        listed = "、".join(known[:20]) or "—"
        raise ExportError("owner_unknown", f"客户表中没有负责人“{name}”（现有负责人：{listed}）",
                          f"no customer has the owner “{name}” (owners: {', '.join(known[:20]) or '—'})")
    return name


def _references(key: str) -> list[tuple[str, str, str]]:
    """A sheet's *owning* references: (column, target sheet, target column) of its customer
    reference first, then its required references. Optional cross references (an activity's
    opportunity, an opportunity's order) never bring a row in."""
    refs = []
    for column in SHEETS[key].columns:
        if column.ref and (column.required or column.ref.startswith("customers.")):
            target, target_column = column.ref.split(".", 1)
            refs.append((column.key, target, target_column))
    return sorted(refs, key=lambda r: r[1] != "customers")


def owner_subset(register: Register, owner: str) -> dict[str, pd.DataFrame]:
    """Only the rows reachable from ``owner``'s customers by a declared reference (see module doc).

    A row's *owning* reference is the first one it fills in, the customer reference first: a ticket
    of my customer that names another owner's order is mine; a milestone is mine when its project
    is; a service visit without a customer is mine when its vehicle is.
    """
    owner = check_owner(register, owner)
    customers = register["customers"]
    mine = customers[customers["owner"].astype("string").str.strip().eq(owner).fillna(False).astype(bool)]
    frames: dict[str, pd.DataFrame] = {"customers": mine}
    included: dict[str, set[str]] = {"customers": set(_ids(mine["customer_id"]).dropna())}
    pending = [k for k, s in SHEETS.items() if k not in ("customers", "changelog") and not s.settings_table]
    while pending:  # a sheet is decided once every sheet its references point at is decided
        progressed = False
        for key in list(pending):
            refs = _references(key)
            if any(t in pending and t != key for _, t, _ in refs):
                continue
            frame = register[key]
            if not refs or frame.empty:
                frames[key] = frame.iloc[0:0]
            else:
                keep = pd.Series(False, index=frame.index)
                decided = pd.Series(False, index=frame.index)
                for column, target, target_column in refs:
                    if column not in frame.columns or target == key:
                        continue
                    values = _ids(frame[column])
                    present = values.notna() & ~decided
                    keep |= present & values.isin(_target_ids(register, frames, included, target, target_column))
                    decided |= present
                frames[key] = frame[keep]
            id_column = SHEETS[key].id_column
            if id_column and id_column in frames[key].columns:
                included[key] = set(_ids(frames[key][id_column]).dropna())
            pending.remove(key)
            progressed = True
        if not progressed:  # a cycle of required references (none is declared): nothing of those sheets
            for key in pending:
                frames[key] = register[key].iloc[0:0]
            break
    frames["changelog"] = _changelog_rows(register["changelog"], included)
    for key in SETTINGS_SHEETS:
        frames[key] = register[key]
    return frames


def _target_ids(register, frames, included, target, target_column) -> set[str]:
    id_column = SHEETS[target].id_column
    if target_column == id_column:
        return included.get(target, set())
    frame = frames.get(target)
    return set(_ids(frame[target_column]).dropna()) if frame is not None and target_column in frame.columns else set()


def _changelog_rows(log: pd.DataFrame, included: dict[str, set[str]]) -> pd.DataFrame:
    """Change-log rows whose (sheet, record ID) names an included record; a sheet the log names by
    a label in any language counts, an unknown sheet or a blank ID never does."""
    if log.empty:
        return log
    lookup = sheet_lookup()
    sheets = log["sheet"].map(lambda s: lookup.get(fold(str(s))) if isinstance(s, str) and s.strip() else None)
    records = _ids(log["record_id"])
    keep = [bool(s and r is not None and r in included.get(s, ())) for s, r in zip(sheets, records)]
    return log[pd.Series(keep, index=log.index, dtype=bool)]


# --------------------------------------------------------------------------------------------
# Outside parties: withhold, then mask
# --------------------------------------------------------------------------------------------


def withheld_names() -> tuple[str, ...]:
    return tuple(WITHHELD)


def withhold(frames: dict[str, pd.DataFrame], include: set[str] = frozenset()) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Leave out what ``include`` does not name; returns the frames and what was left out
    (``sheet`` or ``sheet.column``)."""
    unknown = set(include) - set(WITHHELD)
    if unknown:
        raise ExportError("include_unknown", f"--include 只能是：{'、'.join(WITHHELD)}（收到 {', '.join(sorted(unknown))}）",
                          f"--include takes: {', '.join(WITHHELD)} (got {', '.join(sorted(unknown))})")
    out = dict(frames)
    left_out: list[str] = []
    for name, parts in WITHHELD.items():
        if name in include:
            continue
        for key, columns in parts:
            if key not in out:
                continue
            if columns is None:
                if len(out[key]):
                    left_out.append(key)
                out[key] = out[key].iloc[0:0]
                continue
            frame = out[key]
            present = [c for c in columns if c in frame.columns and frame[c].notna().any()]
            if present:
                frame = frame.copy()
                for c in present:
                    frame[c] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
                    left_out.append(f"{key}.{c}")
                out[key] = frame
    return out, left_out


def detector_for(register: Register) -> PersonalDataDetector:
    countries = register["customers"]["country"].dropna().unique() if "country" in register["customers"] else ()
    return PersonalDataDetector(countries)


def mask_frames(frames: dict[str, pd.DataFrame], detector: PersonalDataDetector, profile: str = "trade"
                ) -> dict[str, pd.DataFrame]:
    """Every text cell through ``detector``; dedicated personal columns masked whole."""
    out = {}
    for key, frame in frames.items():
        if frame.empty or key not in SHEETS:
            out[key] = frame
            continue
        sheet = SHEETS[key]
        frame = frame.copy()
        dedicated = dict(DEDICATED.get(key, {}))
        if profile == "auto":
            dedicated.update({c: "name" for c in PRIVATE_PERSON_NAMES.get(key, ())})
        for column in frame.columns:
            if column == ROW:
                continue
            series = frame[column]
            kind = dedicated.get(column)
            if kind is not None:
                frame[column] = _mask_whole(series, kind, detector)
            elif series.dtype.kind not in "biufcmM":
                is_id = sheet.has(column) and sheet.column(column).kind == "id"
                frame[column] = detector.mask_series(series, digit_runs=not is_id)
        out[key] = frame
    return out


def _mask_whole(series: pd.Series, kind: str, detector: PersonalDataDetector) -> pd.Series:
    from crm_xl.personal_data import MASK, mask_handle_text, mask_phone_text

    def one(value):
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return value
        text = str(value)
        if not text.strip():
            return value
        if kind == "name":
            return mask_name(text)
        if kind == "address":
            return detector.mask(mask_address(text))
        if kind == "plate":
            return mask_plate(text)
        if kind == "handle":
            masked = detector.mask(text)
            return masked if masked != text else mask_handle_text(text.strip())
        masked = detector.mask(text)
        if masked != text:
            return masked
        if kind == "phone" and any(ch.isdigit() for ch in text):
            return mask_phone_text(text)
        return text[:1] + MASK  # a contact or e-mail the detector does not recognise: hide it all
    return series.map(one).astype(object)


# --------------------------------------------------------------------------------------------
# Values longer than a cell holds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlong:
    sheet: str
    row: int | None
    column: str
    length: int


def cut_overlong(frames: dict[str, pd.DataFrame], limit: int = EXCEL_CELL_LIMIT
                 ) -> tuple[dict[str, pd.DataFrame], list[Overlong]]:
    """Texts longer than an Excel cell holds, cut to ``limit`` characters and listed, so that the
    output says what it shortened (xlsxwriter would cut them without a word)."""
    found: list[Overlong] = []
    out = dict(frames)
    for key, frame in frames.items():
        changed = None
        for column in frame.columns:
            series = frame[column]
            if series.dtype.kind in "biufcmM" or column == ROW:
                continue
            lengths = _text_lengths(series)
            long_rows = lengths > limit
            if not long_rows.any():
                continue
            changed = frame.copy() if changed is None else changed
            for idx in frame.index[long_rows.to_numpy()]:
                row = frame.at[idx, ROW] if ROW in frame.columns else None
                found.append(Overlong(key, int(row) if row is not None and row == row else None, column,
                                      int(lengths[idx])))
                changed.at[idx, column] = series[idx][:limit]
        if changed is not None:
            out[key] = changed
    return out, found


def _text_lengths(series: pd.Series) -> pd.Series:
    """Characters of each text value (0 for anything else): in Arrow for a text column, value by
    value otherwise (an object column may hold numbers or dates beside its texts)."""
    if isinstance(series.dtype, pd.StringDtype):  # str or missing; .str.len counts code points as len()
        return series.str.len().fillna(0).astype("int64")
    return series.map(lambda v: len(v) if isinstance(v, str) else 0)


def overlong_findings(register: Register, overlong: list[Overlong]) -> list[Finding]:
    """The cut texts as findings with their cell address in the source register."""
    out = []
    for o in overlong:
        index = register.column_index(o.sheet, o.column)
        cell = f"{column_letter(index)}{o.row}" if index is not None and o.row else None
        out.append(Finding(o.sheet, o.row, o.column, OVERLONG, "warning", {"length": f"{o.length:,}"}, cell=cell))
    return out
