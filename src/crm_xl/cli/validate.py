"""``crm-xl validate``: check a register workbook and report every finding, for people and for CI."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer

from crm_xl.cli.app import (as_of_date, EXIT_FINDINGS, EXIT_OK, app, atomic_output, console, handle_errors, lang_option,
                            source_argument, resolve_lang, say_coverage)
from crm_xl.i18n import pick
from crm_xl.cli.app import VALIDATION_MODULES, check_early, dumps, preload

# What validate imports after the read: the rules, their libraries and the operations sheets' rules.
VALIDATE_MODULES = (*VALIDATION_MODULES, "crm_xl.intelligence", "crm_xl.projects", "crm_xl.training",
                    "crm_xl.vehicles")

FORMATS = ("text", "json", "junit")
JSON_VERSION = 1


@app.command("validate", help="Check a register workbook: every finding with its cell, code and message.\n\n"
                              "Exit 0 when clean, 1 when there are findings at or above --fail-on, "
                              "2 when the workbook cannot be read. The workbook is never modified.\n\n"
                              "Example: crm-xl validate 客户台账.xlsx --format json --out findings.json")
@handle_errors()
def validate_command(
    path: Path = source_argument(),
    as_of: str = typer.Option(None, "--as-of", help="Check as of this date (YYYY-MM-DD; default today)."),
    format: str = typer.Option("text", "--format", "-f", help="text (a table per sheet), json or junit."),
    fail_on: str = typer.Option("error", "--fail-on", help="Exit 1 on findings of this severity or worse: "
                                                           "error or warning."),
    lang: str = lang_option(),
    out: Path = typer.Option(None, "--out", "-o", help="Write the report to this file (atomically) "
                                                       "instead of the terminal."),
    password: str = typer.Option(None, "--password", envvar="CRM_XL_PASSWORD",
                                 help="Password of an encrypted workbook."),
    max_rows: int = typer.Option(200, "--max-rows", help="Text format: at most this many findings per "
                                                         "sheet (0 = all)."),
) -> None:
    if format not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if fail_on not in ("error", "warning"):
        raise typer.BadParameter("--fail-on must be error or warning")
    try:
        day = as_of_date(as_of)
    except ValueError:
        raise typer.BadParameter(f"--as-of {as_of!r} is not a date like 2026-11-23") from None
    check_early(path)  # the input check runs on the second core while the reader is imported
    from crm_xl.ports.reader import read_register

    preload(VALIDATE_MODULES)  # the validators import on the second core while fastexcel reads
    register = read_register(path, password=password) if password else read_register(path)
    from crm_xl.validation import validate

    lang = resolve_lang(lang, register.lang)
    result = validate(register, day)
    if format == "json":
        text = dumps(report_json(result, str(path), lang), indent=1)
    elif format == "junit":
        text = report_junit(result, str(path), lang)
    else:
        text = None
    if out is not None:
        with atomic_output(out) as tmp:
            if text is None:
                with tmp.open("w", encoding="utf-8") as fh:
                    print_text(result, lang, max_rows, file=fh)
            else:
                tmp.write_text(text, encoding="utf-8")
    elif text is None:
        print_text(result, lang, max_rows)
    else:
        sys.stdout.write(text + "\n")
    failing = result.at_or_above(fail_on)
    if out is not None or format == "text":
        say_coverage(register, lang)
        summary = result.summary()
        console.print(pick(f"{summary['rows_checked']} 行已检查：{summary['errors']} 个错误，{summary['warnings']} 个警告，"
                           f"{result.infos} 个提示" + (f"；报告已写入 {out}" if out else ""),
                           f"{summary['rows_checked']} rows checked: {summary['errors']} errors, "
                           f"{summary['warnings']} warnings, {result.infos} infos" + (f"; report written to {out}" if out else ""),
                           lang), markup=False)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


def report_json(result, workbook: str, lang: str) -> dict[str, Any]:
    """The SPEC JSON contract: workbook, summary {errors, warnings, rows_checked}, findings."""
    return {
        "version": JSON_VERSION,
        "workbook": workbook,
        "summary": result.summary(),
        "findings": [f.to_json(lang) for f in result.findings],
    }


def report_junit(result, workbook: str, lang: str) -> str:
    """JUnit XML: one testcase per finding code in the catalogue, one failure per finding."""
    from xml.etree import ElementTree as ET

    from crm_xl.messages import CATALOGUE
    from crm_xl.ports.sanitize import visible_line, visible_text

    by_code: dict[str, list] = {}
    for f in result.findings:
        by_code.setdefault(f.code, []).append(f)
    codes = sorted(set(CATALOGUE) | set(by_code))
    suites = ET.Element("testsuites", name="crm-xl validate")
    suite = ET.SubElement(suites, "testsuite", name=visible_line(workbook), tests=str(len(codes)),
                          failures=str(sum(1 for c in codes if by_code.get(c))), errors="0", skipped="0",
                          timestamp=dt.datetime.now().replace(microsecond=0).isoformat())
    for code in codes:
        entry = CATALOGUE.get(code)
        title = entry.title(lang) if entry else code
        case = ET.SubElement(suite, "testcase", classname=f"crm-xl.{code[:2]}", name=f"{code} {title}")
        for f in by_code.get(code, ()):
            where = f"{result.register.sheet_label(f.sheet)}!{f.cell or f.row or ''}"
            failure = ET.SubElement(case, "failure", type=f.severity, message=visible_line(f"{where} {f.message(lang)}"))
            failure.text = visible_text(dumps(f.to_json(lang)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def print_text(result, lang: str, max_rows: int = 200, file=None) -> None:
    """Findings as one table per sheet, in the workbook's language."""
    from rich.console import Console
    from rich.table import Table

    from crm_xl.schema import SHEETS

    out = Console(file=file, width=160 if file is not None else None, highlight=False, no_color=file is not None)
    reg = result.register
    styles = {"error": "red", "warning": "yellow", "info": "cyan"}
    sev_text = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
    if not result.findings:
        out.print(pick("没有发现问题。", "No findings.", lang), markup=False)
        return
    groups: dict[str, list] = {}
    for f in result.findings:
        groups.setdefault(f.sheet, []).append(f)
    for sheet, items in groups.items():
        tab, label = reg.sheet_label(sheet), SHEETS[sheet].label(lang)
        title = _escape(tab if tab == label else f"{label} – {tab}")  # the tab's own name, where the user looks
        table = Table(title=f"{title} ({len(items)})", title_justify="left", expand=False)
        for head in (pick("单元格", "Cell", lang), pick("字段", "Column", lang), pick("级别", "Severity", lang),
                     pick("代码", "Code", lang), pick("问题", "Message", lang)):
            table.add_column(head, overflow="fold")
        shown = items if max_rows <= 0 else items[:max_rows]
        for f in shown:
            column = SHEETS[sheet].column(f.column).label(lang) if f.column and SHEETS[sheet].has(f.column) else ""
            table.add_row(f.cell or (str(f.row) if f.row else ""), _escape(column),
                          f"[{styles.get(f.severity, '')}]{pick(*sev_text.get(f.severity, (f.severity, f.severity)), lang)}[/]",
                          f.code, _escape(f.message(lang)))
        out.print(table)
        if len(shown) < len(items):
            out.print(pick(f"……另有 {len(items) - len(shown)} 条，完整列表请用 --format json 或 --max-rows 0",
                           f"… {len(items) - len(shown)} more; use --format json or --max-rows 0 for all", lang),
                      markup=False)


def _escape(text: str) -> str:
    """Cell text for a rich table: markup escaped, control characters shown (an ESC in a cell
    cannot reach the terminal)."""
    from rich.markup import escape

    from crm_xl.ports.sanitize import visible_text

    return escape(visible_text(text))
