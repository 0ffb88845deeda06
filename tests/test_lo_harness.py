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


def _fake_libreoffice(root: Path, parts: tuple[str, ...]) -> str:
    """An install tree like Debian's, with only `parts` (calc, writer) installed."""
    (root / "program").mkdir(parents=True)
    (root / "share" / "registry").mkdir(parents=True)
    for part in ("main", *parts):
        (root / "share" / "registry" / f"{part}.xcd").write_text("<oor:data/>", encoding="utf-8")
    soffice = root / "program" / "soffice"
    soffice.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    return str(soffice)


def test_a_missing_part_skips_with_the_reason_or_fails_when_required(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice with Calc but no Writer (Debian installs them separately): Writer tests skip and
    say so, Calc tests run; with CRM_XL_REQUIRE_LIBREOFFICE=1 the Writer test fails instead."""
    from crm_xl.reports import pdf

    soffice = _fake_libreoffice(tmp_path / "lo", ("calc",))
    monkeypatch.setattr(lo, "soffice_path", lambda: soffice)
    monkeypatch.setattr(pdf, "soffice_path", lambda: soffice)
    monkeypatch.delenv(lo.REQUIRE_ENV, raising=False)
    assert pdf.libreoffice_parts() == {"calc"}
    assert lo.require_soffice("calc") == soffice
    with pytest.raises(_pytest.outcomes.Skipped, match="LibreOffice Writer is not installed, only Calc"):
        lo.require_soffice("writer")
    monkeypatch.setenv(lo.REQUIRE_ENV, "1")
    with pytest.raises(_pytest.outcomes.Failed, match="libreoffice-writer-nogui"):
        lo.require_soffice("writer")


def test_the_pdf_engine_names_the_missing_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_xl.reports import pdf

    soffice = _fake_libreoffice(tmp_path / "lo", ("calc",))
    monkeypatch.setattr(pdf, "soffice_path", lambda: soffice)
    with pytest.raises(pdf.PdfEngineMissing, match="Writer is not installed"):
        pdf.pdf_engine("libreoffice")
    def no_weasyprint():
        raise ImportError("No module named 'weasyprint'")

    monkeypatch.setattr(pdf, "_weasyprint", no_weasyprint)
    with pytest.raises(pdf.PdfEngineMissing, match="install weasyprint"):
        pdf.pdf_engine("auto")
    writer_too = _fake_libreoffice(tmp_path / "full", ("calc", "writer"))
    monkeypatch.setattr(pdf, "soffice_path", lambda: writer_too)
    assert pdf.pdf_engine("auto") == "libreoffice"
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert pdf.libreoffice_parts() == set()


def test_a_machine_without_pango_gets_one_line_naming_the_packages(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture) -> None:
    """A fresh Debian machine (no libpango, no LibreOffice; checked with .ci/fresh-machine bare):
    WeasyPrint's import prints a boxed notice and raises OSError. crm-xl says what to install in
    one line, prints nothing else, and `auto` names both ways to get a PDF."""
    import builtins

    from crm_xl.reports import pdf

    real_import = builtins.__import__

    def import_without_pango(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            print("\n-----\n\nWeasyPrint could not import some external libraries.\n\n-----\n")
            raise OSError("cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", import_without_pango)
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert pdf.weasyprint_missing() == "WeasyPrint cannot load the system's Pango (apt install libpango-1.0-0 libpangoft2-1.0-0)"
    assert not pdf.weasyprint_available()
    with pytest.raises(pdf.PdfEngineMissing) as exc:
        pdf.pdf_engine("auto")
    assert "libpango-1.0-0" in str(exc.value) and "libreoffice-writer-nogui" in str(exc.value)
    assert capsys.readouterr().out == ""
