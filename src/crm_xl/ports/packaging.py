"""How an xlsx is packed: xlsxwriter's workbook with its zip members deflated on every core.

An .xlsx is a zip of XML files. xlsxwriter deflates each member in one stream on one core; for a
register's big sheets that is a large part of writing the file (an import of 10k customers writes
128 MB of sheet XML: 1.5 s of deflate in one stream, 0.86 s on this machine's two cores in blocks).
zlib lets other threads run while it deflates, so :class:`Workbook` deflates a big member the way
pigz does: in blocks of :data:`BLOCK` bytes, each on a worker thread, primed with the 32 KiB of text
before it (so it still finds the matches a single stream would), ended with a sync flush so the
blocks join into one ordinary deflate stream. Every zip reader reads it as any other deflated member;
the XML inside is the same and the files are the same size within a fraction of a percent. A member
of one block or less is deflated exactly as zipfile would.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterator

import xlsxwriter
import xlsxwriter.workbook

__all__ = ["Workbook", "ParallelZipFile", "ParallelDeflate", "BLOCK"]

BLOCK = 512 * 1024  # bytes of a member deflated as one job (pigz: 128 KiB; bigger blocks lose less at their seams)
_WINDOW = 32 * 1024  # deflate's window: what a block may refer back to
_swap_lock = threading.Lock()


def _workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _new_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="crm-xl-deflate")


def _deflate(block: bytes, primer: bytes, level: int, last: bool) -> bytes:
    """One block as raw deflate: primed with the text before it, closed with a sync flush (a whole
    number of bytes, no final-block bit) unless it is the member's last block."""
    if primer:
        c = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=primer)
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(block) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class ParallelDeflate:
    """A compressor with zlib's ``compress``/``flush`` calls whose output is one raw deflate stream,
    its blocks deflated on worker threads. At most two blocks per worker wait at any time, so memory
    stays a few blocks whatever the member's size; the output comes back in order."""

    def __init__(self, level: int | None = None, pool: ThreadPoolExecutor | None = None) -> None:
        self._level = zlib.Z_DEFAULT_COMPRESSION if level is None else level
        self._pool = pool  # the zip file's threads; without one, threads of its own until flush()
        self._own_pool = pool is None
        self._buf = bytearray()
        self._primer = b""
        self._pending: deque[Future] = deque()
        self._limit = 2 * _workers()
        self._started = False  # a block was handed out (else the member is deflated in this thread)

    def _submit(self, block: bytes, last: bool) -> None:
        if self._pool is None:
            self._pool = _new_pool()
        self._pending.append(self._pool.submit(_deflate, block, self._primer, self._level, last))
        self._primer = block[-_WINDOW:]
        self._started = True

    def _drain(self, keep: int) -> bytes:
        out = []
        while len(self._pending) > keep:
            out.append(self._pending.popleft().result())
        return b"".join(out)

    def compress(self, data) -> bytes:
        view = memoryview(data).cast("B")
        if self._buf:
            need = BLOCK - len(self._buf)
            self._buf += view[:need]
            view = view[need:]
            if len(self._buf) < BLOCK:
                return b""
            self._submit(bytes(self._buf), False)
            self._buf = bytearray()
        out = []
        while len(view) >= BLOCK:
            self._submit(bytes(view[:BLOCK]), False)
            view = view[BLOCK:]
            if len(self._pending) > self._limit:
                out.append(self._drain(self._limit))
        self._buf += view
        return b"".join(out)

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        if mode != zlib.Z_FINISH:
            raise ValueError("ParallelDeflate only flushes at the end of a member")
        rest, self._buf = bytes(self._buf), bytearray()
        if not self._started:  # one block or less: the member is deflated as zipfile would
            return _deflate(rest, b"", self._level, True)
        self._submit(rest, True)
        try:
            return self._drain(0)
        finally:
            if self._own_pool:
                self._pool.shutdown()
                self._pool = None


class ParallelZipFile(zipfile.ZipFile):
    """``zipfile.ZipFile`` whose deflated members are written through :class:`ParallelDeflate`;
    everything else (headers, CRCs, sizes, zip64) is zipfile's own. Its threads start with the first
    big member and end when the file is closed, so no thread outlives the file (a process that
    forks later, as crm-xl's worker children are forked, has none to lose)."""

    _pool: ThreadPoolExecutor | None = None

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        handle = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode == "w" and handle._zinfo.compress_type == zipfile.ZIP_DEFLATED:
            if self._pool is None:
                self._pool = _new_pool()  # no thread runs before the first block is submitted
            handle._compressor = ParallelDeflate(handle._zinfo._compresslevel, self._pool)
        return handle

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None


@contextlib.contextmanager
def _parallel_zip() -> Iterator[None]:
    """xlsxwriter opens its zip as ``ZipFile`` of its own module; while one workbook is stored that
    name is :class:`ParallelZipFile` (one store at a time)."""
    with _swap_lock:
        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = ParallelZipFile
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipFile = original


class Workbook(xlsxwriter.Workbook):
    """``xlsxwriter.Workbook`` whose file is packed by :class:`ParallelZipFile`."""

    def _store_workbook(self) -> None:
        with _parallel_zip():
            super()._store_workbook()
