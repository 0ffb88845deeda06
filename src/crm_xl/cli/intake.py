"""``crm-xl import``: a team's own workbooks and CSV files → a register."""

from __future__ import annotations

from pathlib import Path

import typer

from crm_xl.cli.app import app, atomic_output, fail, handle_errors, lang_option, resolve_lang, say


@app.command("import", help="Bring a team's own spreadsheets into a register: sheets, headers and values are "
                            "matched (synonyms, fuzzy guesses, the map file), flat lists split, records linked by "
                            "company name or e-mail; what cannot be placed goes to the 导入说明 sheet. The sources "
                            "are only read.\n\n"
                            "Example: crm-xl import 我的客户表.xlsx --out 台账.xlsx --save-map 映射.json")
@handle_errors()
def import_command(
    sources: list[Path] = typer.Argument(..., help="Workbooks (.xlsx/.xlsm/.xls/.xlsb/.ods) or CSV files; only read."),
    out: Path = typer.Option(..., "--out", help="The register to write (.xlsx, or .xlsm with the macro buttons)."),
    map_file: Path = typer.Option(None, "--map", help="A map file (JSON) whose sheets, columns and values win "
                                                      "over every guess."),
    save_map: Path = typer.Option(None, "--save-map", help="Write the mapping used (JSON) to correct and re-use."),
    lang: str = lang_option("zh-CN"),
    profile: str = typer.Option("trade", "--profile", help="trade (foreign trade) or auto (car dealer)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
) -> None:
    from crm_xl.intake.importer import consumed, import_tables, to_register
    from crm_xl.intake.mapfile import MapFileError, dump_map, load_map
    from crm_xl.intake.report import coverage_lines
    from crm_xl.ports.import_book import write_imported
    from crm_xl.ports.sources import read_sources

    lang = resolve_lang(lang)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise typer.BadParameter("--out must end in .xlsx or .xlsm")
    resolved = {p.resolve() for p in sources}
    for target in (out, save_map):
        if target is not None and target.resolve() in resolved | ({map_file.resolve()} if map_file and target is out else set()):
            raise typer.BadParameter(f"{target} is an input; choose another output")
    if out.exists() and not force:
        raise typer.BadParameter(f"{out} exists; use --force to overwrite it")
    mapping = None
    if map_file is not None:
        try:
            mapping = load_map(map_file.read_text(encoding="utf-8-sig"), str(map_file))
        except OSError as exc:
            fail(f"{map_file}: {exc.strerror or exc}")
        except MapFileError as exc:
            fail(str(exc))
    result = import_tables(consumed(read_sources(list(sources))), mapping)  # each table freed once done
    if not result.records:
        fail(pick_text("没有找到可导入的客户、商机或订单表", "No customer, deal or order table found to import", lang))
    register = to_register(result, lang=lang, profile=profile)
    register.intake = result.intake
    with atomic_output(out) as tmp:
        write_imported(tmp, register, result, lang, macros=out.suffix.lower() == ".xlsm")
    for line in coverage_lines(register, lang):
        say("数据覆盖：" + line, "Data coverage: " + line, lang)
    counts = (", " if lang == "en" else "，").join(f"{register.sheet_label(k)} {len(v)}" for k, v in result.records.items())
    say(f"已导入 {out}：{counts}；导入说明 {len(result.notes)} 条",
        f"Imported into {out}: {counts}; {len(result.notes)} import notes", lang)
    if save_map is not None:
        with atomic_output(save_map) as tmp:
            tmp.write_text(dump_map(result.mapping), encoding="utf-8")
        say(f"已保存映射 {save_map}（修改后用 --map 重新导入）", f"Saved the mapping to {save_map} (edit it, then re-run with --map)",
            lang)


def pick_text(zh: str, en: str, lang: str) -> str:
    from crm_xl.i18n import pick

    return pick(zh, en, lang)
