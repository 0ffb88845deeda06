"""V5xx: the sales process (F3): stage-required fields, probability bands, won/lost, close dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_xl.i18n import Text
from crm_xl.schema import STAGE_ORDER
from crm_xl.validation import codes as C
from crm_xl.validation.context import Context, col_label, enum_label

# (first stage the rule applies to, last stage, columns of which at least one must be filled),
# SPEC F3.1: qualified needs amount and expected close; negotiation needs competitors or next
# step; contract (and execution) need the order or the won date.
STAGE_REQUIREMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("qualified", "execution", ("amount",)),
    ("qualified", "execution", ("expected_close_date",)),
    ("negotiation", "negotiation", ("competitors", "next_step")),
    ("contract", "execution", ("order_id", "won_date")),
)


def _stage_labels(stage: pd.Series) -> np.ndarray:
    labels = {code: enum_label("stage", code) for code in STAGE_ORDER}
    return np.array([labels.get(v) if isinstance(v, str) else None for v in stage.astype(object)], dtype=object)


def check_opportunities(ctx: Context) -> None:
    o = ctx.frame("opportunities")
    if not len(o):
        return
    stage, status = o["stage"], o["status"]
    rank = stage.map({s: i for i, s in enumerate(STAGE_ORDER)}).astype("float64")
    not_lost = status.ne("lost").fillna(True)
    stage_text = _stage_labels(stage)
    for first, last, columns in STAGE_REQUIREMENTS:
        in_stage = rank.between(STAGE_ORDER.index(first), STAGE_ORDER.index(last)) & not_lost
        blank = pd.Series(True, index=o.index)
        for column in columns:
            blank &= o[column].isna() & ~ctx.unreadable_mask("opportunities", column)
        label = [col_label("opportunities", c) for c in columns]
        missing = label[0] if len(label) == 1 else Text("或".join(t.zh for t in label), " or ".join(t.en for t in label))
        ctx.add("opportunities", columns[0], C.STAGE_FIELDS, (in_stage & blank).to_numpy(), {"missing": missing},
                {"stage": stage_text})
    if ctx.active(C.PROBABILITY_BAND):
        rules = ctx.settings.stages
        lo = stage.map({k: r.min_probability for k, r in rules.items()}).astype("float64")
        hi = stage.map({k: r.max_probability for k, r in rules.items()}).astype("float64")
        default = stage.map({k: f"{r.probability:.0%}" for k, r in rules.items()}).astype(object)
        band = stage.map({k: f"{r.min_probability:.0%}–{r.max_probability:.0%}" for k, r in rules.items()}).astype(object)
        p = o["probability"].astype("float64")
        outside = ((p < lo - 1e-9) | (p > hi + 1e-9)).fillna(False).to_numpy()
        ctx.add("opportunities", "probability", C.PROBABILITY_BAND, outside, None,
                {"stage": stage_text, "band": band.to_numpy(), "default": default.to_numpy()})
    ctx.add("opportunities", "lost_reason", C.LOST_WITHOUT_REASON,
            (status.eq("lost") & o["lost_reason"].isna()).fillna(False).to_numpy())
    early = status.eq("won") & (rank < STAGE_ORDER.index("contract"))
    ctx.add("opportunities", "stage", C.WON_EARLY_STAGE, early.fillna(False).to_numpy(), None, {"stage": stage_text})
    ctx.add("opportunities", "expected_close_date", C.CLOSE_DATE_PASSED,
            (status.eq("open") & (o["expected_close_date"] < ctx.as_of_ts)).fillna(False).to_numpy())
