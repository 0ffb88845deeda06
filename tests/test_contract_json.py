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


_ENCODABLE = [i for i, s in enumerate(SAMPLES) if s != ["\ud800 lone surrogate"]]  # UTF-8 cannot hold it


@pytest.mark.parametrize("indent", [1, 2, 4])
@pytest.mark.parametrize("sample", _ENCODABLE)
def test_dumps_bytes_is_the_texts_utf8(sample, indent):
    from crm_xl.contract import dumps_bytes

    data = SAMPLES[sample]
    assert dumps_bytes(data, indent) == _reference(data, indent=indent).encode("utf-8")


@pytest.mark.parametrize("indent", [1, 2, 4])
def test_write_object_writes_the_whole_documents_bytes(indent):
    """Member by member (values made on demand) gives the bytes of the whole dict's text."""
    import io

    from crm_xl.contract import write_object

    doc = {f"k{i}": SAMPLES[i] for i in _ENCODABLE}
    doc["lazy"] = {"x": [1e-5, np.float64(2.5)], "y": "多行\n文本"}
    doc["nan"] = math.nan
    made = []

    def lazily(key):
        def make():
            made.append(key)
            return doc[key]
        return make

    fh = io.BytesIO()
    write_object(fh, [(k, lazily(k) if k == "lazy" else v) for k, v in doc.items()], indent)
    assert fh.getvalue() == _reference(doc, indent=indent).encode("utf-8")
    assert made == ["lazy"]
    empty = io.BytesIO()
    write_object(empty, [], indent)
    assert empty.getvalue() == _reference({}, indent=indent).encode("utf-8")
