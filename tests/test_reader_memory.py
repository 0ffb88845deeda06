"""The reader gives back the memory of each sheet it is done with (issue 16: peak ≤ 1.5 GB at 100k)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from crm_xl.ports import reader


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    from crm_xl.workbook import build_workbook

    book = tmp_path_factory.mktemp("memory") / "register.xlsx"
    build_workbook(book, demo=True, n_customers=20)
    return book


def test_freed_memory_is_released_after_every_sheet_loaded_and_typed(small_book, monkeypatch):
    calls = []
    monkeypatch.setattr(reader, "_release_freed_memory", lambda: calls.append(1))
    typed = []
    real = reader._type_sheet
    monkeypatch.setattr(reader, "_type_sheet", lambda out, key, *a: typed.append(key) or real(out, key, *a))
    reader.read_register(small_book)
    assert len(typed) > 5
    assert len(calls) >= 2 * len(typed)  # once after each sheet's parse, once after its typing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_malloc_trim_is_found_on_linux():
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert reader._malloc_trim() is not None
    reader._release_freed_memory()  # and calling it is harmless


def _fake_loads(monkeypatch, seconds: dict[str, float], fail: set[str] = frozenset()):
    """reader._load_table replaced by a sleep per sheet; returns the (event, sheet) log."""
    import threading
    import time

    log, lock = [], threading.Lock()

    def load(source, rd, name, sheet):
        with lock:
            log.append(("start", sheet.key))
        time.sleep(seconds.get(sheet.key, 0.01))
        with lock:
            log.append(("stop", sheet.key))
        if sheet.key in fail:
            raise reader.UnreadableWorkbook(name, "corrupt_file", sheet.key)
        return sheet.key

    monkeypatch.setattr(reader, "_load_table", load)
    monkeypatch.setattr(reader, "_release_freed_memory", lambda: None)
    monkeypatch.setattr(reader, "_open", lambda source: object())  # each thread's own reader
    return log


SHEETS = [("settings", "S"), ("customers", "C"), ("contacts", "P"), ("opportunities", "O"),
          ("activities", "A"), ("orders", "D"), ("tickets", "T")]
CELLS = {"S": 10, "C": 300, "P": 200, "O": 500, "A": 600, "D": 800, "T": 50}


def test_loader_parses_the_largest_sheets_first_and_never_two_over_the_budget(monkeypatch):
    monkeypatch.setattr(reader, "_PARSE_BUDGET_CELLS", 1000)
    log = _fake_loads(monkeypatch, {"settings": 0.05, "customers": 0.2, "contacts": 0.2, "opportunities": 0.3,
                                    "activities": 0.3, "orders": 0.4, "tickets": 0.1})
    with reader._SheetLoader("x.xlsx", object(), SHEETS, workers=2, weights=CELLS) as loader:
        got = [key for key, _ in loader.results()]
    assert got[0] == "settings" and sorted(got) == sorted(k for k, _ in SHEETS)
    starts = [k for event, k in log if event == "start"]
    assert starts[:2] == ["settings", "orders"]  # Settings first (day_first), then the largest
    cells = {k: CELLS[n] for k, n in SHEETS}
    parsing: set[str] = set()
    for event, key in log:
        parsing.add(key) if event == "start" else parsing.discard(key)
        assert len(parsing) <= 2
        assert len(parsing) < 2 or sum(cells[k] for k in parsing) <= 1000, parsing
    # the two largest, each over half the budget, were never parsed at once
    assert log.index(("start", "activities")) > log.index(("stop", "orders"))


def test_loader_without_weights_keeps_the_callers_order(monkeypatch):
    log = _fake_loads(monkeypatch, {})
    with reader._SheetLoader("x.xlsx", object(), SHEETS, workers=2) as loader:
        list(loader.results())
    assert [k for event, k in log if event == "start"] == [k for k, _ in SHEETS]


@pytest.mark.parametrize("workers", [1, 2])
def test_loader_raises_the_error_a_sequential_read_would(monkeypatch, workers):
    # tickets (last in the caller's order) fails first; customers (earlier) fails later: customers' error
    _fake_loads(monkeypatch, {"customers": 0.3, "tickets": 0.01}, fail={"customers", "tickets"})
    with pytest.raises(reader.UnreadableWorkbook) as error:
        with reader._SheetLoader("x.xlsx", object(), SHEETS, workers=workers,
                                 weights={**CELLS, "T": 5000}) as loader:
            list(loader.results())
    assert error.value.detail == "customers"


def test_register_is_the_same_whatever_order_its_sheets_were_loaded(small_book):
    from crm_xl.ports.safety import check_input

    assert dict(check_input(small_book).sheet_cells)  # the path read plans by cells …
    by_path = reader.read_register(small_book)
    by_bytes = reader.read_register(small_book.read_bytes())  # … the one from memory in sheet order
    assert list(by_path.frames) == list(by_bytes.frames)
    for key in by_path.frames:
        pd.testing.assert_frame_equal(by_path.frames[key], by_bytes.frames[key], check_exact=True)
    pd.testing.assert_frame_equal(by_path.unreadable, by_bytes.unreadable, check_exact=True)
    assert by_path.findings == by_bytes.findings
    assert list(by_path.intake.sheets) == list(by_bytes.intake.sheets)
    assert by_path.intake == by_bytes.intake
    assert (by_path.positions, list(by_path.positions)) == (by_bytes.positions, list(by_bytes.positions))
    assert (by_path.extras, list(by_path.extras)) == (by_bytes.extras, list(by_bytes.extras))


@pytest.mark.parametrize("workers", [1, 2])
def test_loader_lets_go_of_a_sheet_the_caller_is_done_with(monkeypatch, workers):
    """Once the caller drops a loaded sheet and asks for the next, the loader holds it no longer:
    it is freed while the next sheet is still being parsed, not after (one sheet less at the peak)."""
    import time
    import weakref

    monkeypatch.setattr(reader, "_release_freed_memory", lambda: None)

    class Parsed:  # what a loader thread hands over (calamine's cells, an Arrow table)
        def __init__(self, key):
            self.key = key

    refs: dict[str, weakref.ref] = {}
    freed_before_last: list[bool] = []

    def load(source, rd, name, key):
        if key == "contacts":  # the last sheet waits until the one before it is let go of
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline and not ("customers" in refs and refs["customers"]() is None):
                time.sleep(0.01)
            freed_before_last.append("customers" in refs and refs["customers"]() is None)
        return Parsed(key)

    sheets = [("settings", "S"), ("customers", "C"), ("contacts", "P")]
    with reader._SheetLoader("x.xlsx", object(), sheets, workers=workers,
                             opener=lambda source: object(), loader=load) as loader:
        for key, parsed in loader.results():
            refs[key] = weakref.ref(parsed)
            del parsed  # the caller is done with it
    assert freed_before_last == [True]


@pytest.mark.parametrize("large", [True, False])
def test_a_taken_sheet_loses_its_rows_only_in_a_large_book(small_book, monkeypatch, large):
    """``on_sheet`` returning True: a large book's Register holds that sheet without rows (its
    columns stay); a small book keeps everything (freeing it costs more time than it saves)."""
    monkeypatch.setattr(reader, "_GIVE_BACK_CELLS", 0 if large else 10**12)
    whole = reader.read_register(small_book)
    taken = reader.read_register(small_book, on_sheet=lambda key, frame, extras: key == "customers")
    assert len(whole.frames["customers"]) > 0
    assert list(taken.frames["customers"].columns) == list(whole.frames["customers"].columns)
    assert taken.frames["customers"].empty is large
    pd.testing.assert_frame_equal(taken.frames["opportunities"], whole.frames["opportunities"])
