"""What a fresh machine sees: the README's first command on Debian 12 with Python and git only (no
Pango for WeasyPrint, no LibreOffice), as checked for real with `.ci/fresh-machine bare`. There
`crm-xl demo` stopped with "crm-xl: LibreOfficeError" and WeasyPrint's boxed notice after step ④.
Here the missing engine is simulated; the chroot run is the real check."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_xl.cli import app

REASON = "WeasyPrint cannot load the system's Pango (apt install libpango-1.0-0 libpangoft2-1.0-0), " \
         "and LibreOffice is not installed (apt install libreoffice-writer-nogui)"


@pytest.mark.slow
def test_the_demo_without_any_pdf_engine_says_so_once_and_writes_html(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_xl.reports import pdf

    def no_engine(preferred: str = "auto") -> str:
        raise pdf.PdfEngineMissing(f"no PDF engine for {preferred!r}: {REASON}")

    def must_not_print(*args, **kwargs):
        raise AssertionError("a PDF was attempted with no engine")

    monkeypatch.setattr(pdf, "pdf_engine", no_engine)
    monkeypatch.setattr(pdf, "html_to_pdf", must_not_print)
    # no LibreOffice at all (on a machine with Calc the demo prints the form with Calc)
    monkeypatch.setattr(pdf, "libreoffice_missing", lambda part: "LibreOffice is not installed")
    from crm_xl import forms

    monkeypatch.setattr(forms, "render_pdfs", must_not_print)
    out = tmp_path / "crm-xl-demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines at its width
    assert said.count("PDF") == 1, result.output
    assert (f"No PDFs: {REASON}; the complaint form, documents and reports are written as HTML "
            "(print them from a browser)") in said, result.output
    assert "-----" not in result.output and "LibreOfficeError" not in result.output
    assert not list(out.rglob("*.pdf"))
    assert list(out.glob("complaint-form-*.html")) and "complaint-form-" in result.output
    assert len(list((out / "documents").glob("*.html"))) == 4
    assert (out / "reports" / "report-monthly.html").is_file()
    assert "Done." in result.output


def test_an_os_error_crm_xl_raises_with_a_message_shows_that_message() -> None:
    """`crm-xl complaint-form --out x.pdf` with no engine printed only "crm-xl: LibreOfficeError"."""
    from crm_xl.cli.app import os_error_message
    from crm_xl.forms import LibreOfficeError

    msg = "no PDF engine: install weasyprint or LibreOffice (soffice); or use --out FILE.html / FILE.xlsx"
    assert os_error_message(LibreOfficeError(msg), "en") == msg
    assert os_error_message(PermissionError(13, "Permission denied", "/x"), "en") == "permission denied (/x)"


def test_weasyprint_missing_is_none_where_it_works() -> None:
    from crm_xl.reports import pdf

    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint cannot start on this machine")
    assert pdf.weasyprint_missing() is None and pdf.weasyprint_available()
    assert builtins  # (the no-Pango import path is tested in test_lo_harness)
