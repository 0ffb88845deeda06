"""Many data rows into an xlsxwriter worksheet at once, column by column (the file port's fast path).

xlsxwriter stores every cell as an object and writes its XML at ``close()``, about 10 µs a cell in
this Python; a register of 100k customers has 40 M cells. :class:`RowsWorksheet` takes a block of
rows as columns (one list of values per column) and turns each value into its cell XML the way
xlsxwriter's own ``write_*`` methods would: the same value types, number text, date serials,
shared strings registered in the same order, styles numbered in the same order, the same row
``spans``, so the file is the one the per-cell calls wrote, byte for byte. Whatever xlsxwriter
itself writes above and below the block (header rows, tables, validations, comments, print
settings) stays xlsxwriter's.

With ``inline=True`` (what xlsxwriter's constant-memory mode does for huge sheets) text goes into
the cells instead of the shared-string table and the finished rows go to a temporary file a chunk
at a time, so memory does not grow with the number of rows.

A cell value is what the per-cell writers took: a ``str`` is text; ``None``, NaN, ``pd.NA`` and
``NaT`` are empty (a blank cell only when it has a format, like ``write_blank``); a ``bool`` is a
boolean; an ``int`` or ``float`` a number; a ``datetime``/``date``/``pd.Timestamp`` a date serial;
anything else its ``str()`` as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from typing import Any, Sequence

import numpy as np
import pandas as pd
from xlsxwriter.utility import (_datetime_to_excel_datetime, _preserve_whitespace, _utf16_len, _utf16_truncate,
                                xl_col_to_name, xl_range)
from xlsxwriter.worksheet import Worksheet, convert_range_args
from xlsxwriter.xmlwriter import XMLwriter

__all__ = ["RowsWorksheet", "date_serials"]

CHUNK_ROWS = 20_000
_STRMAX = 32767
_escape_control = XMLwriter._escape_control_characters
_EPOCH_US = (dt.datetime(1899, 12, 31) - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
_MARCH_1900_US = (dt.datetime(1900, 3, 1) - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
_DAY_US = 86_400_000_000


def _escape_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def date_serials(values: pd.Series) -> list:
    """A datetime64 column as Excel serials (float, or None for NaT), exactly the numbers
    xlsxwriter's ``write_datetime`` computes from each value's ``to_pydatetime()``; None when the
    column cannot be done this way (time zones), so the caller writes its values one by one."""
    dtype = values.dtype
    if not pd.api.types.is_datetime64_dtype(dtype) or getattr(dtype, "tz", None) is not None:
        return None
    us = values.to_numpy(dtype="datetime64[us]").view("int64")
    nat = np.isnat(values.to_numpy(dtype="datetime64[us]"))
    rel = us - _EPOCH_US
    days = rel // _DAY_US
    rest = rel - days * _DAY_US
    seconds = (rest // 1_000_000).astype(np.float64)
    micro = (rest % 1_000_000).astype(np.float64)
    serial = days.astype(np.float64) + (seconds + micro / 1e6) / (60 * 60 * 24)
    serial = np.where(serial > 59, serial + 1, serial)
    out = serial.tolist()
    early = (~nat) & (us < _MARCH_1900_US)  # xlsxwriter's 1900 quirks: done by xlsxwriter itself
    for i in np.flatnonzero(nat):
        out[i] = None
    for i in np.flatnonzero(early):
        out[i] = _datetime_to_excel_datetime(values.iloc[i].to_pydatetime(), False, False)
    return out


class RowsWorksheet(Worksheet):
    """An xlsxwriter worksheet with :meth:`write_rows`: a block of rows given as columns."""

    def __init__(self) -> None:
        super().__init__()
        self._block: dict[str, Any] | None = None

    @convert_range_args
    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int, options=None):
        """xlsxwriter's ``add_table``, without its entry per cell: to find overlaps it records every
        cell of the table (rows × columns, ≈ 600,000 dict entries for the activities of 10k customers,
        the largest single cost of writing a register's tables). The first table of a sheet without
        merged cells is recorded as its rectangle instead (:class:`_TableRange` answers the same
        look-ups), so a later table or merge still finds the overlap xlsxwriter would have found."""
        if self.table_cells or self.merged_cells:  # not the first range: xlsxwriter's own check
            return super().add_table(first_row, first_col, last_row, last_col, options)
        self.table_cells = _NoCells()
        try:
            result = super().add_table(first_row, first_col, last_row, last_col, options)
        finally:
            self.table_cells = {}
        if result != -1 and result != -3:  # -1/-3: refused before any cell was recorded
            r0, r1 = sorted((first_row, last_row))
            c0, c1 = sorted((first_col, last_col))
            self.table_cells = _TableRange((r0, c0, r1, c1), xl_range(r0, c0, r1, c1))
        return result

    def write_rows(self, first_row: int, columns: Sequence[tuple[int, Any, Any]], n_rows: int, *,
                   inline: bool = False, chunk_rows: int = CHUNK_ROWS) -> None:
        """Write ``n_rows`` rows from ``first_row`` (0-based). ``columns``: (column index, values,
        format) with ``values`` a list or a callable ``(start, stop) -> list`` (so a big column is
        taken a chunk at a time) and ``format`` a Format, None, or a list with one per row. A value
        without a format takes the column's (``set_column`` before this call), as in xlsxwriter.
        ``inline``: text in the cells and the rows streamed to a temporary file (xlsxwriter's
        constant-memory way) instead of the shared-string table. Once per worksheet; nothing else
        may be written into these rows (comments may)."""
        if self._block is not None:
            raise ValueError("write_rows: one block per worksheet")
        if self.date_1904 or self.remove_timezone or self.default_date_format is not None \
                or self.excel_version == 2010 or self.default_row_height != self.original_row_height:
            raise ValueError("write_rows: 1904 dates, removed time zones, a default date format, Excel 2010 "
                             "rows and a default row height are not supported")
        if n_rows <= 0 or not columns:
            return
        columns = sorted(columns, key=lambda c: c[0])
        cols = [c for c, _, _ in columns]
        fallbacks = [info.column_format if (info := self.col_info.get(c)) is not None else None for c in cols]
        block: dict[str, Any] = {"first": first_row, "last": first_row + n_rows - 1, "cols": cols,
                                 "letters": [xl_col_to_name(c) for c in cols], "inline": inline,
                                 "formats": [f for _, _, f in columns], "fallbacks": fallbacks,
                                 "tails": [[] for _ in cols], "file": None}
        if inline:
            block["file"] = tempfile.TemporaryFile("w+", encoding="utf-8", dir=self.tmpdir)
        strings = self.str_table
        sst_tails: dict[int, str] = {}
        min_row = max_row = min_col = max_col = None
        for start in range(0, n_rows, chunk_rows):
            stop = min(start + chunk_rows, n_rows)
            tails, texts = [], []
            for k, (col, values, fmt) in enumerate(columns):
                chunk = values(start, stop) if callable(values) else values[start:stop]
                if len(chunk) != stop - start:
                    raise ValueError(f"write_rows: column {col} has {len(chunk)} values for {stop - start} rows")
                typed, text = self._typed(chunk, fmt, start, inline)
                tails.append(typed)
                texts.append(text)
            if not inline:  # shared strings numbered row by row, as the per-cell calls numbered them
                get = strings._get_shared_string_index
                numbered = [[None if t is None else get(t) for t in row] for row in zip(*texts)]
                for k, column in enumerate(zip(*numbered)) if numbered else ():
                    if texts[k].count(None) == len(column):
                        continue
                    typed = tails[k]
                    for i, index in enumerate(column):
                        if index is not None:
                            tail = sst_tails.get(index)
                            if tail is None:
                                tail = sst_tails[index] = f' t="s"><v>{index}</v></c>'
                            typed[i] = tail
            for k, typed in enumerate(tails):
                if any(t is not None for t in typed):
                    min_col = cols[k] if min_col is None else min(min_col, cols[k])
                    max_col = cols[k] if max_col is None else max(max_col, cols[k])
            rows = [i for i, cells in enumerate(zip(*tails)) if any(t is not None for t in cells)]
            if rows:
                min_row = first_row + start + rows[0] if min_row is None else min_row
                max_row = first_row + start + rows[-1]
            if inline:
                block["file"].write(self._render(block, tails, first_row + start, spans=None))
            else:
                for k, typed in enumerate(tails):
                    block["tails"][k].extend(typed)
        self._block = block
        if min_row is not None:
            self._check_dimensions(min_row, min_col)
            self._check_dimensions(max_row, max_col)

    def _typed(self, values: list, fmt, start: int, inline: bool) -> tuple[list, list]:
        """Each value's cell XML after its ``r`` and ``s`` attributes (None: no cell) and, apart,
        the texts still to be numbered in the shared-string table (None: not a text). Text, floats,
        ints and None, nearly every cell, take a short way; in-line texts are rendered together
        (:func:`_inline_texts`)."""
        explicit = fmt[start:start + len(values)] if isinstance(fmt, list) else None
        typed: list = []
        texts: list = [None] * len(values)
        inline_at: list[int] = []
        inline_texts: list[str] = []
        tail = self._tail
        append = typed.append
        for i, v in enumerate(values):
            cls = v.__class__
            if cls is str:
                append(None)
                if inline:
                    inline_at.append(i)
                    inline_texts.append(_fit(v))
                else:
                    texts[i] = _fit(v)
                continue
            if cls is float:
                if v == v:
                    append(_number(v))
                    continue
            elif cls is int:
                append(_number(v))
                continue
            elif v is not None:
                if isinstance(v, str):
                    v = _fit(str(v))
                    append(None)
                    if inline:
                        inline_at.append(i)
                        inline_texts.append(v)
                    else:
                        texts[i] = v
                    continue
                t = tail(v)
                if t is not None:
                    if type(t) is str:
                        append(t)
                    else:  # a value written as its str(): a text
                        append(None)
                        if inline:
                            inline_at.append(i)
                            inline_texts.append(t.text)
                        else:
                            texts[i] = t.text
                    continue
            # empty: a blank cell with its format (write_blank), else no cell
            append("/>" if (fmt if explicit is None else explicit[i]) is not None else None)
        for i, t in zip(inline_at, _inline_texts(inline_texts)):
            typed[i] = t
        return typed, texts

    @staticmethod
    def _tail(v):
        """The typed part of a non-text cell (``><v>…</v></c>``), None when empty, or a
        :class:`_AsText` for a value written as its ``str()``."""
        if v is None or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
            if isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            if not isinstance(v, dt.datetime):
                v = dt.datetime(v.year, v.month, v.day)
            return _number(_datetime_to_excel_datetime(v, False, False))
        if isinstance(v, bool):
            return f' t="b"><v>{1 if v else 0}</v></c>'
        if isinstance(v, (int, float)):
            return _number(v)
        return _AsText(_fit(str(v)))

    @staticmethod
    def _text(text: str) -> str:
        """An in-line text cell's typed part (constant-memory style)."""
        return _text(text)

    def _styles(self, block: dict[str, Any]) -> None:
        """Style numbers for the block's formats in the order the per-cell writer gave them (the
        first cell using a format, row by row), then each column's (or each row's) ``s`` attribute."""
        first_use = []
        for k, (fmt, fallback, typed) in enumerate(zip(block["formats"], block["fallbacks"], block["tails"])):
            if isinstance(fmt, list):
                seen = set()
                for i, t in enumerate(typed):
                    shown = fmt[i] or fallback
                    if t is not None and shown is not None and id(shown) not in seen:
                        seen.add(id(shown))
                        first_use.append((i, k, shown))
            else:
                shown = fmt or fallback
                i = next((i for i, t in enumerate(typed) if t is not None), None)
                if i is not None and shown is not None:
                    first_use.append((i, k, shown))
        for _, _, shown in sorted(first_use, key=lambda u: (u[0], u[1])):
            shown._get_xf_index()

    def _render(self, block: dict[str, Any], tails: list[list], row0: int, spans: dict | None) -> str:
        """The ``<row>`` elements of rows ``row0 …`` (0-based) from their cells' typed parts."""
        styles = []
        for fmt, fallback in zip(block["formats"], block["fallbacks"]):
            if isinstance(fmt, list):
                start = row0 - block["first"]
                known: dict[int, str] = {}  # a format's s="…", asked of it once (its index never changes)
                column = []
                for f in fmt[start:start + len(tails[0])]:
                    f = f or fallback
                    attr = known.get(id(f))
                    if attr is None:
                        attr = known[id(f)] = _style(f)
                    column.append(attr)
                styles.append(column)
            else:
                styles.append(_style(fmt or fallback))
        letters = block["letters"]
        comments = self.comments
        out = []
        row = row0
        for i, cells in enumerate(zip(*tails)):
            rs = str(row + 1)
            parts = [f'<c r="{letter}{rs}"{style if type(style) is str else style[i]}{tail}'
                     for letter, style, tail in zip(letters, styles, cells) if tail is not None]
            span = f' spans="{spans[row // 16]}"' if spans is not None and row // 16 in spans else ""
            if parts:
                out.append(f'<row r="{rs}"{span}>{"".join(parts)}</row>')
            elif row in comments:
                out.append(f'<row r="{rs}"{span}/>')
            row += 1
        return "".join(out)

    # ---- at close: xlsxwriter's rows above the block, the block, xlsxwriter's rows below -------

    def _calculate_spans(self) -> None:
        block = self._block
        if block is None or block["inline"]:
            super()._calculate_spans()
            return
        if "spans" in block:
            self.row_spans = block["spans"]
            return
        first, last = block["first"], block["last"]
        ranges = {}
        for i, cells in enumerate(zip(*block["tails"])):
            present = [k for k, t in enumerate(cells) if t is not None]
            if present:
                ranges[first + i] = (block["cols"][present[0]], block["cols"][present[-1]])
        spans: dict[int, str] = {}
        low = high = None
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            used = []
            if first <= row <= last:
                used.extend(ranges.get(row, ()))
            elif row in self.table:
                used.extend(c for c in self.table[row] if self.dim_colmin <= c <= self.dim_colmax)
            if row in self.comments:
                used.extend(c for c in self.comments[row] if self.dim_colmin <= c <= self.dim_colmax)
            if used:
                low = min(used) if low is None else min(low, *used)
                high = max(used) if high is None else max(high, *used)
            if (row + 1) % 16 == 0 or row == self.dim_rowmax:
                if low is not None:
                    spans[row // 16] = f"{low + 1}:{high + 1}"
                    low = high = None
        block["spans"] = self.row_spans = spans

    def _write_rows(self) -> None:
        block = self._block
        if block is None:
            super()._write_rows()
            return
        first, last = block["first"], block["last"]
        inside = [r for r, cells in self.table.items() if cells and first <= r <= last]
        inside += [r for r in self.row_info if first <= r <= last]
        if inside:
            raise ValueError(f"write_rows: row {inside[0] + 1} was also written cell by cell")
        low, high = self.dim_rowmin, self.dim_rowmax
        try:
            self._calculate_spans()  # over the whole sheet, before the dimensions are cut below
            if low < first:
                self.dim_rowmax = min(high, first - 1)
                super()._write_rows()
                self.dim_rowmax = high
            if block["inline"]:
                block["file"].seek(0)
                while data := block["file"].read(1 << 20):
                    self.fh.write(data)
            elif first <= high:
                self._styles(block)
                tails = block["tails"]
                for start in range(0, last - first + 1, CHUNK_ROWS):
                    part = [t[start:start + CHUNK_ROWS] for t in tails]
                    self.fh.write(self._render(block, part, first + start, block["spans"]))
            if high > last:
                self.dim_rowmin = max(low, last + 1)
                super()._write_rows()
        finally:
            self.dim_rowmin, self.dim_rowmax = low, high
            if block["file"] is not None:
                block["file"].close()


def _text(text: str) -> str:
    """An in-line text cell's typed part (constant-memory style), as xlsxwriter writes it."""
    text = _escape_control(text)
    preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f' t="inlineStr"><is><t{preserve}>{_escape_text(text)}</t></is></c>'


# What xlsxwriter's control-character escape changes (its two patterns, the second without NUL,
# which joins the texts below, and the two non-characters)
_CONTROL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x01-\x08\x0b-\x1f]|[\ufffe\uffff]")


def _inline_texts(texts: list[str]) -> list[str]:
    """:func:`_text` of each text, the same strings: when no text holds anything the control-character
    escape changes (one search over them all), they are escaped for XML in one pass, and the
    whitespace test (``^\\s`` or ``\\s$``, exactly ``str.isspace`` at either end) is done by hand."""
    if not texts:
        return []
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1 or _CONTROL.search(joined):
        return [_text(t) for t in texts]
    escaped = _escape_text(joined).split("\x00")
    return [f' t="inlineStr"><is><t xml:space="preserve">{e}</t></is></c>' if t[:1].isspace() or t[-1:].isspace()
            else f' t="inlineStr"><is><t>{e}</t></is></c>' for t, e in zip(texts, escaped)]


class _NoCells(dict):
    """A ``table_cells`` that records nothing (while :meth:`RowsWorksheet.add_table` runs)."""

    def get(self, key, default=None):
        return default

    def __setitem__(self, key, value) -> None:
        pass


class _TableRange(dict):
    """xlsxwriter's ``table_cells`` (cell → the table's range) for a table recorded as its
    rectangle; cells of later tables are entries as xlsxwriter records them."""

    def __init__(self, bounds: tuple[int, int, int, int], cell_range: str) -> None:
        super().__init__()
        self.bounds, self.cell_range = bounds, cell_range

    def get(self, key, default=None):
        r0, c0, r1, c1 = self.bounds
        row, col = key
        if r0 <= row <= r1 and c0 <= col <= c1:
            return self.cell_range
        return super().get(key, default)

    def __bool__(self) -> bool:
        return True


class _AsText:
    """A value the writer turns into text with ``str()`` (the per-cell writer's last resort)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _fit(text: str) -> str:
    """Texts longer than a cell holds are cut as xlsxwriter cuts them."""
    if len(text) > _STRMAX // 2 and _utf16_len(text) > _STRMAX:
        return _utf16_truncate(text, _STRMAX)
    return text


def _number(v) -> str:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' Workbook() option")
    return f"><v>{v:.16G}</v></c>"


def _style(fmt) -> str:
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
