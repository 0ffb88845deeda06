"""Worker children (crm_xl.ports.child: the PDF printer, the chart drawers, the trend fits): the
same result as without them, their errors raised in the parent, and the job done in the parent
when the child is gone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crm_xl.ports import child

# The worker forks only from a process with no other threads; a pytest-xdist worker has execnet's
# threads, so each case runs in a fresh interpreter (as a command does) and is never skipped there.
_PRELUDE = """
import os, sys
from crm_xl.ports import child

def _pid_and(x):
    return os.getpid(), x * 2

def _fails(x):
    raise ValueError(f"bad {x}")

def _says(x):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    return x

if not child._usable(child.ENV):
    sys.exit(77)
"""


def in_fresh_python(body: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != child.ENV}
    done = subprocess.run([sys.executable, "-c", _PRELUDE + body], capture_output=True, text=True, env=env,
                          timeout=120)
    if done.returncode == 77:
        pytest.skip("no PDF worker on this machine (not Linux, or one core)")
    assert done.returncode == 0, done.stderr
    return done


def test_the_job_runs_in_the_child_and_returns_its_result() -> None:
    in_fresh_python("""
w = child.start(lambda: None)
assert w is not None
pid, value = w.run(_pid_and, 21)
assert value == 42 and pid == w.pid != os.getpid(), (pid, value)
try:
    os.waitpid(w.pid, os.WNOHANG)
    raise SystemExit("the child was not reaped")
except ChildProcessError:
    pass
""")


def test_an_error_in_the_child_is_raised_in_the_parent() -> None:
    done = in_fresh_python("""
w = child.start(lambda: None)
try:
    w.run(_fails, 3)
    raise SystemExit("no error raised")
except ValueError as exc:
    print("raised:", exc)
""")
    assert done.stdout.strip() == "raised: bad 3"


def test_what_the_child_prints_the_parent_prints() -> None:
    done = in_fresh_python("""
w = child.start(lambda: print("warm-up noise"))
assert w.run(_says, 5) == 5
""")
    assert done.stdout == "to stdout\n" and done.stderr == "to stderr\n"


def test_a_dead_child_means_the_job_is_done_here() -> None:
    in_fresh_python("""
w = child.start(lambda: os._exit(3))
pid, value = w.run(_pid_and, 1)
assert value == 2 and pid == os.getpid(), (pid, value)
""")


def test_closed_without_a_job_the_child_ends() -> None:
    in_fresh_python("""
w = child.start(lambda: None)
w.close()
try:
    os.waitpid(w.pid, os.WNOHANG)
    raise SystemExit("the child was not reaped")
except ChildProcessError:
    pass
""")


def test_jobs_are_answered_in_order_and_the_last_one_ends_the_child() -> None:
    in_fresh_python("""
w = child.start(lambda: None)
w.submit(_pid_and, 1)
w.submit(_pid_and, 2)
assert [v for _, v in (w.result(), w.result())] == [2, 4]
pid, value = w.run(_pid_and, 3)
assert value == 6 and pid == w.pid != os.getpid()
try:
    os.waitpid(w.pid, os.WNOHANG)
    raise SystemExit("the child was not reaped")
except ChildProcessError:
    pass
""")


def test_a_worker_forked_later_does_not_keep_an_earlier_one_alive() -> None:
    """Each child closes its copies of the earlier workers' pipes: the first worker's last job
    ends it although a second worker was forked after it (it used to wait for ever)."""
    in_fresh_python("""
import signal
signal.alarm(60)
first = child.start(lambda: None)
second = child.start(lambda: None)
first.submit(_pid_and, 1)
second.submit(_pid_and, 2)
(p1, v1), (p2, v2) = first.result(), second.result()
assert (v1, v2) == (2, 4) and p1 == first.pid and p2 == second.pid
assert first.run(_pid_and, 5)[1] == 10  # returns only once the first child has ended
second.close()
""")


def test_charts_drawn_by_two_workers_are_the_charts_drawn_here() -> None:
    done = in_fresh_python("""
import signal, types
signal.alarm(100)
from crm_xl.reports import html
from crm_xl.reports.model import Chart, Series

charts = [Chart(key=f"c{i}", title=f"图 {i}", kind=kind, categories=["甲", "乙", "丙"], fmt="money",
                series=[Series(name="本期", values=[1.0 * i, 2.0, None]), Series(name="上期", values=[3.0, 1.0, 2.0])])
          for i, kind in enumerate(["bar", "stacked_bar", "barh", "line", "bar"])]
report = types.SimpleNamespace(charts=lambda: charts, header=types.SimpleNamespace(lang="zh-CN"))

def _warm_charts():
    from crm_xl.reports.charts import warm_up
    warm_up()

workers = (child.start(lambda: None), child.start(lambda: None))
assert all(workers)
for paths in (True, False):
    drawn = html.render_charts(report, text_as_paths=paths, workers=workers)
    here = html.render_charts(report, text_as_paths=paths)
    assert list(drawn) == [c.key for c in charts] and drawn == here, paths
assert "matplotlib" in sys.modules  # drawn here too, for the comparison
for w in workers:
    w.close()
first = child.start(None, spares=1)  # as the report command does: the second a fork of the first
first.warm(_warm_charts)
pair = (first, *first.spares)
assert html.render_charts(report, workers=pair) == html.render_charts(report)
for w in reversed(pair):
    w.close()
print("ok")
""")
    assert done.stdout.strip() == "ok"


def test_off_by_environment(monkeypatch) -> None:
    monkeypatch.setenv(child.ENV, "0")
    assert child.start(lambda: None) is None


@pytest.mark.slow
def test_cli_pdfs_read_back_the_same_with_and_without_the_worker(tmp_path: Path) -> None:
    """The commands as processes (the worker is used there): the form and the monthly report."""
    from crm_xl.reports.pdf import weasyprint_available
    from crm_xl.workbook import build_workbook
    import datetime as dt

    if not weasyprint_available() or not shutil.which("pdftotext"):
        pytest.skip("WeasyPrint or pdftotext missing")
    reg = tmp_path / "demo.xlsx"
    build_workbook(reg, demo=True, as_of=dt.date(2026, 11, 23))
    texts: dict[str, list[str]] = {}
    for flag in ("1", "0"):
        env = dict(os.environ, CRM_XL_PDF_WORKER=flag)
        form, report = tmp_path / f"form-{flag}.pdf", tmp_path / f"m-{flag}.pdf"
        for cmd in (["complaint-form", str(reg), "TK00055", "--out", str(form), "--as-of", "2026-11-23"],
                    ["report", str(reg), "--kind", "monthly", "--out", str(report), "--as-of", "2026-11-23"]):
            done = subprocess.run([sys.executable, "-m", "crm_xl", *cmd], capture_output=True, text=True, env=env)
            assert done.returncode == 0, done.stderr
        texts[flag] = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True, check=True).stdout
                       for p in (form, report)]
    strip = lambda t: "\n".join(line for line in t.splitlines() if "crm-xl" not in line)  # noqa: E731 (generated at …)
    assert [strip(t) for t in texts["1"]] == [strip(t) for t in texts["0"]]
    assert "投诉处理单" in texts["1"][0] and "月度经营管理报告" in texts["1"][1]


def test_a_child_told_to_get_ready_later_answers_the_next_job() -> None:
    """start(None) waits at once; warm() is a job whose answer (even an error) is dropped."""
    done = in_fresh_python("""
w = child.start(None)
w.warm(_says)  # fails in the child (no argument): dropped, and said nowhere
w.submit(_pid_and, 4)
pid, value = w.result()
assert value == 8 and pid == w.pid
assert w.run(_says, 6) == 6
""")
    assert done.stdout == "to stdout\n" and done.stderr == "to stderr\n"


def test_a_spare_is_forked_by_its_warm_first_child_and_ends_with_it() -> None:
    """start(..., spares=1): the second child is the first child's fork, made once the first has
    warmed up (what the warm-up loaded is there), told to come when only the spare gets a job,
    reaped by the first child when that one ends; its jobs are then done in the parent."""
    in_fresh_python("""
import signal
signal.alarm(60)

def _warm():
    sys.modules["_warmed_here"] = True

def _parent_and_warm(_x):
    return os.getppid(), "_warmed_here" in sys.modules

first = child.start(None, spares=1)
spare, = first.spares
first.warm(_warm)
spare.submit(_parent_and_warm, 0)
first.submit(_pid_and, 1)
(ppid, warmed), (pid, value) = spare.result(), first.result()
assert ppid == first.pid and warmed and pid == first.pid and value == 2, (ppid, warmed, pid)
spare.submit(_pid_and, 3)
spare_pid, value = spare.result()
assert value == 6 and spare_pid not in (first.pid, os.getpid())
assert first.run(_pid_and, 5)[1] == 10  # the first child ends, and ends its spare
try:
    os.kill(spare_pid, 0)
    with open(f"/proc/{spare_pid}/stat") as f:
        assert f.read().split(") ")[1][0] != "Z", "the spare was left a zombie"
    raise SystemExit("the spare outlived its first child")
except ProcessLookupError:
    pass
pid, value = spare.run(_pid_and, 7)
assert value == 14 and pid == os.getpid()  # done here: the spare is gone

cold = child.start(None, spares=1)
cold.spares[0].submit(os.getppid)
assert cold.spares[0].result() == cold.pid  # the first child was never told to warm up
cold.spares[0].close()
cold.close()
""")


def test_call_keeps_the_child_for_more_jobs_and_falls_back_when_it_dies() -> None:
    """call() is one job answered (an error raised as itself) with the child kept for the next;
    once the child is gone the same call is done in the parent."""
    in_fresh_python("""
import signal
w = child.start(lambda: None)
(first, a), (second, b) = w.call(_pid_and, 1), w.call(_pid_and, 2)
assert first == second == w.pid and (a, b) == (2, 4)
try:
    w.call(_fails, 5)
    raise SystemExit("no error raised")
except ValueError as exc:
    assert str(exc) == "bad 5"
assert w.call(_pid_and, 3) == (w.pid, 6)  # still there after an error
os.kill(w.pid, signal.SIGKILL)
os.waitpid(w.pid, 0)
assert w.call(_pid_and, 4) == (os.getpid(), 8)
w.close()
""")


def test_at_exit_tidies_what_the_child_set_up_and_nothing_of_the_parent() -> None:
    """What a job registers with at_exit runs when that child ends; what the parent registered
    before the fork is the parent's and does not run in the child."""
    done = in_fresh_python("""
import tempfile
folder = tempfile.mkdtemp()

def _mark(name):
    open(os.path.join(folder, name), "w").close()

def _set_up(_x):
    child.at_exit(lambda: _mark("child"))
    return os.getpid()

child.at_exit(lambda: _mark("parent"))
w = child.start(lambda: None)
assert w.run(_set_up, 0) == w.pid
print(sorted(os.listdir(folder)))
""")
    assert done.stdout == "['child']\n"


def test_each_worker_has_its_own_switch() -> None:
    """CRM_XL_PDF_WORKER=0 turns off the printers and drawers, CRM_XL_FIT_WORKER=0 the fits'
    child (start's switch), each without the other."""
    done = in_fresh_python("""
from crm_xl.cli.app import start_fitter
os.environ["CRM_XL_PDF_WORKER"] = "0"
assert child.start(lambda: None) is None
fits = start_fitter()
assert fits is not None and fits.call(_pid_and, 1) == (fits.pid, 2)
fits.close()
os.environ["CRM_XL_PDF_WORKER"], os.environ["CRM_XL_FIT_WORKER"] = "1", "0"
assert start_fitter() is None
w = child.start(lambda: None)
assert w is not None and w.run(_pid_and, 2) == (w.pid, 4)
print("ok")
""")
    assert done.stdout == "ok\n"
