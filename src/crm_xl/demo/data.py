"""What a demo generator returns: the register's frames and the list of mistakes planted in it.

Both profiles' generators (:mod:`crm_xl.demo.trade`, :mod:`crm_xl.demo.auto`) build these, so
they import this module and never each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["DemoData", "Mistake"]


@dataclass(frozen=True)
class Mistake:
    """One planted mistake: where it is and what is wrong (kind is a key of MISTAKE_KINDS)."""

    sheet: str
    record_id: str
    column: str
    kind: str
    description: str


@dataclass
class DemoData:
    """The generated register: one frame per sheet key, and every mistake planted in it.

    ``text_dates`` lists (sheet, record_id, column) cells stored as text dates; this generator
    stores none, so it is always empty.
    """

    frames: dict[str, pd.DataFrame]
    mistakes: list[Mistake]
    seed: int
    as_of: dt.date
    profile: str = "trade"
    text_dates: list[tuple[str, str, str]] = field(default_factory=list)
