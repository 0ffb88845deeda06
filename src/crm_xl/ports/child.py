"""Worker children: a process forked at a command's start that gets ready while the command reads.

A command spends its first seconds reading the register and reviewing it; some of what comes
after costs as much again in imports and set-up, all of it holding the GIL: the trend forecast's
ETS fits (statsmodels and scipy, ≈ 1.5 s of CPU), a PDF's printer (WeasyPrint, the packaged fonts)
and chart drawers (matplotlib). :func:`start` forks a child right at the start of the command
(before the register is read, when the process is still single-threaded) that calls ``warm()``
(those imports and that set-up) on the second core while the parent reads and reviews. The parent
then hands it jobs: a module-level function and its arguments, pickled. :meth:`Worker.call` waits
for one answer and keeps the child for more (``crm-xl analyze``'s and ``crm-xl report``'s fits:
:data:`crm_xl.forecast.fitter`); :meth:`Worker.run` sends the last job; :meth:`Worker.submit` sends
jobs ahead, answered in order by :meth:`Worker.result` (``crm-xl report``'s two chart drawers:
:func:`crm_xl.reports.html.render_charts`). The child runs the same function the parent would
have run, so the result and its errors are the same bits (an exception raised in the child is
raised again in the parent; what the child prints is printed by the parent).

A child may also be started with *spares* (``start(warm, spares=1)``): the first child forks each
spare from itself once it is warm, so a second chart drawer has matplotlib, the fonts and the first
drawing already loaded instead of paying for them again (≈ 1.2 s CPU), and the two children still
draw at once. The parent holds a spare's pipes from the start (:attr:`Worker.spares`); a spare that
never comes (its first child died, or could not fork) reads as a dead child: its jobs are done in
the parent.

Only on Linux (``fork``), with more than one core, in a single-threaded process (a fork of a
process with threads may inherit a lock held by another thread), and unless the worker's switch
is off (``CRM_XL_PDF_WORKER=0`` for printers and drawers, ``CRM_XL_FIT_WORKER=0`` for the fits).
Anywhere else, or when the child dies without an answer, the job runs in the parent as before: a
worker changes when the work is done, never what is done.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import sys
import threading
import traceback
import weakref
from typing import Any, Callable

ENV = "CRM_XL_PDF_WORKER"  # the printers' and chart drawers' switch (start's ``switch``)
_LIVE: weakref.WeakSet = weakref.WeakSet()  # this process's workers (their pipes), for a later fork
_SPARES: list[tuple[int, int]] = []  # in a child: (jobs, results) pipe ends of the spares it forks once warm
_OWN: list[int] = []  # in a child: its own pipe ends, which a spare forked from it closes
_CHILDREN: list[int] = []  # in a child: the spares it forked, ended and reaped when it ends
_AT_EXIT: list[Callable[[], None]] = []  # in a child: what to tidy when it ends (at_exit)


def _usable(switch: str) -> bool:
    if os.environ.get(switch, "1").strip() in ("0", "no", "off", "false"):
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores > 1 and threading.active_count() == 1


class Worker:
    """The parent's handle on the child: :meth:`run` one job, or :meth:`close` without one."""

    def __init__(self, pid: int | None, jobs: int, results: int) -> None:
        self.pid = pid  # None for a spare: the first child's child, which ends when its job pipe closes
        self.spares: list[Worker] = []  # the children this one forks from itself once warm
        self._origin: Worker | None = None  # a spare's first child, which forks it
        self._told = False  # a job (or warm-up) has been sent
        self._jobs = os.fdopen(jobs, "wb")
        self._results = os.fdopen(results, "rb")
        self._done = False
        self._pending: list[tuple[Callable[..., Any], tuple[Any, ...], bool]] = []  # jobs sent, not yet answered

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the child (in this process if the child is gone) as its last job; returns
        its result, and the child ends."""
        if self._done:
            return fn(*args)
        self.submit(fn, *args, last=True)
        return self.result()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the child (in this process if the child is gone), waiting for its result;
        the child stays for more jobs."""
        if self._done:
            return fn(*args)
        self.submit(fn, *args)
        return self.result()

    def submit(self, fn: Callable[..., Any], *args: Any, last: bool = False, quiet: bool = False) -> None:
        """Send ``fn(*args)`` to the child without waiting; :meth:`result` answers it. Jobs are
        answered in order, one :meth:`result` per job; ``last`` lets the child end after it. A
        ``quiet`` job (:meth:`warm`) has no answer to wait for: its result, output and errors are
        dropped, and it is not done here when the child is gone."""
        self._pending.append((fn, args, quiet))
        if self._done:
            return
        self._told = True
        if self._origin is not None and not self._origin._told:  # a spare comes once its first child is told
            self._origin.submit(_spawn_spares, quiet=True)
        try:
            pickle.dump((fn, args), self._jobs, protocol=pickle.HIGHEST_PROTOCOL)
            self._jobs.flush()
            if last:
                self._jobs.close()
        except (OSError, pickle.PickleError, AttributeError, TypeError):
            # the child died (or a job could not be pickled): the job is done here, as without a worker
            self.close()

    def warm(self, fn: Callable[[], None]) -> None:
        """Let the child get ready now (``fn()``: imports, fonts), while this process goes on; its
        spares are forked from it after ``fn()``, ready too."""
        self.submit(_warm_and_spawn, fn, quiet=True)

    def result(self) -> Any:
        """The result of the oldest job :meth:`submit` sent (done in this process if the child is
        gone); an exception the job raised in the child is raised here."""
        while True:
            fn, args, quiet = self._pending.pop(0)
            if self._done:
                if quiet:
                    continue
                return fn(*args)
            try:
                status, value, out, err = pickle.load(self._results)
            except (OSError, EOFError, pickle.PickleError, AttributeError, TypeError):
                self.close()
                if quiet:
                    continue
                return fn(*args)
            if not quiet:
                break
        if self._jobs.closed and not self._pending:
            self.close(kill=False)
        if out:
            sys.stdout.write(out)
        if err:
            sys.stderr.write(err)
        if status == "ok":
            return value
        if isinstance(value, BaseException):
            raise value
        raise RuntimeError(value)

    def close(self, kill: bool = True) -> None:
        """End the child (it exits by itself once its job pipe closes) and reap it."""
        if self._done:
            return
        self._done = True
        for f in (self._jobs, self._results):
            with contextlib.suppress(OSError):
                f.close()
        if self.pid is None:  # a spare is not this process's child: it ends once its job pipe is closed
            return
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)

    def _forget(self) -> None:
        """In a later child: close this process's copies of the pipes, touch nothing else."""
        self._done = True
        for f in (self._jobs, self._results):
            with contextlib.suppress(OSError):
                f.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def start(warm: Callable[[], None] | None, spares: int = 0, switch: str = ENV) -> Worker | None:
    """Fork a worker child, which calls ``warm()`` (imports, font set-up; errors ignored) and
    waits for jobs; None where a worker is not used (see the module doc; ``switch`` names the
    environment variable that turns it off with 0). With ``warm=None`` the child waits at once:
    :meth:`Worker.warm` says when it should get ready. ``spares`` more children are forked by this
    one once it is warm (:attr:`Worker.spares`)."""
    if not _usable(switch):
        return None
    jobs_r, jobs_w = os.pipe()
    results_r, results_w = os.pipe()
    spare_pipes = [(*os.pipe(), *os.pipe()) for _ in range(spares)]  # jobs r, w, results r, w
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
    except OSError:
        for fd in (jobs_r, jobs_w, results_r, results_w, *(fd for p in spare_pipes for fd in p)):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns into the command
        code = 0
        try:
            os.close(jobs_w)
            os.close(results_r)
            # the pipes of the workers forked before this one are the parent's: a copy held here
            # would keep an earlier child from ever seeing the end of its jobs
            for other in list(_LIVE):
                other._forget()
            for s_jobs_r, s_jobs_w, s_results_r, s_results_w in spare_pipes:
                os.close(s_jobs_w)
                os.close(s_results_r)
            _SPARES[:] = [(p[0], p[3]) for p in spare_pipes]
            _AT_EXIT.clear()  # what the parent registered is the parent's to tidy
            _OWN[:] = [jobs_r, results_w]
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _serve(warm, jobs_r, results_w)
        except BaseException:  # noqa: BLE001  (the parent falls back to doing the job itself)
            code = 1
        finally:
            _end_spares()
            os._exit(code)
    os.close(jobs_r)
    os.close(results_w)
    worker = Worker(pid, jobs_w, results_r)
    _LIVE.add(worker)
    for s_jobs_r, s_jobs_w, s_results_r, s_results_w in spare_pipes:
        os.close(s_jobs_r)
        os.close(s_results_w)
        spare = Worker(None, s_jobs_w, s_results_r)
        spare._origin = worker
        worker.spares.append(spare)
        _LIVE.add(spare)
    return worker


def _warm_and_spawn(warm: Callable[[], None]) -> None:
    """In a child: ``warm()``, then fork its spares (:meth:`Worker.warm`)."""
    try:
        warm()
    finally:
        _spawn_spares()


def _spawn_spares() -> None:
    """In a child, once warm: fork each spare, which serves its own pipes with everything this
    child has loaded. A spare that cannot be forked (this child has a thread, or fork fails) has its
    pipe ends closed here, so the parent sees a dead child and does its jobs itself."""
    spares, _SPARES[:] = list(_SPARES), []
    for i, (jobs_fd, results_fd) in enumerate(spares):
        pid = None
        if threading.active_count() == 1:
            with contextlib.suppress(OSError):
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
        if pid == 0:  # the spare: never returns into this child's jobs
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _CHILDREN.clear()
                for fd in (*_OWN, *(fd for other in spares[i + 1:] for fd in other)):
                    os.close(fd)
                _OWN[:] = [jobs_fd, results_fd]
                _serve(None, jobs_fd, results_fd, cleanup=False)  # the temp fonts are this child's
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        if pid is not None:
            _CHILDREN.append(pid)
            signal.signal(signal.SIGTERM, _on_term)
        os.close(jobs_fd)
        os.close(results_fd)


def _end_spares() -> None:
    """In a child that ends: end its spares and reap them (a spare ends with the child that forked
    it; the parent, which is not their parent, then does their jobs itself)."""
    for pid in _CHILDREN:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
    _CHILDREN.clear()


def _on_term(signum: int, _frame: Any) -> None:
    _end_spares()
    os._exit(128 + signum)


def _serve(warm: Callable[[], None] | None, jobs_fd: int, results_fd: int, cleanup: bool = True) -> None:
    with contextlib.suppress(OSError):  # what a library writes to file descriptor 1 itself never lands in
        devnull = os.open(os.devnull, os.O_WRONLY)  # the command's output (JSON on stdout); Python's
        os.dup2(devnull, 1)  # prints are the job's, sent back to the parent
        os.close(devnull)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with contextlib.suppress(Exception):
            if warm is not None:
                warm()
        if warm is not None:
            _spawn_spares()
    with os.fdopen(jobs_fd, "rb") as jobs, os.fdopen(results_fd, "wb") as results:
        while True:
            try:
                fn, args = pickle.load(jobs)
            except EOFError:  # no more jobs (or the parent ended without one: an error before it)
                break
            if fn is not _warm_and_spawn:  # a child never told to warm up forks its spares before its first job
                _spawn_spares()
            results.write(_answer(fn, args))
            results.flush()
    if cleanup:
        for fn in reversed(_AT_EXIT):
            with contextlib.suppress(Exception):
                fn()


def _answer(fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """One job done: its pickled (status, value, stdout, stderr); the warm-up says nothing."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = ("ok", fn(*args))
        except BaseException as exc:  # noqa: BLE001  (raised again in the parent)
            with contextlib.suppress(Exception):
                exc.add_note("(raised in a crm-xl worker process)\n" + "".join(traceback.format_tb(exc.__traceback__)))
            result = ("error", exc)
    answer = (*result, out.getvalue(), err.getvalue())
    try:
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001  (an exception that does not pickle: its text)
        text = "".join(traceback.format_exception_only(type(result[1]), result[1])).strip() \
            if result[0] == "error" else "the crm-xl worker's result could not be sent"
        return pickle.dumps(("error", text, out.getvalue(), err.getvalue()))


def at_exit(fn: Callable[[], None]) -> None:
    """Have ``fn()`` run when this process ends as a worker child (one leaves with ``os._exit``, so
    :mod:`atexit` does not run there): to tidy what the child set up (WeasyPrint's temp font
    folder). In the parent it does nothing; a spare leaves it to the child it was forked from,
    whose set-up it shares."""
    if fn not in _AT_EXIT:
        _AT_EXIT.append(fn)
