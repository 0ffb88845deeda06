"""Fast membership of string keys (customer, opportunity, project IDs …) for the analysis.

pandas' ``Series.isin`` on an Arrow string column turns every value it is given into a pyarrow
scalar one by one (≈ 0.24 s for 10k customer IDs against 26k order IDs). :func:`isin` gives
the same answer from one ``pyarrow.compute.is_in`` (≈ 2 ms): a value that is not text is never a
member (as in pandas), and a missing key is a member exactly when ``values`` holds a missing
value. Anything that is not an Arrow string column goes to pandas' own ``isin``.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd

from crm_xl.parsing import arrow_text


def _is_missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and math.isnan(v))


def isin(s: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """``s.isin(values).to_numpy(dtype=bool)``, fast when ``s`` is an Arrow string column."""
    data = arrow_text(s)
    if data is None:
        return s.isin(values).to_numpy(dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    other = arrow_text(values)
    if other is not None:
        value_set = other.combine_chunks() if isinstance(other, pa.ChunkedArray) else other
    else:
        if isinstance(values, (set, frozenset, dict)) or not hasattr(values, "__len__"):
            values = list(values)
        elif isinstance(values, (pd.Series, pd.Index)):
            values = values.tolist()
        kept = [v if type(v) is str else None for v in values if type(v) is str or _is_missing(v)]
        if not kept:
            return np.zeros(len(s), dtype=bool)
        value_set = pa.array(kept, type=data.type)
    if len(value_set) == 0:
        return np.zeros(len(s), dtype=bool)
    if value_set.type != data.type:
        value_set = value_set.cast(data.type)
    return np.asarray(pc.is_in(data, value_set=pc.unique(value_set)).to_numpy(zero_copy_only=False), dtype=bool)
