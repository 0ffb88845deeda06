"""File port for ``crm-xl import``: a team's own workbooks and CSV files → plain tables.

Reads .xlsx/.xlsm/.xls/.xlsb/.ods with python-calamine (every sheet, every cell, the input only
read) and fills vertically merged cells with the value of their top cell — a merged 客户名称
over three order rows means that customer on all three. CSV files have their encoding detected
(UTF-8, UTF-8 with BOM, GBK/GB18030, Big5 … by charset-normalizer) and their delimiter sniffed.
The same safety checks as the register reader run first (size, zip bombs, encryption).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from crm_xl.intake.importer import SourceTable
from crm_xl.ports.errors import UnreadableWorkbook
from crm_xl.ports.reader import READABLE_KINDS, _panic_output_held, _SheetLoader, input_limits
from crm_xl.ports.safety import check_input

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def read_sources(paths: list[Path]) -> list[SourceTable]:
    out: list[SourceTable] = []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() in CSV_SUFFIXES:
            out.append(read_csv(path))
        else:
            with _panic_output_held():
                out.extend(read_workbook(path))
    return out


def read_csv(path: Path) -> SourceTable:
    if not path.is_file():
        raise UnreadableWorkbook(path, "file_missing")
    limits = input_limits()
    if path.stat().st_size > limits.max_file_bytes:
        raise UnreadableWorkbook(path, "file_too_large")
    data = path.read_bytes()
    text, encoding = decode_text(data)
    if text is None:
        raise UnreadableWorkbook(path, "not_a_spreadsheet", "unknown text encoding")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = [[_csv_cell(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return SourceTable(str(path), path.stem, rows, encoding=encoding)


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Bytes of a text file → (text, encoding name) with charset-normalizer; BOMs honoured."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf_8_sig"
    try:
        return data.decode("utf-8"), "utf_8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_16", "cp1252", "shift_jis"]).best()
    if best is None:
        best = from_bytes(data).best()
    if best is None:
        return None, None
    encoding = best.encoding
    if encoding in ("gbk", "gb2312"):
        encoding = "gb18030"  # a superset: a rare character does not become an error
    return data.decode(encoding, errors="replace"), encoding


def _csv_cell(text: str) -> Any:
    t = text.strip()
    return t if t else None


def read_workbook(path: Path) -> list[SourceTable]:
    info = check_input(path, input_limits())
    if info.kind not in READABLE_KINDS:
        raise UnreadableWorkbook(path, "not_a_spreadsheet", info.kind)
    from python_calamine import CalamineWorkbook

    def opener(source: str):
        return CalamineWorkbook.from_path(source)

    def loader(source: str, wb, name: str, key: str):
        return wb.get_sheet_by_name(name)  # calamine parses the sheet with the GIL released

    try:
        wb = opener(str(path))
        names = list(wb.sheet_names)
        tables: dict[str, SourceTable] = {}
        # sheets parsed on two threads (each with its own workbook) while this one turns the parsed
        # ones into rows; the largest first, and two big ones not at once (the register reader's way)
        with _SheetLoader(str(path), wb, [(n, n) for n in names], weights=dict(info.sheet_cells) or None,
                          opener=opener, loader=loader) as sheets:
            for name, sheet in sheets.results():
                # _plain for each cell, text (most cells) without a call
                rows = [[(None if v == "" else v) if v.__class__ is str else _plain(v) for v in r]
                        for r in sheet.to_python(skip_empty_area=False)]
                merged = getattr(sheet, "merged_cell_ranges", None) or []
                del sheet  # calamine's cells: the loader lets go of them too when the next is asked for
                fill_merged(rows, merged)
                tables[name] = SourceTable(str(path), name, rows)
        return [tables[n] for n in names]
    except BaseException as exc:  # calamine panics are BaseExceptions
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise UnreadableWorkbook(path, "corrupt_file", type(exc).__name__) from None


def fill_merged(rows: list[list[Any]], merged) -> None:
    """Give every cell of a vertically merged range the value of its top-left cell (in place).

    Horizontal merges (a title across the sheet) are left alone: one value, one cell.
    """
    for rng in merged:
        (r0, c0), (r1, c1) = rng
        if r1 <= r0 or r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else None
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                while len(rows[r]) <= c:
                    rows[r].append(None)
                if rows[r][c] in (None, ""):
                    rows[r][c] = top if c == c0 else rows[r0][c] if c < len(rows[r0]) else None


def _plain(v: Any) -> Any:
    if v == "":
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    return v
