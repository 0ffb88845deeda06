"""Strict JSON values, fast: :func:`strict_fast` equals :func:`crm_xl.contract.strict`.

``Analysis.to_json`` makes its ≈ 1 M values strict (10k customers); most are already plain
``str``/``int``/``float``/``None`` in plain dicts and lists, which this checks inline (≈ 0.08 s
against 0.18 s). Anything else goes through ``contract.strict`` itself, so the result never
differs. (The text is written by ``contract.dumps``.)
"""

from __future__ import annotations

import math
from typing import Any


def strict_fast(value: Any) -> Any:
    """:func:`crm_xl.contract.strict` of ``value`` (equal result), faster on plain JSON values.

    Values of exactly ``str``, ``int``, ``bool``, ``None`` and finite ``float`` are kept as they are
    (what ``strict`` returns for them), a non-finite float becomes None, dicts and lists are
    rebuilt item by item; any other value is handed to ``strict`` itself."""
    isfinite = math.isfinite

    def conv(o: Any) -> Any:
        t = type(o)
        if t is str or o is None or t is bool or t is int:
            return o
        if t is float:
            return o if isfinite(o) else None
        if t is dict:
            out = {}
            for k, v in o.items():
                tv = type(v)
                out[k if type(k) is str else str(k)] = (
                    v if (tv is str or v is None or tv is int or tv is bool) else
                    (v if isfinite(v) else None) if tv is float else conv(v))
            return out
        if t is list or t is tuple:
            return [conv(v) for v in o]
        from crm_xl.contract import strict

        return strict(o)

    return conv(value)
