"""Benchmark: ``analyze`` on a 100k-customer register ÷ fastexcel read time of the same file, one run.

    /work/venv/bin/python benchmarks/analyze.py [--customers 100000] [--keep FILE]

Builds the demo register (``crm_xl.demo.generate_demo``), writes it with the template writer,
then measures in the same process: (1) fastexcel loading every sheet of the file into Arrow,
(2) ``read_register`` (fastexcel + typing), (3) ``analyze`` on the register read back, and
(4) ``Analysis.to_json``. Prints the figures and the ratio analyze ÷ fastexcel read (target ≤ 2.5).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the workbook here (and reuse it when it exists)")
    args = parser.parse_args()

    import fastexcel

    from crm_xl.analysis import analyze
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.template import write_register
    from crm_xl.workbook import demo_register

    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    as_of = dt.date(2026, 11, 23)
    path = args.keep or Path(tempfile.mkdtemp()) / "bench.xlsx"
    if not path.exists():
        t = time.perf_counter()
        register, _ = demo_register(n_customers=args.customers, as_of=as_of, with_mistakes=False)
        t_gen = time.perf_counter() - t
        t = time.perf_counter()
        write_register(path, register, lang="zh-CN")
        print(f"generated in {t_gen:.1f} s, written in {time.perf_counter() - t:.1f} s: {path} "
              f"({path.stat().st_size / 1e6:.1f} MB)")

    t = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    rows = 0
    for name in reader.sheet_names:
        rows += reader.load_sheet(name, schema_sample_rows=None).to_arrow().num_rows
    t_fast = time.perf_counter() - t

    # The input-safety limits (500 MiB uncompressed, 10 M cells) protect interactive use; a 100k-customer
    # register exceeds them, so the benchmark raises them as `crm-xl --max-cells … analyze` would
    # (the check's own time stays in read_register).
    from crm_xl.ports.safety import InputLimits

    big = InputLimits(max_file_bytes=4 << 30, max_uncompressed_bytes=16 << 30, max_cells=500_000_000)
    t = time.perf_counter()
    register = read_register(path, limits=big)
    t_read = time.perf_counter() - t
    counts = {k: v for k, v in register.counts().items() if v}

    t = time.perf_counter()
    analysis = analyze(register, as_of)
    t_analyze = time.perf_counter() - t

    t = time.perf_counter()
    data = analysis.to_json()
    t_json = time.perf_counter() - t

    print(f"records: {counts}")
    print(f"fastexcel read (all sheets → Arrow, {rows} rows): {t_fast:.2f} s")
    print(f"read_register (fastexcel + typing):              {t_read:.2f} s")
    print(f"analyze:                                          {t_analyze:.2f} s")
    print(f"to_json ({len(data['customers'])} customers):                   {t_json:.2f} s")
    print(f"trend model: {analysis.trend.method}")
    print(f"ratio analyze ÷ fastexcel read = {t_analyze / t_fast:.2f} (target ≤ 2.5); "
          f"(analyze + to_json) ÷ fastexcel read = {(t_analyze + t_json) / t_fast:.2f}")


if __name__ == "__main__":
    main()
