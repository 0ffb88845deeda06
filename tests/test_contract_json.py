"""contract.dumps writes indented JSON with orjson: the text must be the standard library's, byte for byte."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from crm_xl.contract import dumps, strict

SAMPLES = [
    {"a": 1.5, "b": [1, 2, {"c": None, "d": []}], "e": {}, 3: "x", "t": (1, 2), "s": {5}},
    [-0.0, 0.0, 1e-5, 3.2e-7, 1e-10, 9.9e-5, 1e-4, 1e-3, 0.1, 1e15, 1e16, 1e22, 1.7976931348623157e308, 5e-324,
     2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**70, 10 ** 30],
    [np.int64(5), np.float32(0.1), np.float64(2.5e-6), np.bool_(True), pd.Timestamp("2026-01-01 10:00"),
     "a\x00\x1f\x7f\u2028\u2029é\"\\/\t😀\n\r"],
    ["\ud800 lone surrogate"],
    {"deep": [[[[{"x": [1.25, "y", True, False, None, {}]}]]]]},
    [], {}, 1, "x", None, 2.5,
]


def _reference(data, **kwargs):
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(strict(data), allow_nan=False, **kwargs)


@pytest.mark.parametrize("indent", [None, 1, 2, 4])
@pytest.mark.parametrize("sample", range(len(SAMPLES)))
def test_dumps_is_the_standard_librarys_text(sample, indent):
    data = SAMPLES[sample]
    assert dumps(data, indent=indent) == _reference(data, indent=indent)


def test_floats_written_like_repr():
    rng = np.random.default_rng(7)
    values = [float(m * 10.0 ** e) for e in range(-12, 20) for m in rng.uniform(-10, 10, 50)]
    assert dumps(values, indent=2) == json.dumps(values, indent=2)


def test_missing_figures_are_null():
    assert json.loads(dumps({"a": math.nan, "b": [math.inf, pd.NA, pd.NaT, np.nan]}, indent=2)) == \
        {"a": None, "b": [None, None, None, None]}
