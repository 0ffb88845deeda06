"""The safety scan of a large package reads its members on two threads, with the answer and the
refusal a scan of one member after the other gives."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from crm_xl.ports import safety as S


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    from crm_xl.workbook import build_workbook

    path = tmp_path_factory.mktemp("scan") / "register.xlsx"
    build_workbook(path, demo=True, n_customers=20)
    return path


def test_members_are_scanned_on_two_threads_with_the_same_answer(book, monkeypatch):
    monkeypatch.setattr(S, "_SCAN_THREADS", 1)
    one = S.check_input(book)
    monkeypatch.setattr(S, "_SCAN_THREADS", 2)
    monkeypatch.setattr(S, "_PARALLEL_SCAN_BYTES", 0)  # the demo is small; scan it as a large one
    threads = set()
    real = S._scan_member

    def spy(*args):
        threads.add(threading.current_thread().name)
        time.sleep(0.01)
        return real(*args)

    monkeypatch.setattr(S, "_scan_member", spy)
    two = S.check_input(book)
    assert len({t for t in threads if t.startswith("crm-xl-scan")}) == 2
    assert two == one and two.cells and dict(two.sheet_cells) == dict(one.sheet_cells)


def test_the_first_failing_member_is_the_refusal(book, monkeypatch):
    monkeypatch.setattr(S, "_PARALLEL_SCAN_BYTES", 0)
    real = S._scan_member
    order = [i.filename for i in __import__("zipfile").ZipFile(book).infolist() if i.file_size]
    first, last = order[1], order[-1]

    def hostile(archive, info, path, *args):
        if info.filename == first:  # fails late
            time.sleep(0.3)
            raise S.UnreadableWorkbook(path, "xml_entities", first)
        if info.filename == last:  # fails at once
            raise S.UnreadableWorkbook(path, "string_too_long", last)
        return real(archive, info, path, *args)

    monkeypatch.setattr(S, "_scan_member", hostile)
    with pytest.raises(S.UnreadableWorkbook) as error:
        S.check_input(book)
    assert (error.value.reason, error.value.detail) == ("xml_entities", first)
