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
    from crm_xl.cli.app import check_early, preload
    from crm_xl.ports.database_url import is_database_url

    if not is_database_url(db):
        raise typer.BadParameter("--db must be duckdb:///FILE or postgresql://…")
    resolve_lang(lang)  # a bad --lang is refused before anything is written (the books' language is known later)
    if registers:  # the first book's input check runs on the second core while pandas and the core are imported
        check_early(registers[0])
    from crm_xl.ports.reader import read_register

    when = dt.datetime.fromisoformat(at) if at else None
    # SQLAlchemy, the driver and the snapshot's forecast code (≈ 1 s) import while the first book is read.
    driver = ("duckdb_engine",) if db.lower().startswith("duckdb") else ("sqlalchemy.dialects.postgresql.psycopg",)
    preload(("sqlalchemy", "crm_xl.ports.database", *driver, "crm_xl.forecast"))
    names: list[str] = []
    for path in registers:
        name = path.name
        if name in names:  # two books with one file name: tell them apart by their folder
            name = str(path)
        names.append(name)
    # Every book but the last is read first; the last is read by the sync itself, which stores each
    # sheet while the next one loads (same result as reading it first, one transaction either way).
    loaded = [(name, read_register(path, password=password)) for name, path in zip(names[:-1], registers[:-1])]

    def read_last(on_sheet):
        register = read_register(registers[-1], password=password, on_sheet=on_sheet)
        loaded.append((names[-1], register))
        return register

    from crm_xl.ports.database import redact, sync

    with err_console.status(f"sync → {redact(db)}") as status:
        result = sync(db, list(loaded), at=when, progress=lambda sheet: status.update(f"sync → {redact(db)}: {sheet}"),
                      reading=(names[-1], read_last) if registers else None)
    lang = resolve_lang(lang, loaded[0][1].lang if loaded else "zh-CN")
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


@app.command("merge", help="Merge salespeople's books back into the master register (three-way, by record ID).\n\n"
                           "Each book is compared with the export it started from (found through the book's export "
                           "record, or --base): a change on one side is taken and written to 变更日志; the same cell "
                           "changed differently on both sides is a conflict, listed on a 合并冲突 sheet with both "
                           "values while the master's value stays (exit 1). New records are added (an ID already "
                           "used gets the next free one, reported); a record removed in a book is removed only when "
                           "the master still has it as exported. The inputs are only read.\n\n"
                           "Example: crm-xl merge 台账.xlsx 张伟.xlsx 李娜.xlsx --out 台账-合并.xlsx")
@handle_errors()
def merge_command(
    master: Path = typer.Argument(..., help="The master register (only read)."),
    books: list[Path] = typer.Argument(..., help="The salespeople's books (exports of the master, edited)."),
    out: Path = typer.Option(..., "--out", help="The merged master to write (.xlsx)."),
    base: Path = typer.Option(None, "--base", help="The export the books started from (default: the base kept "
                                                   "by crm-xl export beside each book)."),
    password: str = typer.Option(None, "--password", help="Password of encrypted workbooks (or CRM_XL_PASSWORD)."),
    lang: str = lang_option(),
) -> None:
    from crm_xl.merge import Book, merge_books
    from crm_xl.ports.books import book_owner, find_base, read_export_record, write_merged
    from crm_xl.ports.reader import read_register

    inputs = [master, *books] + ([base] if base else [])
    if any(out.resolve() == p.resolve() for p in inputs):
        raise typer.BadParameter("--out must not be one of the inputs")
    master_reg = read_register(master, password=password)
    lang = resolve_lang(lang, master_reg.lang)
    base_reg = read_register(base, password=password) if base else None
    loaded = []
    for path in books:
        record = read_export_record(path)
        book_base = base_reg
        if book_base is None:
            found = find_base(path, master, record)
            if found is None:
                from crm_xl.cli.app import fail

                fail(pick(f"{path}：找不到它导出时的底稿（没有 crm-xl export 记录，或 .crm-xl-bases 中没有副本）；"
                          "请用 --base 指定该台账导出时的文件",
                          f"{path}: no base found (no crm-xl export record, or no copy in .crm-xl-bases); "
                          "give the export it started from with --base", lang))
            book_base = read_register(found, password=password)
        register = read_register(path, password=password)
        loaded.append(Book(path.name, book_owner(register, record, path.name), register, book_base))
    # The merged workbook, its 变更日志 rows and 合并冲突 sheet keep the master's language; --lang is for messages.
    result = merge_books(master_reg, loaded, lang=master_reg.lang)
    with atomic_output(out) as tmp:
        write_merged(tmp, master_reg, result, master_reg.lang)
    n = result.counts()
    say(f"已合并 {len(loaded)} 个台账 → {out}：修改 {n['update']} 个值，新增 {n['add']} 条，删除 {n['delete']} 条，"
        f"冲突 {len(result.conflicts)} 处（均已写入 变更日志）",
        f"Merged {len(loaded)} books → {out}: {n['update']} values changed, {n['add']} records added, "
        f"{n['delete']} removed, {len(result.conflicts)} conflicts (changes written to the change log)", lang)
    for r in result.renamed:
        say(f"  编号冲突：{r.book} 新增的 {r.old_id} 在主台账中已被占用，改为 {r.new_id}",
            f"  ID clash: {r.old_id} added in {r.book} is already used in the master; renamed {r.new_id}", lang)
    if result.conflicts:
        say(f"  {len(result.conflicts)} 处冲突见 合并冲突 工作表：保留了主台账的值，请核对",
            f"  {len(result.conflicts)} conflicts are on the Merge conflicts sheet: the master's values were kept; "
            "check them", lang)
        raise typer.Exit(EXIT_FINDINGS)
