"""``strict_fast`` gives exactly what ``crm_xl.contract.strict`` gives (the analyze output depends on it)."""

import datetime as dt

import numpy as np
import pandas as pd
from crm_xl.contract import strict
from crm_xl.jsontext import strict_fast

ODD = {"a": [], "b": {}, "c": [1, 2.5, float("nan"), float("inf"), -float("inf"), None, True, False,
                                "x\n\"\\\u2028\x01\x7fé中"],
       1: np.int64(3), True: np.float64(1e-7), None: np.bool_(True), "t": (1, 2), "s": {3}, "d": dt.date(2026, 1, 2),
       "ts": pd.Timestamp("2026-01-02 03:04"), "na": pd.NA, "nat": pd.NaT, "np": np.str_("abc"),
       "f32": np.float32(0.1), "nest": [[[]], [{}], [{"x": [1, {"y": [], 2.5: (None,)}]}]], "big": 1e16,
       "neg": -0.0, "bigint": 10**30, "nf": np.float64("nan"), "obj": object.__new__(type("X", (), {}))}


def _same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


def test_strict_fast_is_strict():
    value = {**ODD, "obj": "fixed"}
    assert _same(strict_fast(value), strict(value))
    for v in ([], {}, 1, "x", None, 1.5, float("nan"), (1, [2]), np.int64(4)):
        assert _same(strict_fast(v), strict(v))
