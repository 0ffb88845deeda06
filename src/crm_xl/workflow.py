"""The service-ticket status workflow (F5.2): which status may follow which (pure, no I/O).

A complaint runs received → assigned → investigating → proposed → implementing →
awaiting_feedback → closed; a customer who is not satisfied reopens it (closed/awaiting_feedback →
reopened), and a reopened ticket goes back to assigned or investigating (000 四(二), 004 四).
Inquiries and feedback (000 四(一)) may take shortcuts: answered at once (received → closed) or
after assignment without an investigation (see :data:`INQUIRY_SHORTCUTS`).

``status_history`` cells are read by :func:`parse_history`: statuses as codes or labels in any
language, separated by ``>`` ``→`` ``->`` ``,`` ``;`` ``/`` or ``、`` (full-width forms too),
e.g. ``已受理>已分配>调查中`` or ``received -> assigned``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from crm_xl.i18n import fold
from crm_xl.schema import ENUMS

START_STATUSES: frozenset[str] = frozenset({"received"})
STATUSES: tuple[str, ...] = ENUMS["ticket_status"].codes

# Complaint workflow: status → statuses allowed next.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    "received": {"assigned"},
    "assigned": {"investigating"},
    "investigating": {"proposed", "implementing"},
    "proposed": {"implementing", "investigating"},  # customer rejects the proposal → investigate again
    "implementing": {"awaiting_feedback", "closed"},
    "awaiting_feedback": {"closed", "reopened"},
    "closed": {"reopened"},
    "reopened": {"assigned", "investigating"},
}

# Extra transitions for inquiries and feedback, which need no investigation.
INQUIRY_SHORTCUTS: dict[str, set[str]] = {
    "received": {"closed", "awaiting_feedback"},
    "assigned": {"closed", "awaiting_feedback", "implementing"},
    "investigating": {"awaiting_feedback", "closed"},
}
SHORTCUT_TYPES: frozenset[str] = frozenset({"inquiry", "feedback"})

# Step separators; "/" only between non-digits, so a dated step such as "已分配 2026/11/3" stays whole.
_SEPARATORS = re.compile(r"\s*(?:->|=>|→|⟶|>|＞|›|,|，|;|；|(?<!\d)/(?!\d)|／|、|\n)\s*")
_DATE = re.compile(r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]+\d{1,2}[:：]\d{2})?)\s*$")


@dataclass(frozen=True)
class HistoryStep:
    """One step of a ticket's status history: the status code (None if unreadable) and its time."""

    status: str | None
    at: datetime | None
    text: str


@lru_cache(maxsize=65536)
def parse_steps(text: str) -> tuple[HistoryStep, ...]:
    """Split a ``status_history`` cell into steps, each optionally dated (``已受理 2026-11-02 09:10``)."""
    steps = []
    lookup = _lookup()
    for token in _SEPARATORS.split(str(text).strip()):
        if not token:
            continue
        at, label = None, token
        m = _DATE.search(token)
        if m:
            label = token[: m.start()].strip(" ,，:：@")
            raw = re.sub(r"[年月/.]", "-", m.group(1)).replace("日", "").replace("：", ":")
            try:
                at = datetime.fromisoformat(re.sub(r"-(\d)(?=\D|$)", r"-0\1", raw).replace("T", " "))
            except ValueError:
                at = None
        steps.append(HistoryStep(lookup.get(fold(label)), at, token))
    return tuple(steps)


def allowed_next(status: str, ticket_type: str | None = None) -> set[str]:
    """Statuses that may follow ``status`` for a ticket of ``ticket_type`` (None = complaint rules)."""
    nxt = set(ALLOWED_TRANSITIONS.get(status, set()))
    if ticket_type in SHORTCUT_TYPES:
        nxt |= INQUIRY_SHORTCUTS.get(status, set())
    return nxt


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    from crm_xl.schema import ENUMS

    return ENUMS["ticket_status"].lookup()


def parse_history(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A status-history cell → (status codes in order, tokens that are not a status)."""
    steps = parse_steps(str(text))
    return (tuple(st.status for st in steps if st.status is not None),
            tuple(st.text for st in steps if st.status is None))


def check_history(history_codes: list[str] | tuple[str, ...], ticket_type: str | None = None
                  ) -> tuple[str | None, str] | None:
    """The first transition the workflow does not allow, as ``(from, to)``; None when all are allowed.

    ``(None, first)`` means the history does not start at a start status (received). Repeating
    the same status (``assigned > assigned``) is not a transition and is allowed.
    """
    if not history_codes:
        return None
    if history_codes[0] not in START_STATUSES:
        return None, history_codes[0]
    for prev, nxt in zip(history_codes, history_codes[1:]):
        if prev != nxt and nxt not in allowed_next(prev, ticket_type):
            return prev, nxt
    return None


def next_statuses(status: str, ticket_type: str | None = None) -> set[str]:
    """The statuses a ticket in ``status`` may move to (empty for an unknown status)."""
    return allowed_next(status, ticket_type)
