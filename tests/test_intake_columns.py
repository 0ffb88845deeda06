"""``crm-xl import`` works column by column (intake/importer.py) and the register writer renders
in-line texts together (ports/sheet_rows.py); each shortcut gives what the cell-by-cell way gave."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from crm_xl.intake.importer import _ABSENT, _blank, _frame, _present
from crm_xl.ports.sheet_rows import _inline_texts, _text

CELLS = [None, float("nan"), "", " ", "\t", "\x1c", "\u3000", "\n", "a\n", "a", " a ", "x\x00y", "\x00", 1, 0,
         1.5, True, False, dt.date(2020, 1, 1), dt.datetime(2020, 1, 1, 8), dt.time(1, 2), dt.timedelta(1),
         np.float64("nan"), np.float64(1.0), "_x0041_", "&<>"]


def test_blank_cells_found_column_by_column_as_cell_by_cell():
    rng = random.Random(3)
    for _ in range(3000):
        values = [rng.choice(CELLS) for _ in range(rng.randint(0, 7))]
        assert _present(values).tolist() == [not _blank(v) for v in values], values


def test_records_frame_is_the_frame_of_record_dicts():
    rng = random.Random(5)
    kinds = [["a", "b", " c"], [1, 2, 3], [1.5, 2.0], [dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1)],
             [dt.date(2026, 1, 1)], ["a", 1, 2.5], [True, False], ["x", None]]
    for _ in range(300):
        n = rng.randint(1, 6)
        columns = {f"c{j}": [rng.choice(kind) if rng.random() < 0.7 else _ABSENT for _ in range(n)]
                   for j, kind in enumerate(rng.sample(kinds, rng.randint(1, len(kinds))))}
        records = [{k: v[i] for k, v in columns.items() if v[i] is not _ABSENT} for i in range(n)]
        want = pd.DataFrame(records)
        got = _frame(columns, n)[list(want.columns)]
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_inline_texts_are_written_as_one_by_one(seed):
    rng = random.Random(seed)
    alphabet = ["a", " ", "\t", "\n", "\r", "\x0b", "\x1c", "\x00", "\x01", "&", "<", ">", "_x0041_", "_x00",
                "\u3000", "\xa0", "\x85", "\ufffe", "\uffff", "中", "_"]
    clean = [a for a in alphabet if a not in ("\x00", "\x01", "\x0b", "\x1c", "_x0041_", "\ufffe", "\uffff")]
    for pool in (alphabet, clean):
        for _ in range(2000):
            texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(0, 6))]
            assert _inline_texts(texts) == [_text(t) for t in texts], texts
