"""LibreOffice headless harness for tests: find soffice, convert files, open a workbook and run a macro.

Tests that need LibreOffice call `require_soffice("calc")` or `require_soffice("writer")` for the
part they use (or the `soffice` fixture, Calc, from a conftest): it skips with the reason when
soffice or that part is absent (Debian installs Calc and Writer as separate packages), unless
``CRM_XL_REQUIRE_LIBREOFFICE=1`` is set, in which case the test fails. Every soffice run gets its own throw-away profile
(``-env:UserInstallation``), so runs can go in parallel (pytest-xdist) and never touch a user's.

`run_macro` drives LibreOffice over UNO. Debian's ``python3-uno`` belongs to the system python
(/usr/bin/python3), not the venv, so the work happens in `tests/lo_run_macro.py`, run as a
subprocess, which prints a JSON report. Note: LibreOffice reports Basic compile and runtime errors
in a dialog, which headless mode swallows, so a failed macro usually shows only as a missing
effect; check a cell the macro writes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
MACRO_RUNNER = Path(__file__).with_name("lo_run_macro.py")
REQUIRE_ENV = "CRM_XL_REQUIRE_LIBREOFFICE"


class LibreOfficeError(RuntimeError):
    """soffice failed, timed out, or its UNO runner reported an error."""


def soffice_path() -> str | None:
    """Path of the soffice executable, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"


def require_soffice(part: str = "calc") -> str:
    """Return soffice's path when LibreOffice has `part` (``calc`` opens .xlsx, ``writer`` imports
    HTML); otherwise skip the test with the reason (fail when CRM_XL_REQUIRE_LIBREOFFICE=1)."""
    from crm_xl.reports.pdf import libreoffice_missing

    path = soffice_path()
    message = "LibreOffice (soffice) is not installed" if path is None else libreoffice_missing(part)
    if message:
        if _required():
            pytest.fail(f"{message}, but {REQUIRE_ENV}=1")
        pytest.skip(message)
    return path


def require_uno() -> str:
    """Like `require_soffice` (Calc), and also check the system python has python3-uno; return that python."""
    require_soffice("calc")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True) \
        if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        message = f"python3-uno is not importable by {SYSTEM_PYTHON}"
        if _required():
            pytest.fail(f"{message}, but {REQUIRE_ENV}=1")
        pytest.skip(message)
    return SYSTEM_PYTHON


@pytest.fixture
def soffice() -> str:
    """Fixture form of `require_soffice` (import it into a test module or conftest to use it)."""
    return require_soffice()


# Profile settings: recalculate every formula when an .xlsx/.ods is loaded (0 = always), instead of
# trusting the cached values a writer such as xlsxwriter stored.
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(path: str | Path, fmt: str, outdir: str | Path, timeout: float = 180, recalc: bool = True) -> Path:
    """Convert `path` with ``soffice --headless --convert-to fmt`` into `outdir`; return the new file.

    `fmt` is what ``--convert-to`` takes: ``pdf``, ``xlsx``, ``csv``, or with a filter such as
    ``pdf:calc_pdf_Export``; the output's extension is the part before the colon. With `recalc`
    (default) LibreOffice recalculates every formula on load, so the output shows what a client
    computes rather than the cached values stored in the file.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice is not installed")
    source = Path(path).resolve()
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crm-xl-lo-profile-") as profile:
        if recalc:
            user = Path(profile) / "user"
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
        command = [soffice, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={Path(profile).as_uri()}",
                   "--convert-to", fmt, "--outdir", str(out), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"soffice timed out after {timeout}s converting {source}") from exc
    result = out / f"{source.stem}.{fmt.split(':', 1)[0]}"
    if done.returncode != 0 or not result.is_file():
        raise LibreOfficeError(
            f"soffice could not convert {source} to {fmt} (exit {done.returncode}): {done.stderr or done.stdout}"
        )
    return result


def run_macro(
    xlsm_path: str | Path,
    macro: str | None = None,
    cells: tuple[str, ...] | list[str] = ("B2",),
    sheet: str | None = None,
    sources: bool = False,
    recalc: bool = False,
    timeout: float = 180,
) -> dict:
    """Open `xlsm_path` in headless LibreOffice, run ``Module.Sub`` `macro` (if given), report as a dict.

    Keys: ``modules`` (names in the document's VBAProject library), ``sheets``, ``codenames``
    (sheet -> code name), ``vba_mode``, ``macro_error`` (None unless UNO raised), ``cells``
    (address -> {sheet, string, value, formula} read after the macro from `sheet`, default the
    first sheet) and, with `sources`, ``sources`` (module -> Basic text LibreOffice imported).
    With `recalc`, every formula is recalculated after the macro, before cells are read.
    """
    python = SYSTEM_PYTHON
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice is not installed")
    command = [python, str(MACRO_RUNNER), str(Path(xlsm_path).resolve()), "--soffice", soffice,
               "--timeout", str(max(timeout - 30, 30))]
    if macro:
        command += ["--macro", macro]
    for cell in cells:
        command += ["--cell", cell]
    if sheet:
        command += ["--sheet", sheet]
    if sources:
        command.append("--sources")
    if recalc:
        command.append("--recalc")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"LibreOffice macro run timed out after {timeout}s on {xlsm_path}") from exc
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as exc:
        raise LibreOfficeError(f"no JSON from {MACRO_RUNNER.name} (exit {done.returncode}): {done.stderr}") from exc
    if done.returncode != 0 or "error" in report:
        raise LibreOfficeError(f"LibreOffice could not open {xlsm_path}: {report.get('error', done.stderr)}")
    return report


def pdf_engine_missing() -> str | None:
    """None when crm-xl can print a PDF here (WeasyPrint with Pango, or LibreOffice Writer)."""
    from crm_xl.reports.pdf import PdfEngineMissing, pdf_engine

    try:
        pdf_engine("auto")
    except PdfEngineMissing as exc:
        return str(exc)
    return None


def require_pdf_engine() -> None:
    """Skip a test that prints a PDF on a machine with no PDF engine (a fresh Debian without Pango
    or LibreOffice Writer), with the reason; fail instead when CRM_XL_REQUIRE_LIBREOFFICE=1 (CI
    installs both)."""
    missing = pdf_engine_missing()
    if missing:
        if _required():
            pytest.fail(f"{missing}, but {REQUIRE_ENV}=1")
        pytest.skip(missing)
