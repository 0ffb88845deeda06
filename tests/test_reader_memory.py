"""The reader gives back the memory of each sheet it is done with (issue 16: peak ≤ 1.5 GB at 100k)."""

from __future__ import annotations

import sys
from pathlib import Path

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
