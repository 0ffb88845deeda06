"""A command's process runs the cyclic collector rarely and skips its last pass at exit (issue 16).

CPython's default first threshold (700) makes the collector walk every live object again and again
while a command imports pandas, pyarrow and statsmodels and builds its frames; and at exit the
interpreter's final collection walks them all once more. Both were ≈ 1 s CPU of a 1k analyze.
"""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_raises_the_collector_threshold():
    done = subprocess.run([sys.executable, "-c", "import gc, crm_xl.cli; print(gc.get_threshold()[0])"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 10_000


def test_main_freezes_the_heap_at_exit(monkeypatch):
    import atexit
    import gc

    import crm_xl.cli  # noqa: F401 - the package's ``app`` attribute is the Typer app, not the module

    app_module = sys.modules["crm_xl.cli.app"]
    registered = []
    monkeypatch.setattr(atexit, "register", lambda fn, *a, **k: registered.append(fn))
    monkeypatch.setattr(app_module, "app", lambda: None)
    app_module.main()
    assert gc.freeze in registered
