"""Ticket status workflow (SPEC F5.2; policies 000 四(二), 004 四(二)).

A complaint goes 已受理 received → 已分配 assigned → 调查中 investigating → 方案待确认 proposed →
处理中 implementing → 待客户反馈 awaiting_feedback → 已关闭 closed. Inquiries and feedback may be
closed as soon as they are answered. A customer who rejects the proposed solution sends it back to
investigation; a customer who is not satisfied with the result reopens it (重新处理), and a
reopened ticket goes through assignment/investigation again (004 四(二)5: "重新启动投诉处理流程").

``status_history`` in the tickets sheet lists the steps separated by ``>``; each step is a status
(code or label in any language) optionally followed by its date, e.g.
``已受理 2026-11-02 09:10 > 已分配 2026-11-02 > 调查中 2026-11-03``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from crm_xl.i18n import fold
from crm_xl.schema import ENUMS

__all__ = ["ALLOWED_TRANSITIONS", "STATUSES", "HistoryStep", "check_history", "next_statuses", "parse_history"]

STATUSES: tuple[str, ...] = ENUMS["ticket_status"].codes

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    "received": {"assigned", "closed"},
    "assigned": {"investigating", "proposed", "closed"},
    "investigating": {"proposed", "closed"},
    "proposed": {"implementing", "investigating"},
    "implementing": {"awaiting_feedback", "closed"},
    "awaiting_feedback": {"closed", "implementing", "reopened"},
    "closed": {"reopened"},
    "reopened": {"assigned", "investigating", "proposed", "implementing"},
}


def next_statuses(status: str) -> set[str]:
    """The statuses a ticket in ``status`` may move to (empty for an unknown status)."""
    return set(ALLOWED_TRANSITIONS.get(status, set()))


def check_history(codes: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """The first transition in a sequence of status codes that the workflow does not allow.

    Repeating the same status is not a transition. Returns ``(from, to)`` or None when every
    step is allowed (an unknown code is never allowed).
    """
    for a, b in zip(codes, codes[1:]):
        if a != b and b not in ALLOWED_TRANSITIONS.get(a, set()):
            return a, b
    return None


@dataclass(frozen=True)
class HistoryStep:
    """One step of a ticket's status history: the status code (None if unreadable) and its time."""

    status: str | None
    at: datetime | None
    text: str


_DATE = re.compile(r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ T]+\d{1,2}[:：]\d{2})?)\s*$")


def parse_history(text: str | None) -> list[HistoryStep]:
    """Split a ``status_history`` cell into steps (see the module docstring)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    lookup = ENUMS["ticket_status"].lookup()
    steps = []
    for part in re.split(r"\s*(?:>|＞|→|->)\s*", str(text).strip()):
        if not part:
            continue
        at = None
        m = _DATE.search(part)
        label = part
        if m:
            label = part[: m.start()].strip(" ,，:：@")
            raw = re.sub(r"[年月/.]", "-", m.group(1)).replace("日", "").replace("：", ":")
            try:
                at = pd.Timestamp(raw).to_pydatetime()
            except ValueError:
                at = None
        steps.append(HistoryStep(lookup.get(fold(label)), at, part))
    return steps
