"""The LibreOffice harness itself: skip/fail policy and headless conversion."""

from __future__ import annotations

import csv
from pathlib import Path

import _pytest.outcomes
import lo
import pytest
import xlsxwriter


def test_require_soffice_skips_or_fails_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lo, "soffice_path", lambda: None)
    monkeypatch.delenv(lo.REQUIRE_ENV, raising=False)
    with pytest.raises(_pytest.outcomes.Skipped):
        lo.require_soffice()
    monkeypatch.setenv(lo.REQUIRE_ENV, "1")
    with pytest.raises(_pytest.outcomes.Failed):
        lo.require_soffice()


@pytest.mark.libreoffice
def test_convert_recalculates_and_writes_csv(tmp_path: Path) -> None:
    lo.require_soffice()
    source = tmp_path / "客户 book.xlsx"
    workbook = xlsxwriter.Workbook(str(source))
    sheet = workbook.add_worksheet("Data")
    sheet.write_row(0, 0, ["公司", "金额", "加权"])
    sheet.write_row(1, 0, ["宁波进出口有限公司", 1000])
    sheet.write_formula(1, 2, "=B2*0.4", None, 0)  # cached value 0: LibreOffice must recalculate
    workbook.close()
    out = lo.convert(source, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out")
    assert out == tmp_path / "out" / "客户 book.csv"
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows == [["公司", "金额", "加权"], ["宁波进出口有限公司", "1000", "400"]]


@pytest.mark.libreoffice
def test_convert_reports_failure(tmp_path: Path) -> None:
    lo.require_soffice()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(lo.LibreOfficeError):
        lo.convert(broken, "pdf", tmp_path / "out")


@pytest.mark.libreoffice
def test_run_macro_recalculates_on_request(tmp_path: Path) -> None:
    lo.require_uno()
    source = tmp_path / "calc.xlsx"
    workbook = xlsxwriter.Workbook(str(source))
    sheet = workbook.add_worksheet("Data")
    sheet.write("B2", 1000)
    sheet.write_formula("C2", "=B2*0.4", None, 0)
    workbook.close()
    report = lo.run_macro(source, cells=["C2"], recalc=True)
    assert report["cells"]["C2"]["value"] == 400
    assert report["modules"] == []
