"""Start-up stays light: ``crm-xl --help`` and ``--version`` load none of the heavy libraries.

Not a timed test (the machine is shared): it checks *what* is imported. The time itself
(target ≤ 0.3 s) is measured by ``benchmarks/commands.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "pyarrow", "statsmodels", "scipy", "matplotlib", "weasyprint", "fastexcel",
         "xlsxwriter", "openpyxl", "phonenumbers", "pycountry")
# (pydantic is not listed: typer itself coerces a command's parameters with it.)

PROBE = """
import json, sys
from typer.testing import CliRunner
from crm_xl.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "output": result.output,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
""" % (HEAVY,)


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("args, expect", [(["--help"], "validate"), (["--version"], "crm-xl "),
                                          (["validate", "--help"], "--format"),
                                          (["report", "--help"], "--kind"),
                                          (["followups", "--help"], "--split-by-owner")])
def test_help_and_version_load_no_heavy_library(args, expect):
    seen = _probe(*args)
    assert seen["exit"] == 0 and expect in seen["output"]
    assert seen["loaded"] == [], f"crm-xl {' '.join(args)} imported {seen['loaded']}"


def test_every_command_help_loads_no_heavy_library():
    probe = PROBE.replace("result = CliRunner().invoke(app, sys.argv[1:])", """
import typer.main
names = sorted(typer.main.get_command(app).commands)
assert len(names) >= 10, names
for name in names:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0 and "Example" in result.output, (name, result.output)
""")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["loaded"] == []


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The check can fail: a command that writes a workbook does load its writer."""
    seen = _probe("new", str(tmp_path / "register.xlsx"))
    assert seen["exit"] == 0, seen["output"]
    assert "xlsxwriter" in seen["loaded"]


def test_reading_an_unencrypted_register_loads_no_decryption_library(tmp_path):
    """msoffcrypto and olefile (≈ 0.05 s of imports) are loaded only for an encrypted workbook."""
    book = tmp_path / "register.xlsx"
    assert _probe("new", str(book))["exit"] == 0
    probe = PROBE.replace("%r" % (HEAVY,), "%r" % (("msoffcrypto", "olefile", "pandas"),))
    done = subprocess.run([sys.executable, "-c", probe, "validate", str(book), "--as-of", "2026-11-23"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["exit"] in (0, 1), seen["output"]
    assert "pandas" in seen["loaded"]  # the register was read
    assert not [m for m in seen["loaded"] if m.split(".")[0] in ("msoffcrypto", "olefile")], seen["loaded"]
