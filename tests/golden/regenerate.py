"""Regenerate the golden outputs of the demo register (``tests/test_golden.py`` compares byte for byte).

    .venv/bin/python tests/golden/regenerate.py

Writes the seeded demo register (200 customers, as of 2026-11-23) with ``crm-xl new --demo`` and
runs ``crm-xl analyze --format json`` and ``crm-xl validate --format json`` on it as processes, as a
user would; the outputs are stored beside this script. Run it only when a change is *meant* to
change results (and say so in the commit message); speed work must leave them unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"
AS_OF = "2026-11-23"
WORKBOOK = "demo.xlsx"  # the name the validate JSON records
GOLDEN = {"demo-analyze.json": ["analyze", WORKBOOK, "--as-of", AS_OF, "--format", "json", "--out", "{out}"],
          "demo-validate.json": ["validate", WORKBOOK, "--as-of", AS_OF, "--format", "json", "--out", "{out}"]}


def _blas_env() -> dict[str, str]:
    """One OpenBLAS kernel for the golden runs, whatever the CPU.

    numpy's OpenBLAS picks its kernels by CPU: on an AVX-512 machine (AMD EPYC here on 2026-12-02)
    the ETS fits of the trend back-test end a few units in 10^6 away from the same fit on an AVX2
    machine (6,212,407.73 vs 6,212,423.84), so the golden files would hold one CPU's rounding, not
    this checkout's results. The Haswell (AVX2) kernel runs on every x86-64 CPU with AVX2; where
    there is none (or another architecture) nothing is pinned and the comparison is that machine's.
    """
    if os.environ.get("OPENBLAS_CORETYPE") or not sys.platform.startswith("linux"):
        return {}
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return {}
    return {"OPENBLAS_CORETYPE": "Haswell"} if " avx2" in flags else {}


def _crm_xl(args: list[str], cwd: Path) -> None:
    env = {**os.environ, **_blas_env(),
           "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "crm_xl", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode not in (0, 1):  # validate exits 1: the demo has planted mistakes
        raise RuntimeError(f"crm-xl {' '.join(args)} failed ({done.returncode}): {done.stderr}")


def produce(directory: Path) -> dict[str, bytes]:
    """Golden file name → the bytes this checkout produces for it (working in ``directory``)."""
    _crm_xl(["new", WORKBOOK, "--demo", "--as-of", AS_OF], directory)
    out: dict[str, bytes] = {}
    for name, template in GOLDEN.items():
        target = directory / name
        _crm_xl([a.format(out=target) for a in template], directory)
        out[name] = target.read_bytes()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in produce(Path(tmp)).items():
            (HERE / name).write_bytes(data)
            print(f"wrote {HERE / name} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
