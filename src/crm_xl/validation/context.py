"""What every rule shares: the register, the as-of date, severities, and hits collected per column.

Rules work on whole columns and report *hits*: one rule, one column, an array of frame positions
and per-row parameters. Hits become :class:`~crm_xl.findings.Finding` objects only at the end, so
a rule never loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_xl.findings import Finding, column_letter
from crm_xl.i18n import Text
from crm_xl.messages import CATALOGUE
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS


@dataclass
class Hits:
    """One rule's findings on one column: positions in the sheet's frame and their parameters."""

    sheet: str
    column: str | None
    code: str
    idx: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)  # the same for every row
    row_params: dict[str, np.ndarray] = field(default_factory=dict)  # one value per position
    values: np.ndarray | None = None  # the offending value per position (default: the cell's value)


def col_label(sheet: str, column: str) -> Text:
    """The column's label as a translatable message parameter."""
    c = SHEETS[sheet].column(column)
    return Text(c.zh, c.en)


def enum_label(enum: str, code: str) -> Text:
    o = next((o for o in ENUMS[enum].options if o.code == code), None)
    return Text(o.zh, o.en) if o else Text(code, code)


def show_values(values: pd.Series | np.ndarray, kind: str) -> np.ndarray:
    """Typed column values → what a message or the JSON shows (dates as ISO text, NA as None)."""
    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        fmt = "%Y-%m-%d %H:%M" if kind == "datetime" else "%Y-%m-%d"
        out = s.dt.strftime(fmt)
    elif kind == "money" and pd.api.types.is_numeric_dtype(s.dtype):
        out = s.map(lambda v: f"{v:,.2f}", na_action="ignore")
    elif kind == "probability" and pd.api.types.is_numeric_dtype(s.dtype):
        out = s.map(lambda v: f"{v:.0%}", na_action="ignore")
    elif pd.api.types.is_numeric_dtype(s.dtype):
        out = s.map(lambda v: int(v) if float(v).is_integer() else float(v), na_action="ignore")
    else:
        out = s
    arr = out.astype(object).to_numpy().copy()
    arr[pd.isna(arr)] = None
    return arr


def text_arrow(x: pd.Series):
    """A column as an Arrow text array (values that are not text are shown as text; blanks null)."""
    import pyarrow as pa

    try:
        return pa.array(x.astype("string[pyarrow]"))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pa.array(x.astype(str).where(x.notna(), None).astype(object), type=pa.string())


def text_lookup(s: pd.Series, keys: pd.Series, values: pd.Series | np.ndarray) -> np.ndarray:
    """``s.map(dict(zip(keys, values)))`` for text through Arrow (first key wins; None where absent)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(s), None, dtype=object)
    if not len(s) or not len(keys):
        return out
    keys = pd.Series(keys).astype("string[pyarrow]").reset_index(drop=True)
    values = np.asarray(values, dtype=object)
    first = ~keys.duplicated().to_numpy() & keys.notna().to_numpy()
    position = pc.index_in(pa.array(pd.Series(s).astype("string[pyarrow]")), value_set=pa.array(keys[first]))
    position = position.to_numpy(zero_copy_only=False)
    hit = ~pd.isna(position)
    out[hit] = values[first][position[hit].astype("int64")]
    return out


class Context:
    """The register being validated plus the hits found so far."""

    def __init__(self, register: Register, as_of: dt.date) -> None:
        self.register = register
        self.settings = register.settings
        self.as_of = as_of
        self.as_of_ts = pd.Timestamp(as_of)
        self.hits: list[Hits] = []
        self._unreadable: dict[tuple[str, str], np.ndarray] = {}
        bad = register.unreadable
        if len(bad):
            for (sheet, column), part in bad.groupby(["sheet", "column"]):
                self._unreadable[(sheet, column)] = part["row"].to_numpy(dtype="int64")

    # ---- access
    def frame(self, sheet: str) -> pd.DataFrame:
        return self.register.frames[sheet]

    def severity(self, code: str) -> str:
        return self.settings.severity_of(code, CATALOGUE[code].severity)

    def active(self, *codes: str) -> bool:
        return any(self.severity(c) != "off" for c in codes)

    def present(self, sheet: str, column: str) -> bool:
        """False when the workbook's sheet lacks this column (the reader reported it already)."""
        pos = self.register.positions.get(sheet)
        return pos is None or column in pos

    def has_sheet(self, sheet: str) -> bool:
        return self.register.has_sheet(sheet) or len(self.frame(sheet)) > 0

    def key_set(self, sheet: str, column: str):
        """The distinct non-blank values of a key column as Arrow text (for ``pc.is_in``), once per run:
        ``s.isin(frame[column])`` for a text column ``s`` is ``pc.is_in(text_arrow(s), key_set)`` with nulls false."""
        cache = self.__dict__.setdefault("_key_sets", {})
        if (sheet, column) not in cache:
            import pyarrow.compute as pc

            cache[(sheet, column)] = pc.unique(pc.drop_null(text_arrow(self.frame(sheet)[column])))
        return cache[(sheet, column)]

    def key_values(self, sheet: str, column: str, value: str):
        """(keys, values) as Arrow text: each distinct non-blank ``column`` value of ``sheet`` once, at
        its first row, and that row's ``value`` (``text_lookup(s, frame[column], frame[value])``
        is ``values.take(pc.index_in(s, keys))``), once per run."""
        cache = self.__dict__.setdefault("_key_values", {})
        if (sheet, column, value) not in cache:
            import pyarrow as pa

            frame = self.frame(sheet)
            keys = frame[column].astype("string[pyarrow]").reset_index(drop=True)
            first = np.flatnonzero(~keys.duplicated().to_numpy() & keys.notna().to_numpy())
            cache[(sheet, column, value)] = (pa.array(keys).take(pa.array(first)),
                                             text_arrow(frame[value]).take(pa.array(first)))
        return cache[(sheet, column, value)]

    def unreadable_mask(self, sheet: str, column: str) -> np.ndarray:
        rows = self._unreadable.get((sheet, column))
        frame = self.frame(sheet)
        if rows is None:
            return np.zeros(len(frame), dtype=bool)
        return np.isin(frame[ROW].to_numpy(), rows)

    # ---- reporting
    def add(self, sheet: str, column: str | None, code: str, where: np.ndarray | pd.Series,
            params: dict[str, Any] | None = None, row_params: dict[str, Any] | None = None,
            values: Any = None) -> None:
        """Report ``code`` for the rows selected by ``where`` (a boolean mask or positions).

        ``row_params`` values and ``values`` are aligned with the whole frame (masks) or with the
        positions; the offending value defaults to the cell's own value.
        """
        if self.severity(code) == "off":
            return
        where = np.asarray(where)
        full = where.dtype == bool
        idx = np.flatnonzero(where) if full else where.astype("int64")

        def pick(a: Any) -> np.ndarray:
            arr = np.asarray(a, dtype=object)
            return arr[idx] if full else arr
        if not len(idx):
            return
        kind = SHEETS[sheet].column(column).kind if column and SHEETS[sheet].has(column) else "text"
        if values is None and column is not None and column in self.frame(sheet).columns:
            vals = show_values(self.frame(sheet)[column].iloc[idx], kind)
        elif values is None:
            vals = None
        else:
            vals = pick(values)
        # a callable row parameter is computed for the reported positions only
        rp = {k: (np.asarray(v(idx), dtype=object) if callable(v) else pick(v)) for k, v in (row_params or {}).items()}
        self.hits.append(Hits(sheet, column, code, idx, dict(params or {}), rp, vals))

    def findings(self) -> list[Finding]:
        """Materialize every hit as a Finding with its severity, cell address and record ID."""
        out: list[Finding] = []
        reg = self.register
        for h in self.hits:
            frame = self.frame(h.sheet)
            rows = frame[ROW].to_numpy()[h.idx]
            id_col = SHEETS[h.sheet].id_column
            ids = frame[id_col].astype(object).to_numpy()[h.idx] if id_col else None
            index = reg.column_index(h.sheet, h.column) if h.column else None
            letter = column_letter(index) if index is not None else None
            severity = self.severity(h.code)
            for k in range(len(h.idx)):
                value = h.values[k] if h.values is not None else None
                params = dict(h.params)
                for name, arr in h.row_params.items():
                    params[name] = arr[k]
                params.setdefault("value", "" if value is None else value)
                rid = ids[k] if ids is not None else None
                out.append(Finding(h.sheet, int(rows[k]), h.column, h.code, severity, params, value,
                                   f"{letter}{int(rows[k])}" if letter else None,
                                   None if rid is None or rid is pd.NA else str(rid)))
        return out
