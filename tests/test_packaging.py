"""The xlsx packing: zip members deflated in blocks on worker threads (crm_xl.ports.packaging)."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
import zlib

import pytest
import xlsxwriter
import xlsxwriter.workbook

from crm_xl.ports import packaging
from crm_xl.ports.packaging import BLOCK, ParallelDeflate, Workbook


def _text(n_bytes: int, seed: int = 7) -> bytes:
    """XML-like rows: repetitive enough to compress, varied enough that blocks differ."""
    rnd = random.Random(seed)
    words = ["<c r=\"A1\" t=\"s\"><v>", "</v></c>", "客户", "Hamburg GmbH", "2026-11-23", "USD", "<row r=\""]
    out, size = [], 0
    while size < n_bytes:
        piece = f"{rnd.choice(words)}{rnd.randint(0, 10**rnd.randint(1, 9))}".encode()
        out.append(piece)
        size += len(piece)
    return b"".join(out)[:n_bytes]


@pytest.mark.parametrize("n_bytes", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 12345])
@pytest.mark.parametrize("piece", [1000, 8192, None])
def test_blocks_join_into_one_deflate_stream(n_bytes, piece):
    data = _text(n_bytes)
    c = ParallelDeflate()
    if piece is None:
        out = [c.compress(data)]
    else:
        out = [c.compress(data[i:i + piece]) for i in range(0, len(data), piece)]
    out.append(c.flush())
    stream = b"".join(out)
    d = zlib.decompressobj(-15)
    assert d.decompress(stream) + d.flush() == data
    assert d.eof and not d.unused_data  # one stream, ended once, nothing after it


def test_one_block_member_is_what_zipfile_writes():
    data = _text(BLOCK // 3)
    c = ParallelDeflate()
    ours = c.compress(data) + c.flush()
    z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    assert ours == z.compress(data) + z.flush()


def test_big_member_about_the_size_of_one_stream():
    data = _text(6 * BLOCK)
    c = ParallelDeflate()
    ours = c.compress(data) + c.flush()
    single = zlib.compress(data, wbits=-15)
    assert len(ours) <= len(single) * 1.01


def _book(cls, path, rows: int, **options) -> None:
    wb = cls(str(path), {"strings_to_formulas": False, "strings_to_urls": False, **options})
    wb.set_properties({"created": dt.datetime(2026, 11, 23, 9, 0)})
    ws = wb.add_worksheet("客户")
    for r in range(rows):
        ws.write_row(r, 0, [f"C{r:05d}", f"Firma {r % 977} GmbH", r * 1.5, "德国" if r % 3 else "美国"])
    wb.close()


@pytest.mark.parametrize("options", [{}, {"in_memory": True}, {"constant_memory": True}])
def test_workbook_members_equal_xlsxwriters(tmp_path, options):
    plain, ours = tmp_path / "plain.xlsx", tmp_path / "ours.xlsx"
    _book(xlsxwriter.Workbook, plain, 30_000, **options)
    _book(Workbook, ours, 30_000, **options)
    with zipfile.ZipFile(plain) as a, zipfile.ZipFile(ours) as b:
        assert b.testzip() is None  # every member's CRC checks
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        sheet = b.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 2 * BLOCK and sheet.compress_type == zipfile.ZIP_DEFLATED
        for info in a.infolist():
            assert b.read(info.filename) == a.read(info.filename), info.filename
        assert b.getinfo("xl/worksheets/sheet1.xml").compress_size <= a.getinfo("xl/worksheets/sheet1.xml").compress_size * 1.01
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # the swap ends with the store
    import threading

    assert not [t for t in threading.enumerate() if t.name.startswith("crm-xl-deflate")]  # none outlives it


def test_swap_undone_when_the_store_fails(tmp_path):
    wb = Workbook(str(tmp_path / "missing" / "x.xlsx"))
    wb.add_worksheet()
    with pytest.raises(Exception):
        wb.close()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_blocks_run_on_worker_threads(monkeypatch):
    import threading

    seen = set()
    real = packaging._deflate

    def spy(*args):
        seen.add(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(packaging, "_deflate", spy)
    c = ParallelDeflate()
    c.compress(_text(4 * BLOCK))
    c.flush()
    assert seen and all(name.startswith("crm-xl-deflate") for name in seen)


def test_a_forked_child_deflates_with_threads_of_its_own(tmp_path):
    """Deflate threads stay in the process that started them: a child forked after a book was
    written (crm-xl's worker children are forked) deflates with threads of its own."""
    import os
    import sys

    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    c = ParallelDeflate()
    c.compress(_text(3 * BLOCK))
    c.flush()  # the parent's pool exists now
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        code = 1
        try:
            import signal

            signal.alarm(20)  # a child waiting on threads it does not have ends, failing the test
            data = _text(3 * BLOCK, seed=3)
            child = ParallelDeflate()
            stream = child.compress(data) + child.flush()
            code = 0 if zlib.decompress(stream, -15) == data else 2
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
