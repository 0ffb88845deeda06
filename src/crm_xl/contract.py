"""The JSON contracts' value rules (SPEC "JSON contracts"): strict JSON, a missing figure is null.

:func:`strict` turns what the core computes into plain JSON values — NaN, ±inf, ``pd.NA`` and
``NaT`` become ``None``; numpy scalars become Python numbers; dates become ISO text — and
:func:`dumps` writes it with ``allow_nan=False``, so no output ever carries ``NaN`` (which is not
JSON and breaks every strict reader).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd


def strict(value: Any) -> Any:
    """``value`` with every missing figure as None and only JSON types inside."""
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [strict(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def dumps(data: Any, **kwargs: Any) -> str:
    """Strict JSON text of ``data`` (``ensure_ascii=False`` unless given)."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(strict(data), allow_nan=False, **kwargs)
