"""usable_frames masks the unusable cells without copying the rest of the sheet (issue 16, memory).

A finding on one cell used to deep-copy the whole sheet (the activities of 100k customers are
≈ 560k rows); under pandas' copy-on-write a shallow copy with the one column replaced is enough,
and the register's own frame is still never written.
"""

from __future__ import annotations

import numpy as np

from analytics_records import customer, order
from crm_xl.register import ROW, Register
from crm_xl.validation import usable_frames


def test_masked_cell_leaves_the_register_alone_and_shares_the_other_columns():
    register = Register.from_records({"customers": [customer("C1"), customer("C2")],
                                      "orders": [order("O1", "C1", "2026-09-01", 100.0),
                                                 order("O2", "C2", "2026-09-02", 200.0)]})
    orders = register.frames["orders"]
    row = int(orders[ROW].iloc[1])
    before = orders["amount"].tolist()
    frames = usable_frames(register, {"orders": {"amount": {row}}})
    masked = frames["orders"]
    assert masked is not orders
    assert masked["amount"].isna().tolist() == [False, True]
    assert register.frames["orders"]["amount"].tolist() == before  # the register is never written
    assert np.shares_memory(masked["quantity"].to_numpy(), orders["quantity"].to_numpy())  # not copied
    assert frames["customers"] is register.frames["customers"]
