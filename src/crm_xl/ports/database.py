"""Database port: registers ↔ a SQL database (DuckDB by file, PostgreSQL on a server).

SQLAlchemy Core throughout; the tables are generated from the one schema declaration
(:mod:`crm_xl.schema`): one table per register sheet, one column per schema column with the SQL
type of its kind, an index on the record ID and on every reference (``ref``) in PostgreSQL (DuckDB
scans columns and keeps min/max zone maps instead; its ART indexes would only slow the bulk load and
the commit, so there only the primary key is declared). References are indexed and named in the
column's comment but not enforced as foreign keys: a register with an
order for an unknown customer is a validation finding, never a refused row (errors never erase
data). Every table also has

* ``_key`` — the primary key: the record ID (first occurrence in a sync), else
  ``source!row`` for a record without an ID or with a duplicate one, else (sheets without an ID)
  a hash of the row's values;
* ``_source`` — the workbook the row came from (the schema already has a ``source`` column in
  销售机会 and 订单情报, hence the underscore); ``_row`` — its Excel row; ``_hash`` — DuckDB's
  hash() of its values, _row, _extra and _source (a second sync of the same workbook compares
  hashes and writes nothing; ``crm_meta.row_hash`` names the function, and stored hashes from
  another one — an older crm-xl hashed with pandas — are recomputed before comparing);
  ``_extra`` — the user's own columns (unknown to the schema) as JSON, so nothing typed is lost.

Beside them: ``crm_meta`` (format version, which source's Settings apply), ``crm_syncs`` (one
row per sync), ``crm_history`` (every changed value with the sync's time, every added and removed
record), ``crm_snapshots`` (the open pipeline at each sync, for F4.4 forecast vs actual) and
``crm_unreadable`` (the original text of cells that could not be read). A schema that gained a
column is migrated with Alembic's operations (compare the metadata, add what is missing) inside
the sync's transaction; a database with columns this crm-xl does not know was written by a newer
schema and is refused. Each sync is one transaction: it is all there or none of it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from crm_xl import __version__
from crm_xl.i18n import pick
from crm_xl.ports.database_url import _URL, DatabaseURL, is_database_url, redact  # noqa: F401 - re-exported
from crm_xl.ports.safety import UnreadableWorkbook
from crm_xl.register import ROW, SETTINGS_SHEETS, UNREADABLE_COLUMNS, Register, empty_frame, settings_from_frames
from crm_xl.schema import SHEETS, Sheet
from crm_xl.settings import Settings

DEFAULT_URL = "duckdb:///crm.duckdb"
FORMAT_VERSION = 1  # layout of the crm_* tables; a database with a higher one is refused
KEY, SOURCE, HASH, EXTRA = "_key", "_source", "_hash", "_extra"
CHUNK = 5000
REINDEX_ROWS = 10_000  # a first load of this many rows into PostgreSQL builds its indexes after the COPY

# --------------------------------------------------------------------------------------------
# URLs and errors
# --------------------------------------------------------------------------------------------


_MESSAGES = {
    "db_unreachable": ("无法连接数据库服务器（地址或端口不对，或服务器未运行）",
                       "cannot reach the database server (wrong host or port, or the server is not running)"),
    "db_auth": ("数据库拒绝登录：用户名或密码不对", "the database refused the login: wrong user name or password"),
    "db_missing": ("数据库不存在", "the database does not exist"),
    "db_newer_schema": ("数据库由更新版本的 crm-xl 写入（有本版本不认识的表或列），请升级 crm-xl",
                        "the database was written by a newer crm-xl schema (tables or columns this version does "
                        "not know); upgrade crm-xl"),
    "db_not_crm": ("这不是 crm-xl 数据库（没有台账表），请先用 crm-xl sync 写入",
                   "not a crm-xl database (no register tables); load it with crm-xl sync first"),
    "db_lost": ("同步中途与数据库的连接中断：本次同步未写入任何内容（事务已回滚）",
                "the connection to the database was lost during the sync; nothing of this sync was written "
                "(the transaction was rolled back)"),
    "db_unreadable": ("无法打开数据库文件", "cannot open the database file"),
    "db_bad_url": ("数据库地址无法识别（例如 duckdb:///crm.duckdb 或 postgresql://用户@主机/库）",
                   "unrecognised database URL (e.g. duckdb:///crm.duckdb or postgresql://user@host/db)"),
}


class DatabaseUnavailable(UnreadableWorkbook):
    """A database that cannot be used; the CLI prints one line and exits 2 (like an unreadable file)."""

    def __init__(self, url: str, reason_code: str, detail: str = "") -> None:  # noqa: D107
        if reason_code not in _MESSAGES:
            raise ValueError(f"unknown reason code {reason_code!r}")
        self.url = redact(url)
        self.path = Path(self.url)
        self.reason = reason_code
        self.detail = detail
        Exception.__init__(self, self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        zh, en = _MESSAGES[self.reason]
        text = f"{self.url}: {pick(zh, en, lang)}"
        return f"{text} ({self.detail})" if self.detail else text

    def __reduce__(self):
        return (type(self), (self.url, self.reason, self.detail))


def _classify(url: str, exc: BaseException, during_sync: bool = False) -> DatabaseUnavailable:
    text = str(getattr(exc, "orig", None) or exc)
    low = text.lower()
    first = text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__
    if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
        return DatabaseUnavailable(url, "db_auth", first)
    if re.search(r'database ".*" does not exist', low):
        return DatabaseUnavailable(url, "db_missing", first)
    if during_sync and any(s in low for s in ("terminat", "server closed", "connection", "consuming input failed",
                                              "shutdown", "admin")):
        return DatabaseUnavailable(url, "db_lost", first)
    if any(s in low for s in ("could not connect", "connection refused", "connection failed", "no such file",
                              "could not translate host", "timeout", "name or service not known", "is the server running")):
        return DatabaseUnavailable(url, "db_unreachable", first)
    if "duckdb" in low or "io error" in low or "not a valid duckdb" in low or "serialization" in low:
        return DatabaseUnavailable(url, "db_unreadable", first)
    return DatabaseUnavailable(url, "db_lost" if during_sync else "db_unreachable", first)


# --------------------------------------------------------------------------------------------
# Tables from the schema
# --------------------------------------------------------------------------------------------

_TYPES = {
    "date": sa.Date, "datetime": sa.DateTime,
    # Numbers stay float64 as in the Register (an integer column with 2.5 is a finding, not a cut).
    "number": sa.Double, "integer": sa.Double, "money": sa.Double, "probability": sa.Double, "score": sa.Double,
    "bool": sa.Boolean,
}


def sql_type(kind: str) -> Any:
    return _TYPES.get(kind, sa.Text)()


def _key_text() -> Any:
    """Text for keys, sources, record IDs and references: in PostgreSQL with the "C" collation, so
    the primary key, the indexes and the COPY's uniqueness checks compare bytes (and sort with
    abbreviated keys) instead of going through the locale's collation — ≈ 1.5 s less of server CPU
    for the 100k register's first sync — and sort as DuckDB sorts them. IDs are codes (C00201), not
    words, so no user-visible order changes; a database created before keeps its collation (the
    schema check compares names, not collations)."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _col(name: str, *args: Any, **kwargs: Any) -> sa.Column:
    """A column whose name is always quoted (DuckDB reserves ``at``, which PostgreSQL does not)."""
    return sa.Column(name, *args, quote=True, **kwargs)


def build_metadata() -> sa.MetaData:
    """Every register table and the crm_* tables, generated from the schema declaration."""
    md = sa.MetaData()
    for sheet in SHEETS.values():
        cols: list[sa.Column] = [
            _col(KEY, _key_text(), primary_key=True),
            _col(SOURCE, _key_text(), nullable=False),
            _col(ROW, sa.BigInteger),
            _col(HASH, sa.BigInteger),
            _col(EXTRA, sa.Text),
        ]
        for c in sheet.columns:
            comment = c.en + (f" → {c.ref}" if c.ref else "")
            kind = sql_type(c.kind)
            if isinstance(kind, sa.Text) and (c.ref or c.key == sheet.id_column):
                kind = _key_text()
            cols.append(_col(c.key, kind, comment=comment, info={"ref": c.ref, "kind": c.kind}))
        table = sa.Table(sheet.key, md, *cols, comment=sheet.en)
        _index(table, *dict.fromkeys([SOURCE] + [c.key for c in sheet.columns if c.ref or c.key == sheet.id_column]))
    sa.Table("crm_meta", md, _col("key", sa.Text, primary_key=True), _col("value", sa.Text))
    sa.Table("crm_syncs", md, _col("sync_id", sa.BigInteger, primary_key=True, autoincrement=False),
             _col("at", sa.DateTime, nullable=False), _col("sources", sa.Text),
             _col("inserted", sa.BigInteger), _col("updated_values", sa.BigInteger),
             _col("deleted", sa.BigInteger), _col("crm_xl_version", sa.Text))
    history = sa.Table("crm_history", md, _col("sync_id", sa.BigInteger), _col("at", sa.DateTime),
             _col("sheet", sa.Text), _col("record_key", sa.Text), _col("record_id", sa.Text),
             _col("column", sa.Text), _col("old_value", sa.Text), _col("new_value", sa.Text),
             _col("change", sa.Text), _col(SOURCE, sa.Text))
    snapshots = sa.Table("crm_snapshots", md, _col("sync_id", sa.BigInteger), _col("at", sa.DateTime),
             _col("snapshot_date", sa.Date), _col("opportunity_id", sa.Text), _col("customer_id", sa.Text),
             _col("owner", sa.Text), _col("stage", sa.Text), _col("product", sa.Text),
             _col("expected_close_date", sa.Date), _col("amount_base", sa.Double),
             _col("probability", sa.Double), _col("weighted", sa.Double), _col(SOURCE, sa.Text))
    unreadable = sa.Table("crm_unreadable", md, _col(SOURCE, sa.Text), _col("sheet", sa.Text),
                          _col("row", sa.BigInteger), _col("column", sa.Text), _col("value", sa.Text),
                          _col("kind", sa.Text))
    _index(history, "sync_id")
    _index(snapshots, "sync_id")
    _index(unreadable, SOURCE)
    return md


def _index(table: sa.Table, *columns: str) -> None:
    """Secondary indexes (named as ``index=True`` names them), created in PostgreSQL only."""
    for name in columns:
        sa.Index(f"ix_{table.name}_{name}", table.c[name]).ddl_if(dialect="postgresql")


METADATA = build_metadata()
HISTORY_COLUMNS = ["sync_id", "at", "sheet", "record_key", "record_id", "column", "old_value", "new_value",
                   "change", SOURCE]
SNAPSHOT_COLUMNS = [c.name for c in METADATA.tables["crm_snapshots"].columns]


def _create_tables(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """CREATE TABLE, COMMENT ON and CREATE INDEX of ``tables`` sent as one batch (one round trip
    instead of ≈ 340 statements, each a few milliseconds through the driver)."""
    statements: list[str] = []
    mock = sa.create_mock_engine(conn.engine.url, lambda sql, *a, **k: statements.append(
        str(sql.compile(dialect=mock.dialect)).strip()))
    METADATA.create_all(mock, tables=tables, checkfirst=False)
    if _is_duck(conn):
        _duck(conn).execute(";\n".join(statements)).complete()
    else:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _register_alembic_duckdb() -> None:
    from alembic.ddl.impl import DefaultImpl

    if "duckdb" not in getattr(DefaultImpl, "_impls", {}) and not any(
            getattr(k, "__dialect__", None) == "duckdb" for k in DefaultImpl.__subclasses__()):
        type("DuckDBImpl", (DefaultImpl,), {"__dialect__": "duckdb", "transactional_ddl": True})


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------


def _sqlalchemy_url(url: str) -> str:
    m = _URL.match(url)
    if not m:
        raise DatabaseUnavailable(url, "db_bad_url")
    scheme = m.group(1).lower()
    if scheme in ("postgres", "postgresql") and not m.group(2):
        return "postgresql+psycopg://" + url[m.end():]
    if scheme == "postgres":
        return "postgresql" + url[len("postgres"):]
    return url


def duckdb_file(url: str) -> Path | None:
    if not url.lower().startswith("duckdb://"):
        return None
    rest = sa.engine.make_url(url).database
    return None if not rest or rest == ":memory:" else Path(rest)


def open_engine(url: str, *, read_only: bool = False) -> sa.Engine:
    """An engine for ``url``; reading never creates a DuckDB file and opens it read-only."""
    target = _sqlalchemy_url(url)
    kwargs: dict[str, Any] = {}
    if target.startswith("duckdb"):
        path = duckdb_file(url)
        if read_only:
            if path is None or not path.exists():
                raise DatabaseUnavailable(url, "db_unreadable", f"no such file: {path}")
            kwargs["connect_args"] = {"read_only": True}
        elif path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs["connect_args"] = {"connect_timeout": 10}
    warnings.filterwarnings("ignore", message=".*duckdb-engine.*")
    try:
        return sa.create_engine(target, **kwargs)
    except Exception as exc:  # noqa: BLE001 - e.g. a driver that is not installed
        raise DatabaseUnavailable(url, "db_bad_url", str(exc)[:200]) from None


def _connect(engine: sa.Engine, url: str) -> sa.Connection:
    """A connection, or one clear error (server unreachable, wrong password, no such database)."""
    try:
        return engine.connect()
    except Exception as exc:  # noqa: BLE001 - every driver has its own error types
        raise _classify(url, exc) from None


def _is_duck(conn: sa.Connection) -> bool:
    return conn.dialect.name == "duckdb"


def _duck(conn: sa.Connection) -> Any:
    """The DuckDB connection under ``conn``, with the last statement's result run to its end (DuckDB
    refuses to register a view while a result is pending, which SQLAlchemy's DML leaves)."""
    duck = conn.connection.driver_connection
    duck.complete()
    return duck


def _quote(conn: sa.Connection, name: str) -> str:
    """Always quoted: DuckDB reserves words (``at``) that PostgreSQL's quoting rules let through."""
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------------------------
# Schema state: create, migrate, refuse newer
# --------------------------------------------------------------------------------------------


@dataclass
class SchemaState:
    missing_tables: list[str] = field(default_factory=list)
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    unknown_columns: list[tuple[str, str]] = field(default_factory=list)
    format_version: int | None = None

    @property
    def has_register(self) -> bool:
        return any(t in SHEETS for t in self.present_tables)

    present_tables: list[str] = field(default_factory=list)


def schema_state(conn: sa.Connection) -> SchemaState:
    """Compare the database's tables and columns with the metadata.

    Alembic's autogenerate comparison reflects PostgreSQL catalogs that DuckDB does not have, so
    the columns are compared through information_schema, which both have."""
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()")):
        columns.setdefault(str(table), set()).add(str(column))
    names = set(columns)
    ours = set(METADATA.tables)
    state = SchemaState(present_tables=sorted(names & ours))
    for name in sorted(ours):
        if name not in names:
            state.missing_tables.append(name)
            continue
        want = [c.name for c in METADATA.tables[name].columns]
        state.missing_columns += [(name, c) for c in want if c not in columns[name]]
        state.unknown_columns += [(name, c) for c in sorted(columns[name] - set(want))]
    if "crm_meta" in names:
        row = conn.execute(sa.text("SELECT value FROM crm_meta WHERE key = 'format_version'")).first()
        state.format_version = int(row[0]) if row and str(row[0]).isdigit() else None
    return state


def _refuse_newer(url: str, state: SchemaState) -> None:
    if state.format_version is not None and state.format_version > FORMAT_VERSION:
        raise DatabaseUnavailable(url, "db_newer_schema", f"format {state.format_version} > {FORMAT_VERSION}")
    if state.unknown_columns:
        shown = ", ".join(f"{t}.{c}" for t, c in state.unknown_columns[:5])
        raise DatabaseUnavailable(url, "db_newer_schema", shown)


def migrate(conn: sa.Connection, url: str) -> list[str]:
    """Create missing tables and add missing columns (Alembic operations); → what was done.

    Alembic is imported only when a column is missing (0.3 s of imports a usual sync does not need)."""
    state = schema_state(conn)
    _refuse_newer(url, state)
    done = []
    if state.missing_tables:
        _create_tables(conn, [METADATA.tables[t] for t in state.missing_tables])
        done += [f"+{t}" for t in state.missing_tables]
    if state.missing_columns:
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        _register_alembic_duckdb()
        ops = Operations(MigrationContext.configure(conn))
        for table, column in state.missing_columns:
            col = METADATA.tables[table].c[column]
            ops.add_column(table, sa.Column(col.name, col.type, comment=col.comment))
            done.append(f"+{table}.{column}")
    meta = METADATA.tables["crm_meta"]
    conn.execute(meta.delete().where(meta.c.key.in_(["format_version", "crm_xl_version"])))
    conn.execute(meta.insert(), [{"key": "format_version", "value": str(FORMAT_VERSION)},
                                 {"key": "crm_xl_version", "value": __version__}])
    return done


# --------------------------------------------------------------------------------------------
# Bulk loading (Arrow into DuckDB, COPY into PostgreSQL)
# --------------------------------------------------------------------------------------------


def _bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    columns = [c.name for c in table.columns if c.name in frame.columns]
    frame = frame[columns]
    if _is_duck(conn) or conn.dialect.name == "postgresql":
        import pyarrow as pa

        _insert_arrow(conn, table, pa.table({c: _arrow_column(frame[c], table.c[c].type) for c in columns}))
        return
    conn.execute(table.insert(), frame.astype(object).where(frame.notna(), None).to_dict("records"))


def _insert_arrow(conn: sa.Connection, table: sa.Table, arrow: Any, hash_of: Sheet | None = None) -> None:
    """Rows already typed as Arrow: DuckDB scans them as a view (no copy), PostgreSQL gets a COPY.
    With ``hash_of``, the rows have no _hash yet and get it here (DuckDB: in the INSERT itself)."""
    if not arrow.num_rows:
        return
    if not _is_duck(conn):
        if hash_of is not None:
            arrow = arrow.append_column(HASH, _row_hashes(conn, hash_of, arrow))
        _copy_in(conn, table.name, arrow)
        return
    duck = _duck(conn)
    view = f"crm_load_{table.name}"
    duck.register(view, arrow)
    try:
        cols = ", ".join(_quote(conn, c) for c in arrow.column_names)
        into, select = cols, cols
        if hash_of is not None:
            into, select = f"{cols}, {_quote(conn, HASH)}", f"{cols}, {_hash_sql(hash_of)}"
        duck.execute(f"INSERT INTO {_quote(conn, table.name)} ({into}) SELECT {select} FROM {view}").complete()
    finally:
        duck.unregister(view)


def _copy_in(conn: sa.Connection, table: str, arrow: Any) -> None:
    """COPY of CSV written by Arrow (C++) into a PostgreSQL table: strings quoted, NULL unquoted-empty
    (PostgreSQL's CSV default), dates as ISO, floats in their shortest exact form — no per-row Python."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if not arrow.num_rows:
        return
    buf = pa.BufferOutputStream()
    pa_csv.write_csv(arrow, buf, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    cols = ", ".join(_quote(conn, c) for c in arrow.column_names)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {_quote(conn, table)} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
            cp.write(memoryview(buf.getvalue()))


def _arrow_type(sql: Any) -> Any:
    import pyarrow as pa

    if isinstance(sql, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(sql, sa.Date):
        return pa.date32()
    if isinstance(sql, sa.Boolean):
        return pa.bool_()
    if isinstance(sql, sa.Float):  # sa.Double
        return pa.float64()
    if isinstance(sql, sa.Integer):  # sa.BigInteger
        return pa.int64()
    return pa.string()


def _arrow_column(series: pd.Series, sql: Any) -> Any:
    """One frame column as the Arrow array of its SQL type (NaN and NaT are nulls)."""
    import pyarrow as pa

    target = _arrow_type(sql)
    if pa.types.is_string(target) and not pd.api.types.is_string_dtype(series.dtype):
        series = series.astype("string")
    elif pa.types.is_timestamp(target) or pa.types.is_date32(target):
        series = pd.to_datetime(series)
    array = pa.array(series, from_pandas=True)
    if array.type == target:
        return array
    # a time of day in a date column is dropped, as a DATE column would drop it
    return array.cast(target, safe=not (pa.types.is_timestamp(target) or pa.types.is_date32(target)))


def _select_frame(conn: sa.Connection, stmt: sa.Select) -> pd.DataFrame:
    """One query → a DataFrame through Arrow: DuckDB's own, PostgreSQL's COPY … TO STDOUT read by
    Arrow's CSV reader with the columns' types (no Python object per value)."""
    if _is_duck(conn):
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        duck = conn.connection.driver_connection
        with warnings.catch_warnings():  # the DB-API result's Arrow copy is what keeps it in the transaction
            warnings.simplefilter("ignore")
            table = duck.execute(sql).to_arrow_table()
        return table.to_pandas(types_mapper=_string_mapper)
    if conn.dialect.name == "postgresql":
        return _copy_out(conn, stmt).to_pandas(types_mapper=_string_mapper)
    result = conn.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _copy_out(conn: sa.Connection, stmt: sa.Select) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [c.name for c in stmt.selected_columns]
    types = {c.name: _arrow_type(c.type) for c in stmt.selected_columns}
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.driver_connection
    chunks = []
    with raw.cursor() as cur:
        # ISO dates and shortest exact floats whatever the server's defaults (session settings only)
        cur.execute("SET DateStyle TO ISO, YMD")
        cur.execute("SET extra_float_digits TO 3")
        with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as cp:
            for chunk in cp:
                chunks.append(bytes(chunk))
    if not chunks:
        return pa.table({n: pa.array([], types[n]) for n in names})
    return pa_csv.read_csv(
        pa.py_buffer(b"".join(chunks)),
        read_options=pa_csv.ReadOptions(column_names=names),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                              quoted_strings_can_be_null=False, null_values=[""],
                                              true_values=["t"], false_values=["f"]))


def _string_mapper(arrow_type):
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    return None


# --------------------------------------------------------------------------------------------
# Register → table rows
# --------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell's value as text for the history table (ISO dates, shortest float repr)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (np.floating,)):
        return _text(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def _text_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [_text(v) for v in frame[c].tolist()] for c in columns}, index=frame.index)


def table_rows(register: Register, sheet: Sheet, source: str) -> pd.DataFrame:
    """The rows of one sheet as they are stored: schema columns, _row, _source, _extra (the database
    computes _hash)."""
    return sheet_rows(register.frames.get(sheet.key), register.extras.get(sheet.key, []), sheet, source)


def sheet_rows(frame: pd.DataFrame | None, extra_columns: Sequence[str], sheet: Sheet, source: str) -> pd.DataFrame:
    """:func:`table_rows` of one typed sheet (its frame and the user's own columns), before the
    whole Register exists."""
    if frame is None:
        frame = empty_frame(sheet)
    keys = sheet.keys
    out = pd.DataFrame({k: frame[k] if k in frame.columns else pd.Series([pd.NA] * len(frame)) for k in keys},
                       index=frame.index)
    out[ROW] = frame[ROW].astype("int64")
    out[SOURCE] = source
    extras = [x for x in extra_columns if x in frame.columns]
    if extras and len(frame):
        part = frame[extras]
        out[EXTRA] = [json.dumps({k: _text(v) for k, v in rec.items() if _text(v) is not None}, ensure_ascii=False)
                      or None for rec in part.to_dict("records")]
        out.loc[out[EXTRA] == "{}", EXTRA] = None
    else:
        out[EXTRA] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if not sheet.id_column:  # the key of a row without an ID is its content (as crm-xl has always hashed it)
        values = out[keys + [EXTRA]]
        content = pd.util.hash_pandas_object(values, index=False) if len(out) else pd.Series([], dtype="uint64")
        out["_content"] = content.to_numpy(dtype="uint64")
    return out.reset_index(drop=True)


def assign_keys(rows: pd.DataFrame, sheet: Sheet, taken: set[str] | None = None) -> tuple[pd.Series, list[str]]:
    """The _key of each row: the record ID when present and not taken yet in this sync (``taken``,
    which receives this sheet's IDs when given), else ``source!row``; for sheets without an ID, the
    content hash with an occurrence number."""
    notes: list[str] = []
    if sheet.id_column:
        ids = rows[sheet.id_column].astype("string").str.strip()
        blank = ids.isna() | ids.eq("").fillna(True)
        repeated = ~blank & (ids.duplicated() | (ids.isin(list(taken)) if taken else False))
        for rid, src, row in zip(ids[repeated], rows.loc[repeated, SOURCE], rows.loc[repeated, ROW]):
            notes.append(f"{sheet.key} {rid} ({src} row {row})")
        other = blank | repeated
        keys = ids  # text (Arrow-backed when the register's is): no Python string per record
        if other.any():  # source!row text only for the rows that need it (usually none)
            keys = keys.astype(object).where(
                ~other, rows.loc[other, SOURCE].astype(str) + "!" + rows.loc[other, ROW].astype(str)).astype("string")
        if taken is not None:
            taken.update(ids[~other].tolist())
        return keys, notes
    content = pd.Series(rows["_content"].astype("uint64").astype(str), index=rows.index)
    occurrence = content.groupby([rows[SOURCE], content]).cumcount().astype(str)
    return rows[SOURCE].astype(str) + "#" + content + "#" + occurrence, notes


# --------------------------------------------------------------------------------------------
# Sync
# --------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    sync_id: int
    at: dt.datetime
    sources: list[str]
    inserted: dict[str, int] = field(default_factory=dict)
    updated_values: dict[str, int] = field(default_factory=dict)
    updated_records: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    renumbered: int = 0
    snapshot_deals: int = 0
    duplicate_ids: list[str] = field(default_factory=list)
    migrations: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated_values.values()) + sum(self.deleted.values())


Progress = Callable[[str], None]
# The sheets of a register read by the sync (``reading``) whose rows stay in the Register it returns,
# once stored: the policy sheets its Settings come from, and the deals of the pipeline snapshot.
STREAM_KEPT = frozenset({*SETTINGS_SHEETS, "opportunities"})
if TYPE_CHECKING:  # the reader's own hook type; the reader is imported by whoever reads
    from crm_xl.ports.reader import SheetTyped

    Reading = tuple[str, Callable[[SheetTyped], Register]]  # (source name, read(on_sheet) → the Register)


def sync(url: str, registers: Sequence[tuple[str, Register]], *, at: dt.datetime | None = None,
         progress: Progress | None = None, reading: Reading | None = None) -> SyncResult:
    """Load registers (source name, Register) into the database at ``url`` in one transaction.

    ``reading`` is one more register still to be read, as (source name, read): the sync calls
    ``read(on_sheet)`` inside its transaction and stores each sheet as ``on_sheet`` hands it over,
    while the reader loads the next one (the database's COPY or INSERT and fastexcel both run
    without the GIL, so a sync costs little more than the read). The result is the same as reading
    the workbook first and passing it in ``registers``; a read that fails midway rolls the whole
    sync back like any other error (and a DuckDB file this sync created is removed again). From a
    large book the Register ``read`` returns keeps rows only of :data:`STREAM_KEPT` (the others
    are in the database by then; ``read_register``'s ``on_sheet``)."""
    at = (at or dt.datetime.now()).replace(microsecond=0)
    file = duckdb_file(url)
    created = file is not None and not file.exists()
    try:
        return _sync_in_transaction(url, registers, at, progress or (lambda _: None), reading)
    except BaseException:
        if created:  # nothing of it was committed: leave no empty database behind
            for leftover in (file, file.with_name(file.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise


def _sync_in_transaction(url: str, registers: Sequence[tuple[str, Register]], at: dt.datetime,
                         progress: Progress, reading: Reading | None) -> SyncResult:
    engine = open_engine(url)
    try:
        conn = _connect(engine, url)
        try:
            with conn.begin():
                result = _sync(conn, url, registers, at, progress, reading)
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            if isinstance(exc, sa.exc.DBAPIError) or _lost_connection(exc):
                raise _classify(url, exc, during_sync=True) from exc
            raise
        finally:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dead connection cannot be closed cleanly
                pass
        return result
    finally:
        engine.dispose()


def _lost_connection(exc: BaseException) -> bool:
    """A driver's own connection error, raised by a COPY on the raw psycopg connection (SQLAlchemy
    wraps only what goes through it)."""
    import sys

    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


class _Writer:
    """The sync's writes on one worker thread, in their order, while the main thread prepares the next
    sheet: DuckDB's INSERT and PostgreSQL's COPY run without the GIL, so on two cores the database
    stores one sheet while pandas and Arrow build the next. The main thread uses the connection
    only after :meth:`drain`, which waits for every write and raises the first error (the sync's
    transaction then rolls back); after an error the writes still queued are skipped."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(1, thread_name_prefix="crm-xl-sync")
        self._pending: list[Any] = []
        self._failed = False

    def _run(self, fn: Callable[..., Any], args: tuple) -> None:
        if self._failed:
            return
        try:
            fn(*args)
        except BaseException:
            self._failed = True
            raise

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._pending.append(self._pool.submit(self._run, fn, args))

    def drain(self) -> None:
        pending, self._pending = self._pending, []
        errors = [e for e in (f.exception() for f in pending) if e is not None]
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Wait for whatever is still running (nothing may touch the connection once the
        transaction ends); errors were raised by drain() or are beside the one being raised."""
        for f in self._pending:
            f.exception()
        self._pending = []
        self._pool.shutdown(wait=True)


def _sync(conn: sa.Connection, url: str, registers: Sequence[tuple[str, Register]], at: dt.datetime,
          progress: Progress, reading: Reading | None = None) -> SyncResult:
    migrations = migrate(conn, url)
    _rehash(conn, migrations)
    syncs = METADATA.tables["crm_syncs"]
    last = conn.execute(sa.select(sa.func.max(syncs.c.sync_id))).scalar()
    sync_id = int(last or 0) + 1
    registers = list(registers)
    sources = [name for name, _ in registers] + ([reading[0]] if reading else [])
    result = SyncResult(sync_id, at, sources, migrations=migrations)
    # Every table's stored keys and hashes, read before the first write (a table this sync created is empty).
    stored = {sheet.key: _stored_hashes(conn, METADATA.tables[sheet.key], f"+{sheet.key}" in migrations)
              for sheet in SHEETS.values()}
    duplicates: dict[str, list[str]] = {}
    # A history table this sync created (the first sync) gets its rows — one per record — without
    # its index, built once after the last COPY (in this transaction: nobody sees it without one).
    history_index = list(METADATA.tables["crm_history"].indexes) if (
        not _is_duck(conn) and "+crm_history" in migrations) else []
    for ix in history_index:
        conn.execute(sa.schema.DropIndex(ix, if_exists=True))
    writer = _Writer()

    def store(sheet: Sheet, streamed: pd.DataFrame | None = None) -> None:
        """One sheet of every register (``streamed``: the rows of the register being read)."""
        table = METADATA.tables[sheet.key]
        parts = [table_rows(reg, sheet, name) for name, reg in registers]
        if streamed is not None:
            parts.append(streamed)
        incoming = pd.concat(parts, ignore_index=True) if parts else table_rows(Register(frames={}), sheet, "")
        keys, duplicates[sheet.key] = assign_keys(incoming, sheet)
        incoming[KEY] = keys
        history = _sync_table(conn, writer, sheet, table, incoming, stored.pop(sheet.key), sources, sync_id, at,
                              result)
        if history:  # one insert per sheet, beside the next sheet
            import pyarrow as pa

            writer.submit(_insert_arrow, conn, METADATA.tables["crm_history"], pa.concat_tables(history))
        progress(sheet.key)

    try:
        if reading is not None:
            name, read = reading

            def on_sheet(key: str, frame: pd.DataFrame, extra_columns: list[str]) -> bool:
                if key in stored:  # a sheet is handed over once; anything else would be the reader's bug
                    store(SHEETS[key], sheet_rows(frame, extra_columns, SHEETS[key], name))
                # once stored, the read register need not keep the rows: only its Settings (built
                # from the policy sheets) and the open deals of the snapshot are used after this
                return key not in STREAM_KEPT

            registers.append((name, read(on_sheet)))
        for sheet in SHEETS.values():  # every sheet not streamed (all of them without ``reading``)
            if sheet.key in stored:
                store(sheet)
        result.duplicate_ids = [note for key in SHEETS if key in duplicates for note in duplicates[key]]
        snapshot = _snapshot_frame(registers, sync_id, at)
        writer.drain()
    finally:
        writer.close()
    for ix in history_index:
        conn.execute(sa.schema.CreateIndex(ix))
    _store_unreadable(conn, registers)
    if len(snapshot):
        _bulk_insert(conn, METADATA.tables["crm_snapshots"], snapshot)
    result.snapshot_deals = len(snapshot)
    meta = METADATA.tables["crm_meta"]
    conn.execute(meta.delete().where(meta.c.key == "settings_source"))
    conn.execute(meta.insert().values(key="settings_source", value=sources[0] if sources else ""))
    conn.execute(syncs.insert().values(sync_id=sync_id, at=at, sources=json.dumps(sources, ensure_ascii=False),
                                       inserted=sum(result.inserted.values()),
                                       updated_values=sum(result.updated_values.values()),
                                       deleted=sum(result.deleted.values()), crm_xl_version=__version__))
    progress("done")
    return result


def _stored_hashes(conn: sa.Connection, table: sa.Table, created: bool) -> pd.DataFrame:
    """The table's _key, _hash (0 when missing) and _source; no query for a table created by this sync."""
    if created:
        return pd.DataFrame({KEY: pd.Series([], dtype=object), HASH: np.zeros(0, dtype="int64"),
                             SOURCE: pd.Series([], dtype=object)})
    return _select_frame(conn, sa.select(table.c[KEY], sa.func.coalesce(table.c[HASH], 0).label(HASH),
                                         table.c[SOURCE]))


def _sync_table(conn: sa.Connection, writer: _Writer, sheet: Sheet, table: sa.Table, incoming: pd.DataFrame,
                existing: pd.DataFrame, sources: list[str], sync_id: int, at: dt.datetime,
                result: SyncResult) -> list[Any]:
    """One sheet's upsert; → its history rows (Arrow tables). The rows become Arrow once, DuckDB
    hashes them and compares with the stored keys and hashes (``existing``); only the rows whose
    hash differs are fetched whole (for the history's old values), deleted and written again with
    the new ones. The deletes and writes go to ``writer``."""
    import pyarrow as pa

    rows = _arrow_rows(table, incoming)
    stored = pd.Index(existing[KEY].astype(object).to_numpy())
    at_stored = stored.get_indexer(incoming[KEY].to_numpy()) if len(stored) else np.full(len(incoming), -1)
    new_pos = np.flatnonzero(at_stored < 0)
    known = np.flatnonzero(at_stored >= 0)
    if len(stored):  # an empty table's rows are hashed by the writer, beside this thread's next sheet
        rows = rows.append_column(HASH, _row_hashes(conn, sheet, rows))
        new_hash = rows.column(HASH).to_numpy()
        differ_pos = known[existing[HASH].to_numpy(dtype="int64")[at_stored[known]] != new_hash[known]]
    else:
        differ_pos = known
    still = pd.Index(incoming[KEY].to_numpy()).get_indexer(stored) >= 0 if len(stored) else np.zeros(0, bool)
    gone = existing[existing[SOURCE].astype(object).isin(sources).to_numpy() & ~still]
    history: list[Any] = []
    if len(differ_pos):
        differs = incoming.iloc[differ_pos].set_index(KEY)
        writer.drain()  # the connection is the main thread's again
        old = _fetch_keys(conn, table, differs.index.tolist()).set_index(KEY).loc[differs.index]
        compare = [*sheet.keys, EXTRA, SOURCE]
        new_text, old_text = _text_frame(differs, compare), _text_frame(old, compare)
        updates, changed_keys = [], set()
        for column in compare:
            mask = (new_text[column].fillna("\0") != old_text[column].fillna("\0")).to_numpy()
            if mask.any():
                idx = new_text.index[mask]
                changed_keys.update(idx)
                updates.append(pd.DataFrame({
                    "record_key": idx, "record_id": _ids(differs.loc[idx], sheet), "column": column,
                    "old_value": old_text[column][mask].to_numpy(), "new_value": new_text[column][mask].to_numpy(),
                    "change": "update", SOURCE: differs.loc[idx, SOURCE].astype(object).to_numpy()}))
        if updates:
            history.append(_history(sync_id, at, sheet, pd.concat(updates, ignore_index=True)))
        result.updated_values[sheet.key] = sum(len(u) for u in updates)
        result.updated_records[sheet.key] = len(changed_keys)
        result.renumbered += len(differs) - len(changed_keys)
    if len(new_pos):
        record_id = rows.column(sheet.id_column).take(new_pos) if sheet.id_column else pa.nulls(len(new_pos), pa.string())
        history.append(_history(sync_id, at, sheet, pa.table({
            "record_key": rows.column(KEY).take(new_pos), "record_id": record_id,
            "column": pa.nulls(len(new_pos), pa.string()), "old_value": pa.nulls(len(new_pos), pa.string()),
            "new_value": pa.nulls(len(new_pos), pa.string()),
            "change": pa.repeat(pa.scalar("insert", pa.string()), len(new_pos)),
            SOURCE: rows.column(SOURCE).take(new_pos)})))
        result.inserted[sheet.key] = len(new_pos)
    if len(gone):
        history.append(_history(sync_id, at, sheet, pd.DataFrame({
            "record_key": gone[KEY].astype(str).to_numpy(), "record_id": None, "column": None, "old_value": None,
            "new_value": None, "change": "delete", SOURCE: gone[SOURCE].astype(str).to_numpy()})))
        result.deleted[sheet.key] = len(gone)
    removed = incoming[KEY].iloc[differ_pos].tolist() + gone[KEY].astype(str).tolist()
    if removed:
        writer.submit(_delete_keys, conn, table, removed)
    if not len(stored):
        writer.submit(_load_empty, conn, table, rows, sheet)
    elif len(new_pos) == len(rows):
        writer.submit(_insert_arrow, conn, table, rows)
    elif len(new_pos) or len(differ_pos):
        writer.submit(_insert_arrow, conn, table, rows.take(np.sort(np.concatenate([new_pos, differ_pos]))))
    return history


def _load_empty(conn: sa.Connection, table: sa.Table, rows: Any, hash_of: Sheet | None = None) -> None:
    """The first load of a table (rows hashed here when ``hash_of`` is given): PostgreSQL builds its
    primary key and secondary indexes once after the COPY (dropped and created again inside the
    sync's transaction, so no other session ever sees the table without them) instead of row by
    row. A duplicate _key — impossible, assign_keys makes them unique — would fail the ADD PRIMARY
    KEY and roll the sync back, as the COPY would have."""
    rebuild = not _is_duck(conn) and rows.num_rows >= REINDEX_ROWS
    indexes = list(table.indexes) if rebuild else []
    primary = _primary_key_name(conn, table.name) if rebuild else None
    name = _quote(conn, table.name)
    if primary:
        conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {_quote(conn, primary)}")
    for ix in indexes:
        conn.execute(sa.schema.DropIndex(ix, if_exists=True))
    _insert_arrow(conn, table, rows, hash_of)
    if primary:
        conn.exec_driver_sql(f"ALTER TABLE {name} ADD CONSTRAINT {_quote(conn, primary)} "
                             f"PRIMARY KEY ({_quote(conn, KEY)})")
    for ix in indexes:
        conn.execute(sa.schema.CreateIndex(ix))


def _primary_key_name(conn: sa.Connection, table: str) -> str | None:
    """The name PostgreSQL gave the table's primary key (``<table>_pkey`` unless it was too long)."""
    return conn.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = to_regclass(%(t)s)",
        {"t": _quote(conn, table)}).scalar()


def _history(sync_id: int, at: dt.datetime, sheet: Sheet, part: Any) -> Any:
    """History rows (a frame or an Arrow table of record_key … _source) as an Arrow table of crm_history."""
    import pyarrow as pa

    table = METADATA.tables["crm_history"]
    n = len(part)
    if isinstance(part, pd.DataFrame):
        part = pa.table({c: _arrow_column(part[c], table.c[c].type) for c in part.columns})
    fixed = {"sync_id": pa.array(np.full(n, sync_id, dtype="int64")),
             "at": pa.array(np.full(n, np.datetime64(at, "us"))),
             "sheet": pa.repeat(pa.scalar(sheet.key, pa.string()), n)}
    return pa.table({c: fixed[c] if c in fixed else part.column(c).cast(_arrow_type(table.c[c].type))
                     for c in HISTORY_COLUMNS})


def _ids(frame: pd.DataFrame, sheet: Sheet) -> Any:
    if not sheet.id_column:
        return None
    return frame[sheet.id_column].astype(object).where(frame[sheet.id_column].notna(), None).to_numpy()


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _fetch_keys(conn: sa.Connection, table: sa.Table, keys: list[str]) -> pd.DataFrame:
    parts = [_select_frame(conn, sa.select(table).where(table.c[KEY].in_(chunk))) for chunk in _chunks(keys)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[c.name for c in table.columns])


def _delete_keys(conn: sa.Connection, table: sa.Table, keys: list[str]) -> None:
    for chunk in _chunks(keys):
        conn.execute(table.delete().where(table.c[KEY].in_(chunk)))


# --------------------------------------------------------------------------------------------
# Row hashes, computed by DuckDB
# --------------------------------------------------------------------------------------------

ROW_HASH = "row_hash"  # crm_meta: which function computed the stored _hash values
_HASHER: Any = None
_HASHERS = threading.local()
_HASHER_LOCK = threading.Lock()


def _hash_scheme() -> str:
    """The function behind _hash. DuckDB's hash() is only promised within one DuckDB version, so
    the version is part of the scheme: a database hashed by another one (or by pandas, as crm-xl
    did before) has its stored hashes recomputed before the comparison."""
    import duckdb

    return f"duckdb hash() {duckdb.__version__}"


def _hash_sql(sheet: Sheet) -> str:
    """DuckDB SQL for a row's hash: its values, _row, _extra and _source, typed as stored."""
    cols = ", ".join('"' + c.replace('"', '""') + '"' for c in [*sheet.keys, ROW, EXTRA, SOURCE])
    return f"CAST(hash({cols}) >> 1 AS BIGINT)"


def _row_hashes(conn: sa.Connection, sheet: Sheet, rows: Any) -> Any:
    """The hash of each row of an Arrow table (in order): DuckDB's hash() over the values as the
    database stores them — vectorised C++ in an in-memory DuckDB of this process (for a DuckDB
    target too: its connection is the writer's, and hash() of the same Arrow values is the same in
    any DuckDB of one version, so a first load hashes in its INSERT instead)."""
    global _HASHER
    duck = getattr(_HASHERS, "cursor", None)
    if duck is None:  # one cursor per thread: the main thread and the writer hash at the same time
        with _HASHER_LOCK:
            if _HASHER is None:
                import duckdb

                _HASHER = duckdb.connect(":memory:")
            duck = _HASHERS.cursor = _HASHER.cursor()
    name = "crm_hash_rows"
    duck.register(name, rows)
    try:  # a relation's Arrow (not the DB-API result's copy); no warnings filter, which threads would share
        out = duck.sql(f"SELECT {_hash_sql(sheet)} FROM {name}").to_arrow_table()
    finally:
        duck.unregister(name)
    return out.column(0).combine_chunks()


def _rehash(conn: sa.Connection, migrations: list[str]) -> None:
    """Recompute the stored hashes when another function computed them (an older crm-xl, another
    DuckDB version) or a table gained a column; the comparison then sees only real changes."""
    import pyarrow as pa

    meta = METADATA.tables["crm_meta"]
    scheme = _hash_scheme()
    stored = conn.execute(sa.select(meta.c.value).where(meta.c.key == ROW_HASH)).scalar()
    for sheet in SHEETS.values():
        if f"+{sheet.key}" in migrations or (stored == scheme and not any(
                m.startswith(f"+{sheet.key}.") for m in migrations)):
            continue
        table = METADATA.tables[sheet.key]
        if _is_duck(conn):
            conn.execute(table.update().values({HASH: sa.literal_column(_hash_sql(sheet))}))
            continue
        rows = _copy_out(conn, sa.select(*[table.c[c] for c in [KEY, *sheet.keys, ROW, EXTRA, SOURCE]]))
        if not rows.num_rows:
            continue
        pairs = pa.table({KEY: rows.column(KEY), HASH: _row_hashes(conn, sheet, rows)})
        conn.exec_driver_sql("CREATE TEMPORARY TABLE crm_rehash (_key TEXT PRIMARY KEY, _hash BIGINT) ON COMMIT DROP")
        _copy_in(conn, "crm_rehash", pairs)
        conn.exec_driver_sql(f'UPDATE {_quote(conn, table.name)} AS t SET "_hash" = r."_hash" FROM crm_rehash AS r '
                             'WHERE r."_key" = t."_key"')
        conn.exec_driver_sql("DROP TABLE crm_rehash")
    if stored != scheme:
        conn.execute(meta.delete().where(meta.c.key == ROW_HASH))
        conn.execute(meta.insert().values(key=ROW_HASH, value=scheme))


def _arrow_rows(table: sa.Table, frame: pd.DataFrame) -> Any:
    """A sheet's rows as an Arrow table of the table's columns and SQL types (but _hash)."""
    import pyarrow as pa

    return pa.table({c.name: _arrow_column(frame[c.name], c.type) for c in table.columns if c.name != HASH})


def _store_unreadable(conn: sa.Connection, registers: Sequence[tuple[str, Register]]) -> None:
    table = METADATA.tables["crm_unreadable"]
    sources = [name for name, _ in registers]
    conn.execute(table.delete().where(table.c[SOURCE].in_(sources)))
    parts = []
    for name, reg in registers:
        bad = reg.unreadable
        if len(bad):
            parts.append(pd.DataFrame({SOURCE: name, "sheet": bad["sheet"].astype(str), "row": bad["row"].astype("int64"),
                                       "column": bad["column"].astype(str),
                                       "value": [_text(v) for v in bad["value"].tolist()],
                                       "kind": bad["kind"].astype(str)}))
    if parts:
        _bulk_insert(conn, table, pd.concat(parts, ignore_index=True))


def _snapshot_frame(registers: Sequence[tuple[str, Register]], sync_id: int, at: dt.datetime) -> pd.DataFrame:
    """The rows of this sync's pipeline snapshot (crm_snapshots): every register's open deals."""
    from crm_xl.forecast import pipeline_rows

    parts = []
    for name, reg in registers:
        opps = reg.frames.get("opportunities")
        if opps is None or opps.empty:
            continue
        rows = pipeline_rows(opps, pd.Timestamp(at.date()), reg.settings)
        if rows.empty:
            continue
        close = opps.loc[opps["status"] == "open", "expected_close_date"].reset_index(drop=True)
        parts.append(pd.DataFrame({
            "sync_id": sync_id, "at": pd.Timestamp(at), "snapshot_date": pd.Timestamp(at.date()),
            "opportunity_id": rows["opportunity_id"].astype("string"), "customer_id": rows["customer_id"].astype("string"),
            "owner": rows["owner"].astype("string"), "stage": rows["stage"].astype("string"),
            "product": rows["product"].astype("string"), "expected_close_date": close,
            "amount_base": rows["amount_base"].astype("float64"), "probability": rows["probability"].astype("float64"),
            "weighted": rows["weighted"].astype("float64"), SOURCE: name}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SNAPSHOT_COLUMNS)


# --------------------------------------------------------------------------------------------
# Database → Register
# --------------------------------------------------------------------------------------------


def read_database(url: str, *, lang: str | None = None) -> Register:
    """The register held in the database (every source), read with one query per table."""
    engine = open_engine(url, read_only=True)
    try:
        conn = _connect(engine, url)
        try:
            with conn:
                return _read(conn, url, lang)
        except DatabaseUnavailable:
            raise
        except sa.exc.DBAPIError as exc:
            raise _classify(url, exc) from None
    finally:
        engine.dispose()


def _read(conn: sa.Connection, url: str, lang: str | None) -> Register:
    state = schema_state(conn)
    if not state.has_register:
        raise DatabaseUnavailable(url, "db_not_crm")
    _refuse_newer(url, state)
    missing = {(t, c) for t, c in state.missing_columns}
    meta = METADATA.tables["crm_meta"]
    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "settings_source")).first() \
        if "crm_meta" in state.present_tables else None
    settings_source = row[0] if row else None
    frames: dict[str, pd.DataFrame] = {}
    extras: dict[str, list[str]] = {}
    for sheet in SHEETS.values():
        if sheet.key not in state.present_tables:
            frames[sheet.key] = empty_frame(sheet)
            continue
        table = METADATA.tables[sheet.key]
        cols = [table.c[c.name] for c in table.columns if (sheet.key, c.name) not in missing and c.name not in (KEY, HASH)]
        stmt = sa.select(*cols)
        if sheet.settings_table and settings_source is not None:
            stmt = stmt.where(table.c[SOURCE] == settings_source)
        raw = _select_frame(conn, stmt.order_by(table.c[SOURCE], table.c[ROW]))
        frames[sheet.key], extras[sheet.key] = _typed(sheet, raw)
    present = {k: len(frames[k]) > 0 for k in SHEETS}
    settings, found = settings_from_frames(frames, Settings(), present)
    unreadable = pd.DataFrame(columns=UNREADABLE_COLUMNS)
    if "crm_unreadable" in state.present_tables:
        t = METADATA.tables["crm_unreadable"]
        unreadable = _select_frame(conn, sa.select(t.c.sheet, t.c.row, t.c.column, t.c.value, t.c.kind)
                                   .order_by(t.c[SOURCE], t.c.sheet, t.c.row))
        unreadable = unreadable.astype({"row": "int64"}).astype({"sheet": object, "column": object, "value": object,
                                                                  "kind": object})
    snapshots = None
    if "crm_snapshots" in state.present_tables:
        t = METADATA.tables["crm_snapshots"]
        snapshots = _select_frame(conn, sa.select(t).order_by(t.c.sync_id))
        for c in ("at", "snapshot_date", "expected_close_date"):
            snapshots[c] = pd.to_datetime(snapshots[c])
    language = lang or settings.language or "zh-CN"
    reg = Register(frames=frames, settings=settings, lang=language, source=redact(url), unreadable=unreadable,
                   findings=found, extras={k: v for k, v in extras.items() if v},
                   sheet_names={k: SHEETS[k].label(language) for k in SHEETS if present[k]})
    reg.snapshots = snapshots
    return reg


def _typed(sheet: Sheet, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Table rows → a typed frame exactly as the file reader builds it (no parsing: the database
    holds typed values already)."""
    empty = empty_frame(sheet)
    n = len(raw)
    data = {}
    for c in sheet.columns:
        dtype = empty[c.key].dtype
        if c.key not in raw.columns:
            data[c.key] = pd.Series([pd.NA] * n, dtype=object).astype(dtype) if n else empty[c.key]
            continue
        col = raw[c.key]
        if pd.api.types.is_datetime64_any_dtype(dtype):
            col = pd.to_datetime(col).astype(dtype)
        elif pd.api.types.is_float_dtype(dtype):
            col = pd.to_numeric(col).astype(dtype)
        else:
            col = col.astype(dtype)
        data[c.key] = col.reset_index(drop=True)
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    extra_names: list[str] = []
    if EXTRA in raw.columns and raw[EXTRA].notna().any():
        decoded = [json.loads(v) if isinstance(v, str) else {} for v in raw[EXTRA].tolist()]
        for rec in decoded:
            for k in rec:
                if k not in extra_names and k not in frame.columns:
                    extra_names.append(k)
        for k in extra_names:
            frame[k] = pd.Series([rec.get(k) for rec in decoded], dtype="string")
    frame[ROW] = raw[ROW].astype("int64").to_numpy() if n else empty[ROW]
    return frame, extra_names


def sync_count(url: str) -> int:
    """How many syncs the database has recorded (0 for a new database)."""
    engine = open_engine(url, read_only=duckdb_file(url) is not None)
    try:
        with engine.connect() as conn:
            if "crm_syncs" not in sa.inspect(conn).get_table_names():
                return 0
            return int(conn.execute(sa.text("SELECT count(*) FROM crm_syncs")).scalar() or 0)
    finally:
        engine.dispose()
