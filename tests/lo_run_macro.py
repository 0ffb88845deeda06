#!/usr/bin/python3
"""Open a workbook in headless LibreOffice, optionally run one VBA macro, print a JSON report.

Runs under the SYSTEM python (/usr/bin/python3), which has Debian's python3-uno; the test venv
calls it through `tests/lo.py:run_macro`. Usage:

    /usr/bin/python3 tests/lo_run_macro.py BOOK.xlsm [--macro Module.Sub] [--cell B2 ...] [--sheet NAME]
        [--sources] [--recalc] [--soffice /usr/bin/soffice] [--timeout 90]

The JSON on stdout has: ``modules`` (element names of the document's VBAProject Basic library),
``sheets`` (sheet names), ``codenames`` (sheet name -> code name), ``macro`` and ``macro_error``
(None on success), ``cells`` (address -> the cell's sheet, string, value and formula after the macro), ``vba_mode``, and with --sources
``sources`` (module name -> the Basic source LibreOffice imported).
Exit code 0 when the document loaded (even if the macro failed; the caller decides), 2 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]  # python3-uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

ALWAYS_EXECUTE_NO_WARN = 4  # com.sun.star.document.MacroExecMode


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, deadline: float):  # noqa: ANN202 - UNO object
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise TimeoutError("soffice did not accept a connection in time") from None
            time.sleep(0.25)


def _cell_report(doc, sheet_name: str | None, address: str) -> dict:  # noqa: ANN001 - UNO object
    sheets = doc.Sheets
    sheet = sheets.getByName(sheet_name) if sheet_name else sheets.getByIndex(0)
    cell = sheet.getCellRangeByName(address)
    return {"sheet": sheet.Name, "address": address, "string": cell.getString(), "value": cell.getValue(),
            "formula": cell.getFormula()}


def inspect(book: Path, macro: str | None, cells: list[str], sheet_name: str | None, soffice: str,
            timeout: float, with_sources: bool = False, recalc: bool = False) -> dict:
    """Start an isolated soffice, load `book`, run `macro`, and report (see module docstring)."""
    profile = Path(tempfile.mkdtemp(prefix="crm-xl-lo-profile-"))
    pipe = f"crm_xl_{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    report: dict = {"file": str(book), "macro": macro, "macro_error": None}
    doc = None
    try:
        context = _connect(pipe, deadline)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        doc = desktop.loadComponentFromURL(
            book.resolve().as_uri(), "_blank", 0,
            (_prop("Hidden", True), _prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN), _prop("ReadOnly", False)),
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not load {book}")
        report["sheets"] = list(doc.Sheets.getElementNames())
        report["codenames"] = {
            name: doc.Sheets.getByName(name).getPropertyValue("CodeName") for name in report["sheets"]
        }
        libraries = doc.BasicLibraries
        report["libraries"] = list(libraries.getElementNames())
        report["vba_mode"] = bool(getattr(libraries, "VBACompatibilityMode", False))
        if libraries.hasByName("VBAProject"):
            libraries.loadLibrary("VBAProject")
            library = libraries.getByName("VBAProject")
            report["modules"] = sorted(library.getElementNames())
            if with_sources:
                report["sources"] = {name: library.getByName(name) for name in report["modules"]}
        else:
            report["modules"] = []
        if macro:
            uri = f"vnd.sun.star.script:VBAProject.{macro}?language=Basic&location=document"
            try:
                script = doc.getScriptProvider().getScript(uri)
                result = script.invoke((), (), ())
                report["macro_result"] = repr(result[0]) if result else None
            except Exception as exc:  # noqa: BLE001 - any UNO error is reported, not raised
                report["macro_error"] = f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"
        if recalc:
            doc.calculateAll()
        report["cells"] = {address: _cell_report(doc, sheet_name, address) for address in cells}
        return report
    finally:
        if doc is not None:
            try:
                doc.close(True)
            except Exception:  # noqa: BLE001 - shutting down anyway
                pass
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--macro", help="Module.Sub in the document's VBAProject library")
    parser.add_argument("--cell", action="append", default=[], help="cell to read after the macro, e.g. B2 (repeatable)")
    parser.add_argument("--sheet", help="sheet name for --cell (default: the first sheet)")
    parser.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    parser.add_argument("--sources", action="store_true", help="include each module's Basic source")
    parser.add_argument("--recalc", action="store_true", help="recalculate all formulas before reading cells")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for soffice to start")
    args = parser.parse_args(argv)
    try:
        report = inspect(args.book, args.macro, args.cell, args.sheet, args.soffice, args.timeout, args.sources, args.recalc)
    except Exception as exc:  # noqa: BLE001 - reported as JSON for the harness
        print(json.dumps({"file": str(args.book), "error": f"{type(exc).__name__}: {exc}"}))
        return 2
    print(json.dumps(report, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
