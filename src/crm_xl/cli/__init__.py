"""The ``crm-xl`` command line: a thin shell over library functions (one module per command group)."""

from __future__ import annotations

import gc

# A command is one short process that imports ≈ 3,000 modules (pandas, pyarrow, statsmodels, scipy)
# and builds frames of millions of values. CPython's default collector threshold (700 allocations)
# then runs a full pass over every live object again and again — during the imports and the review
# alike — without ever finding much to free. A higher first threshold keeps the collector but runs
# it far less often: the young generation every 20,000 allocations instead of 700 spends a tenth of
# the time in the collector (0.24 -> 0.09 s CPU on the 10k follow-ups); reference counting still
# frees everything else at once. crm_xl.cli.app.main also freezes what is alive at exit, so the
# interpreter's last collection does not walk it all once more.
gc.set_threshold(20_000, 20, 20)

from crm_xl.cli.app import app, main  # noqa: E402

# Each module registers its commands on ``app`` when imported.
from crm_xl.cli import build as _build  # noqa: F401,E402
from crm_xl.cli import register as _register  # noqa: F401,E402
from crm_xl.cli import report as _report  # noqa: F401,E402
from crm_xl.cli import security as _security  # noqa: F401,E402
from crm_xl.cli import service as _service  # noqa: F401,E402
from crm_xl.cli import validate as _validate  # noqa: F401,E402
from crm_xl.cli import analyze as _analyze  # noqa: F401,E402
from crm_xl.cli import intake as _intake  # noqa: F401,E402
from crm_xl.cli import desk as _desk  # noqa: F401,E402
from crm_xl.cli import team as _team  # noqa: F401,E402

__all__ = ["app", "main"]
