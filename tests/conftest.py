"""Shared fixtures: temporary workbooks and the independent reader used to check outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def calamine_rows(path: Path, sheet: str) -> list[list]:
    """All rows of a sheet read with python-calamine (independent of crm-xl's reader)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python()


@pytest.fixture
def tmp_book(tmp_path: Path) -> Path:
    return tmp_path / "book.xlsx"
