"""Benchmark: every ``crm-xl`` command as a whole process ÷ fastexcel reading the same file, one run.

    .venv/bin/python benchmarks/commands.py [--sizes 1k,10k,100k] [--commands validate,analyze]
                                             [--repeat 1] [--no-stages] [--cache DIR] [--rebuild]

For each size it generates the demo company at that many customers (``crm_xl.workbook.demo_register``,
planted mistakes included) and writes it with the template writer; the workbook is cached in
``--cache`` (default ``$TMPDIR/crm-xl-bench``) so a re-run only measures. Then, in the same run:

* ``fastexcel``: a child process (same interpreter) importing fastexcel and loading every sheet of
  the file into Arrow: what "just reading the file" costs a user, start-up included; the
  denominator of every ratio. The same read inside this warm process is shown beside it;
* each command as a child process (``python -m crm_xl …``), wall time and the child's own peak
  resident memory (``os.wait4`` rusage, so one command's peak is never another's; the children are
  started by a small spawner process, because a child forked from this big one would report at
  least this one's peak);
* ``crm-xl --help`` and ``--version`` (start-up, target ≤ 0.3 s);
* first, crm_xl's bytecode is compiled where missing, as an install does (``installed_bytecode``):
  under ``PYTHONDONTWRITEBYTECODE=1`` an editable install would otherwise recompile its modules in
  every child;
* an in-process stage breakdown: read (fastexcel), type (``read_register`` minus the read),
  validate, analyze, plan, service, the analysis JSON and write (the follow-up book).

Prints one table: seconds, ratio to the fastexcel read and peak MB per command and size. Targets
(issue 16): ratio ≤ 3.0 at 1k, ≤ 2.0 at 10k and 100k; peak ≤ 1.5 GB at 100k. The machine is shared
and noisy: compare ratios of one run; ``--repeat N`` keeps the fastest of N runs of everything.
A 100k register has ≈ 1.4 M rows, more than the default 10 M-cell input limit, so every command
gets ``--max-cells`` and the size limits raised (the same flags a user would give).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)
SEED = 20261123
LIMIT_FLAGS = ["--max-cells", "500000000", "--max-file-mb", "4096", "--max-uncompressed-mb", "16384"]
SIZE_TARGET = {1_000: 3.0}  # ratio target by size; 2.0 otherwise

logging.getLogger("fastexcel").setLevel(logging.ERROR)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# name → argument list after ``crm-xl``; {src} the register, {out} a fresh output folder.
COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "{src}", "--as-of", AS_OF.isoformat(), "--format", "json", "--out", "{out}/v.json"],
    "analyze": ["analyze", "{src}", "--as-of", AS_OF.isoformat(), "--format", "json", "--out", "{out}/a.json"],
    "followups": ["followups", "{src}", "--as-of", AS_OF.isoformat(), "--out", "{out}/f.xlsx"],
    "report html": ["report", "{src}", "--kind", "monthly", "--as-of", AS_OF.isoformat(), "--period", "2026-10",
                    "--out", "{out}/r.html"],
    "report xlsx": ["report", "{src}", "--kind", "monthly", "--as-of", AS_OF.isoformat(), "--period", "2026-10",
                    "--out", "{out}/r.xlsx"],
    "report pdf": ["report", "{src}", "--kind", "monthly", "--as-of", AS_OF.isoformat(), "--period", "2026-10",
                   "--out", "{out}/r.pdf"],
    "export": ["export", "{src}", "--owner", "{owner}", "--out", "{out}/e.xlsx"],
}
# Commands other issues add; benchmarked when ``crm-xl CMD --help`` works on this checkout.
OPTIONAL: dict[str, list[str]] = {
    "sync": ["sync", "{src}", "--db", "duckdb:///{out}/crm.duckdb"],
    # the register itself as the team's own workbook: every sheet matched, linked and written again
    "import": ["import", "{src}", "--out", "{out}/i.xlsx"],
}


@dataclass
class Run:
    seconds: float
    peak_mb: float
    rc: int
    stderr: str = ""


@dataclass
class SizeResult:
    n: int
    path: Path
    rows: int = 0
    read_s: float = 0.0  # the fastexcel read as a process: the denominator
    read_inproc_s: float = 0.0  # the same read inside this (warm) process
    runs: dict[str, Run] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)


def cached_register(n: int, cache: Path, rebuild: bool) -> Path:
    """The demo register with ``n`` customers, generated once per cache folder."""
    path = cache / f"demo-{label(n)}-{SEED}.xlsx"
    if path.exists() and not rebuild:
        return path
    sys.path.insert(0, str(ROOT / "src"))
    from crm_xl.ports.template import write_register
    from crm_xl.workbook import demo_register

    t = time.perf_counter()
    register, _ = demo_register(n_customers=n, as_of=AS_OF, seed=SEED, lang="zh-CN")
    t_gen = time.perf_counter() - t
    tmp = path.with_suffix(".tmp.xlsx")
    t = time.perf_counter()
    write_register(tmp, register, lang="zh-CN", settings=register.settings)
    tmp.replace(path)
    print(f"generated {label(n)} in {t_gen:.1f} s, written in {time.perf_counter() - t:.1f} s: {path} "
          f"({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    return path


def fastexcel_read(path: Path) -> tuple[float, int]:
    """Seconds for fastexcel to load every sheet of ``path`` into Arrow, and the rows read."""
    import fastexcel

    t = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    rows = 0
    for name in reader.sheet_names:
        rows += reader.load_sheet(name, schema_sample_rows=None).to_arrow().num_rows
    return time.perf_counter() - t, rows


READ_SCRIPT = """
import logging, sys, fastexcel
logging.getLogger("fastexcel").setLevel(logging.ERROR)
reader = fastexcel.read_excel(sys.argv[1])
for name in reader.sheet_names:
    reader.load_sheet(name, schema_sample_rows=None).to_arrow()
"""


# Children are started by a small spawner process, never by this one: Linux gives a child's
# ru_maxrss at least the peak of the process it was forked from (the old address space's high-water
# mark is kept across exec), so a child of this benchmark — which holds registers for the stage
# breakdown — would report this process's peak instead of its own (every 10k command "375 MB").
SPAWNER = r"""
import json, os, subprocess, sys, tempfile, time
for line in sys.stdin:
    argv, env = json.loads(line)
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        err.seek(0)
        print(json.dumps([wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
                          err.read().decode("utf-8", "replace")]), flush=True)
"""
_spawner: subprocess.Popen | None = None


def child_env() -> dict[str, str]:
    """The environment of every child: this checkout's ``src`` first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def start_spawner() -> None:
    """Start the spawner while this process is still small (first thing in ``main``)."""
    global _spawner
    if _spawner is None:
        _spawner = subprocess.Popen([sys.executable, "-c", SPAWNER], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, encoding="utf-8")


def run_process(args: list[str], module: list[str] | None = None) -> Run:
    """Run ``python -m crm_xl ARGS`` (or ``python MODULE ARGS``); wall time and that child's own peak RSS."""
    start_spawner()
    _spawner.stdin.write(json.dumps([[sys.executable, *(module or ["-m", "crm_xl"]), *args], child_env()]) + "\n")
    _spawner.stdin.flush()
    wall, maxrss_kb, rc, stderr = json.loads(_spawner.stdout.readline())
    return Run(wall, maxrss_kb / 1024, rc, stderr)


def installed_bytecode() -> str:
    """Compile crm_xl's modules to bytecode where it is missing or stale, as ``pip install`` does for
    an installed package (and Python itself on a first run): with ``PYTHONDONTWRITEBYTECODE=1`` (set
    on this build machine) an editable install would compile ≈ 50–100 modules again in every child,
    ≈ 0.1–0.2 s a command that no installed crm-xl pays, while fastexcel's child loads cached
    bytecode. → the line the benchmark prints about it."""
    import compileall

    done = subprocess.run([sys.executable, "-c", "import crm_xl; print(crm_xl.__file__)"], env=child_env(),
                          capture_output=True, text=True, check=True)
    child = Path(done.stdout.strip()).parent  # the package the benchmark's children import
    ok = compileall.compile_dir(str(child), quiet=1)
    return (f"bytecode of {child} compiled as an install does (PYTHONDONTWRITEBYTECODE="
            f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}){'' if ok else ' — some modules failed to compile'}")


def available(command: str) -> bool:
    return run_process([command, "--help"]).rc == 0


def an_owner(path: Path) -> str:
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    for name in reader.sheet_names:  # the customers sheet is not the first (说明 / Settings come first)
        table = reader.load_sheet(name, n_rows=50).to_pandas()
        for col in table.columns:
            if col in ("负责人", "owner", "Owner") and table[col].notna().any():
                return str(table[col].dropna().iloc[0])
    raise SystemExit(f"{path}: no sheet has an owner column (负责人/owner): cannot benchmark export")


def stage_breakdown(path: Path) -> dict[str, float]:
    """Seconds per stage of one review done in this process (read, type, validate, analyze, …).

    Times ``crm_xl.review.review`` itself by wrapping the functions it calls (validate, analyze,
    the plan, the service report), so the breakdown follows the review as it changes."""
    sys.path.insert(0, str(ROOT / "src"))
    from crm_xl import review as review_module
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.safety import InputLimits

    limits = InputLimits(max_file_bytes=4 << 30, max_uncompressed_bytes=16 << 30, max_cells=500_000_000)
    out: dict[str, float] = {}
    out["read"], _ = fastexcel_read(path)
    t = time.perf_counter()
    register = read_register(path, limits=limits)
    out["type"] = max(time.perf_counter() - t - out["read"], 0.0)

    def timed(stage: str, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                out[stage] = out.get(stage, 0.0) + time.perf_counter() - t0
        return wrapper

    names = {"validate": "validate", "analyze": "analyze", "followup_plan": "plan", "build_service": "service"}
    saved = {name: getattr(review_module, name) for name in names if hasattr(review_module, name)}
    for name, fn in saved.items():
        setattr(review_module, name, timed(names[name], fn))
    try:
        t = time.perf_counter()
        done = review_module.review(register, AS_OF)
        total = time.perf_counter() - t
        t = time.perf_counter()
        done.analysis.to_json()
        out["json"] = time.perf_counter() - t
    finally:
        for name, fn in saved.items():
            setattr(review_module, name, fn)
    out["review rest"] = max(total - sum(out.get(s, 0.0) for s in names.values()), 0.0)
    t = time.perf_counter()
    from crm_xl.ports.followup_book import write_followup_book

    with tempfile.TemporaryDirectory() as tmp:
        write_followup_book(done.plan, Path(tmp) / "f.xlsx", register.lang, AS_OF)
    out["write"] = time.perf_counter() - t
    return out


def measure(n: int, path: Path, commands: dict[str, list[str]], repeat: int, stages: bool) -> SizeResult:
    res = SizeResult(n, path)
    owner = an_owner(path)
    for _ in range(repeat):
        read_s, res.rows = fastexcel_read(path)
        res.read_inproc_s = min(res.read_inproc_s or read_s, read_s)
        read = run_process([str(path)], module=["-c", READ_SCRIPT])
        if read.rc:
            raise SystemExit(f"fastexcel could not read {path}: {read.stderr}")
        res.read_s = min(res.read_s or read.seconds, read.seconds)
        print(f"  {label(n):>5} {'fastexcel':<12} {read.seconds:7.2f} s  {read.peak_mb:7.0f} MB "
              f"(in-process {read_s:.2f} s)", flush=True)
        for name, template in commands.items():
            with tempfile.TemporaryDirectory(prefix="crm-xl-bench-") as out:
                args = [a.format(src=path, out=out, owner=owner) for a in template]
                run = run_process([*LIMIT_FLAGS, *args])
            if run.rc not in (0, 1):
                print(f"  {label(n)} {name}: exit {run.rc}\n{run.stderr[-2000:]}", file=sys.stderr)
            best = res.runs.get(name)
            if best is None or run.seconds < best.seconds:
                res.runs[name] = Run(run.seconds, max(run.peak_mb, best.peak_mb if best else 0), run.rc)
            elif best is not None:
                best.peak_mb = max(best.peak_mb, run.peak_mb)
            print(f"  {label(n):>5} {name:<12} {run.seconds:7.2f} s  {run.peak_mb:7.0f} MB  rc={run.rc}", flush=True)
    if stages:
        res.stages = stage_breakdown(path)
    return res


def print_table(results: list[SizeResult], startup: dict[str, Run]) -> None:
    today = dt.date.today().isoformat()
    print(f"\n## crm-xl commands ÷ fastexcel read of the same file ({today}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]})\n")
    names = list(results[0].runs)
    print("| register | rows | fastexcel read (process; in-process) | " + " | ".join(names) + " |")
    print("|---|---:|---:|" + "---:|" * len(names))
    for r in results:
        target = SIZE_TARGET.get(r.n, 2.0)
        cells = []
        for name in names:
            run = r.runs.get(name)
            if run is None:
                cells.append("—")
                continue
            ratio = run.seconds / r.read_s
            flag = "" if ratio <= target else " ✗"
            cells.append(f"{ratio:.2f}×{flag} ({run.seconds:.1f} s, {run.peak_mb:.0f} MB)")
        print(f"| {label(r.n)} customers | {r.rows:,} | {r.read_s:.2f} s; {r.read_inproc_s:.2f} s | " + " | ".join(cells) + " |")
    print(f"\ntargets: ≤ 3.0× at 1k, ≤ 2.0× at 10k and 100k, peak ≤ 1536 MB at 100k (✗ = ratio target missed)")
    if startup:
        print("start-up: " + ", ".join(f"`crm-xl {k}` {v.seconds:.2f} s" for k, v in startup.items())
              + " (target ≤ 0.3 s)")
    staged = [r for r in results if r.stages]
    if staged:
        keys = list(dict.fromkeys(k for r in staged for k in r.stages))
        print("\n### in-process stages (seconds)\n")
        print("| register | " + " | ".join(keys) + " |")
        print("|---|" + "---:|" * len(keys))
        for r in staged:
            print(f"| {label(r.n)} | " + " | ".join(f"{r.stages.get(k, 0.0):.2f}" for k in keys) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1k,10k,100k", help="customers per register, e.g. 1k,10k")
    ap.add_argument("--commands", default=None, help="comma-separated subset of: " + ", ".join([*COMMANDS, *OPTIONAL]))
    ap.add_argument("--repeat", type=int, default=1, help="runs per command; the fastest counts")
    ap.add_argument("--no-stages", action="store_true", help="skip the in-process stage breakdown")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "crm-xl-bench")
    ap.add_argument("--rebuild", action="store_true", help="regenerate the cached registers")
    args = ap.parse_args()
    start_spawner()

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    commands = dict(COMMANDS)
    commands.update({k: v for k, v in OPTIONAL.items() if available(k)})
    if args.commands:
        wanted = [c.strip() for c in args.commands.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in commands]
        if unknown:
            raise SystemExit(f"unknown or unavailable commands: {', '.join(unknown)}")
        commands = {c: commands[c] for c in wanted}
    args.cache.mkdir(parents=True, exist_ok=True)

    print(installed_bytecode())
    startup = {}
    for flag in ("--help", "--version"):
        runs = [run_process([flag]) for _ in range(max(args.repeat, 3))]
        startup[flag] = min(runs, key=lambda r: r.seconds)
    results = []
    for n in sizes:
        path = cached_register(n, args.cache, args.rebuild)
        results.append(measure(n, path, commands, args.repeat, not args.no_stages))
    print_table(results, startup)


if __name__ == "__main__":
    main()
