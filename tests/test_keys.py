"""crm_xl.keys.isin gives pandas' own ``isin`` answer, through one Arrow call on Arrow text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_xl.keys import isin

S = pd.Series(["C001", "C002", None, "C003", "c001", " C001", "C002"], dtype="string[pyarrow]")


@pytest.mark.parametrize("values", [
    ["C001", "C003"],
    {"C002"},
    frozenset(),
    [],
    ["C001", None],  # a missing value in the set: a missing key is a member
    ["C001", float("nan")],
    ["C001", pd.NA],
    [1, 2.5, "C003"],  # values that are not text are never members
    pd.Series(["C002", None], dtype="string[pyarrow]"),
    pd.Series(["C003"], dtype=object),
    pd.Index(["C001"]),
])
def test_isin_is_pandas_isin(values):
    assert isin(S, values).tolist() == S.isin(values).to_numpy(dtype=bool).tolist()


def test_any_iterable_of_values():
    assert isin(S, (v for v in ["C001"])).tolist() == S.isin(["C001"]).to_numpy(dtype=bool).tolist()


def test_other_dtypes_go_to_pandas():
    s = pd.Series([1, 2, 3])
    assert isin(s, [2, 3]).tolist() == [False, True, True]
    obj = pd.Series(["a", None, "b"], dtype=object)
    assert isin(obj, ["b"]).tolist() == [False, False, True]
    assert isinstance(isin(S, ["C001"]), np.ndarray)
