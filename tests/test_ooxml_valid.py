"""An independent OOXML validator (openxml-audit, from PyPI) finds no error in the built .xlsm."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator

from crm_xl.workbook import build_workbook

ROOT = Path(__file__).resolve().parents[1]


def _errors(path: Path) -> list[str]:
    result = OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0).validate(str(path))
    return [str(e) for e in result.errors]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ooxml") / "demo.xlsm"
    build_workbook(path, demo=True, as_of=dt.date(2026, 11, 23), macros=True, n_customers=20, lang="en")
    return path


def test_the_committed_template_has_no_ooxml_error() -> None:
    assert _errors(ROOT / "workbook" / "crm.xlsm") == []


def test_a_filled_macro_register_has_no_ooxml_error(demo: Path) -> None:
    assert _errors(demo) == []


def test_the_validator_does_find_errors(demo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsm"
    with zipfile.ZipFile(demo) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<sheetView ", b'<sheetView zoomScale="banana" ', 1)
            out.writestr(info, data)
    assert any("zoomScale" in e for e in _errors(broken))
