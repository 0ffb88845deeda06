"""Indented strict JSON text, fast: the same characters as ``crm_xl.contract.dumps(value, indent=N)``.

The standard library's C encoder does not indent; with ``indent`` set, :func:`json.dumps` runs its
pure-Python generator, one ``yield`` per token (≈ 1 s for the 15 MB analysis of 10k customers).
:func:`dumps_indented` writes the identical text — ``ensure_ascii=False``, ``allow_nan=False``
(a missing figure is ``null``, the :func:`crm_xl.contract.strict` rules), separators ``,`` and
``": "``, ``[]`` / ``{}`` for empty containers — by joining strings per container, with the C
string escaper. Values of other types than plain JSON ones go through ``strict`` first, exactly as
``contract.dumps`` does, so the result never differs.
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring  # the C escaper (``ensure_ascii=False``) when available
from typing import Any


def dumps_indented(value: Any, indent: int = 2) -> str:
    """``json.dumps(strict(value), indent=indent, ensure_ascii=False, allow_nan=False)``, faster."""
    float_repr = float.__repr__
    int_repr = int.__repr__
    isfinite = math.isfinite
    esc = encode_basestring
    pads: list[str] = []

    def pad(level: int) -> str:
        while len(pads) <= level:
            pads.append("\n" + " " * (indent * len(pads)))
        return pads[level]

    def enc(o: Any, level: int) -> str:
        t = type(o)
        if t is str:
            return esc(o)
        if o is None:
            return "null"
        if t is bool:
            return "true" if o else "false"
        if t is int:
            return int_repr(o)
        if t is float:
            return float_repr(o) if isfinite(o) else "null"
        if t is dict:
            if not o:
                return "{}"
            inner = pad(level + 1)
            parts = []
            add = parts.append
            for k, v in o.items():  # the common scalars inline: a record is most of the text
                tv = type(v)
                if tv is str:
                    text = esc(v)
                elif v is None:
                    text = "null"
                elif tv is float:
                    text = float_repr(v) if isfinite(v) else "null"
                elif tv is int:
                    text = int_repr(v)
                else:
                    text = enc(v, level + 1)
                add((esc(k) if type(k) is str else esc(str(k))) + ": " + text)
            return "{" + inner + ("," + inner).join(parts) + pad(level) + "}"
        if t is list:
            if not o:
                return "[]"
            inner = pad(level + 1)
            return "[" + inner + ("," + inner).join([enc(v, level + 1) for v in o]) + pad(level) + "]"
        from crm_xl.contract import strict

        plain = strict(o)  # a str subclass comes back as it is: escape it here, not again
        return esc(plain) if isinstance(plain, str) else enc(plain, level)

    return enc(value, 0)


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
