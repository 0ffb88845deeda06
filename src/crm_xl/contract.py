"""The JSON contracts' value rules (SPEC "JSON contracts"): strict JSON, a missing figure is null.

:func:`strict` turns what the core computes into plain JSON values — NaN, ±inf, ``pd.NA`` and
``NaT`` become ``None``; numpy scalars become Python numbers; dates become ISO text — and
:func:`dumps` writes it with ``allow_nan=False``, so no output ever carries ``NaN`` (which is not
JSON and breaks every strict reader).

:func:`dumps` writes indented JSON with orjson (the standard library's encoder runs in Python when
it indents: ≈ 0.2 s per MB), and the text is the one ``json.dumps(..., indent=n,
ensure_ascii=False)`` writes, byte for byte. Where the two could differ it uses the standard
library: floats below 1e-4 in magnitude (``1e-05`` against orjson's ``0.00001``), integers beyond
64 bits, text with lone surrogates, other options.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any, Iterable

_PLAIN = frozenset({str, int, bool, type(None)})
_TINY = 1e-4  # below this (and not 0) repr and orjson may write a float differently


def strict(value: Any) -> Any:
    """``value`` with every missing figure as None and only JSON types inside."""
    return _strict(value, [])


def _strict(value: Any, tiny: list) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        if value != value or value in (math.inf, -math.inf):
            return None
        if value and -_TINY < value < _TINY:
            tiny.append(value)
        return value
    if kind is dict:
        return {str(k): _strict(v, tiny) for k, v in value.items()}
    if kind is list:
        return [_strict(v, tiny) for v in value]
    return _other(value, tiny)


def _other(value: Any, tiny: list) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): _strict(v, tiny) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_strict(v, tiny) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _strict(float(value), tiny)
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
    indent = kwargs.get("indent")
    if _by_orjson(kwargs):
        raw, data = _indented_bytes(data, indent)
        if raw is not None:
            return raw.decode("utf-8")
    else:
        data = _strict(data, [])
    return json.dumps(data, allow_nan=False, **kwargs)


def _by_orjson(kwargs: dict) -> bool:
    """orjson writes the standard library's text only for this call shape (indented, not ASCII-escaped)."""
    indent = kwargs.get("indent")
    return (kwargs.keys() == {"ensure_ascii", "indent"} and kwargs["ensure_ascii"] is False
            and type(indent) is int and indent > 0)


def _indented_bytes(data: Any, indent: int) -> tuple[bytes | None, Any]:
    """``dumps(data, indent=indent)`` as UTF-8 by orjson, or None where the standard library must
    write it; and ``data`` made strict when that was needed (else ``data`` itself)."""
    raw = _plain_orjson(data, indent)
    if raw is not None:
        return raw, data
    tiny: list = []
    data = _strict(data, tiny)
    return (None if tiny else _orjson_indented(data, indent)), data


def dumps_bytes(data: Any, indent: int = 2) -> bytes:
    """``dumps(data, indent=indent).encode("utf-8")``, without the text in between when orjson writes it."""
    if type(indent) is int and indent > 0:
        raw, data = _indented_bytes(data, indent)  # ``data`` strict when raw is None
        if raw is not None:
            return raw
    else:
        data = strict(data)
    return json.dumps(data, allow_nan=False, ensure_ascii=False, indent=indent).encode("utf-8")


def write_object(fh: Any, members: Iterable[tuple[str, Any]], indent: int = 2) -> None:
    """Write ``dumps(dict(members), indent=indent)`` to the binary file ``fh``, one member at a time.

    A member's value may be a callable (no arguments) that makes it: it is called when its turn
    comes, written, and dropped before the next one is made, so a large document (the analysis
    JSON of 100k customers is ≈ 150 MB of text) never exists whole as Python objects nor as one
    text. The bytes are the same: in ``json.dumps``' indented text a value nested one level down is
    its own indented text with every line break followed by one more indent (a JSON string never
    holds a raw line break)."""
    pad = b" " * indent
    first = True
    for key, value in members:
        if callable(value):
            value = value()
        body = dumps_bytes(value, indent).replace(b"\n", b"\n" + pad)
        value = None
        fh.write((b"{\n" if first else b",\n") + pad + json.dumps(str(key), ensure_ascii=False).encode("utf-8")
                 + b": ")
        fh.write(body)
        first = False
        del body
    fh.write(b"{}" if first else b"\n}")


_TINY_TEXT = re.compile(rb"0\.0000|[0-9]e-")  # how orjson writes a float below 1e-4 (0.00001, 1.2345e-7)


def _refuse(value: Any) -> Any:
    raise TypeError


def _plain_orjson(data: Any, indent: int) -> bytes | None:
    """The text :func:`dumps` writes, without first rebuilding ``data`` with :func:`strict`, when
    ``data`` holds only plain JSON values (already strict, as ``Analysis.to_json`` gives): dicts
    with text keys, lists, tuples, text, int, bool, None and float (NaN and ±inf are written as
    null, as ``strict`` makes them). Anything else — a numpy number, a date, a set, a subclass, a
    non-text key — and any text that may hold a float below 1e-4 (where orjson and the standard
    library write a float differently) give None, and :func:`dumps` takes its full path.
    (orjson writes an ``enum.Enum`` member as its value; the core never puts one in its data.)"""
    try:
        import orjson

        raw = orjson.dumps(data, default=_refuse,
                           option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
                           | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)
    except (ImportError, TypeError, ValueError):
        return None
    if b"0.0000" in raw or (b"e-" in raw and _TINY_TEXT.search(raw)):
        return None
    return _reindent(raw, indent)


def _reindent(raw: bytes, indent: int) -> bytes:
    """orjson's two-space indented text with ``indent`` spaces per level."""
    if indent == 2:
        return raw
    # A JSON string never holds a raw line break, so each line's leading spaces are indentation
    # only: two per level from orjson, ``indent`` per level from the standard library.
    pad = b" " * indent
    return b"\n".join(line if not line.startswith(b" ") else
                      pad * ((len(line) - len(line.lstrip(b" "))) // 2) + line.lstrip(b" ")
                      for line in raw.split(b"\n"))


def _orjson_indented(data: Any, indent: int) -> bytes | None:
    """``json.dumps(data, indent=indent, ensure_ascii=False)`` by orjson, or None where orjson
    cannot write it (an integer beyond 64 bits, a lone surrogate, nesting deeper than 254)."""
    try:
        import orjson

        raw = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (ImportError, TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return None
    return _reindent(raw, indent)
