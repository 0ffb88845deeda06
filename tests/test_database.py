"""The database port and ``crm-xl sync`` against DuckDB (a file) and a real PostgreSQL server.

The demo workbook is synced through the CLI as a process; what the database holds is read back
with the drivers themselves (duckdb, psycopg), not with crm-xl's reader.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import cli_in_process
from postgres import Cluster, start_cluster

AS_OF = "2026-11-23"


run_cli = cli_in_process


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    from crm_xl.workbook import build_workbook

    path = tmp_path_factory.mktemp("db") / "demo.xlsx"
    build_workbook(path, lang="zh-CN", demo=True, as_of=dt.date.fromisoformat(AS_OF))
    return path


def _edited_book(src: Path, dst: Path, edit) -> Path:
    """The workbook a salesperson would have after editing: read, change, write with the template."""
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.template import write_register

    register = read_register(src)
    edit(register.frames)
    write_register(dst, register, lang=register.lang)
    return dst


def _analysis(source: str) -> dict:
    result = run_cli("analyze", source, "--as-of", AS_OF, "--period", "2026-10", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _same_analysis(url: str, book: str) -> bool:
    """analyze from the database equals analyze from the workbook, F4.4 aside (snapshots only in the database)."""
    a, b = _analysis(url), _analysis(book)
    a.pop("forecast_accuracy"), b.pop("forecast_accuracy")
    # coverage.sheets says how a workbook's sheets and headers were read; a database has none
    a.get("coverage", {}).pop("sheets", None), b.get("coverage", {}).pop("sheets", None)
    return a == b


def _duck_rows(path: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _broken_book(src: Path, dst: Path) -> Path:
    """The demo with its 项目变更 sheet cut in half: the reader types most sheets, then fails."""
    import zipfile

    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet13.xml":
                data = data[: len(data) // 2]
            out.writestr(info, data)
    return dst


def _streamed(path: Path):
    """``reading`` for database.sync: the book read by the sync itself; → (reading, sheets handed over)."""
    from crm_xl.ports.reader import read_register

    seen: list[str] = []

    def read(on_sheet):
        def hook(key, frame, extras):
            seen.append(key)
            return on_sheet(key, frame, extras)  # True: stored, the Register need not keep the rows
        register = read_register(path, on_sheet=hook)
        seen_registers.append(register)
        return register

    seen_registers: list = []
    read.registers = seen_registers  # what each read returned
    return (path.name, read), seen


def _tables(rows) -> dict:
    """Every table's rows (sorted; crm_syncs' and the history's times are the sync's --at)."""
    from crm_xl.ports import database

    return {t: sorted(map(repr, rows(f'SELECT * FROM "{t}"'))) for t in database.METADATA.tables}


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------


def test_sync_twice_changes_nothing_and_analyze_from_duckdb_equals_the_workbook(demo_book, tmp_path):
    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    first = run_cli("sync", str(demo_book), "--db", url, "--at", "2026-11-01", "--lang", "en")
    assert first.returncode == 0, first.stderr
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(demo_book))
    customers = len([r for r in wb.get_sheet_by_name("客户").to_python()[1:] if any(c not in ("", None) for c in r)])
    assert _duck_rows(db, "SELECT count(*) FROM customers")[0][0] == customers
    assert f"customers: +{customers} records" in first.stdout
    second = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert second.returncode == 0, second.stderr
    assert ": 0 changes (0 records added, 0 values changed, 0 records removed)" in second.stdout
    syncs = _duck_rows(db, "SELECT sync_id, inserted, updated_values, deleted FROM crm_syncs ORDER BY sync_id")
    assert syncs[1][1:] == (0, 0, 0) and syncs[0][1] > customers
    assert _duck_rows(db, "SELECT count(*) FROM crm_history WHERE sync_id = 2")[0][0] == 0
    assert _duck_rows(db, "SELECT DISTINCT _source FROM customers") == [("demo.xlsx",)]
    # Figure by figure: the whole analyze JSON from the database equals the one from the workbook,
    # except forecast vs actual, which only the database's snapshots can give.
    from_db, from_book = _analysis(url), _analysis(str(demo_book))
    assert from_db.pop("forecast_accuracy")["formula"] and "sync" in from_book.pop("forecast_accuracy")["reason"]
    assert from_book["coverage"].pop("sheets")["customers"]["rows_read"] > 0  # how the workbook was read
    from_db["coverage"].pop("sheets", None)
    assert from_db == from_book
    # validate too (findings with the same sheets, rows, cells and messages), apart from the name.
    a = json.loads(run_cli("validate", str(demo_book), "--as-of", AS_OF, "--format", "json").stdout)
    b = json.loads(run_cli("validate", url, "--as-of", AS_OF, "--format", "json").stdout)
    assert a["findings"] and a["findings"] == b["findings"] and a["summary"] == b["summary"]
    assert b["workbook"] == url


def test_a_changed_value_is_one_change_in_the_history_with_the_sync_time(demo_book, tmp_path):
    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    assert run_cli("sync", str(demo_book), "--db", url, "--at", "2026-11-01T09:00:00").returncode == 0
    first_id = _duck_rows(db, "SELECT customer_id, company_name FROM customers ORDER BY _row LIMIT 1")[0]

    def edit(frames):
        frames["customers"].loc[0, "company_name"] = "宁波新名字贸易有限公司"
        frames["orders"] = frames["orders"].iloc[1:]  # one order removed

    removed = _duck_rows(db, "SELECT order_id FROM orders ORDER BY _row LIMIT 1")[0][0]
    book = _edited_book(demo_book, tmp_path / "demo.xlsx", edit)
    result = run_cli("sync", str(book), "--db", url, "--at", "2026-11-02T10:30:00", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert ": 2 changes (0 records added, 1 values changed, 1 records removed)" in result.stdout
    hist = _duck_rows(db, "SELECT \"at\", sheet, record_id, \"column\", old_value, new_value, change FROM crm_history "
                          "WHERE sync_id = 2 ORDER BY sheet")
    assert hist == [
        (dt.datetime(2026, 11, 2, 10, 30), "customers", first_id[0], "company_name", first_id[1], "宁波新名字贸易有限公司",
         "update"),
        (dt.datetime(2026, 11, 2, 10, 30), "orders", None, None, None, None, "delete"),
    ]
    assert _duck_rows(db, f"SELECT count(*) FROM orders WHERE order_id = '{removed}'")[0][0] == 0
    # Each sync stored a pipeline snapshot of the open deals.
    snaps = _duck_rows(db, "SELECT sync_id, count(*), min(snapshot_date) FROM crm_snapshots GROUP BY sync_id ORDER BY 1")
    assert [s[0] for s in snaps] == [1, 2] and snaps[0][1] == snaps[1][1] > 0
    assert snaps[1][2] == dt.date(2026, 11, 2)


def test_reading_never_creates_a_database_and_a_failed_sync_leaves_the_previous_state(demo_book, tmp_path):
    from crm_xl.ports import database
    from crm_xl.ports.reader import read_register

    missing = tmp_path / "nothing.duckdb"
    result = run_cli("analyze", f"duckdb:///{missing}", "--as-of", AS_OF)
    assert result.returncode == 2 and not missing.exists()
    assert len(result.stderr.strip().splitlines()) == 1 and "nothing.duckdb" in result.stderr

    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    register = read_register(demo_book)
    database.sync(url, [("demo.xlsx", register)])
    before = _duck_rows(db, "SELECT _key, _hash FROM opportunities ORDER BY _key")
    register.frames["customers"].loc[:, "company_name"] = "改名"
    register.frames["opportunities"] = register.frames["opportunities"].iloc[:10]

    def crash(sheet):
        if sheet == "orders":  # customers and opportunities are written by then
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        database.sync(url, [("demo.xlsx", register)], progress=crash)
    assert _duck_rows(db, "SELECT _key, _hash FROM opportunities ORDER BY _key") == before
    assert _duck_rows(db, "SELECT count(*) FROM customers WHERE company_name = '改名'")[0][0] == 0
    assert _duck_rows(db, "SELECT count(*) FROM crm_syncs")[0][0] == 1


def test_a_schema_that_gained_a_column_is_migrated_and_a_newer_database_is_refused(demo_book, tmp_path):
    import duckdb

    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    assert run_cli("sync", str(demo_book), "--db", url).returncode == 0
    con = duckdb.connect(str(db))
    for (index,) in con.execute("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'customers'").fetchall():
        con.execute(f'DROP INDEX "{index}"')  # DuckDB drops no column of an indexed table
    con.execute("ALTER TABLE customers DROP COLUMN industry")  # a database from before the column existed
    con.close()
    old = _analysis(url)  # reading an older database works: the column is simply empty
    assert old["customers"]
    result = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "database schema migrated: +customers.industry" in result.stdout
    filled = _duck_rows(db, "SELECT count(industry) FROM customers")[0][0]
    assert filled > 0
    assert _same_analysis(url, str(demo_book))

    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE customers ADD COLUMN loyalty_tier VARCHAR")  # written by a newer crm-xl
    con.close()
    for args in (("sync", str(demo_book), "--db", url, "--lang", "en"), ("analyze", url, "--lang", "en")):
        result = run_cli(*args)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "newer crm-xl schema" in lines[0] and "customers.loyalty_tier" in lines[0]


REGISTER_TABLES = ("customers", "contacts", "opportunities", "activities", "orders", "staff", "settings")


@pytest.mark.parametrize("marker", [None, "duckdb hash() 0.9.0"])
def test_a_database_hashed_by_another_function_syncs_without_changes(demo_book, tmp_path, marker):
    """A database written before the row hashes came from DuckDB (pandas hashed them, no row_hash
    in crm_meta) or by another DuckDB version: the next sync recomputes the stored hashes first, so
    an unchanged workbook is 0 changes and no record is said to have moved."""
    import duckdb

    db, fresh = tmp_path / "old.duckdb", tmp_path / "fresh.duckdb"
    for path in (db, fresh):
        assert run_cli("sync", str(demo_book), "--db", f"duckdb:///{path}").returncode == 0
    want = {t: _duck_rows(fresh, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in REGISTER_TABLES}
    con = duckdb.connect(str(db))
    for t in REGISTER_TABLES:
        con.execute(f"UPDATE {t} SET _hash = xor(_hash, 6364136223846793005)")  # not what DuckDB's hash() gives
    if marker is None:
        con.execute("DELETE FROM crm_meta WHERE key = 'row_hash'")
    else:
        con.execute("UPDATE crm_meta SET value = ? WHERE key = 'row_hash'", [marker])
    con.close()
    result = run_cli("sync", str(demo_book), "--db", f"duckdb:///{db}", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert ": 0 changes (0 records added, 0 values changed, 0 records removed)" in result.stdout
    assert "only moved to another row" not in result.stdout
    assert {t: _duck_rows(db, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in REGISTER_TABLES} == want
    assert _duck_rows(db, "SELECT value FROM crm_meta WHERE key = 'row_hash'") == \
        _duck_rows(fresh, "SELECT value FROM crm_meta WHERE key = 'row_hash'")


def test_export_owner_and_followups_read_the_database(demo_book, tmp_path):
    from python_calamine import CalamineWorkbook

    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    assert run_cli("sync", str(demo_book), "--db", url).returncode == 0
    owner = _duck_rows(db, "SELECT owner, count(*) FROM customers GROUP BY owner ORDER BY 2 DESC LIMIT 1")[0]
    out = tmp_path / "mine.xlsx"
    result = run_cli("export", url, "--owner", owner[0], "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("客户").to_python()
    assert len([r for r in rows[1:] if r[0]]) == owner[1]
    log = (tmp_path / "crm-xl-exports.csv").read_text(encoding="utf-8-sig")
    assert url in log
    plan = tmp_path / "plan.xlsx"
    result = run_cli("followups", url, "--as-of", AS_OF, "--out", str(plan))
    assert result.returncode == 0, result.stderr
    assert plan.exists()


# --------------------------------------------------------------------------------------------
# PostgreSQL (a real server, started for these tests)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_a_sync_that_stores_each_sheet_while_the_book_is_read_equals_reading_it_first(engine, demo_book, tmp_path,
                                                                                       request, monkeypatch):
    """crm-xl sync reads its last book inside the sync and stores each sheet as it is typed: the
    database (every table) and the SyncResult are the same as when the book was read first, on a
    first sync and on a second one with edits. The register the sync read keeps only the rows it
    still needs (policy sheets, deals) when the book is large."""
    import pandas as pd

    from crm_xl.ports import database, reader
    from crm_xl.ports.reader import read_register

    monkeypatch.setattr(reader, "_GIVE_BACK_CELLS", 0)  # the small demo book is read as a large one

    def edit(frames):
        frames["customers"].loc[frames["customers"].index[:3], "company_name"] = "新名字"
        frames["opportunities"] = frames["opportunities"].iloc[4:]

    (tmp_path / "edited").mkdir()
    edited = _edited_book(demo_book, tmp_path / "edited" / demo_book.name, edit)  # the same book, a week later
    at1, at2 = dt.datetime(2026, 11, 1, 9), dt.datetime(2026, 11, 2, 9)
    if engine == "duckdb":
        urls = [f"duckdb:///{tmp_path / 'first.duckdb'}", f"duckdb:///{tmp_path / 'streamed.duckdb'}"]

        def rows_of(url):
            return lambda sql: _duck_rows(Path(database.duckdb_file(url)), sql)
    else:
        cluster = request.getfixturevalue("pg")
        _pg_reset(cluster)
        import psycopg

        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS streamed")
            conn.execute("CREATE DATABASE streamed")
        urls = [cluster.url(), cluster.url(database="streamed")]

        def rows_of(url):
            def rows(sql):
                with psycopg.connect(url) as conn:
                    return conn.execute(sql).fetchall()
            return rows
    results = []
    for book, at in ((demo_book, at1), (edited, at2)):
        read_first = database.sync(urls[0], [(book.name, read_register(book))], at=at)
        reading, seen = _streamed(book)
        streamed = database.sync(urls[1], [], at=at, reading=reading)
        assert len(seen) >= 10 and seen[0] == "settings"  # sheets were handed over while the book was read
        # the read register kept the rows of the policy sheets and the deals only (the rest is stored)
        kept = reading[1].registers[0]
        whole = read_register(book)
        assert kept.frames["customers"].empty and kept.frames["activities"].empty and len(whole.frames["customers"])
        assert list(kept.frames["customers"].columns) == list(whole.frames["customers"].columns)
        for key in database.STREAM_KEPT:
            pd.testing.assert_frame_equal(kept.frames[key], whole.frames[key])
        assert kept.settings == whole.settings
        results.append(streamed)
        assert streamed == read_first
        assert _tables(rows_of(urls[1])) == _tables(rows_of(urls[0]))
    second = results[1]
    assert second.deleted["opportunities"] == 4 and second.updated_records["customers"] >= 3
    assert rows_of(urls[1])("SELECT count(*) FROM customers WHERE company_name = '新名字'") == [(3,)]


def test_a_book_that_fails_midway_through_the_read_writes_nothing(demo_book, tmp_path):
    """The book is damaged in a sheet the reader reaches after storing others: one line, exit 2, no
    database file left by a first sync, and an existing database keeps its previous state."""
    from crm_xl.ports import database

    broken = _broken_book(demo_book, tmp_path / "broken.xlsx")
    reading, seen = _streamed(broken)
    with pytest.raises(database.UnreadableWorkbook):
        database.sync(f"duckdb:///{tmp_path / 'x.duckdb'}", [], reading=reading)
    assert len(seen) >= 5  # sheets had been stored in the transaction before the read failed
    assert not (tmp_path / "x.duckdb").exists() and not (tmp_path / "x.duckdb.wal").exists()

    db = tmp_path / "new.duckdb"
    result = run_cli("sync", str(broken), "--db", f"duckdb:///{db}", "--lang", "en")
    assert result.returncode == 2 and not db.exists()
    assert len(result.stderr.strip().splitlines()) == 1 and "damaged" in result.stderr

    kept = tmp_path / "crm.duckdb"
    assert run_cli("sync", str(demo_book), "--db", f"duckdb:///{kept}").returncode == 0
    before = _tables(lambda sql: _duck_rows(kept, sql))
    result = run_cli("sync", str(demo_book), str(broken), "--db", f"duckdb:///{kept}", "--lang", "en")
    assert result.returncode == 2 and "damaged" in result.stderr
    assert _tables(lambda sql: _duck_rows(kept, sql)) == before


@pytest.fixture(scope="module")
def pg(request):
    cluster, root = start_cluster()
    yield cluster
    cluster.stop("immediate")
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def _pg_rows(cluster: Cluster, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(cluster.url()) as conn:
        return conn.execute(sql).fetchall()


def _pg_reset(cluster: Cluster) -> None:
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def test_postgres_sync_twice_and_analyze_equals_the_workbook(pg, demo_book):
    _pg_reset(pg)
    url = pg.url()
    first = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert first.returncode == 0, first.stderr
    assert "s3cret-pw" not in first.stdout + first.stderr  # the password is never shown
    second = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert second.returncode == 0, second.stderr
    assert ": 0 changes (0 records added, 0 values changed, 0 records removed)" in second.stdout
    assert _pg_rows(pg, "SELECT count(*) FROM crm_syncs")[0][0] == 2
    assert _pg_rows(pg, "SELECT count(*) FROM crm_history WHERE sync_id = 2")[0][0] == 0
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(demo_book)).get_sheet_by_name("订单").to_python()
    assert _pg_rows(pg, "SELECT count(*) FROM orders")[0][0] == len([r for r in rows[1:] if any(r)])
    assert _same_analysis(url, str(demo_book))


def test_postgres_database_hashed_by_an_older_crm_xl_syncs_without_changes(pg, demo_book):
    """As for DuckDB: stored hashes from another function are recomputed (by DuckDB, on the rows
    read back from the server) before the comparison."""
    import psycopg

    _pg_reset(pg)
    url = pg.url()
    assert run_cli("sync", str(demo_book), "--db", url).returncode == 0
    want = {t: _pg_rows(pg, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in REGISTER_TABLES}
    with psycopg.connect(url) as conn:
        for t in REGISTER_TABLES:
            conn.execute(f"UPDATE {t} SET _hash = _hash # 6364136223846793005")
        conn.execute("DELETE FROM crm_meta WHERE key = 'row_hash'")
    result = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert ": 0 changes (0 records added, 0 values changed, 0 records removed)" in result.stdout
    assert "only moved to another row" not in result.stdout
    assert {t: _pg_rows(pg, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in REGISTER_TABLES} == want


def test_postgres_first_load_builds_the_indexes_after_the_copy(pg, demo_book, monkeypatch):
    """A big first load drops a table's secondary indexes and builds them after the COPY, in the
    same transaction: every index is there afterwards, and a second sync still changes nothing."""
    from crm_xl.ports import database

    _pg_reset(pg)
    monkeypatch.setattr(database, "REINDEX_ROWS", 1)  # the demo is small; take that path for every table
    url = pg.url()
    assert run_cli("sync", str(demo_book), "--db", url).returncode == 0
    want = sorted(ix.name for t in database.METADATA.tables.values() for ix in t.indexes)
    have = sorted(r[0] for r in _pg_rows(pg, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                                             "AND indexname LIKE 'ix\\_%'"))
    assert have == want and any(n.startswith("ix_customers_") for n in have)
    keys = _pg_rows(pg, "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE contype = 'p'")
    assert {t: d for t, d in keys if t in REGISTER_TABLES} == {t: "PRIMARY KEY (_key)" for t in REGISTER_TABLES}
    collations = _pg_rows(pg, "SELECT DISTINCT collation_name FROM information_schema.columns "
                              "WHERE table_name = 'opportunities' AND column_name IN ('_key', '_source', "
                              "'opportunity_id', 'customer_id')")
    assert collations == [("C",)]  # keys and references compare bytes
    second = run_cli("sync", str(demo_book), "--db", url, "--lang", "en")
    assert ": 0 changes (0 records added, 0 values changed, 0 records removed)" in second.stdout
    assert _same_analysis(url, str(demo_book))


def test_postgres_errors_are_one_line_with_exit_2(pg, demo_book, tmp_path):
    wrong = run_cli("sync", str(demo_book), "--db", pg.url(password="not-it"), "--lang", "en")
    assert wrong.returncode == 2
    lines = wrong.stderr.strip().splitlines()
    assert len(lines) == 1 and "wrong user name or password" in lines[0] and "not-it" not in lines[0]
    nowhere = tmp_path / "no-server"
    nowhere.mkdir()
    url = f"postgresql://crm:x@/crm?host={nowhere}&port=5432"
    for args in (("sync", str(demo_book), "--db", url, "--lang", "en"), ("analyze", url, "--lang", "en")):
        result = run_cli(*args)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot reach the database server" in lines[0], result.stderr


def test_postgres_server_stopped_mid_sync_leaves_the_previous_state(pg, demo_book):
    from crm_xl.ports import database
    from crm_xl.ports.reader import read_register

    _pg_reset(pg)
    url = pg.url()
    register = read_register(demo_book)
    database.sync(url, [("demo.xlsx", register)])
    before = {t: _pg_rows(pg, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in ("customers", "opportunities")}
    register.frames["customers"].loc[:, "company_name"] = "改名"
    register.frames["opportunities"] = register.frames["opportunities"].iloc[:10]

    def stop_server(sheet):
        if sheet == "orders":  # customers and opportunities were written in this transaction
            pg.stop("immediate")

    try:
        with pytest.raises(database.DatabaseUnavailable) as err:
            database.sync(url, [("demo.xlsx", register)], progress=stop_server)
        assert err.value.reason == "db_lost"
    finally:
        if not pg.running():
            pg.start()
    after = {t: _pg_rows(pg, f"SELECT _key, _hash FROM {t} ORDER BY _key") for t in ("customers", "opportunities")}
    assert after == before
    assert _pg_rows(pg, "SELECT count(*) FROM crm_syncs")[0][0] == 1
    assert _pg_rows(pg, "SELECT count(*) FROM customers WHERE company_name = '改名'")[0][0] == 0


def test_postgres_book_that_fails_midway_through_the_read_leaves_the_previous_state(pg, demo_book, tmp_path):
    _pg_reset(pg)
    url = pg.url()
    assert run_cli("sync", str(demo_book), "--db", url).returncode == 0
    before = _tables(lambda sql: _pg_rows(pg, sql))
    broken = _broken_book(demo_book, tmp_path / "broken.xlsx")
    result = run_cli("sync", str(broken), "--db", url, "--lang", "en")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and "damaged" in result.stderr
    assert _tables(lambda sql: _pg_rows(pg, sql)) == before


# --------------------------------------------------------------------------------------------
# F4.4 forecast vs actual from the snapshots
# --------------------------------------------------------------------------------------------


def _small_book(path: Path, opportunities: list[dict], orders: list[dict]) -> Path:
    from crm_xl.ports.template import write_register
    from crm_xl.register import Register

    customer = {"country": "DE", "status": "active", "source_channel": "trade_fair", "entered_date": "2026-01-05",
                "first_contact_date": "2026-01-05"}
    customers = [{"customer_id": "C1", "company_name": "甲公司", "owner": "张伟", **customer},
                 {"customer_id": "C2", "company_name": "乙公司", "owner": "李娜", **customer}]
    register = Register.from_records({"customers": customers, "opportunities": opportunities, "orders": orders})
    write_register(path, register, lang="zh-CN")
    return path


def _opp(oid, owner, customer, amount, p, close, status="open"):
    return {"opportunity_id": oid, "customer_id": customer, "owner": owner, "stage": "negotiation", "amount": amount, "title": f"{oid} 阀门", "next_step": "报价",
            "currency": "CNY", "probability": p, "expected_close_date": close, "status": status,
            "created_date": "2026-06-01", "product": "阀门"}


def _order(oid, owner, customer, amount, day):
    return {"order_id": oid, "customer_id": customer, "owner": owner, "order_date": day, "product": "阀门",
            "quantity": 1, "currency": "CNY", "amount": amount, "status": "confirmed"}


def test_forecast_vs_actual_per_month_and_owner_from_the_snapshots(tmp_path):
    db = tmp_path / "crm.duckdb"
    url = f"duckdb:///{db}"
    august = _small_book(tmp_path / "8月.xlsx", [
        _opp("OP1", "张伟", "C1", 100000, 0.5, "2026-09-15"), _opp("OP2", "李娜", "C2", 40000, 0.25, "2026-09-20"),
        _opp("OP3", "张伟", "C1", 80000, 0.5, "2026-10-10")], [])
    assert run_cli("sync", str(august), "--db", url, "--at", "2026-08-31T18:00").returncode == 0
    # Before any complete month after the first snapshot there is nothing to judge: said, not zero.
    early = _analysis_at(url, "2026-09-10")
    assert early["forecast_accuracy"]["available"] is False and early["forecast_accuracy"]["reason"]
    october = _small_book(tmp_path / "8月.xlsx", [
        _opp("OP1", "张伟", "C1", 100000, 0.5, "2026-09-15", "won"), _opp("OP2", "李娜", "C2", 40000, 0.25, "2026-09-20", "lost"),
        _opp("OP3", "张伟", "C1", 80000, 0.75, "2026-10-10"), _opp("OP4", "李娜", "C2", 20000, 0.5, "2026-10-30")], [
        _order("SO1", "张伟", "C1", 60000, "2026-09-18"), _order("SO2", "张伟", "C1", 70000, "2026-10-12"),
        _order("SO3", "李娜", "C2", 12000, "2026-10-25")])
    assert run_cli("sync", str(october), "--db", url, "--at", "2026-10-01T08:00").returncode == 0
    fa = _analysis_at(url, "2026-11-23")["forecast_accuracy"]
    assert fa["available"] is True
    sep, oct_ = fa["months"]
    # September: the 08-31 snapshot said 100000×0.5 + 40000×0.25 = 60000; orders came to 60000.
    assert (sep["month"], sep["snapshot_date"], sep["forecast"], sep["actual"], sep["accuracy"]) == (
        "2026-09", "2026-08-31", 60000.0, 60000.0, 1.0)
    assert sep["by_owner"] == [
        {"owner": "张伟", "forecast": 50000.0, "actual": 60000.0, "accuracy": round(1 - 10000 / 60000, 4)},
        {"owner": "李娜", "forecast": 10000.0, "actual": 0.0, "accuracy": None}]  # no orders: no accuracy
    # October: the 10-01 snapshot said 80000×0.75 + 20000×0.5 = 70000; orders 70000 + 12000 = 82000.
    assert (oct_["month"], oct_["snapshot_date"], oct_["forecast"], oct_["actual"], oct_["accuracy"]) == (
        "2026-10", "2026-10-01", 70000.0, 82000.0, round(1 - 12000 / 82000, 4))
    assert {r["owner"]: r["accuracy"] for r in oct_["by_owner"]} == {
        "张伟": round(1 - 10000 / 70000, 4), "李娜": round(1 - 2000 / 12000, 4)}
    # The sales report shows the same figures (read back from the HTML as text).
    report = tmp_path / "销售报告.html"
    result = run_cli("report", url, "--kind", "sales", "--as-of", "2026-11-23", "--period", "2026-10",
                     "--lang", "en", "--out", str(report))
    assert result.returncode == 0, result.stderr
    import re

    text = re.sub(r"<[^>]+>", " ", report.read_text(encoding="utf-8"))
    text = re.sub(r"\s+", " ", text)
    assert "Forecast vs actual by month and owner" in text
    assert re.search(r"2026-10 2026-10-01 \(all\) 70,000 82,000 85\.\d%", text), text[text.find("Forecast vs"):][:600]
    # From a workbook there are no snapshots, and the output says what is needed.
    book = _analysis_at(str(october), "2026-11-23")["forecast_accuracy"]
    assert book["available"] is False and "sync" in book["reason"]


def _analysis_at(source: str, day: str) -> dict:
    result = run_cli("analyze", source, "--as-of", day, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _first_load_history_is_every_row(rows) -> None:
    """A first sync's history holds one "insert" row per stored record (key, ID, source), at the sync's
    time and nothing else — whether the sync sent those rows or the database copied them."""
    from crm_xl.schema import SHEETS

    total = 0
    for sheet in SHEETS.values():
        record_id = f'"{sheet.id_column}"' if sheet.id_column else "NULL"
        stored = sorted(rows(f'SELECT _key, {record_id}, _source FROM "{sheet.key}"'), key=repr)
        logged = sorted(rows(f"SELECT record_key, record_id, _source FROM crm_history WHERE sync_id = 1 "
                             f"AND sheet = '{sheet.key}'"), key=repr)
        assert logged == stored, sheet.key
        total += len(stored)
    assert total > 1000
    assert rows('SELECT DISTINCT "at", change, "column", old_value, new_value FROM crm_history') == [
        (dt.datetime(2026, 11, 1, 9, 0), "insert", None, None, None)]
    assert rows("SELECT inserted FROM crm_syncs") == [(total,)]


def test_a_first_sync_logs_every_record_as_inserted_in_duckdb(demo_book, tmp_path):
    db = tmp_path / "crm.duckdb"
    assert run_cli("sync", str(demo_book), "--db", f"duckdb:///{db}", "--at", "2026-11-01T09:00:00").returncode == 0
    _first_load_history_is_every_row(lambda sql: _duck_rows(db, sql))


def test_a_first_sync_logs_every_record_as_inserted_in_postgres(pg, demo_book):
    _pg_reset(pg)
    done = run_cli("sync", str(demo_book), "--db", pg.url(), "--at", "2026-11-01T09:00:00")
    assert done.returncode == 0, done.stderr
    _first_load_history_is_every_row(lambda sql: _pg_rows(pg, sql))
    # the history's index, left out while a first sync copies its rows, is built before the commit
    assert _pg_rows(pg, "SELECT indexdef FROM pg_indexes WHERE tablename = 'crm_history'") == [
        ("CREATE INDEX ix_crm_history_sync_id ON public.crm_history USING btree (sync_id)",)]
