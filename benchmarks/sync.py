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

Targets (issue #18): sync ≤ 2× the fastexcel read; analyze from DuckDB ≤ 0.5× analyze from the
workbook. The sync ratio is printed both for the whole command (read + write) and for the write.
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
    as_of = dt.date(2026, 11, 23)
    work = Path(tempfile.mkdtemp(prefix="crm-xl-sync-bench-"))
    path = args.keep or work / "bench.xlsx"
    if not path.exists():
        register, _ = demo_register(n_customers=args.customers, as_of=as_of, with_mistakes=False)
        write_register(path, register, lang="zh-CN")
        print(f"workbook: {path} ({path.stat().st_size / 1e6:.1f} MB)")

    t = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    rows = sum(reader.load_sheet(n, schema_sample_rows=None).to_arrow().num_rows for n in reader.sheet_names)
    t_fast = time.perf_counter() - t

    big = InputLimits(max_file_bytes=4 << 30, max_uncompressed_bytes=16 << 30, max_cells=500_000_000)
    t = time.perf_counter()
    register = read_register(path, limits=big)
    t_read = time.perf_counter() - t
    t_analyze_wb = t_read + _analyze(register, as_of)
    print(f"rows: {rows}; fastexcel read {t_fast:.2f} s; read_register {t_read:.2f} s; "
          f"analyze from the workbook (read + analyze + JSON) {t_analyze_wb:.2f} s")

    targets = [("DuckDB", f"duckdb:///{work / 'crm.duckdb'}", None)]
    if not args.no_postgres:
        from postgres import start_cluster

        cluster, root = start_cluster()
        targets.append(("PostgreSQL", cluster.url(), (cluster, root)))
    try:
        for name, url, _ in targets:
            t = time.perf_counter()
            first = database.sync(url, [(path.name, register)])
            t_write = time.perf_counter() - t
            t = time.perf_counter()
            second = database.sync(url, [(path.name, register)])
            t_again = time.perf_counter() - t
            t = time.perf_counter()
            back = database.read_database(url)
            t_dbread = time.perf_counter() - t
            t_analyze_db = t_dbread + _analyze(back, as_of)
            print(f"{name}: first sync write {t_write:.2f} s ({first.changes} changes), second sync {t_again:.2f} s "
                  f"({second.changes} changes); read {t_dbread:.2f} s; analyze from {name} {t_analyze_db:.2f} s")
            print(f"  ratio sync (read_register + write) ÷ fastexcel read = {(t_read + t_write) / t_fast:.2f} "
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
