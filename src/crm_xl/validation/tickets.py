"""V6xx: service tickets (F5): closing time and the status workflow of the status history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_xl.i18n import Text
from crm_xl.schema import ENUMS
from crm_xl.validation import codes as C
from crm_xl.validation.context import Context, enum_label
from crm_xl.workflow import START_STATUSES, allowed_next, check_history, parse_history


def _status(code: str) -> Text:
    return enum_label("ticket_status", code)


def check_tickets(ctx: Context) -> None:
    t = ctx.frame("tickets")
    if not len(t):
        return
    status = t["status"]
    closed_at = t["closed_at"]
    ctx.add("tickets", "closed_at", C.CLOSED_WITHOUT_TIME,
            (status.eq("closed") & closed_at.isna()).fillna(False).to_numpy() & ~ctx.unreadable_mask("tickets", "closed_at"))
    not_closed = status.notna() & ~status.isin(["closed", "reopened"])
    ctx.add("tickets", "closed_at", C.CLOSED_TIME_NOT_CLOSED, (closed_at.notna() & not_closed).fillna(False).to_numpy(),
            None, {"status": np.array([_status(v) if isinstance(v, str) else None for v in status.astype(object)],
                                      dtype=object)})
    if ctx.present("tickets", "status_history"):
        _check_histories(ctx, t)


def _check_histories(ctx: Context, t: pd.DataFrame) -> None:
    history = t["status_history"]
    has = history.notna().to_numpy()
    if not has.any():
        return
    options = [enum_label("ticket_status", c) for c in ENUMS["ticket_status"].codes]
    hits: dict[str, tuple[list[int], dict[str, list]]] = {}

    def hit(code: str, pos: int, **params) -> None:
        rows, values = hits.setdefault(code, ([], {}))
        rows.append(pos)
        for k, v in params.items():
            values.setdefault(k, []).append(v)

    types = t["type"].astype(object).to_numpy()
    statuses = t["status"].astype(object).to_numpy()
    texts = history.astype(object).to_numpy()
    for pos in np.flatnonzero(has):  # per ticket; parse_history caches each distinct text
        codes, unknown = parse_history(texts[pos])
        if unknown:
            hit(C.UNKNOWN_HISTORY_STATUS, pos, token=unknown[0])
            continue
        if not codes:
            continue
        kind = types[pos] if isinstance(types[pos], str) else None
        bad = check_history(codes, kind)
        if bad is not None and bad[0] is None:
            hit(C.BAD_HISTORY_START, pos, first=_status(bad[1]), start=_status(sorted(START_STATUSES)[0]))
        elif bad is not None:
            allowed = [_status(c) for c in sorted(allowed_next(bad[0], kind))]
            hit(C.BAD_TRANSITION, pos, from_status=_status(bad[0]), to_status=_status(bad[1]), allowed=allowed)
        current = statuses[pos]
        if isinstance(current, str) and codes[-1] != current:
            hit(C.HISTORY_STATUS_MISMATCH, pos, last=_status(codes[-1]), status=_status(current))
    for code, (rows, values) in hits.items():
        column = "status" if code == C.HISTORY_STATUS_MISMATCH else "status_history"
        idx = np.asarray(rows, dtype="int64")
        row_params = {k: _objects(v) for k, v in values.items()}
        ctx.add("tickets", column, code, idx, {"options": options} if code == C.UNKNOWN_HISTORY_STATUS else None,
                row_params)


def _objects(values: list) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values  # keeps lists (allowed statuses) as single elements
    return arr
