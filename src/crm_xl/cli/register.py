"""Commands that create register workbooks: ``new`` and ``demo``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from crm_xl.i18n import UsageError
from crm_xl.cli.app import as_of_date, app, atomic_output, fail, handle_errors, lang_option, resolve_lang, say


PROTECT_ENV = "CRM_XL_PROTECT_PASSWORD"


def protect_password() -> str:
    """The sheet-protection password: environment variable, else a hidden prompt; never stored."""
    import os
    import sys

    secret = os.environ.get(PROTECT_ENV)
    if secret:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.prompt("Protection password / 保护密码", hide_input=True, confirmation_prompt=True)
    fail(f"--protect needs a password: set {PROTECT_ENV} (it is never stored by crm-xl)")
    raise AssertionError


@app.command("new", help="Create a new register workbook in the chosen language.\n\n"
                         "Example: crm-xl new 客户台账.xlsx --lang zh-CN --demo")
@handle_errors(outputs=("path",))
def new(
    path: Path = typer.Argument(..., help="Where to write the workbook (.xlsx; .xlsm adds the macro buttons)."),
    lang: str = lang_option("zh-CN"),
    demo: bool = typer.Option(False, "--demo", help="Fill the register with the demo company's data."),
    profile: str = typer.Option("trade", "--profile", help="trade (foreign trade) or auto (car dealer)."),
    seed: int = typer.Option(20261123, "--seed", help="Seed of the demo data generator."),
    as_of: str = typer.Option(None, "--as-of", help="Date the demo data runs up to (YYYY-MM-DD; default today)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    protect: bool = typer.Option(False, "--protect", help="Protect derived columns and generated sheets; the password "
                                 "comes from CRM_XL_PROTECT_PASSWORD or a prompt and is never stored by crm-xl."),
) -> None:
    from crm_xl.workbook import build_workbook

    lang = resolve_lang(lang)
    if path.exists() and not force:
        raise UsageError(f"{path} 已存在；要覆盖请加 --force", f"{path} exists; use --force to overwrite it")
    day = as_of_date(as_of)
    secret = protect_password() if protect else None
    with atomic_output(path) as tmp:
        counts = build_workbook(tmp, lang=lang, demo=demo, profile=profile, seed=seed, as_of=day,
                                macros=path.suffix.lower() == ".xlsm", protect=secret)
    say(f"已生成 {path}", f"Wrote {path}", lang)
    if demo:
        for key, n in counts.items():
            say(f"  {key}: {n} 行", f"  {key}: {n} rows", lang)


@app.command("demo", help="Run crm-xl end to end on a generated demo company and write every output.\n\n"
                          "Example: crm-xl demo --out crm-xl-demo --lang en")
@handle_errors()
def demo(
    out: Path = typer.Option(Path("crm-xl-demo"), "--out", help="Folder for the outputs."),
    lang: str = lang_option("zh-CN"),
    profile: str = typer.Option("trade", "--profile", help="trade (foreign trade) or auto (car dealer)."),
    seed: int = typer.Option(20261123, "--seed"),
    as_of: str = typer.Option("2026-11-23", "--as-of", help="Date the demo company's data runs up to."),
) -> None:
    from crm_xl.showcase import run_demo

    run_demo(out, lang=resolve_lang(lang), profile=profile, seed=seed, as_of=as_of_date(as_of))
