"""File port, reading side: an .xlsx/.xlsm register → :class:`~crm_xl.register.Register`.

Reads with fastexcel (calamine into Arrow), the fastest reader measured here. Every column's type
is inferred over all rows (``schema_sample_rows=None``): a column holding more than one type of
cell arrives as text and is parsed in the core, so no cell is ever silently turned into an empty
one. The input file is only ever opened for reading.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import sys
import tempfile
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from crm_xl.findings import Finding
from crm_xl.i18n import LANGS, fold
from crm_xl.intake.matching import (
    GENERATED_SHEETS, guess_sheet_from_headers, header_hits, match_headers, match_sheet_name)
from crm_xl.intake.report import IntakeReport, SheetIntake, key_figure_findings, unit_scales
from crm_xl.messages import MISSING_COLUMN
from crm_xl.ports.crypto import decrypt_to_bytes, resolve_password
from crm_xl.ports.errors import UnreadableWorkbook
from crm_xl.ports.safety import InputLimits, check_input
from crm_xl.register import Register, _concat, build_frame, empty_frame, settings_from_frames
from crm_xl.schema import DATA_SHEETS, SHEETS
from crm_xl.settings import Settings

HEADER_SCAN_ROWS = 10
READABLE_KINDS = ("xlsx", "xlsm", "xltx", "xltm", "xlsb", "xls", "ods")
# fastexcel logs a warning for every column it reads as text; mixed columns are expected here.
logging.getLogger("fastexcel").setLevel(logging.ERROR)


def _open(source: str | Path | bytes | io.BytesIO):
    import fastexcel

    try:
        if isinstance(source, (bytes, io.BytesIO)):
            data = source.getvalue() if isinstance(source, io.BytesIO) else source
            return fastexcel.read_excel(data)
        return fastexcel.read_excel(str(source))
    except BaseException as exc:  # calamine panics surface as pyo3 PanicException (a BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise UnreadableWorkbook(_name(source), _reason(exc), type(exc).__name__) from None


def _name(source: Any) -> str:
    return "<memory>" if isinstance(source, (bytes, io.BytesIO)) else str(source)


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if "password" in text or "encrypt" in text:
        return "password_required"
    if "cannot detect" in text or "unsupported" in text:
        return "not_a_spreadsheet"
    return "corrupt_file"


def _guard(source: Any, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise UnreadableWorkbook(_name(source), "corrupt_file", type(exc).__name__) from None


def _find_header(reader, name: str, sheet, source) -> tuple[int, int]:
    """(0-based absolute header row, number of known headers) among the first rows."""
    head = _guard(source, reader.load_sheet, name, header_row=None, skip_rows=0, n_rows=HEADER_SCAN_ROWS,
                  dtypes="string")
    table = _guard(source, head.to_arrow)
    best, best_hits = 0, 0
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for r in range(table.num_rows):
        hits = header_hits(sheet, [col[r] for col in columns])
        if hits > best_hits:
            best, best_hits = r, hits
    return best, best_hits


def _head_rows(reader, name: str, source) -> list[list[object]]:
    head = _guard(source, reader.load_sheet, name, header_row=None, skip_rows=0, n_rows=HEADER_SCAN_ROWS,
                  dtypes="string")
    table = _guard(source, head.to_arrow)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [[col[r] for col in columns] for r in range(table.num_rows)]


def match_workbook_sheets(names: list[str], head_rows) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Source sheet names → (sheet key → name, sheet key → how it was matched, names not placed).

    By name first (label, synonym, fuzzy: :func:`crm_xl.intake.matching.match_sheet_name`), then,
    for a sheet whose name says nothing (Sheet1, 2026年), by the headers in its first rows.
    ``head_rows(name)`` gives those rows and is only called for such sheets.
    """
    found: dict[str, str] = {}
    how: dict[str, str] = {}
    unplaced: list[str] = []
    later: list[str] = []
    for name in names:
        m = match_sheet_name(name)
        if m.key and m.key not in found:
            found[m.key], how[m.key] = name, m.how
        elif m.key:
            unplaced.append(name)
        elif fold(name) not in GENERATED_SHEETS:
            later.append(name)
    for name in later:
        key, _, _ = guess_sheet_from_headers(head_rows(name),
                                             [k for k in DATA_SHEETS if k not in found])
        if key:
            found[key], how[key] = name, "headers"
        else:
            unplaced.append(name)
    return found, how, unplaced


@contextmanager
def _panic_output_held():
    """Keep calamine's Rust panic report off the terminal.

    Before pyo3 raises ``PanicException`` (turned into ``UnreadableWorkbook`` by ``_open``/``_guard``),
    Rust's panic hook writes "thread … panicked at …" — with ``RUST_BACKTRACE`` set, a whole stack
    backtrace — straight to file descriptor 2, bypassing ``sys.stderr``. While a workbook is read, fd 2
    points at a temporary file; afterwards anything in it that is not a panic report is written back.
    Main thread only: swapping a process-wide descriptor from several threads would tangle them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (e.g. a windowed process): nothing to hold
        yield
        return
    with tempfile.TemporaryFile() as held:
        _flush_stderr()
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            _flush_stderr()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = _without_panic_report(held.read())
            while text:
                text = text[os.write(2, text):]


def _without_panic_report(text: bytes) -> bytes:
    """What was written to stderr before a Rust panic report (the report and its backtrace dropped)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if b"panicked at" in line:
            before = b"".join(lines[:i])
            return before if before.strip() else b""
    return text


def _flush_stderr() -> None:
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


_limits = InputLimits()


def set_input_limits(limits: InputLimits) -> None:
    """Change the input limits for every later read (the CLI's --max-* flags)."""
    global _limits
    _limits = limits


def input_limits() -> InputLimits:
    return _limits


class _MixedDurations:
    """A loaded sheet where some columns mix ``[h]:mm:ss`` durations with other cells (text,
    numbers, dates): fastexcel cannot type such a column and raised for the whole workbook. Those
    columns are read as text, and each duration cell (which the text read shows as a 1899 date) is
    replaced by its ``30:00:00`` text from calamine's own cell value, so every cell keeps what the
    user typed and the core reports the ones it cannot use."""

    def __init__(self, loaded, source: Any, name: str, columns: list[str], first_row: int) -> None:
        self._loaded, self._source, self._name, self._columns = loaded, source, name, columns
        self._first_row = first_row  # 0-based absolute row of the first data row

    def available_columns(self):
        return self._loaded.available_columns()

    def to_arrow(self):
        return self._with_durations(self._loaded.to_arrow())

    def to_arrow_with_errors(self):
        table, errors = self._loaded.to_arrow_with_errors()
        return self._with_durations(table), errors

    def _with_durations(self, table):
        import pyarrow as pa
        from python_calamine import CalamineWorkbook

        from crm_xl.messages import duration_text

        info = {c.name: c for c in self._loaded.available_columns()}
        book = (CalamineWorkbook.from_filelike(io.BytesIO(self._source.getvalue() if isinstance(
            self._source, io.BytesIO) else self._source)) if isinstance(self._source, (bytes, io.BytesIO))
            else CalamineWorkbook.from_path(str(self._source)))
        cells = book.get_sheet_by_name(self._name).to_python(skip_empty_area=False)  # from A1
        for column in self._columns:
            i = table.column_names.index(column)
            at = info[column].absolute_index
            texts = table.column(i).to_pylist()
            merged = []
            for r, text in enumerate(texts):
                row = self._first_row + r
                value = cells[row][at] if row < len(cells) and at < len(cells[row]) else None
                merged.append(duration_text(value) if isinstance(value, dt.timedelta) else text)
            table = table.set_column(i, pa.field(column, pa.string()), pa.array(merged, pa.string()))
        return table


_MIXED_COLUMN = re.compile(r"could not determine dtype for column (.+?)\s*$", re.M)


def _load_sheet(source: Any, reader, name: str, **kwargs):
    """``reader.load_sheet`` that survives a column mixing durations with other cells (see
    :class:`_MixedDurations`); anything else unreadable is :class:`UnreadableWorkbook`."""
    as_text: dict[str, str] = {}
    while True:
        try:
            loaded = reader.load_sheet(name, dtypes=as_text or None, **kwargs)
            break
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            found = _MIXED_COLUMN.search(str(exc)) if type(exc).__name__ == "UnsupportedColumnTypeCombinationError" else None
            if found is None or found.group(1) in as_text or "Duration" not in str(exc) or len(as_text) > 1000:
                raise UnreadableWorkbook(_name(source), "corrupt_file", type(exc).__name__) from None
            as_text[found.group(1)] = "string"
    if not as_text:
        return loaded
    return _MixedDurations(loaded, source, name, list(as_text), kwargs["header_row"] + 1)


SheetTyped = Callable[[str, pd.DataFrame, list[str]], "bool | None"]


def read_register(source: str | Path | bytes | io.BytesIO, *, password: str | None = None,
                  lang: str | None = None, limits: InputLimits | None = None,
                  on_sheet: SheetTyped | None = None) -> Register:
    """Read a register workbook, or the register in a database when ``source`` is a database URL
    (``duckdb:///crm.duckdb``, ``postgresql://…``). Raises :class:`UnreadableWorkbook` for anything
    unusable.

    ``on_sheet(key, frame, extra_columns)`` is called for each sheet of a workbook as soon as it is
    typed (in the order the sheets were loaded, not the schema's), with the frame and user columns
    the returned Register will hold: ``crm-xl sync`` stores a sheet while the next one is read. When
    ``on_sheet`` returns True the sheet is taken: in a large workbook (:data:`_GIVE_BACK_CELLS`) the
    returned Register then holds it without rows (so a register of 100k customers is not kept in
    memory twice, as frames and in the database). A
    sheet the workbook does not have is not passed; a read that fails midway raises after some
    sheets were passed (the caller's transaction must then roll back)."""
    from crm_xl.ports.database_url import DatabaseURL, is_database_url

    if isinstance(source, DatabaseURL) or is_database_url(source):
        from crm_xl.ports.database import read_database

        return read_database(getattr(source, "url", source), lang=lang)
    with _panic_output_held():
        return _read_register(source, password, lang, limits or _limits, on_sheet)


def _read_register(source: str | Path | bytes | io.BytesIO, password: str | None, lang: str | None,
                   limits: InputLimits, on_sheet: SheetTyped | None = None) -> Register:
    sheet_cells: dict[str, int] | None = None  # cells per sheet, when the safety scan counted them
    if not isinstance(source, (bytes, io.BytesIO)):
        path = Path(source)
        try:
            info = check_input(path, limits)
        except UnreadableWorkbook as exc:
            secret = resolve_password(password)
            if exc.reason != "password_required" or secret is None:
                raise
            source = decrypt_to_bytes(path, secret, limits=limits)  # checked for bombs after decryption too
        else:
            if info.kind not in READABLE_KINDS:
                raise UnreadableWorkbook(path, "not_a_spreadsheet", info.kind)
            sheet_cells = dict(info.sheet_cells) or None
    _arrow_from_malloc()
    reader = _open(source)
    names = list(_guard(source, lambda: reader.sheet_names))
    found, matched_by, unplaced = match_workbook_sheets(names, lambda n: _head_rows(reader, n, source))
    lang_votes: Counter[str] = Counter()
    for key, name in found.items():
        for code in LANGS:
            if fold(SHEETS[key].label(code)) == fold(name):
                lang_votes[code] += 1
    if not any(k in found for k in DATA_SHEETS):
        raise UnreadableWorkbook(_name(source), "no_register_sheets")
    guessed_lang = lang or (max(LANGS, key=lambda code: (lang_votes[code], code == "zh-CN")) if lang_votes else "zh-CN")

    frames: dict[str, pd.DataFrame] = {}
    positions: dict[str, dict[str, int]] = {}
    extras: dict[str, list[str]] = {}
    unreadable, findings = [], []
    raw_settings: list[tuple[int, str, Any]] = []
    day_first = True
    intake = IntakeReport(unknown_sheets=unplaced)
    order = ["settings"] + [k for k in SHEETS if k != "settings"]  # settings first: day_first applies to all
    typed: dict[str, dict[str, Any]] = {}  # sheet → what typing it gave, in the order sheets were loaded
    with _SheetLoader(source, reader, [(k, found[k]) for k in order if k in found],
                      weights=sheet_cells) as loader:
        for key, loaded in loader.results():  # loaded on a worker thread while other sheets were typed
            if loaded is None:  # none of the sheet's first rows names its columns
                continue
            header, info, table, errors = loaded
            typed[key] = part = {"frames": {}, "positions": {}, "extras": {}, "unreadable": [], "findings": [],
                                 "raw_settings": raw_settings, "intake": IntakeReport()}
            day_first = _type_sheet(part, key, found[key], header, info, table, guessed_lang, day_first,
                                    matched_by, errors)
            del loaded, table  # the Arrow table is not needed once typed
            _release_freed_memory()
            if on_sheet is not None and on_sheet(key, part["frames"][key], part["extras"][key]) and loader.large:
                part["frames"][key] = empty_frame(SHEETS[key])  # taken: its rows are not kept
    for key in order:  # the register in the sheets' own order, however they were loaded
        part = typed.get(key)
        if part is None:
            frames[key] = empty_frame(SHEETS[key])
            continue
        frames[key], positions[key], extras[key] = part["frames"][key], part["positions"][key], part["extras"][key]
        unreadable.extend(part["unreadable"])
        findings.extend(part["findings"])
        intake.sheets[key] = part["intake"].sheets[key]

    present = {k: k in found for k in SHEETS}
    settings, setting_findings = settings_from_frames(frames, Settings(), present, raw_settings)
    findings.extend(setting_findings)
    if lang is None and "language" in {fold(k) for _, k, _ in raw_settings}:
        guessed_lang = settings.language
    findings.extend(intake.findings(guessed_lang))
    findings.extend(key_figure_findings(intake, guessed_lang))
    return Register(frames=frames, settings=settings, lang=guessed_lang, source=_name(source),
                    unreadable=_concat(unreadable), findings=findings, positions=positions,
                    sheet_names=found, extras=extras, intake=intake)


def _load_table(source: Any, reader, name: str, sheet) -> tuple[int, list, Any, Any] | None:
    """One register sheet → (0-based header row, its columns, its Arrow table, the cells fastexcel
    could not convert — see :func:`_put_back`), or None when none of its first rows names its
    columns. Runs on a loader thread with that thread's own reader."""
    # The usual layout (header in row 1) is read in one pass; calamine parses a whole sheet
    # even for a few rows, so the header scan runs only when row 1 is not the header.
    header = 0
    # skip_rows=0 keeps row 0 absolute: without it fastexcel skips leading empty rows and the
    # row numbers of every finding would be off.
    loaded = _load_sheet(source, reader, name, header_row=0, skip_rows=0, schema_sample_rows=None)
    info = _guard(source, loaded.available_columns)
    names_row1 = [c.name for c in info if not c.name.startswith("__UNNAMED__")]
    row1_hits = header_hits(sheet, names_row1)
    if row1_hits < 2 or row1_hits * 2 < len(names_row1):
        header, hits = _find_header(reader, name, sheet, source)
        if hits == 0:
            return None
        if header != 0:
            del loaded  # calamine's cells of the first read are freed before the second
            loaded = _load_sheet(source, reader, name, header_row=header, skip_rows=0, schema_sample_rows=None)
            info = _guard(source, loaded.available_columns)
    table, errors = _guard(source, loaded.to_arrow_with_errors)
    return header, info, table, errors


class _SheetLoader:
    """Loads the register's sheets (:func:`_load_table`) on a small pool of threads while the
    caller types the ones already loaded: calamine parses with the GIL released, so reading and
    typing overlap and two sheets are parsed at once on two cores.

    A fastexcel reader cannot load two sheets at once ("Already borrowed"), so every thread has
    its own (the first one is the reader the sheet names came from). At most ``workers`` sheets
    are loading or loaded ahead of the caller, so the Arrow tables of a large register are never
    all in memory at once.

    Memory: calamine holds a whole sheet's cells while it parses (≈ 80 bytes a cell), so what a read
    needs at its peak is the sheets being parsed plus the frames typed so far. With ``weights``
    (cells per sheet, counted by the safety scan) the first sheet (Settings: it decides day_first)
    is loaded first, then the largest sheets first, while little is typed yet, and a second sheet is
    parsed beside another only while both together have at most ``_PARSE_BUDGET_CELLS`` cells: at
    100k customers the five big sheets are parsed one after the other, each beside small ones.
    Without weights (a workbook in memory, xlsb, ods) sheets load in the caller's order.

    :meth:`results` yields each sheet as it is loaded (the first one first); the caller puts the
    results back in its own order. A sheet's error is raised for the first failing sheet in the
    caller's order, exactly as a sequential read would raise it, and leaving the ``with`` block
    waits for the threads (the caller's held file descriptor 2 outlives them).

    ``opener`` and ``loader`` make it load other sheets the same way: ``crm-xl import`` parses a
    team's workbook with python-calamine (:func:`crm_xl.ports.sources.read_workbook`).
    """

    def __init__(self, source: Any, reader, sheets: list[tuple[str, str]], workers: int | None = None,
                 weights: dict[str, int] | None = None, *, opener: Callable[[Any], Any] | None = None,
                 loader: Callable[[Any, Any, str, str], Any] | None = None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._source = source.getvalue() if isinstance(source, io.BytesIO) else source
        # how a thread opens its own reader, and loads one sheet (source, reader, sheet name, key)
        self._opener = opener or _open
        self._loader = loader or (lambda src, rd, name, key: _load_table(src, rd, name, SHEETS[key]))
        self._spare = [reader]  # readers not in use by a thread yet
        self._lock = threading.Lock()
        self._local = threading.local()
        self._order = [key for key, _ in sheets]
        self._names = dict(sheets)
        self._cells = {key: int((weights or {}).get(name, 0)) for key, name in sheets}
        # A large book's memory is given back as soon as the caller is done with each sheet; a small
        # one's is not worth the time it takes (10k customers, 2.5 M cells: 0.2 s of a 2.7 s sync,
        # for 100 MB nobody misses). Unknown sizes (no weights) count as small.
        self.large = sum(self._cells.values()) >= _GIVE_BACK_CELLS
        self._todo = self._order[:1] + sorted(self._order[1:], key=lambda k: -self._cells[k]) if weights \
            else list(self._order)
        self._futures: dict[str, Any] = {}  # submitted and not yet handed to the caller
        workers = workers or _LOAD_WORKERS
        self._ahead = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crm-xl-load") \
            if workers > 1 and len(sheets) > 1 else None

    def _reader(self):
        reader = getattr(self._local, "reader", None)
        if reader is None:
            with self._lock:
                reader = self._spare.pop() if self._spare else None
            self._local.reader = reader = reader if reader is not None else self._opener(self._source)
        return reader

    def _load(self, key: str):
        loaded = self._loader(self._source, self._reader(), self._names[key], key)
        _release_freed_memory()  # calamine's cells of this sheet, freed once it is in Arrow
        return loaded

    def _next(self) -> str | None:
        """The next sheet to load: the first waiting one that fits beside the sheets being parsed."""
        parsing = sum(self._cells[k] for k, f in self._futures.items() if not f.done())
        for key in self._todo:
            if parsing == 0 or parsing + self._cells[key] <= _PARSE_BUDGET_CELLS:
                return key
        return None

    def _fill(self) -> None:
        while self._todo and len(self._futures) < self._ahead:
            key = self._next()
            if key is None:
                return
            self._todo.remove(key)
            future = self._pool.submit(self._load, key)
            self._futures[key] = future

    def results(self):
        """(sheet key, loaded sheet or None) for every sheet, the first one first, then as loaded."""
        if self._pool is None:
            while self._todo:
                key = self._todo.pop(0)
                try:
                    loaded = self._load(key)
                except UnreadableWorkbook as exc:
                    self._raise_first(key, exc)
                yield key, loaded
                loaded = None  # the caller is done with it: freed now, not once the next sheet is in
                if self.large:
                    _release_freed_memory()
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        first = True
        while self._todo or self._futures:
            self._fill()
            if first:  # the first sheet (Settings) before any other
                key = next(iter(self._futures))
                wait([self._futures[key]])
                first = False
            else:
                wait(list(self._futures.values()), return_when=FIRST_COMPLETED)
                key = next(k for k, f in self._futures.items() if f.done())
            future = self._futures.pop(key)
            self._fill()  # the next load starts before this sheet is typed
            try:
                loaded = future.result()
            except UnreadableWorkbook as exc:
                self._raise_first(key, exc)
            future = None
            yield key, loaded
            # the caller is done with the sheet: freed now (when the caller drops it too), not while
            # the next sheet is waited for
            loaded = None
            if self.large:
                _release_freed_memory()

    def _raise_first(self, key: str, exc: UnreadableWorkbook):
        """Raise the error a sequential read would: that of the first sheet, in the caller's order,
        that fails to load (``key``'s own when every sheet before it loads)."""
        self._todo = [k for k in self._todo if self._order.index(k) < self._order.index(key)]
        for earlier in self._order[:self._order.index(key)]:
            future = self._futures.pop(earlier, None)
            try:
                if future is not None:
                    future.result()
                elif earlier in self._todo:
                    self._todo.remove(earlier)
                    self._load(earlier)
            except UnreadableWorkbook as first:
                raise first from None
        raise exc

    def __enter__(self) -> "_SheetLoader":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._spare.clear()
        self._futures.clear()


# A workbook with this many cells (≈ 40k customers) or more has the memory of each sheet given back
# as soon as the read is done with it, and the sheets a caller takes (``on_sheet``) are not kept.
_GIVE_BACK_CELLS = 10_000_000

# Cells parsed at once at most (when the safety scan counted them): calamine needs ≈ 80 bytes a
# cell while it parses, so ≈ 1 GB; a single sheet larger than this is parsed alone.
_PARSE_BUDGET_CELLS = 10_000_000


def _release_freed_memory() -> None:
    """Give the memory freed by a parsed or typed sheet back to the operating system.

    glibc's malloc keeps freed blocks of its heaps (one per thread: the loader threads and the
    main one) for reuse, so the cells calamine parsed and the intermediate columns of typing stay in
    the process long after they are freed, and the next sheet's parse adds to them instead of
    reusing them: at 100k customers the read peaked at 1.6 GB, 0.3 GB of it freed memory.
    ``malloc_trim`` returns it; elsewhere (macOS, Windows, musl) this does nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_TRIM: list = []


def _arrow_from_malloc() -> None:
    """Where ``malloc_trim`` works (glibc), let pyarrow allocate from malloc too.

    pyarrow's own allocator (mimalloc) keeps the pages of the columns typing makes and drops (the
    trimmed, re-encoded text of every sheet) long after they are freed: reading the 10k register
    left 91 MB more in the process than before it, 60 MB with malloc (the frames are 42 MB). An
    ``ARROW_DEFAULT_MEMORY_POOL`` the user set is left alone.
    """
    if _TRIM_POOL or _malloc_trim() is None or os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _TRIM_POOL.append(True)


_TRIM_POOL: list = []


def _malloc_trim():
    if not _TRIM:
        trim = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                trim = ctypes.CDLL("libc.so.6").malloc_trim
                trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
            except (OSError, AttributeError):  # not glibc
                trim = None
        _TRIM.append(trim)
    return _TRIM[0]


_LOAD_WORKERS = 2  # threads that parse sheets; calamine scales to both cores of the machine


def _type_sheet(out: dict[str, Any], key: str, name: str, header: int, info: list, table, lang: str,
                day_first: bool, matched_by: dict[str, str], errors: Any = None) -> bool:
    """Type one loaded sheet into the register being built (``out``: its frames, positions,
    extras, unreadable parts, findings, raw settings and intake); returns day_first, which the
    Settings sheet (typed first) sets for every later sheet."""
    sheet = SHEETS[key]
    matches = match_headers(sheet, [c.name for c in info])
    by_index = {m.index: m for m in matches}
    raw_cols: dict[str, pd.Series] = {}
    pos: dict[str, int] = {}
    extra_names: list[str] = []
    lost = _cell_errors(errors)
    scales = unit_scales(key, matches)  # 年采购额(万元): the numbers × 10,000
    blank_columns: dict[int, int] = {}  # a column whose header cell is blank: its values are counted, said
    for i, col in enumerate(info):
        m = by_index.get(i)
        if m is None:
            if col.name.startswith("__UNNAMED__"):
                count = _filled(table.column(i)) + len(lost.get(i, ()))
                if count:
                    blank_columns[col.absolute_index] = count
            continue
        series = _cells(table.column(i))
        if i in lost:
            series = _put_back(series, lost[i])
        if m.key and sheet.column(m.key).kind in ("date", "datetime"):
            series = _date_cells(series)
        if m.key:
            raw_cols[m.key] = series
            pos[m.key] = col.absolute_index
        elif m.header not in raw_cols:
            raw_cols[m.header] = series
            extra_names.append(m.header)
    matches = [replace(m, index=info[m.index].absolute_index) for m in matches]
    raw = pd.DataFrame(raw_cols, index=pd.RangeIndex(table.num_rows))
    rows = pd.Series(np.arange(table.num_rows, dtype="int64") + header + 2)
    for column in sheet.columns:
        if column.required and column.key not in pos and not column.derived:
            out["findings"].append(Finding(key, header + 1, None, MISSING_COLUMN, "error",
                                           {"label": column.label(lang)}))
    if key == "settings":
        raw_settings = out["raw_settings"]
        for r, k, v in zip(rows, raw.get("key", []), raw.get("value", [None] * len(raw))):
            if isinstance(k, str) and k.strip():
                raw_settings.append((int(r), k.strip(), _plain(v)))
        day_first = _day_first(raw_settings)
    frame, bad = build_frame(sheet, raw, rows, day_first, extra_names,
                             units={by_index[i].key: scale for i, scale in scales.items()})
    out["frames"][key], out["positions"][key], out["extras"][key] = frame, pos, extra_names
    out["unreadable"].append(bad)
    out["intake"].sheets[key] = SheetIntake(key, name, matched_by.get(key, "exact"), header + 1, len(frame),
                                            matches, blank_columns=blank_columns)
    return day_first


def _filled(column) -> int:
    """Cells of an Arrow column that hold something (text that is not all whitespace)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return int(pc.sum(pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(column), ""), False)).as_py() or 0)
    return len(column) - column.null_count


# 1899-12-31 00:00 is what fastexcel makes of serial 0 (its 1900 leap-year shift: serial 1 is 1900-01-01)
_SERIAL_ZERO = pd.Timestamp(1899, 12, 31)
_BEFORE_1900 = re.compile(r"^1[0-8]\d\d-\d\d-\d\d \d\d:\d\d:\d\d$")  # a date cell before 1900, spelled by fastexcel
_FULL_FLOAT = re.compile(r"^-?\d{16,}(?:\.\d*)?$|^-?0\.0{15,}\d+$")  # a number fastexcel spelled out in full


def _date_cells(series: pd.Series) -> pd.Series:
    """A date column's cells with the two numbers fastexcel disguises put back as numbers, so the
    core reports them at their cell (R001) instead of using them: a date-formatted cell holding 0 or
    a negative number (or a time alone) is no Excel date — Excel shows ``1900-01-00`` or ``#####`` —
    yet arrives as a 1899 date (serial 0 → 1899-12-31, −1 → 1899-12-30); and in a column mixing
    dates with numbers or text a number like ``1e300`` arrives as its 301 digits."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        early = (series.notna() & (series < pd.Timestamp(1900, 1, 1))).to_numpy()
        if not early.any():
            return series
        out = series.astype(object)
        out[early] = [_serial(v) for v in series[early]]
        return out
    if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
        return series
    table: dict[Any, Any] = {}
    for u in pd.unique(series.dropna()):
        if isinstance(u, str):
            if _BEFORE_1900.match(u):
                table[u] = _serial(pd.Timestamp(u))
            elif len(u) > 16 and _FULL_FLOAT.match(u):
                table[u] = float(u)
        elif isinstance(u, (pd.Timestamp, dt.datetime)) and u < dt.datetime(1900, 1, 1):  # cells put back
            table[u] = _serial(pd.Timestamp(u))
    if not table:
        return series
    out = series.astype(object)
    hit = out.isin(list(table)).to_numpy()
    out[hit] = [table[v] for v in out[hit]]
    return out


def _serial(stamp: pd.Timestamp) -> Any:
    """A date fastexcel read before 1900 → the cell's number (Excel's serial), or the time of day
    it shows when that is all the cell holds (0 < serial < 1: ``09:30``)."""
    serial = (stamp - _SERIAL_ZERO) / pd.Timedelta(days=1)
    if 0 < serial < 1:
        return stamp.strftime("%H:%M:%S" if stamp.second else "%H:%M")
    return float(serial)


def _cells(column) -> pd.Series:
    """An Arrow column as pandas, without the two ways cells break pandas: a duration cell
    (``[h]:mm:ss``) comes as its text, ``30:00:00``, and a date beyond pandas' range (after
    2262-04-11) as its ISO text; the core then reports either at its cell."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_duration(kind):
        from crm_xl.messages import duration_text

        return pd.Series([None if v is None else duration_text(v) for v in column.to_pylist()], dtype="string")
    if (pa.types.is_timestamp(kind) or pa.types.is_date(kind)) and column.null_count < len(column):
        import pyarrow.compute as pc

        # compared in Arrow: a date past 9999-12-31 (a serial of 3e6) has no Python datetime at all
        stamp = pa.types.is_timestamp(kind)
        lo, hi = (pa.scalar(b if stamp else b.date(), kind) for b in (_PANDAS_RANGE[0], _PANDAS_RANGE[1]))
        far = pc.fill_null(pc.or_(pc.less(column, lo), pc.greater(column, hi)), False)
        if pc.any(far).as_py():
            text = (pc.strftime(pc.cast(column, pa.timestamp("s", kind.tz), safe=False), format="%Y-%m-%d %H:%M:%S")
                    if stamp else pc.strftime(column, format="%Y-%m-%d"))
            near = pc.if_else(far, pa.scalar(None, kind), column).to_pylist()
            return pd.Series([t if f else v for f, t, v in zip(far.to_pylist(), text.to_pylist(), near)], dtype=object)
    return column.to_pandas(types_mapper=_types_mapper)


def _cell_errors(errors: Any) -> dict[int, list[tuple[int, Any]]]:
    """fastexcel's cells it could not convert, per column (its index among the sheet's columns):
    (row offset in the table, the cell's value as calamine holds it). A date-formatted cell whose
    number is no date (``1e300``: beyond 9999-12-31) comes out of ``to_arrow`` as an empty cell;
    only ``to_arrow_with_errors`` says it was there."""
    out: dict[int, list[tuple[int, Any]]] = {}
    for error in getattr(errors, "errors", None) or ():
        row, column = error.offset_position
        out.setdefault(int(column), []).append((int(row), _error_value(str(error.detail))))
    return out


_ERROR_NUMBER = re.compile(r"value: (-?(?:inf|NaN|[\d.]+(?:e[-+]?\d+)?))[,\s}]|got '(?:Float|Int)\((-?[^)]+)\)'")
_ERROR_TEXT = re.compile(r"got 'String\(\"(.*)\"\)'$", re.S)


def _error_value(detail: str) -> Any:
    """The cell value in a fastexcel conversion error (``Expected datetime but got
    'DateTime(ExcelDateTime { value: 1e300, … })'`` → 1e300); the detail itself when it names none."""
    number = _ERROR_NUMBER.search(detail)
    if number:
        try:
            return float(number.group(1) or number.group(2))
        except ValueError:
            pass
    text = _ERROR_TEXT.search(detail)
    if text:
        return text.group(1)
    return detail.split(" got ", 1)[-1].strip("'")


def _put_back(series: pd.Series, cells: list[tuple[int, Any]]) -> pd.Series:
    """``series`` with the cells fastexcel could not convert put back as calamine holds them, so
    the core reads them by the column's kind (a serial beyond 9999-12-31 in a date column is an
    unreadable date with its sheet, row, column and value) instead of finding them empty."""
    series = series.astype(object)
    rows = [r for r, _ in cells if 0 <= r < len(series)]
    series.iloc[rows] = [v for r, v in cells if 0 <= r < len(series)]
    return series


# pandas' nanosecond range; dates beyond it come to the core as text (see _cells)
_PANDAS_RANGE = (dt.datetime(1677, 9, 22, 0, 12, 44), dt.datetime(2262, 4, 11, 23, 47, 16))


def _types_mapper(arrow_type):
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    return None


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def _day_first(values: list[tuple[int, str, Any]]) -> bool:
    for _, k, v in values:
        if fold(k) == fold("date_day_first") and v is not None:
            return fold(str(v)) not in {"false", "no", "0", "否", "n"}
    return Settings().date_day_first
