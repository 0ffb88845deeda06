"""Shared fixtures: temporary workbooks and the independent reader used to check outputs."""

from __future__ import annotations

import hashlib
import os
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def calamine_rows(path: Path, sheet: str) -> list[list]:
    """All rows of a sheet read with python-calamine (independent of crm-xl's reader)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python()


def plain_value(v):
    """A frame cell as a plain Python value: NA/NaT/NaN → None, Timestamp → date."""
    import pandas as pd

    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def corpus_dir() -> Path | None:
    """``$CRM_XL_CORPUS``, else the nearest ``shared/corpus`` beside the repository or above it
    (CI clones the repo with shared/ beside it; local git worktrees sit one level deeper)."""
    if os.environ.get("CRM_XL_CORPUS"):
        return Path(os.environ["CRM_XL_CORPUS"])
    for parent in Path(__file__).resolve().parents[2:]:
        if (parent / "shared" / "corpus" / "MANIFEST.tsv").is_file():
            return parent / "shared" / "corpus"
    return None


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging when the block runs longer than ``seconds`` (Unix)."""

    def _expired(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def tmp_book(tmp_path: Path) -> Path:
    return tmp_path / "book.xlsx"


def cli_in_process(*args: str):
    """The real ``crm-xl`` command through typer's runner in this process (a new process costs
    seconds of imports); returns a CompletedProcess (exit code, stdout, stderr apart)."""
    import subprocess

    from typer.testing import CliRunner

    from crm_xl.cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
