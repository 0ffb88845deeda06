"""The trend forecast's ETS fits in a child process that imports statsmodels while the command reads.

Importing statsmodels (with the scipy it loads) costs ≈ 1.5 s of CPU, all of it holding the GIL:
imported on a thread beside the read, it still takes turns with the main thread's typing and
checking, so at 1k customers the command waited for it. :func:`start` forks a child before the
command starts any thread; the child imports statsmodels on the other core and then serves the fits
(:func:`crm_xl.forecast.fit_ets`, the same function the command would run) over a pipe, so this
process never imports statsmodels. Linux only (fork after numpy and pyarrow are loaded is safe
there while no thread has started); elsewhere, or when anything goes wrong, the fits run in the
command as before. The frames come back pickled, so the figures are the same bits either way.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading

ETS_MODULE = "statsmodels.tsa.exponential_smoothing.ets"


class FitWorker:
    """The parent's end: ``fit`` as :data:`crm_xl.forecast.fitter` wants it."""

    def __init__(self, pid: int, requests, replies) -> None:
        self.pid, self._requests, self._replies = pid, requests, replies
        self._broken = self._used = False

    def fit(self, y, method: str, steps: int):
        """The child's :func:`~crm_xl.forecast.fit_ets` frame; raises (RuntimeError) when that fit
        raised; None when the child cannot answer (the caller then fits here)."""
        if self._broken:
            return None
        self._used = True
        try:
            pickle.dump((y, method, steps), self._requests, protocol=pickle.HIGHEST_PROTOCOL)
            self._requests.flush()
            status, value = pickle.load(self._replies)
        except Exception:  # noqa: BLE001 - the child died or the pipe broke: fit in this process
            self._broken = True
            return None
        if status == "ok":
            return value
        raise RuntimeError(value)  # the fallback chain of crm_xl.forecast catches it, as it would here

    def close(self) -> None:
        """End the child and reap it: one that has served a fit exits when its pipe closes; one
        never asked (the command ended early) or broken is stopped."""
        import signal

        for fh in (self._requests, self._replies):
            try:
                fh.close()
            except OSError:
                pass
        try:
            if not self._used or self._broken:
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def start() -> FitWorker | None:
    """Fork the fitting child; None where that is not done (not Linux, a thread already running,
    fork failed, ``CRM_XL_FIT_IN_PROCESS`` set)."""
    if not sys.platform.startswith("linux") or os.environ.get("CRM_XL_FIT_IN_PROCESS"):
        return None
    if threading.active_count() != 1:  # fork copies only this thread: never with another one running
        return None
    try:
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            _serve(to_child_r, to_parent_w)
        except BaseException:  # noqa: BLE001 - the parent sees the closed pipe and fits itself
            code = 1
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    os.close(to_child_r)
    os.close(to_parent_w)
    return FitWorker(pid, os.fdopen(to_child_w, "wb"), os.fdopen(to_parent_r, "rb"))


def _serve(requests_fd: int, replies_fd: int) -> None:
    import importlib
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's; the child ends with its pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing of the child's reaches the command's output
    os.close(devnull)
    try:
        importlib.import_module(ETS_MODULE)
    except Exception:  # noqa: BLE001 - fit_ets raises the same ImportError for each fit, as in the parent
        pass
    from crm_xl.forecast import fit_ets

    with os.fdopen(requests_fd, "rb") as requests, os.fdopen(replies_fd, "wb") as replies:
        while True:
            try:
                y, method, steps = pickle.load(requests)
            except EOFError:
                return
            try:
                reply = ("ok", fit_ets(y, method, steps))
            except Exception as exc:  # noqa: BLE001 - statsmodels raises many types on degenerate series
                reply = ("error", f"{type(exc).__name__}: {exc}")
            pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()
