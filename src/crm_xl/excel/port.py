"""Excel port: the few block operations the Excel entry points need, and two implementations.

`ExcelPort` is the protocol; `XlwingsPort` moves whole 2-D blocks to and from a live workbook
through xlwings (one call per sheet read, one per block written); `RecordingPort` is an in-memory
workbook (loaded from an .xlsx/.xlsm with python-calamine, or written from a Register) that records
and counts every call, for tests and for running the entry points without Excel.
`read_register(port)` turns the port's sheets into a :class:`~crm_xl.register.Register` with the
same header mapping, row numbers and Settings handling as the file reader.

Addresses are A1 strings (``"C12"``); a block is a list of rows. Text is always written as text,
never as a formula (SPEC F9.6) nor re-typed by Excel (``"2026-03-05"`` stays that text, not a
date; ``"30,128.00"`` stays text, not a number): `XlwingsPort` writes every string with Excel's
text prefix (a leading apostrophe, which is not part of the value). `add_hyperlinks` is the only
way a formula reaches a cell. Sheet names are matched ignoring case, as Excel matches them.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from crm_xl.findings import Finding, column_letter
from crm_xl.i18n import LANGS, fold
from crm_xl.messages import MISSING_COLUMN
from crm_xl.register import ROW, SETTINGS_SHEETS, Register, settings_from_frames
from crm_xl.intake.matching import header_hits, match_headers
from crm_xl.intake.report import IntakeReport, SheetIntake, key_figure_findings, unit_scales
from crm_xl.schema import DATA_SHEETS, SHEETS
from crm_xl.settings import Settings

Block = list[list[Any]]
HEADER_SCAN_ROWS = 10

__all__ = ["Block", "CloudPathUnmapped", "ExcelPort", "RecordingPort", "SheetLayout", "XlwingsPort", "cell_address",
           "find_sheet", "link_formula", "parse_address", "read_register", "read_settings", "sheet_ref"]


@runtime_checkable
class ExcelPort(Protocol):
    """What the Excel entry points do to a workbook; every method is one round trip."""

    def book_name(self) -> str:
        """The workbook's file name."""

    def book_path(self) -> str | None:
        """Full path of the workbook file (None when never saved)."""

    def selection(self) -> tuple[str, int] | None:
        """The sheet and 1-based row of the selected cell (None when nothing is selected)."""

    def sheet_names(self) -> list[str]:
        """Names of all sheets, in workbook order."""

    def read_sheet(self, sheet: str) -> Block:
        """The sheet's values from A1 to the last used cell (blank cells are None)."""

    def write_block(self, sheet: str, address: str, values: Block) -> None:
        """Write a rectangular block with its top-left cell at `address` (text stays text)."""

    def clear(self, sheet: str, address: str | None = None) -> None:
        """Clear contents and formats of a range (the whole sheet when `address` is None)."""

    def ensure_sheet(self, sheet: str, *, clear: bool = True, hidden: bool = False) -> None:
        """Create the sheet (after the last one) if missing; clear it when `clear`; hide it when `hidden`."""

    def set_fill(self, sheet: str, cells: Sequence[str], color: str | None) -> None:
        """Fill `cells` with `color` (``#RRGGBB``), or remove their fill when None."""

    def set_notes(self, sheet: str, notes: Mapping[str, str | None]) -> None:
        """Add or replace the note of each cell; None removes the cell's note."""

    def add_hyperlinks(self, sheet: str, links: Sequence[tuple[str, str, str]]) -> None:
        """Put a link in each (cell, target, text): target ``'Sheet'!C12`` (in the workbook) or a URL."""

    def status(self, text: str | None) -> None:
        """Show `text` in the status bar (None gives the status bar back to Excel)."""

    def message(self, text: str, title: str = "crm-xl") -> None:
        """Show a message box."""


# ------------------------------------------------------------------------------------ addresses
_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_address(address: str) -> tuple[int, int]:
    """``"C12"`` → (row 12, column index 2) (row 1-based, column 0-based)."""
    match = _ADDRESS.match(address.strip())
    if match is None:
        raise ValueError(f"not a cell address: {address!r}")
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col - 1


def cell_address(row: int, col: int) -> str:
    """(row 1-based, column 0-based) → ``"C12"``."""
    return f"{column_letter(col)}{row}"


def link_formula(target: str, text: str) -> str:
    """An ``=HYPERLINK`` formula; an in-workbook target gets the ``#`` prefix Excel needs."""
    where = target if "://" in target or target.startswith(("mailto:", "#")) else "#" + target
    return '=HYPERLINK("{}","{}")'.format(where.replace('"', '""'), text.replace('"', '""'))


def sheet_ref(sheet: str, cell: str) -> str:
    """``'Sheet name'!C12`` with quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def find_sheet(names: Sequence[str], sheet: str) -> str | None:
    """The workbook's own spelling of `sheet` among `names`, ignoring case as Excel does (None: absent)."""
    folded = sheet.casefold()
    return next((name for name in names if name.casefold() == folded), None)


CLOUD_SETTINGS = ("ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_COMMERCIAL_WIN", "SHAREPOINT_WIN",
                  "ONEDRIVE_CONSUMER_MAC", "ONEDRIVE_COMMERCIAL_MAC", "SHAREPOINT_MAC")


class CloudPathUnmapped(Exception):
    """xlwings cannot map the workbook's OneDrive/SharePoint address to a local file."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def message(self, lang: str) -> str:
        from crm_xl.i18n import pick

        win, mac = ", ".join(CLOUD_SETTINGS[:3]), ", ".join(CLOUD_SETTINGS[3:])
        return pick(
            f"xlwings 找不到这个 OneDrive/SharePoint 工作簿在本机的同步文件夹（{self.detail}）。请在工作簿的"
            f"“xlwings.conf”表（或 xlwings 加载项的设置）里把对应的键设为本机的同步文件夹：Windows 用 {win}，"
            f"Mac 用 {mac}（在 xlwings.conf 表中删去键前的 #）；或者把工作簿另存到本地文件夹再点按钮。",
            f"xlwings cannot find the local synced folder of this OneDrive/SharePoint workbook ({self.detail}). "
            f"Set the matching key to your local synced folder in the workbook's xlwings.conf sheet (or the "
            f"xlwings add-in's settings): on Windows {win}, on a Mac {mac} (in the xlwings.conf sheet, delete the "
            "# in front of the key); or save the workbook to a local folder and click the button again.", lang)


def _is_cloud_error(exc: Exception) -> bool:
    text = str(exc)
    return type(exc).__name__ == "XlwingsError" or any(
        word in text for word in ("OneDrive", "SharePoint", "xlwings.org/error"))


# ------------------------------------------------------------------------------------ xlwings
class XlwingsPort:
    """The live workbook through xlwings; build it inside an entry function from ``xw.Book.caller()``."""

    def __init__(self, book: Any) -> None:
        self.book = book

    def book_name(self) -> str:
        return self.book.name

    def book_path(self) -> str | None:
        try:
            full = self.book.fullname
        except Exception as exc:  # noqa: BLE001 - xlwings raises XlwingsError for unmapped cloud paths
            if _is_cloud_error(exc):
                raise CloudPathUnmapped(str(exc)) from exc
            raise
        if full and "://" in full:
            raise CloudPathUnmapped(full)
        return full if full and Path(full).suffix else None

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def read_sheet(self, sheet: str) -> Block:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        values = ws.range((1, 1), (last.row, last.column)).options(ndim=2, empty=None).value
        return [list(r) for r in values or []]

    def write_block(self, sheet: str, address: str, values: Block) -> None:
        if not values or not values[0]:
            return
        self.book.sheets[sheet].range(address).value = [[_as_typed(v) for v in row] for row in values]

    def clear(self, sheet: str, address: str | None = None) -> None:
        ws = self.book.sheets[sheet]
        (ws.cells if address is None else ws.range(address)).clear()

    def ensure_sheet(self, sheet: str, *, clear: bool = True, hidden: bool = False) -> None:
        names = self.sheet_names()
        existing = find_sheet(names, sheet)
        if existing is not None:
            ws = self.book.sheets[existing]
            if clear:
                ws.cells.clear()
        else:
            ws = self.book.sheets.add(sheet, after=self.book.sheets[len(names) - 1])
        ws.visible = not hidden

    def set_fill(self, sheet: str, cells: Sequence[str], color: str | None) -> None:
        ws = self.book.sheets[sheet]
        for chunk in _address_chunks(cells):
            ws.range(chunk).color = color

    def set_notes(self, sheet: str, notes: Mapping[str, str | None]) -> None:
        ws = self.book.sheets[sheet]
        for cell, text in notes.items():
            rng = ws.range(cell)
            if rng.note is not None:
                rng.note.delete()
            if text:
                rng.add_note(text) if hasattr(rng, "add_note") else rng.api.AddComment(text)

    def add_hyperlinks(self, sheet: str, links: Sequence[tuple[str, str, str]]) -> None:
        ws = self.book.sheets[sheet]
        runs = _column_runs([(parse_address(c), link_formula(t, x)) for c, t, x in links])
        for (row, col), formulas in runs:  # one write per run of adjacent cells in a column
            ws.range(cell_address(row, col)).options(transpose=True).formula = formulas

    def selection(self) -> tuple[str, int] | None:
        selected = self.book.app.selection
        return (selected.sheet.name, selected.row) if selected is not None else None

    def status(self, text: str | None) -> None:
        self.book.app.status_bar = text if text else False

    def message(self, text: str, title: str = "crm-xl") -> None:
        self.book.app.alert(text, title=title)


def _as_typed(v: Any) -> Any:
    """A value for Excel's ``Range.Value``: text gets Excel's text prefix so Excel keeps it as typed.

    Without it Excel types a string as a user's typing would be: ``"2026-03-05"`` becomes a date,
    ``"30,128.00"`` a number, ``"=A1"`` a formula. The apostrophe is not part of the cell's value.
    """
    v = _excel_value(v)
    if isinstance(v, str):
        return "'" + v if v else None
    return v


def _excel_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _address_chunks(cells: Sequence[str], limit: int = 250) -> list[str]:
    """Union addresses (``"A1,C3"``) no longer than Excel's 255-character limit."""
    chunks, current = [], ""
    for cell in cells:
        if current and len(current) + len(cell) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current},{cell}" if current else cell
    return chunks + ([current] if current else [])


def _column_runs(items: list[tuple[tuple[int, int], str]]) -> list[tuple[tuple[int, int], list[str]]]:
    runs: list[tuple[tuple[int, int], list[str]]] = []
    for (row, col), value in sorted(items, key=lambda item: (item[0][1], item[0][0])):
        if runs and runs[-1][0][1] == col and runs[-1][0][0] + len(runs[-1][1]) == row:
            runs[-1][1].append(value)
        else:
            runs.append(((row, col), [value]))
    return runs


# ------------------------------------------------------------------------------------ recording
@dataclass
class RecordingPort:
    """An in-memory workbook that records every port call (name, sheet) and counts them."""

    sheets: dict[str, Block] = field(default_factory=dict)
    name: str = "book.xlsx"
    path: str | None = None
    hidden: set[str] = field(default_factory=set)
    fills: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    links: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    statuses: list[str | None] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)
    calls: list[tuple[str, str | None]] = field(default_factory=list)
    selected: tuple[str, int] | None = None  # (sheet, row) of the selected cell

    @classmethod
    def from_file(cls, path: str | Path) -> RecordingPort:
        """Load every sheet's values with python-calamine (blank cells → None, A1-anchored)."""
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheets: dict[str, Block] = {}
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets[name] = [[None if v == "" else v for v in row] for row in rows]
        return cls(sheets=sheets, name=Path(path).name, path=str(Path(path).resolve()))

    @classmethod
    def from_register(cls, register: Register, directory: str | Path, name: str = "book.xlsx",
                      lang: str | None = None) -> RecordingPort:
        """Write `register` as a workbook (the template writer) into `directory` and load it."""
        from crm_xl.ports.template import write_register

        path = Path(directory) / name
        write_register(path, register, lang=lang or register.lang, settings=register.settings)
        return cls.from_file(path)

    def save_values(self, path: str | Path) -> Path:
        """Write every sheet's values (no formats) to an .xlsx, e.g. to run the CLI on the same data."""
        import datetime as dt

        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                               "strings_to_numbers": False})
        dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        try:
            for name, grid in self.sheets.items():
                ws = book.add_worksheet(name)
                for r, row in enumerate(grid):
                    for c, v in enumerate(row):
                        if isinstance(v, dt.datetime) or isinstance(v, dt.date):
                            ws.write_datetime(r, c, v if isinstance(v, dt.datetime) else
                                              dt.datetime(v.year, v.month, v.day), dates)
                        elif isinstance(v, str):
                            ws.write_string(r, c, v)
                        elif v is not None:
                            ws.write(r, c, v)
        finally:
            book.close()
        return Path(path)

    # -- bookkeeping
    def _name(self, sheet: str) -> str:
        """The stored spelling of `sheet` (names ignore case, as in Excel)."""
        return find_sheet(list(self.sheets), sheet) or sheet

    def _call(self, name: str, sheet: str | None = None) -> None:
        self.calls.append((name, sheet))

    def count(self, name: str | None = None) -> int:
        """Number of calls (of one method, or all)."""
        return len(self.calls) if name is None else sum(1 for n, _ in self.calls if n == name)

    def call_counts(self) -> Counter[str]:
        return Counter(n for n, _ in self.calls)

    def value(self, sheet: str, cell: str) -> Any:
        """A cell's value (None when outside the used area)."""
        row, col = parse_address(cell)
        grid = self.sheets[self._name(sheet)]
        return grid[row - 1][col] if row - 1 < len(grid) and col < len(grid[row - 1]) else None

    # -- the protocol
    def book_name(self) -> str:
        self._call("book_name")
        return self.name

    def selection(self) -> tuple[str, int] | None:
        self._call("selection", self.selected[0] if self.selected else None)
        return self.selected

    def book_path(self) -> str | None:
        self._call("book_path")
        return self.path

    def sheet_names(self) -> list[str]:
        self._call("sheet_names")
        return list(self.sheets)

    def read_sheet(self, sheet: str) -> Block:
        self._call("read_sheet", sheet)
        sheet = self._name(sheet)
        grid = self.sheets[sheet]
        last_row = max((i + 1 for i, r in enumerate(grid) if any(v is not None for v in r)), default=0)
        last_col = max((j + 1 for r in grid for j, v in enumerate(r) if v is not None), default=0)
        return [[(r[j] if j < len(r) else None) for j in range(last_col)] for r in copy.deepcopy(grid[:last_row])]

    def write_block(self, sheet: str, address: str, values: Block) -> None:
        self._call("write_block", sheet)
        sheet = self._name(sheet)
        row, col = parse_address(address)
        for i, values_row in enumerate(values):
            for j, v in enumerate(values_row):
                self._put(sheet, row + i, col + j, _excel_value(v))

    def _put(self, sheet: str, row: int, col: int, value: Any) -> None:
        grid = self.sheets[sheet]
        while len(grid) < row:
            grid.append([])
        line = grid[row - 1]
        if len(line) <= col:
            line.extend([None] * (col + 1 - len(line)))
        line[col] = value

    def clear(self, sheet: str, address: str | None = None) -> None:
        self._call("clear", sheet)
        sheet = self._name(sheet)
        if address is None:
            self.sheets[sheet] = []
            for store in (self.fills, self.notes, self.links):
                for key in [k for k in store if k[0] == sheet]:
                    del store[key]
            return
        first, _, last = address.partition(":")
        (r1, c1), (r2, c2) = parse_address(first), parse_address(last or first)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if r - 1 < len(self.sheets[sheet]) and c < len(self.sheets[sheet][r - 1]):
                    self.sheets[sheet][r - 1][c] = None
                for store in (self.fills, self.notes, self.links):
                    store.pop((sheet, cell_address(r, c)), None)

    def ensure_sheet(self, sheet: str, *, clear: bool = True, hidden: bool = False) -> None:
        self._call("ensure_sheet", sheet)
        sheet = self._name(sheet)
        if sheet not in self.sheets:
            self.sheets[sheet] = []
        elif clear:
            self.sheets[sheet] = []
            for store in (self.fills, self.notes, self.links):
                for key in [k for k in store if k[0] == sheet]:
                    del store[key]
        (self.hidden.add if hidden else self.hidden.discard)(sheet)

    def set_fill(self, sheet: str, cells: Sequence[str], color: str | None) -> None:
        self._call("set_fill", sheet)
        sheet = self._name(sheet)
        for cell in cells:
            if color is None:
                self.fills.pop((sheet, cell), None)
            else:
                self.fills[(sheet, cell)] = color

    def set_notes(self, sheet: str, notes: Mapping[str, str | None]) -> None:
        self._call("set_notes", sheet)
        sheet = self._name(sheet)
        for cell, text in notes.items():
            if text:
                self.notes[(sheet, cell)] = text
            else:
                self.notes.pop((sheet, cell), None)

    def add_hyperlinks(self, sheet: str, links: Sequence[tuple[str, str, str]]) -> None:
        self._call("add_hyperlinks", sheet)
        sheet = self._name(sheet)
        for cell, target, text in links:
            self.links[(sheet, cell)] = (target, text)
            row, col = parse_address(cell)
            self._put(sheet, row, col, text)

    def status(self, text: str | None) -> None:
        self._call("status")
        self.statuses.append(text)

    def message(self, text: str, title: str = "crm-xl") -> None:
        self._call("message")
        self.messages.append((title, text))


# ------------------------------------------------------------------------------------ register
@dataclass(frozen=True)
class SheetLayout:
    """Where a register sheet sits in the workbook: its name, header row and column positions."""

    key: str
    name: str
    header_row: int  # 1-based Excel row of the header
    positions: dict[str, int]  # column key → 0-based column index
    last_row: int  # last Excel row of the used area


def _find_header(block: Block, sheet) -> tuple[int, int]:
    best, best_hits = 0, 0
    for r, row in enumerate(block[:HEADER_SCAN_ROWS]):
        hits = header_hits(sheet, row)
        if hits > best_hits:
            best, best_hits = r, hits
    return best, best_hits


def _plain(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def read_register(port: ExcelPort, only: Sequence[str] | None = None) -> tuple[Register, dict[str, SheetLayout]]:
    """Read every register sheet in one call each → (Register, layout per sheet key).

    `only` limits the reading to these sheet keys (e.g. the Settings sheets for the UDFs).

    Same rules as the file reader: sheet and header labels in any language (folded), the header
    found among the first rows, Excel row numbers kept in ``_row``, unknown columns kept, the
    Settings sheets applied (wrong values become findings), required columns that are missing
    reported, and the language taken from Settings or else from the sheet labels.
    """
    from crm_xl.ports.reader import match_workbook_sheets

    blocks: dict[str, Block] = {}

    def head(name: str) -> Block:
        blocks[name] = port.read_sheet(name)
        return blocks[name][:HEADER_SCAN_ROWS]

    found, matched_by, unplaced = match_workbook_sheets(port.sheet_names(), head if only is None else (lambda n: []))
    if only is not None:
        found = {k: v for k, v in found.items() if k in only}
    votes: Counter[str] = Counter()
    for key, name in found.items():
        for code in LANGS:
            if fold(SHEETS[key].label(code)) == fold(name):
                votes[code] += 1
    if only is None and not any(k in found for k in DATA_SHEETS):
        from crm_xl.ports.errors import UnreadableWorkbook

        raise UnreadableWorkbook(port.book_name(), "no_register_sheets")
    lang = max(LANGS, key=lambda code: (votes[code], code == "zh-CN")) if votes else "zh-CN"

    records: dict[str, pd.DataFrame] = {}
    layouts: dict[str, SheetLayout] = {}
    findings: list[Finding] = []
    raw_settings: list[tuple[int, str, Any]] = []
    extras: dict[str, list[str]] = {}
    intake = IntakeReport(unknown_sheets=unplaced if only is None else [])
    units: dict[str, dict[str, Any]] = {}  # sheet → money column → (factor, currency) of its header's unit
    for key, name in found.items():
        sheet = SHEETS[key]
        block = blocks.pop(name, None) or port.read_sheet(name)
        header, hits = _find_header(block, sheet)
        if hits == 0:
            continue
        positions: dict[str, int] = {}
        columns: dict[str, list[Any]] = {}
        body = block[header + 1:]
        extra_names: list[str] = []
        matches = match_headers(sheet, block[header])
        scales = unit_scales(key, matches)  # 年采购额(万元): the numbers × 10,000
        units[key] = {m.key: scales[m.index] for m in matches if m.index in scales}
        for m in matches:
            index = m.index
            values = [row[index] if index < len(row) else None for row in body]
            if m.key:
                positions[m.key] = index
                columns[m.key] = values
            elif m.header not in columns:
                columns[m.header] = values
                extra_names.append(m.header)
        intake.sheets[key] = SheetIntake(key, name, matched_by.get(key, "exact"), header + 1,
                                         sum(1 for row in body if any(v not in (None, "") for v in row)), matches)
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()},
                             index=pd.RangeIndex(len(body)))
        frame[ROW] = np.arange(len(body), dtype="int64") + header + 2
        records[key] = frame
        extras[key] = extra_names
        layouts[key] = SheetLayout(key, name, header + 1, positions, len(block))
        for column in sheet.columns:
            if column.required and column.key not in positions and not column.derived:
                findings.append(Finding(key, header + 1, None, MISSING_COLUMN, "error", {"label": column.label(lang)}))
        if key == "settings" and "key" in columns:
            for row, k, v in zip(frame[ROW], columns["key"], columns.get("value", [None] * len(body))):
                if isinstance(k, str) and k.strip():
                    raw_settings.append((int(row), k.strip(), _plain(v)))

    day_first = Settings().date_day_first
    for _, k, v in raw_settings:
        if fold(k) == fold("date_day_first") and v is not None:
            day_first = fold(str(v)) not in {"false", "no", "0", "否", "n"}
    try:
        source = port.book_path() or port.book_name()
    except CloudPathUnmapped:  # the path only labels the register; the entry points report it
        source = port.book_name()
    register = Register.from_records(records, settings=Settings(date_day_first=day_first), lang=lang,
                                     source=source, units=units)
    present = {k: k in records for k in SHEETS}
    settings, setting_findings = settings_from_frames(register.frames, Settings(), present, raw_settings)
    register.settings = settings
    register.findings = findings + setting_findings + intake.findings(lang) + key_figure_findings(intake, lang)
    register.intake = intake
    if "language" in {fold(k) for _, k, _ in raw_settings}:
        register.lang = settings.language
    register.positions = {k: v.positions for k, v in layouts.items()}
    register.sheet_names = {k: v.name for k, v in layouts.items()}
    register.extras = extras
    return register, layouts



def read_settings(port: ExcelPort) -> Settings:
    """The workbook's Settings (its four Settings sheets, defaults where missing or wrong)."""
    register, _ = read_register(port, only=SETTINGS_SHEETS)
    return register.settings
