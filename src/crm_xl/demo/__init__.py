"""The demo generator: a seeded register of a made-up company, for ``crm-xl demo``, tests and benchmarks.

Not part of the core: nothing in the engine imports it. One module per part, imported in one
direction only (no cycle)::

    crm_xl.demo (this file: generate_demo, the one entry point)
     ├── trade       the LED-lighting exporter (profile ``trade``)
     ├── auto        the Suzhou car dealership (profile ``auto``)
     ├── operations  the sheets both profiles share (order intelligence, projects, training)
     ├── data        DemoData and Mistake, what both generators return
     ├── locales     names, addresses and phone plans per country (trade)
     └── catalog     products, staff and the texts the trade company writes
"""

from __future__ import annotations

import datetime as dt

from crm_xl.demo.auto import generate_auto
from crm_xl.demo.data import DemoData, Mistake
from crm_xl.demo.trade import DECISION_ROLES, MISTAKE_KINDS, SHEET_COLUMNS, generate_trade

__all__ = ["DECISION_ROLES", "DemoData", "MISTAKE_KINDS", "Mistake", "PROFILES", "SHEET_COLUMNS", "generate_demo"]

PROFILES = ("trade", "auto")


def generate_demo(seed: int = 20261123, as_of: dt.date = dt.date(2026, 11, 23), n_customers: int = 200,
                  profile: str = "trade", with_mistakes: bool = True) -> DemoData:
    """Generate a demo register of a Chinese LED-lighting exporter as of `as_of` (``profile="auto"``:
    a car dealership, see :mod:`crm_xl.demo.auto`; default 150 customers there when n_customers is
    left at 200).

    >>> demo = generate_demo(n_customers=200)
    >>> sorted(demo.frames) == sorted(SHEET_COLUMNS)
    True

    About two opportunities and two to three orders per customer (prospects have none), two years
    of order history before `as_of`, open work across the next twelve months. Raises ValueError for
    an unknown profile or fewer than one customer.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown demo profile {profile!r}: use one of {', '.join(PROFILES)}")
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    if profile == "auto":
        return generate_auto(seed, as_of, 150 if n_customers == 200 else n_customers, with_mistakes)
    return generate_trade(seed, as_of, n_customers, with_mistakes)
