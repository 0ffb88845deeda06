"""Outputs never destroy anything (issue 12): devices and FIFOs are written in place, an output
that is an input is refused before any work, a folder that takes no file is a clear message, two
writers never mix, a killed writer leaves the old file, backups are made only of regular files;
exit codes mean one thing each."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics_records import customer, order
from conftest import sha256
from crm_xl.cli import app
from crm_xl.ports.atomic import atomic_path, list_backups
from crm_xl.ports.template import write_register
from crm_xl.register import Register

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
DAY = "2026-11-23"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "台账.xlsx"
    write_register(path, Register.from_records({"customers": [customer("C1")],
                                                "orders": [order("SO1", "C1", "2026-10-05", 100)]}))
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "crm_xl", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=300)


def test_dev_null_survives_out(book):
    before = os.stat("/dev/null")
    r = cli("analyze", book, "--as-of", DAY, "--format", "json", "--out", "/dev/null")
    assert r.returncode == 0, r.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith((".null.", "null."))]  # no temp, no backup


def test_a_fifo_is_written_in_place(book, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = cli("analyze", book, "--as-of", DAY, "--format", "json", "--out", fifo)
    reader.join(60)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO, not a regular file put in its place
    assert json.loads(got[0].decode("utf-8"))["as_of"] == DAY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo", "台账.xlsx"]  # no backup of a FIFO


def test_out_dash_writes_to_stdout(book):
    r = cli("analyze", book, "--as-of", DAY, "--format", "json", "--out", "-")
    assert r.returncode == 0 and json.loads(r.stdout)["as_of"] == DAY
    assert not Path("-").exists()


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative"])
def test_out_equal_to_the_input_is_refused_before_any_work(book, tmp_path, how, monkeypatch):
    before = sha256(book)
    out = {"same": book, "symlink": tmp_path / "link.xlsx", "hardlink": tmp_path / "hard.xlsx",
           "relative": Path(os.path.relpath(book))}[how]
    if how == "symlink":
        out.symlink_to(book)
    if how == "hardlink":
        os.link(book, out)
    import crm_xl.ports.reader as reader

    def no_reading(*a, **k):  # "before any work": the register is never even read
        raise AssertionError("read before refusing")
    monkeypatch.setattr(reader, "read_register", no_reading)
    for args in (["analyze", book, "--as-of", DAY, "--out", out],
                 ["report", book, "--kind", "sales", "--as-of", DAY, "--out", out],
                 ["export", book, "--out", out]):
        res = runner.invoke(app, [str(a) for a in args])
        assert res.exit_code == 2, (args, res.output)
        assert "输入文件" in res.output
    assert sha256(book) == before and not list_backups(book)


def test_out_equal_to_the_input_as_a_process(book):
    before = sha256(book)
    r = cli("analyze", book, "--as-of", DAY, "--out", book, "--lang", "en")
    assert r.returncode == 2 and "is the input file" in r.stderr
    assert sha256(book) == before


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_a_folder_that_takes_no_file_is_a_clear_message(book):
    r = cli("analyze", book, "--as-of", DAY, "--out", "/proc/crm-xl.json", "--lang", "en")
    assert r.returncode == 3 and "cannot write /proc/crm-xl.json" in r.stderr and "Traceback" not in r.stderr
    r = cli("analyze", book, "--as-of", DAY, "--out", "/proc/no-such-folder/a.json")
    assert r.returncode == 3 and "不存在" in r.stderr


WRITER = """
import sys, time
from crm_xl.ports.atomic import atomic_path
dst, byte, size, pause = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), float(sys.argv[4])
with atomic_path(dst, backups=0) as tmp:
    with open(tmp, "wb") as fh:
        for _ in range(size // 65536):
            fh.write(byte * 65536)
            fh.flush()
            time.sleep(pause)
"""


def _writer(dst: Path, byte: str, size: int, pause: float) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen([sys.executable, "-c", WRITER, str(dst), byte, str(size), str(pause)], env=env)


def test_two_writers_never_mix(tmp_path):
    dst = tmp_path / "out.bin"
    size = 64 * 65536
    for _ in range(3):
        procs = [_writer(dst, b, size, 0.001) for b in "ab"]
        assert [p.wait(120) for p in procs] == [0, 0]
        data = dst.read_bytes()
        assert len(data) == size and data in (b"a" * size, b"b" * size)


def test_a_killed_writer_leaves_the_old_output(tmp_path):
    dst = tmp_path / "out.bin"
    dst.write_bytes(b"old")
    proc = _writer(dst, "n", 200 * 65536, 0.05)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(".out.") and p.stat().st_size > 65536
                                             for p in tmp_path.iterdir()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert dst.read_bytes() == b"old"


def test_backups_only_of_regular_files(tmp_path):
    dst = tmp_path / "r.txt"
    dst.write_text("v1")
    with atomic_path(dst, backups=3) as tmp:
        tmp.write_text("v2")
    assert [b.read_text() for b in list_backups(dst)] == ["v1"]
    with atomic_path(os.devnull, backups=3) as tmp:  # a device: written in place, never backed up
        tmp.write_text("x")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_exit_codes_mean_one_thing(book, tmp_path):
    res = runner.invoke(app, ["analyze", str(book), "--bogus"])
    assert res.exit_code == 3  # click's usage error, not 2
    res = runner.invoke(app, ["analyze", str(book), "--period", "2026-13"])
    assert res.exit_code == 3 and "不是考核期" in res.output and "内部错误" not in res.output
    res = runner.invoke(app, ["report", str(book), "--kind", "sales", "--period", "2026-99-99",
                              "--out", str(tmp_path / "r.html"), "--lang", "en"])
    assert res.exit_code == 3 and "unknown period" in res.output
    res = runner.invoke(app, ["analyze", str(book), "--as-of", "23.11.2026", "--lang", "en"])
    assert res.exit_code == 3 and "YYYY-MM-DD" in res.output
    res = runner.invoke(app, ["new", str(book)])
    assert res.exit_code == 3 and "--force" in res.output and "已存在" in res.output
    res = runner.invoke(app, ["analyze", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2  # an input that cannot be used
