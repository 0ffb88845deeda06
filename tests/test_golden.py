"""Results stay identical: ``analyze`` and ``validate`` JSON of the demo, byte for byte with the golden files.

Speed work (issue 16) must not change a single figure, so these outputs are compared byte for byte
with ``tests/golden/demo-analyze.json`` and ``demo-validate.json``. A change that alters results *on
purpose* (a new finding, a different rule, a new field in the contract) regenerates them with
``.venv/bin/python tests/golden/regenerate.py`` and says so in its commit message; review the diff
of the golden files as part of that change.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("golden_regenerate", HERE / "regenerate.py")
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> dict[str, bytes]:
    return regenerate.produce(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", sorted(regenerate.GOLDEN))
def test_output_is_byte_identical_to_the_golden_file(produced, name):
    expected = (HERE / name).read_bytes()
    got = produced[name]
    if got != expected:
        diff = "".join(difflib.unified_diff(expected.decode().splitlines(True), got.decode().splitlines(True),
                                            f"golden/{name}", "this checkout", n=2))
        pytest.fail(f"{name} differs from the golden file (regenerate only for an intended change):\n"
                    + diff[:6000])


def test_golden_files_hold_real_results():
    """The golden files are the demo's analysis, not an empty shell."""
    import json

    analysis = json.loads((HERE / "demo-analyze.json").read_text(encoding="utf-8"))
    assert analysis["as_of"] == regenerate.AS_OF and len(analysis["customers"]) > 150
    findings = json.loads((HERE / "demo-validate.json").read_text(encoding="utf-8"))
    assert findings["summary"]["errors"] > 0 and findings["findings"]
