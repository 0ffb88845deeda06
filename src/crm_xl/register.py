"""The Register: the workbook's data in memory (pure core, no file I/O).

One pandas DataFrame per sheet with every schema column under its canonical key, canonical enum
codes, typed values, and ``_row``: the Excel row number of each record. Cells that could not be
read are NA in the frame and listed in ``unreadable`` for validation to report. User columns the
schema does not know are kept under their own header names and otherwise ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from crm_xl.findings import Finding, column_letter
from crm_xl.messages import UNKNOWN_OPTION, UNREADABLE, compact_value, expected_text
from crm_xl.parsing import blank_mask, normalize_currency, parse_column, parse_money, parse_text, yearless_mask
from crm_xl.schema import ENUMS, SHEETS, Sheet
from crm_xl.settings import Settings, SettingsRows, load_settings

ROW = "_row"
UNREADABLE_COLUMNS = ["sheet", "row", "column", "value", "kind"]


_EMPTY: dict[str, pd.DataFrame] = {}


def empty_frame(sheet: Sheet) -> pd.DataFrame:
    """A typed frame with no rows (a sheet the workbook does not have, or an empty table)."""
    if sheet.key not in _EMPTY:
        data = {}
        for column in sheet.columns:
            typed, _ = parse_column(pd.Series([], dtype=object), column, ENUMS)
            data[column.key] = typed
        frame = pd.DataFrame(data)
        frame[ROW] = pd.Series([], dtype="int64")
        _EMPTY[sheet.key] = frame
    return _EMPTY[sheet.key].copy()


def build_frame(sheet: Sheet, raw: pd.DataFrame, rows: pd.Series, day_first: bool = True,
                extras: Iterable[str] = (), units: Mapping[str, tuple[Any, str | None]] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type a raw frame (canonical column names, any cell types) → (typed frame, unreadable cells).

    ``rows`` holds the Excel row number of each raw record. Records whose schema cells are all
    blank are dropped (empty table rows are not records). ``units``: money column → (factor,
    currency) its header's unit gives (``年采购额(万元)``: 10000; ``金额(千美元)``: 1000, USD), see
    :mod:`crm_xl.intake.units`; unreadable cells keep what was typed, unscaled.
    """
    raw = raw.reset_index(drop=True)
    rows = pd.Series(np.asarray(rows, dtype="int64"))
    extras = [name for name in extras if name in raw.columns]
    present = [c.key for c in sheet.columns if c.key in raw.columns]
    if present and len(raw):
        blank = np.ones(len(raw), dtype=bool)
        for key in present:
            blank &= blank_mask(raw[key])
        if blank.any():
            keep = ~blank
            raw, rows = raw[keep].reset_index(drop=True), rows[keep].reset_index(drop=True)
    if len(raw) == 0 and not extras:
        return empty_frame(sheet), pd.DataFrame(columns=UNREADABLE_COLUMNS)
    data: dict[str, Any] = {}
    bad_parts = []
    money = _money_columns(sheet, raw, rows, units or {})
    for column in sheet.columns:
        if column.key in money:
            typed, part = money[column.key]
            if len(part):
                bad_parts.append(part)
        elif column.key in raw.columns:
            typed, bad = parse_column(raw[column.key], column, ENUMS, day_first)
            if column.kind in ("date", "datetime"):
                yearless = yearless_mask(raw[column.key]).to_numpy() & typed.notna().to_numpy()
                if yearless.any():
                    idx = np.flatnonzero(yearless)
                    bad_parts.append(pd.DataFrame({
                        "sheet": sheet.key, "row": rows.iloc[idx].to_numpy(), "column": column.key,
                        "value": raw[column.key].iloc[idx].astype(object).to_numpy(), "kind": DATE_NO_YEAR}))
            if bad.any():
                idx = np.flatnonzero(bad.to_numpy())
                bad_parts.append(pd.DataFrame({
                    "sheet": sheet.key, "row": rows.iloc[idx].to_numpy(), "column": column.key,
                    "value": raw[column.key].iloc[idx].astype(object).to_numpy(),
                    "kind": "enum" if column.kind == "enum" else column.kind,
                }))
        else:
            typed = _absent(column, day_first, len(raw))
        data[column.key] = typed.reset_index(drop=True)
    for name in extras:
        if name in raw.columns and name not in data:
            data[name] = raw[name].reset_index(drop=True)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(raw)), copy=False)  # the columns are fresh
    frame[ROW] = rows.to_numpy()
    unreadable = pd.concat(bad_parts, ignore_index=True) if bad_parts else pd.DataFrame(columns=UNREADABLE_COLUMNS)
    return frame, unreadable


DATE_NO_YEAR, CURRENCY_CONFLICT = "date_no_year", "currency_conflict"  # unreadable kinds from intake

_ABSENT: dict[tuple, pd.Series] = {}


def _absent(column, day_first: bool, n: int) -> pd.Series:
    """A column the sheet does not have: what parsing ``n`` empty cells gives, parsed once."""
    key = (column.kind, column.enum, day_first)
    if key not in _ABSENT:
        _ABSENT[key], _ = parse_column(pd.Series([None], dtype=object), column, ENUMS, day_first)
    return _ABSENT[key].iloc[np.zeros(n, dtype=np.intp)].reset_index(drop=True)


def _money_columns(sheet: Sheet, raw: pd.DataFrame, rows: pd.Series,
                   units: Mapping[str, tuple[Any, str | None]] | None = None
                   ) -> dict[str, tuple[pd.Series, pd.DataFrame]]:
    """Money columns of a sheet with a currency column: amounts, and the currency the cells name.

    A currency named in an amount (``$12,000``) — or in its header's unit (``金额(千美元)``) —
    fills a blank currency cell of its row; one that contradicts the row's currency (``$12,000``
    in a EUR row) makes the amount unusable, with a finding — never a silent conversion. Changes
    ``raw["currency"]`` in place when it fills. Amounts are scaled by their header's unit factor.
    """
    from crm_xl.intake.units import scale_amounts

    keys = [c.key for c in sheet.columns if c.kind == "money" and c.key in raw.columns]
    if not keys:
        return {}
    has_currency = sheet.has("currency")
    row_cur = None
    if has_currency and "currency" in raw.columns:
        text = parse_text(raw["currency"])
        row_cur = text.map(normalize_currency, na_action="ignore").astype("string")
    out: dict[str, tuple[pd.Series, pd.DataFrame]] = {}
    filled = pd.Series(pd.NA, index=raw.index, dtype="string")
    for key in keys:
        amount, named, bad = parse_money(raw[key], row_cur)
        factor, unit_currency = (units or {}).get(key, (1, None))
        if factor != 1:
            amount = scale_amounts(raw[key], amount, factor)
        if unit_currency:
            named = named.mask(named.isna() & amount.notna(), unit_currency)
        parts = []
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            parts.append(pd.DataFrame({"sheet": sheet.key, "row": rows.iloc[idx].to_numpy(), "column": key,
                                       "value": raw[key].iloc[idx].astype(object).to_numpy(), "kind": "money"}))
        if has_currency and named.notna().any():
            known = row_cur if row_cur is not None else pd.Series(pd.NA, index=raw.index, dtype="string")
            known = known.fillna(filled)
            conflict = (named.notna() & known.notna() & named.ne(known)).fillna(False).to_numpy(dtype=bool)
            fill = (named.notna() & known.isna()).fillna(False).to_numpy(dtype=bool)
            filled[fill] = named[fill]
            if conflict.any():
                idx = np.flatnonzero(conflict)
                parts.append(pd.DataFrame({"sheet": sheet.key, "row": rows.iloc[idx].to_numpy(), "column": key,
                                           "value": raw[key].iloc[idx].astype(object).to_numpy(),
                                           "kind": CURRENCY_CONFLICT}))
                amount = amount.mask(pd.Series(conflict, index=amount.index))
        out[key] = (amount.reset_index(drop=True),
                    pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=UNREADABLE_COLUMNS))
    if has_currency and filled.notna().any():
        base = raw["currency"].astype(object) if "currency" in raw.columns else pd.Series([None] * len(raw), dtype=object)
        blank = base.isna() | base.astype("string").str.strip().eq("").fillna(True)
        raw["currency"] = base.where(~(blank & filled.notna()), filled.astype(object))
    return out


@dataclass
class Register:
    frames: dict[str, pd.DataFrame]
    settings: Settings = field(default_factory=Settings)
    lang: str = "zh-CN"
    source: str | None = None
    unreadable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNREADABLE_COLUMNS))
    findings: list[Finding] = field(default_factory=list)  # reader-level: settings, missing columns
    positions: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet → column → 0-based index
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key → name in the workbook
    extras: dict[str, list[str]] = field(default_factory=dict)
    # What the reader mapped, guessed and left unmapped per sheet (crm_xl.intake.report.IntakeReport);
    # None for registers built in memory.
    intake: Any = None
    # Pipeline snapshots (one row per open deal per sync) when the register came from a database.
    snapshots: pd.DataFrame | None = None

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.frames[sheet]

    def has_sheet(self, sheet: str) -> bool:
        """True when the workbook itself had this sheet (not just an empty stand-in)."""
        return sheet in self.sheet_names

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.frames.items()}

    def column_index(self, sheet: str, column: str) -> int | None:
        pos = self.positions.get(sheet)
        if pos is not None:
            return pos.get(column)
        keys = [c.key for c in SHEETS[sheet].columns_for(self.settings.profile)] if sheet in SHEETS else []
        return keys.index(column) if column in keys else None

    def cell(self, sheet: str, row: int | None, column: str | None) -> str | None:
        """A1 address of a cell, when its column is in the workbook."""
        if row is None or column is None:
            return None
        index = self.column_index(sheet, column)
        return None if index is None else f"{column_letter(index)}{int(row)}"

    def sheet_label(self, sheet: str) -> str:
        return self.sheet_names.get(sheet) or SHEETS[sheet].label(self.lang)

    def reader_findings(self) -> list[Finding]:
        """Findings for unreadable cells plus the reader's own findings, with cell addresses."""
        out = list(self.findings)
        for rec in self.unreadable.itertuples(index=False):
            column = SHEETS[rec.sheet].column(rec.column)
            if rec.kind in (DATE_NO_YEAR, CURRENCY_CONFLICT):
                out.append(self._intake_value_finding(rec))
            elif rec.kind == "enum":
                options = ENUMS[column.enum or ""].labels(self.lang)
                out.append(Finding(rec.sheet, int(rec.row), rec.column, UNKNOWN_OPTION, "error",
                                   {"value": rec.value, "options": options}, rec.value))
            else:
                out.append(Finding(rec.sheet, int(rec.row), rec.column, UNREADABLE, "error",
                                   {"value": compact_value(rec.value), "expected": expected_text(rec.kind)}, rec.value))
        return [f if f.cell or f.row is None else _with_cell(f, self.cell(f.sheet, f.row, f.column)) for f in out]

    def _intake_value_finding(self, rec) -> Finding:
        from crm_xl.intake import report as ir
        from crm_xl.parsing import parse_money_text_currency

        if rec.kind == DATE_NO_YEAR:
            typed = self.frames[rec.sheet].set_index(ROW)[rec.column].get(int(rec.row))
            year = typed.year if isinstance(typed, pd.Timestamp) else None
            return Finding(rec.sheet, int(rec.row), rec.column, ir.DATE_NO_YEAR, "warning",
                           {"value": rec.value, "year": year}, rec.value)
        frame = self.frames[rec.sheet].set_index(ROW)
        currency = frame["currency"].get(int(rec.row)) if "currency" in frame.columns else None
        named = parse_money_text_currency(str(rec.value))
        if named is None and self.intake is not None:  # the header's unit named it (金额(千美元))
            named = self.intake.unit_currency(rec.sheet, rec.column)
        return Finding(rec.sheet, int(rec.row), rec.column, ir.CURRENCY_CONFLICT, "error",
                       {"value": rec.value, "named": named, "currency": currency}, rec.value)

    def originals(self, sheet: str, frame: pd.DataFrame, lang: str | None = None) -> dict[str, dict[int, tuple[str, str]]]:
        """What the user typed in the cells the reader could not use, so no output loses it:
        column → position in ``frame`` (a frame of this sheet with ``_row``) → (the original text,
        the finding's message in ``lang``)."""
        if not len(self.unreadable) or ROW not in frame.columns:
            return {}
        part = self.unreadable[self.unreadable["sheet"] == sheet]
        if not len(part):
            return {}
        lang = lang or self.lang
        position = {int(r): i for i, r in enumerate(frame[ROW].to_numpy())}
        messages = {(f.row, f.column): f"{f.code} {f.message(lang)}" for f in self.reader_findings()
                    if f.sheet == sheet and f.code in (UNREADABLE, UNKNOWN_OPTION)}
        out: dict[str, dict[int, tuple[str, str]]] = {}
        for row, column, value in zip(part["row"], part["column"], part["value"]):
            pos = position.get(int(row))
            if pos is None or plain(value) is None:
                continue
            # a datetime with a space; a date or a time-only cell (a date cell below 1, as calamine reads it) as is
            text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else \
                value.isoformat() if hasattr(value, "isoformat") else str(value)
            out.setdefault(str(column), {})[pos] = (text, messages.get((int(row), column), ""))
        return out

    @classmethod
    def from_records(cls, records: Mapping[str, pd.DataFrame | list[dict[str, Any]]],
                     settings: Settings | None = None, lang: str = "zh-CN", source: str | None = None,
                     units: Mapping[str, Mapping[str, tuple[Any, str | None]]] | None = None) -> "Register":
        """Build a Register from canonical-keyed records (tests, demo data, the Excel port).

        Records are parsed exactly as cells read from a file are; row numbers are assigned as if
        each sheet's header were in row 1, unless a ``_row`` column is given. Settings sheets in
        ``records`` are applied over ``settings`` (or the defaults). ``units``: sheet → money
        column → (factor, currency) of its header's unit (see :func:`build_frame`).
        """
        frames: dict[str, pd.DataFrame] = {}
        unreadable = []
        raw_frames = {k: (v if isinstance(v, pd.DataFrame) else pd.DataFrame(list(v))) for k, v in records.items()}
        base = settings or Settings()
        day_first = base.date_day_first
        for key, sheet in SHEETS.items():
            raw = raw_frames.get(key)
            if raw is None:
                frames[key] = empty_frame(sheet)
                continue
            rows = raw[ROW] if ROW in raw.columns else pd.Series(np.arange(2, len(raw) + 2))
            frame, bad = build_frame(sheet, raw.drop(columns=[ROW], errors="ignore"), rows, day_first,
                                     units=(units or {}).get(key))
            frames[key] = frame
            unreadable.append(bad)
        reg = cls(frames=frames, settings=base, lang=lang, source=source,
                  unreadable=_concat(unreadable), sheet_names={k: SHEETS[k].label(lang) for k in raw_frames if k in SHEETS})
        if any(k in raw_frames for k in ("settings", "stages", "fx_rates", "holidays")):
            reg.settings, found = settings_from_frames(frames, base, {k: k in raw_frames for k in SHEETS})
            reg.findings.extend(found)
        return reg


def _with_cell(f: Finding, cell: str | None) -> Finding:
    from dataclasses import replace

    return replace(f, cell=cell)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=UNREADABLE_COLUMNS)


def plain(value: Any) -> Any:
    """A cell value with every kind of missing (NA, NaT, NaN) as None, so ``==`` and ``bool`` on it
    never meet pandas' ambiguous NA."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (missing where absent), aligned with ``keys``, in ``table``'s
    dtype — also when ``table`` is empty, where ``keys.map(table)`` would give float64 and a later
    ``fillna`` with text fails. The first entry wins where ``table`` has a key twice."""
    if table.index.has_duplicates:
        table = table[~table.index.duplicated()]
    values = table.reindex(pd.Index(keys.astype(object).where(keys.notna(), None)))
    return pd.Series(values.to_numpy(), index=keys.index, dtype=values.dtype)


def record(row: pd.Series | Mapping[str, Any]) -> dict[str, Any]:
    """One record (a frame row) as a plain dict: missing values are None (see :func:`plain`)."""
    return {k: plain(v) for k, v in (row.items() if hasattr(row, "items") else dict(row).items())}


def _records(frame: pd.DataFrame, columns: list[str]) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for rec in frame[columns + [ROW]].to_dict("records"):
        row = int(rec.pop(ROW))
        clean = {}
        for k, v in rec.items():
            v = plain(v)
            clean[k] = v.date() if isinstance(v, pd.Timestamp) else v
        out.append((row, clean))
    return out


# The policy tables Settings are built from (:func:`settings_from_frames`); they hold no customer data.
SETTINGS_SHEETS = ("settings", "stages", "fx_rates", "holidays")


def settings_from_frames(frames: Mapping[str, pd.DataFrame], base: Settings | None = None,
                         present: Mapping[str, bool] | None = None,
                         raw_values: list[tuple[int, str, Any]] | None = None) -> tuple[Settings, list[Finding]]:
    """Settings from the typed settings frames, applied over ``base`` (default: the SPEC defaults);
    whatever the sheets do not set — a missing key, a missing sheet — keeps its ``base`` value."""
    present = present or {}
    if raw_values is None:
        s = frames.get("settings")
        raw_values = [] if s is None else [
            (int(r), str(k), v) for r, k, v in zip(s[ROW], s["key"], s["value"]) if isinstance(k, str)]
    rows = SettingsRows(
        values=raw_values,
        stages=_records(frames["stages"], ["stage", "probability", "min_probability", "max_probability", "stale_days"])
        if present.get("stages") else None,
        fx_rates=_records(frames["fx_rates"], ["currency", "rate", "valid_from"]) if present.get("fx_rates") else None,
        holidays=_records(frames["holidays"], ["date", "name", "kind"]) if present.get("holidays") else None,
    )
    settings, findings = load_settings(rows)
    if base is not None:  # the fields the workbook set (pydantic records them) override the base
        settings = base.model_copy(update={k: getattr(settings, k) for k in settings.model_fields_set})
    return settings, findings
