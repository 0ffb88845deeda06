"""``crm-xl build``: rebuild the committed template workbook(s) in ``workbook/``."""

from __future__ import annotations

from pathlib import Path

import typer

from crm_xl.cli.app import app, fail, handle_errors, lang_option, resolve_lang, say


@app.command("build", help="Rebuild the register template in workbook/ (and check it is current).\n\n"
                           "Example: crm-xl build --dir workbook --check")
@handle_errors()
def build(
    directory: Path = typer.Option(Path("workbook"), "--dir", help="Folder of the built templates."),
    check: bool = typer.Option(False, "--check", help="Only check that the files are current (exit 1 if stale)."),
) -> None:
    from crm_xl.workbook import build_templates

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        built = build_templates(Path(tmp))
        stale = []
        for name, path in built.items():
            target = directory / name
            if check:
                if not target.exists() or target.read_bytes() != path.read_bytes():
                    stale.append(name)
                continue
            from crm_xl.ports.atomic import atomic_path

            with atomic_path(target, backups=0) as out:  # the template is in git: no backups
                out.write_bytes(path.read_bytes())
            say(f"已生成 {target}", f"Built {target}", "en")
        if check:
            from crm_xl.excel.upgrade import workbook_xlwings_version
            from crm_xl.excel.vba import xlwings_lock_problems

            embedded = {str(directory / n): workbook_xlwings_version(directory / n)
                        for n in built if n.endswith(".xlsm") and (directory / n).exists()}
            problems = xlwings_lock_problems(embedded)
            for _, en in problems:
                say(en, en, "en")
            if problems:
                fail("the xlwings version lock is broken (see above)", 1)
        if stale:
            fail(f"stale: {', '.join(stale)} (run crm-xl build)", 1)
        if check:
            say("模板已是最新", "Templates are current", "en")


@app.command("upgrade-macros", help="Rebuild a filled register's macros (VBA) for the installed xlwings; its data "
                                    "stays as it is. The old file is only read.\n\n"
                                    "Example: crm-xl upgrade-macros 客户台账.xlsm --out 客户台账-new.xlsm")
@handle_errors()
def upgrade_macros(
    register: Path = typer.Argument(..., help="The register (.xlsm) whose macros to rebuild; it is only read."),
    out: Path = typer.Option(..., "--out", help="Where to write the upgraded copy (.xlsm)."),
    lang: str | None = lang_option(),
) -> None:
    from crm_xl.excel.upgrade import UpgradeRefused
    from crm_xl.excel.upgrade import upgrade_macros as upgrade

    language = resolve_lang(lang)
    try:
        report = upgrade(register, out, lang=language)
    except UpgradeRefused as exc:
        fail(exc.message(language), 1)
        return
    old = report.old_xlwings or "?"
    say(f"已写入 {report.out}：宏已按 xlwings {report.new_xlwings} 重建（原为 {old}），数据未改动。",
        f"Wrote {report.out}: macros rebuilt for xlwings {report.new_xlwings} (were {old}); data unchanged.", language)
