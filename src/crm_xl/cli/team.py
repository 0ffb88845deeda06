"""Team-scale commands: ``merge`` (salespeople's books back into the master) and ``sync`` (registers
into one database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from crm_xl.cli.app import EXIT_FINDINGS, app, atomic_output, err_console, handle_errors, lang_option, resolve_lang
from crm_xl.i18n import pick


def say(zh: str, en: str, lang: str) -> None:
    """One summary line, never wrapped (a URL or path stays whole for whoever reads or greps it)."""
    typer.echo(pick(zh, en, lang))


@app.command("sync", help="Load one or many team registers into a database (DuckDB file or PostgreSQL).\n\n"
                          "Upserts by record ID: syncing the same workbook twice changes nothing. Every changed "
                          "value is kept in crm_history with the sync's time, and each sync stores a pipeline "
                          "snapshot (for forecast vs actual). One transaction: all of a sync or nothing.\n\n"
                          "Example: crm-xl sync 张伟.xlsx 李娜.xlsx --db duckdb:///crm.duckdb")
@handle_errors()
def sync_command(
    registers: list[Path] = typer.Argument(..., help="Register workbooks (.xlsx/.xlsm); only read."),
    db: str = typer.Option("duckdb:///crm.duckdb", "--db", help="Database URL: duckdb:///FILE (default "
                           "duckdb:///crm.duckdb) or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB."),
    at: str = typer.Option(None, "--at", help="Time recorded for this sync and its pipeline snapshot "
                                              "(YYYY-MM-DD or ISO date-time; default now)."),
    password: str = typer.Option(None, "--password", help="Password of encrypted workbooks (or CRM_XL_PASSWORD)."),
    lang: str = lang_option(),
) -> None:
    from crm_xl.ports.database import is_database_url, redact, sync
    from crm_xl.ports.reader import read_register

    if not is_database_url(db):
        raise typer.BadParameter("--db must be duckdb:///FILE or postgresql://…")
    when = dt.datetime.fromisoformat(at) if at else None
    loaded = []
    names = set()
    for path in registers:
        register = read_register(path, password=password)
        name = path.name
        if name in names:  # two books with one file name: tell them apart by their folder
            name = str(path)
        names.add(name)
        loaded.append((name, register))
    lang = resolve_lang(lang, loaded[0][1].lang if loaded else "zh-CN")
    with err_console.status(f"sync → {redact(db)}") as status:
        result = sync(db, loaded, at=when, progress=lambda sheet: status.update(f"sync → {redact(db)}: {sheet}"))
    ins, upd, dele = sum(result.inserted.values()), sum(result.updated_values.values()), sum(result.deleted.values())
    say(f"同步 #{result.sync_id} → {redact(db)}：{result.changes} 处变更（新增记录 {ins}，修改值 {upd}，删除记录 {dele}）；"
        f"管道快照 {result.snapshot_deals} 个在谈机会",
        f"Sync #{result.sync_id} → {redact(db)}: {result.changes} changes ({ins} records added, {upd} values changed, "
        f"{dele} records removed); pipeline snapshot of {result.snapshot_deals} open deals", lang)
    for sheet in sorted(set(result.inserted) | set(result.updated_values) | set(result.deleted)):
        a, u, d = result.inserted.get(sheet, 0), result.updated_values.get(sheet, 0), result.deleted.get(sheet, 0)
        if a or u or d:
            say(f"  {sheet}：+{a} 条，{u} 个值，−{d} 条", f"  {sheet}: +{a} records, {u} values, −{d} records", lang)
    if result.migrations and any("." in m for m in result.migrations):
        say(f"  数据库结构已升级：{', '.join(m for m in result.migrations if '.' in m)}",
            f"  database schema migrated: {', '.join(m for m in result.migrations if '.' in m)}", lang)
    if result.renumbered:
        say(f"  {result.renumbered} 条记录只是行号变了（值未变）", f"  {result.renumbered} records only moved to another row",
            lang)
    if result.duplicate_ids:
        shown = "; ".join(result.duplicate_ids[:5])
        say(f"  {len(result.duplicate_ids)} 条记录的编号重复，按 来源!行号 另存：{shown}",
            f"  {len(result.duplicate_ids)} records repeat an ID already taken; stored under source!row: {shown}", lang)
