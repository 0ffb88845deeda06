"""Real-world robustness: ``crm-xl validate`` on every file of the shared spreadsheet corpus.

The corpus (600 files other tools and people made: fuzzer cases, bombs, encrypted, xls/xlsb/ods,
Strict OOXML …) lives beside the repository in ``../shared/corpus``. Every file must end with
exit 0, 1 or 2 within 20 s, print no traceback (Python's, or a Rust panic report from calamine) and
stay byte-identical.

All files run in-process — the real typer command through ``CliRunner`` — in a pool of two worker
processes (CI has two cores). Each worker holds its file descriptor 2 while a file runs, so native
output that bypasses ``sys.stderr`` is caught too. A dozen chosen files also run through
``python -m crm_xl validate`` as subprocesses, to prove the contract end to end.
"""

from __future__ import annotations

from conftest import corpus_dir

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FILE_SECONDS = 20
WORKERS = 2


CORPUS = corpus_dir()
CORPUS_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS) if CORPUS else []
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason="spreadsheet corpus ../shared/corpus not present "
                                                          "(set CRM_XL_CORPUS to its folder)")

# Output that means something escaped: a Python traceback, a Rust panic report, or handle_errors'
# last-resort line for an unexpected exception (a bug hidden behind exit 2).
LEAKS = ("Traceback", "panicked at", "stack backtrace", "internal error", "内部错误")

# Chosen for the subprocess run: one of each trap the corpus README names.
END_TO_END = [
    "dimastbk__python-calamine/tests/data/password.xlsx",  # encrypted OOXML
    "apache__poi/test-data/spreadsheet/poc-xmlbomb.xlsx",  # billion laughs
    "tafia__calamine/tests/issue252.xlsx",  # bad CRC
    "tafia__calamine/tests/any_sheets.xlsb",
    "tafia__calamine/tests/any_sheets.ods",
    "tafia__calamine/tests/date.xls",
    "apache__poi/test-data/spreadsheet/SimpleStrict.xlsx",  # Strict OOXML
    "apache__poi/test-data/spreadsheet/xxe_in_schema.xlsx",
    "dimastbk__python-calamine/tests/data/empty_file.xlsx",  # 0 bytes
    "apache__poi/test-data/spreadsheet/Simple.xlsb",  # calamine panic
    "apache__poi/test-data/spreadsheet/clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls",  # panic
    "tafia__calamine/tests/ptgexp-truncated-operand.xls",  # panic
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expired(signum, frame):
    raise TimeoutError(f"no result within {FILE_SECONDS} s")


def validate_in_process(path: str) -> dict:
    """Run ``crm-xl validate <path>`` in this process as the CLI does; report exit code, output,
    seconds and the file's hashes. Everything written to fd 2 meanwhile is captured too."""
    from typer.testing import CliRunner

    from crm_xl.cli import app

    file = Path(path)
    before = _sha256(file)
    saved = os.dup(2)
    native = tempfile.TemporaryFile()
    os.dup2(native.fileno(), 2)
    signal.signal(signal.SIGALRM, _expired)
    signal.alarm(FILE_SECONDS)
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(app, ["validate", path])
        code, output = result.exit_code, result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            code = f"escaped {type(result.exception).__name__}: {result.exception}"
    finally:
        signal.alarm(0)
        seconds = time.perf_counter() - started
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    native.seek(0)
    return {"path": path, "code": code, "output": output + native.read().decode("utf-8", "replace"),
            "seconds": seconds, "same": _sha256(file) == before}


def _problems(run: dict) -> list[str]:
    found = []
    if run["code"] not in (0, 1, 2):
        found.append(f"exit {run['code']}")
    found += [f"printed {leak!r}" for leak in LEAKS if leak in run["output"]]
    if run["seconds"] > FILE_SECONDS:
        found.append(f"took {run['seconds']:.1f} s")
    if not run["same"]:
        found.append("file changed")
    return found


@needs_corpus
def test_validate_ends_cleanly_on_every_corpus_file():
    import crm_xl.cli  # noqa: F401  (imported before the fork: workers start warm)

    started = time.perf_counter()
    runs: list[dict] = []
    pool = multiprocessing.get_context("fork").Pool(WORKERS)
    try:
        results = pool.imap_unordered(validate_in_process, [str(p) for p in CORPUS_FILES], chunksize=1)
        for _ in CORPUS_FILES:
            # A native hang never returns to Python, so the worker's alarm cannot fire: the pool
            # is killed when no file at all finished for longer than one file may take.
            try:
                runs.append(results.next(timeout=FILE_SECONDS * 4 + 5))
            except multiprocessing.TimeoutError:
                done = {r["path"] for r in runs}
                pytest.fail(f"no result for {FILE_SECONDS * 4 + 5} s; unfinished: "
                            f"{[str(p) for p in CORPUS_FILES if str(p) not in done][:10]}")
    finally:
        pool.terminate()
        pool.join()
    elapsed = time.perf_counter() - started
    bad = {r["path"]: _problems(r) + [r["output"][-300:]] for r in runs if _problems(r)}
    assert not bad, f"{len(bad)} corpus files broke the contract: {bad}"
    assert len(runs) == len(CORPUS_FILES)
    slowest = max(runs, key=lambda r: r["seconds"])
    print(f"\n{len(runs)} corpus files in {elapsed:.1f} s; slowest {slowest['seconds']:.2f} s "
          f"({Path(slowest['path']).name}); exits "
          f"{ {c: sum(r['code'] == c for r in runs) for c in (0, 1, 2)} }")


def _cli(path: Path) -> tuple[Path, subprocess.CompletedProcess, float, bool]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])),
               RUST_BACKTRACE="1")  # a leaked Rust panic would print a whole stack backtrace
    before = _sha256(path)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "crm_xl", "validate", str(path)], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", env=env, timeout=FILE_SECONDS)
    return path, done, time.perf_counter() - started, _sha256(path) == before


@needs_corpus
def test_chosen_corpus_files_through_the_real_command():
    paths = [CORPUS / rel for rel in END_TO_END if (CORPUS / rel).is_file()]
    assert len(paths) >= 10, "the chosen corpus files are missing"
    with ThreadPoolExecutor(WORKERS) as threads:
        runs = list(threads.map(_cli, paths))
    for path, done, seconds, same in runs:
        text = done.stdout + done.stderr
        assert done.returncode in (0, 1, 2), (path, done.returncode, text[-2000:])
        assert not [leak for leak in LEAKS if leak in text], (path, text[-2000:])
        assert same and seconds < FILE_SECONDS, (path, seconds)
        if done.returncode == 2:  # exit 2 always comes with one clear line naming the file
            assert done.stderr.startswith("crm-xl: ") and path.name in done.stderr.replace("\n", ""), (path, text)
    by_name = {path.name: done for path, done, _, _ in runs}
    assert by_name["Simple.xlsb"].returncode == 2  # the calamine panic, reported as a damaged file
    assert "CRM_XL_PASSWORD" in by_name["password.xlsx"].stderr


def test_a_real_register_through_the_real_command(tmp_path: Path):
    """The contract's other side: a genuine register gets a report and exit 0 or 1, unchanged."""
    from crm_xl.workbook import build_workbook

    book = tmp_path / "register.xlsx"
    build_workbook(book, demo=True, n_customers=20)
    path, done, seconds, same = _cli(book)
    assert done.returncode in (0, 1), done.stderr
    assert "rows checked" in done.stdout or "行已检查" in done.stdout
    assert same and not [leak for leak in LEAKS if leak in done.stdout + done.stderr]


@needs_corpus
def test_reader_holds_back_rust_panic_reports_but_no_other_output(capfd, monkeypatch):
    from crm_xl.ports import reader
    from crm_xl.ports.errors import UnreadableWorkbook

    with pytest.raises(UnreadableWorkbook) as error:
        reader.read_register(CORPUS / "apache__poi/test-data/spreadsheet/Simple.xlsb")
    assert error.value.reason == "corrupt_file" and "PanicException" in error.value.detail
    assert "panicked at" not in capfd.readouterr().err

    def noisy(source, password, lang, limits=None, on_sheet=None):
        os.write(2, b"a native library's own warning\n")
        return "register"

    monkeypatch.setattr(reader, "_read_register", noisy)
    assert reader.read_register("any.xlsx") == "register"
    assert capfd.readouterr().err == "a native library's own warning\n"


def test_panic_report_is_dropped_but_earlier_output_kept():
    from crm_xl.ports.reader import _without_panic_report

    text = b"warning: something else\nthread '<unnamed>' panicked at src/x.rs:1:2:\nboom\nstack backtrace:\n 0: f\n"
    assert _without_panic_report(text) == b"warning: something else\n"
    assert _without_panic_report(b"plain\n") == b"plain\n"
