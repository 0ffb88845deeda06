"""A fake of the part of xlwings' object model `XlwingsPort` uses, with Excel's (COM's) value semantics.

`FakeBook.from_file(path)` loads a workbook's values (python-calamine) and how far each sheet is
*formatted* (openpyxl's dimensions: the template formats rows below the data, and Excel's used
range includes them), so the real :class:`crm_xl.excel.port.XlwingsPort` can be driven without
Excel. What Excel does and this fake does too:

- reading gives numbers as ``float`` (COM has no integers), dates as ``datetime``, blanks as
  ``None`` (``options(empty=None)``), a 2-D list for ``ndim=2``; the used range runs to the last
  *formatted* cell, so blank formatted rows come back as rows of ``None``;
- writing a ``str`` through ``.value`` is typed as Excel types what a user types: ``"2026-03-05"``
  becomes a date, ``"30,128.00"`` the number 30128, ``"TRUE"`` a boolean, ``"=…"`` a formula; a
  leading apostrophe keeps the rest as text (and is not part of the value);
- sheet names are case-insensitive (``book.sheets["issues"]`` is the sheet "Issues"; adding
  "issues" next to "Issues" fails, as in Excel);
- ``book.fullname`` of a file on OneDrive/SharePoint that xlwings cannot map raises xlwings'
  ``XlwingsError`` (``FakeBook(url=…)``).

Every call that reaches "Excel" is counted in ``book.calls`` (one per property get/set or method).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

_NUMBER = re.compile(r"^\s*[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?\s*%?\s*$")
_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def excel_typed(value: Any) -> tuple[Any, str | None]:
    """(value as Excel stores it, formula or None) for a Python value assigned through COM."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        return float(value), None
    if isinstance(value, dt.datetime):
        return value, None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), None
    text = str(value)
    if text.startswith("'"):
        return text[1:], None
    if text.startswith("="):
        return None, text
    if text.strip().upper() in ("TRUE", "FALSE"):
        return text.strip().upper() == "TRUE", None
    if text.strip() and any(ch.isdigit() for ch in text) and _NUMBER.match(text):
        number = float(text.replace(",", "").replace("%", "").strip())
        return (number / 100 if "%" in text else number), None
    match = _DATE.match(text)
    if match:
        y, m, d, hh, mm, ss = (int(g) if g else 0 for g in match.groups())
        try:
            return dt.datetime(y, m, d, hh, mm, ss), None
        except ValueError:
            return text, None
    return text, None


class XlwingsError(Exception):
    """Stands for ``xlwings.XlwingsError`` (raised by ``Book.fullname`` for unmapped cloud paths)."""


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", address.strip())
    if match is None:
        raise ValueError(f"not a cell: {address!r}")
    return int(match.group(2)), _col(match.group(1))


def _areas(address: str) -> list[tuple[int, int, int, int]]:
    out = []
    for part in address.split(","):
        first, _, last = part.partition(":")
        (r1, c1), (r2, c2) = _cell(first), _cell(last or first)
        out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


class FakeApp:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self.statuses: list[Any] = []
        self.alerts: list[tuple[str, str]] = []

    @property
    def status_bar(self) -> Any:
        self._book.count("app.status_bar")
        return self.statuses[-1] if self.statuses else False

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self._book.count("app.status_bar=")
        self.statuses.append(value)

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self._book.count("app.alert")
        self.alerts.append((title or "", prompt))


class FakeNote:
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    @property
    def text(self) -> str:
        self._rng.sheet.book.count("note.text")
        return self._rng.sheet.notes[self._rng.top_left]

    def delete(self) -> None:
        self._rng.sheet.book.count("note.delete")
        self._rng.sheet.notes.pop(self._rng.top_left, None)


class FakeRange:
    def __init__(self, sheet: FakeSheet, areas: list[tuple[int, int, int, int]], **options: Any) -> None:
        self.sheet = sheet
        self.areas = areas
        self._options = {"ndim": None, "empty": None, "transpose": False, **options}

    @property
    def top_left(self) -> tuple[int, int]:
        return self.areas[0][0], self.areas[0][1]

    @property
    def row(self) -> int:
        return self.areas[0][0]

    @property
    def column(self) -> int:
        return self.areas[0][1]

    def options(self, **options: Any) -> FakeRange:
        return FakeRange(self.sheet, self.areas, **{**self._options, **options})

    @property
    def last_cell(self) -> FakeRange:
        r1, c1, r2, c2 = self.areas[-1]
        return FakeRange(self.sheet, [(r2, c2, r2, c2)])

    # -- values
    @property
    def value(self) -> Any:
        self.sheet.book.count("range.value")
        r1, c1, r2, c2 = self.areas[0]
        grid = [[self.sheet.values.get((r, c), self._options["empty"]) for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)]
        if self._options["ndim"] == 2:
            return grid
        if r1 == r2 and c1 == c2:
            return grid[0][0]
        if r1 == r2 or c1 == c2:
            return [v for row in grid for v in row]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.book.count("range.value=")
        r1, c1, _, _ = self.areas[0]
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [
            data if isinstance(data, list) else [data]]
        if self._options["transpose"]:
            rows = [list(col) for col in zip(*rows)]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.put(r1 + i, c1 + j, v)

    @property
    def formula(self) -> Any:
        self.sheet.book.count("range.formula")
        return self.sheet.formulas.get(self.top_left)

    @formula.setter
    def formula(self, data: Any) -> None:
        self.sheet.book.count("range.formula=")
        r1, c1, _, _ = self.areas[0]
        items = data if isinstance(data, list) else [data]
        if self._options["transpose"]:
            cells = [(r1 + i, c1) for i in range(len(items))]
        else:
            cells = [(r1, c1 + j) for j in range(len(items))]
        for (r, c), f in zip(cells, items):
            self.sheet.put(r, c, f)

    def clear(self) -> None:
        self.sheet.book.count("range.clear")
        for r, c in list(self.sheet.all_cells()):
            if any(a <= r <= b and x <= c <= y for a, x, b, y in self.areas):
                for store in (self.sheet.values, self.sheet.formulas, self.sheet.colors, self.sheet.notes):
                    store.pop((r, c), None)

    # -- formats
    @property
    def color(self) -> Any:
        self.sheet.book.count("range.color")
        colors = {self.sheet.colors.get((r, c)) for r, c in self._cells()}
        return colors.pop() if len(colors) == 1 else None

    @color.setter
    def color(self, value: Any) -> None:
        self.sheet.book.count("range.color=")
        for cell in self._cells():
            if value is None:
                self.sheet.colors.pop(cell, None)
            else:
                self.sheet.colors[cell] = value
                self.sheet.formatted.add(cell)

    @property
    def note(self) -> FakeNote | None:
        self.sheet.book.count("range.note")
        return FakeNote(self) if self.top_left in self.sheet.notes else None

    def add_note(self, text: str) -> None:
        self.sheet.book.count("range.add_note")
        if self.top_left in self.sheet.notes:
            raise RuntimeError("Excel: the cell already has a note")
        self.sheet.notes[self.top_left] = text

    def _cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r1, c1, r2, c2 in self.areas for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self._name = name
        self.visible = True
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.colors: dict[tuple[int, int], Any] = {}
        self.notes: dict[tuple[int, int], str] = {}
        self.formatted: set[tuple[int, int]] = set()

    @property
    def name(self) -> str:
        self.book.count("sheet.name")
        return self._name

    def all_cells(self) -> set[tuple[int, int]]:
        return set(self.values) | set(self.formulas) | set(self.colors) | set(self.notes) | self.formatted

    def put(self, row: int, col: int, raw: Any) -> None:
        value, formula = excel_typed(raw)
        self.formulas.pop((row, col), None)
        if formula is not None:
            self.formulas[(row, col)] = formula
            link = re.fullmatch(r'=HYPERLINK\("(?:[^"]|"")*","((?:[^"]|"")*)"\)', formula)
            value = link.group(1).replace('""', '"') if link else None
        if value is None:
            self.values.pop((row, col), None)
        else:
            self.values[(row, col)] = value

    @property
    def used_range(self) -> FakeRange:
        self.book.count("sheet.used_range")
        cells = self.all_cells()
        if not cells:
            return FakeRange(self, [(1, 1, 1, 1)])
        return FakeRange(self, [(min(r for r, _ in cells), min(c for _, c in cells),
                                 max(r for r, _ in cells), max(c for _, c in cells))])

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, tuple):
            r1, c1 = first
            r2, c2 = last if last is not None else first
            return FakeRange(self, [(r1, c1, r2, c2)])
        return FakeRange(self, _areas(first))

    @property
    def cells(self) -> FakeRange:
        return FakeRange(self, [(1, 1, 1_048_576, 16_384)])

    def grid(self) -> list[list[Any]]:
        """Values from A1 to the last cell with a value (for comparing with another port)."""
        if not self.values:
            return []
        rows, cols = max(r for r, _ in self.values), max(c for _, c in self.values)
        return [[self.values.get((r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self._list: list[FakeSheet] = []

    def __iter__(self):  # noqa: ANN204
        self._book.count("book.sheets")
        return iter(list(self._list))

    def __len__(self) -> int:
        return len(self._list)

    def __getitem__(self, key: str | int) -> FakeSheet:
        self._book.count("sheets[]")
        if isinstance(key, int):
            return self._list[key]
        for sheet in self._list:
            if sheet._name.casefold() == key.casefold():
                return sheet
        raise KeyError(key)

    def add(self, name: str, before: Any = None, after: Any = None) -> FakeSheet:
        self._book.count("sheets.add")
        if any(s._name.casefold() == name.casefold() for s in self._list):
            raise ValueError(f"Excel: the sheet name {name!r} is already taken (names ignore case)")
        sheet = FakeSheet(self._book, name)
        index = self._list.index(after) + 1 if after is not None else len(self._list)
        self._list.insert(index, sheet)
        return sheet


class FakeBook:
    def __init__(self, name: str = "Book1.xlsm", fullname: str | None = None, url: str | None = None) -> None:
        self.name = name
        self._fullname = fullname if fullname is not None else name
        self._url = url
        self.calls: Counter[str] = Counter()
        self.app = FakeApp(self)
        self.sheets = FakeSheets(self)

    def count(self, what: str) -> None:
        self.calls[what] += 1

    @property
    def fullname(self) -> str:
        self.count("book.fullname")
        if self._url:
            raise XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")
        return self._fullname

    def sheet(self, name: str) -> FakeSheet:
        """The sheet called `name` (uncounted; for tests)."""
        return next(s for s in self.sheets._list if s._name == name)

    @classmethod
    def from_file(cls, path: str | Path, formatted_rows: int = 0) -> FakeBook:
        """Values from python-calamine, formatted extent from openpyxl (``max_row``/``max_column``).

        `formatted_rows` adds that many formatted blank rows below each sheet's used range (a user
        who coloured or bordered rows ahead of the data), which Excel's used range includes.
        """
        import openpyxl
        from python_calamine import CalamineWorkbook

        path = Path(path)
        book = cls(name=path.name, fullname=str(path.resolve()))
        data = CalamineWorkbook.from_path(str(path))
        formats = openpyxl.load_workbook(path, read_only=True)
        for name in data.sheet_names:
            sheet = FakeSheet(book, name)
            book.sheets._list.append(sheet)
            for r, row in enumerate(data.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
                for c, v in enumerate(row, start=1):
                    if v == "" or v is None:
                        continue
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        v = float(v)
                    elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime(v.year, v.month, v.day)
                    sheet.values[(r, c)] = v
            ws = formats[name]  # read-only: max_row/max_column come from the stored <dimension>
            if ws.max_row and ws.max_column:
                sheet.formatted.add((ws.max_row + formatted_rows, ws.max_column))
        formats.close()
        book.calls.clear()
        return book
