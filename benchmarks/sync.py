"""Benchmark: ``sync`` of the 100k-customer register into DuckDB and PostgreSQL, and analyze from
each, as ratios to the workbook in one run.

    .venv/bin/python benchmarks/sync.py [--customers 100000] [--keep FILE] [--no-postgres]

Builds the demo register (``crm_xl.workbook.demo_register``), writes it with the template writer,
then measures in the same process:

1. fastexcel loading every sheet of the file into Arrow (the reference);
2. ``read_register`` of the workbook (the first half of ``crm-xl sync`` and of ``analyze WB``);
3. the database write of the sync (first sync into an empty database) and a second sync (0 changes);
4. ``analyze WB`` = read_register + analyze + to_json; ``analyze DB`` = read_database + analyze +
   to_json, for DuckDB and for PostgreSQL (a throw-away cluster as in the tests).

5. the sync as ``crm-xl sync`` runs it: ``database.sync(reading=…)`` reads the workbook inside the
   sync and stores each sheet while the next one loads (into a fresh database), and the whole
   ``crm-xl sync`` command as a process (start-up included) into another fresh one.

Targets (issue #18): sync ≤ 2× the fastexcel read; analyze from DuckDB ≤ 0.5× analyze from the
workbook. The sync ratio is printed for the streamed sync and the whole command (the user's
figures), for read_register + write one after the other, and for the write alone.
Beside each wall time: this process's CPU seconds and, for PostgreSQL, the server's (its postmaster
and backends, read from /proc) — on a busy machine the CPU figures compare runs, the wall ratios
do not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _server_cpu(cluster) -> float:
    """CPU seconds used so far by the cluster's postmaster, its live children and the reaped ones."""
    import os

    try:
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        tick = os.sysconf("SC_CLK_TCK")

        def stat(pid):
            return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()

        fields = stat(postmaster)
        total = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                f = stat(pid)
            except OSError:
                continue
            if int(f[1]) == postmaster:
                total += int(f[11]) + int(f[12])
        return total / tick
    except (OSError, ValueError):
        return float("nan")


class Clock:
    """Wall seconds, this process's CPU seconds and the database server's CPU seconds of one step."""

    def __init__(self, cluster=None) -> None:
        self.cluster = cluster

    def __enter__(self):
        self.t, self.c = time.perf_counter(), time.process_time()
        self.s = _server_cpu(self.cluster) if self.cluster else 0.0
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c
        if self.cluster:  # a closed connection's backend counts once the postmaster has reaped it
            time.sleep(1.0)
            self.server = _server_cpu(self.cluster) - self.s
        else:
            self.server = 0.0

    def __str__(self) -> str:
        text = f"{self.wall:.2f} s (cpu {self.cpu:.2f} s"
        return text + (f", server cpu {self.server:.2f} s)" if self.cluster else ")")


def _fresh_database(name: str, url: str, work: Path, label: str) -> str:
    """Another empty database beside ``url``: a DuckDB file, or a database in the same cluster."""
    if name == "DuckDB":
        return f"duckdb:///{work / (label + '.duckdb')}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {label}")
        conn.execute(f"CREATE DATABASE {label}")
    base, query = url.split("?", 1)
    return base.rsplit("/", 1)[0] + f"/{label}?{query}"


def _analyze(register, as_of) -> float:
    from crm_xl.analysis import analyze

    t = time.perf_counter()
    analyze(register, as_of).to_json()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the workbook here (and reuse it when it exists)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    import fastexcel

    from crm_xl.ports import database
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.safety import InputLimits
    from crm_xl.ports.template import write_register
    from crm_xl.workbook import demo_register

    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    import os
    import subprocess

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    from commands import installed_bytecode  # the whole `crm-xl sync` process starts as an installed one

    print(installed_bytecode())
    as_of = dt.date(2026, 11, 23)
    work = Path(tempfile.mkdtemp(prefix="crm-xl-sync-bench-"))
    path = args.keep or work / "bench.xlsx"
    if not path.exists():
        register, _ = demo_register(n_customers=args.customers, as_of=as_of, with_mistakes=False)
        write_register(path, register, lang="zh-CN")
        print(f"workbook: {path} ({path.stat().st_size / 1e6:.1f} MB)")

    with Clock() as fast:
        reader = fastexcel.read_excel(str(path))
        rows = sum(reader.load_sheet(n, schema_sample_rows=None).to_arrow().num_rows for n in reader.sheet_names)
    t_fast = fast.wall

    big = InputLimits(max_file_bytes=4 << 30, max_uncompressed_bytes=16 << 30, max_cells=500_000_000)
    with Clock() as read:
        register = read_register(path, limits=big)
    t_read = read.wall
    t_analyze_wb = t_read + _analyze(register, as_of)
    print(f"rows: {rows}; fastexcel read {fast}; read_register {read}; "
          f"analyze from the workbook (read + analyze + JSON) {t_analyze_wb:.2f} s")

    targets = [("DuckDB", f"duckdb:///{work / 'crm.duckdb'}", None)]
    if not args.no_postgres:
        from postgres import start_cluster

        cluster, root = start_cluster()
        targets.append(("PostgreSQL", cluster.url(), (cluster, root)))
    try:
        for name, url, pg in targets:
            cluster = pg[0] if pg else None
            with Clock(cluster) as write:
                first = database.sync(url, [(path.name, register)])
            t_write = write.wall
            with Clock(cluster) as again:
                second = database.sync(url, [(path.name, register)])
            with Clock(cluster) as dbread:
                back = database.read_database(url)
            t_analyze_db = dbread.wall + _analyze(back, as_of)
            del back
            print(f"{name}: first sync write {write} ({first.changes} changes), second sync {again} "
                  f"({second.changes} changes); read {dbread}; analyze from {name} {t_analyze_db:.2f} s")
            fresh = [_fresh_database(name, url, work, "streamed"), _fresh_database(name, url, work, "process")]
            with Clock(cluster) as streamed:
                database.sync(fresh[0], [], reading=(path.name, lambda on_sheet: read_register(
                    path, limits=big, on_sheet=on_sheet)))
            with Clock(cluster) as process:
                done = subprocess.run([sys.executable, "-m", "crm_xl", "--max-file-mb", "4096",
                                       "--max-uncompressed-mb", "16384", "--max-cells", "500000000",
                                       "sync", str(path), "--db", fresh[1], "--lang", "en"],
                                      capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"crm-xl sync failed: {done.stderr.strip()}")
            print(f"  sync as crm-xl runs it (the book read inside the sync, sheets stored as they are typed) "
                  f"{streamed}; whole `crm-xl sync` process {process.wall:.2f} s")
            print(f"  ratio sync ÷ fastexcel read: streamed {streamed.wall / t_fast:.2f}, whole process "
                  f"{process.wall / t_fast:.2f}, read_register then write {(t_read + t_write) / t_fast:.2f} "
                  f"(write alone {t_write / t_fast:.2f}; target ≤ 2)")
            print(f"  load {os.getloadavg()[0]:.1f}")
            print(f"  ratio analyze from {name} ÷ analyze from the workbook = {t_analyze_db / t_analyze_wb:.2f} "
                  f"(target ≤ 0.5 for DuckDB)")
    finally:
        for _, _, pg in targets:
            if pg:
                pg[0].stop("immediate")
                shutil.rmtree(pg[1], ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)  # the databases (a --keep workbook lives elsewhere)


if __name__ == "__main__":
    main()
