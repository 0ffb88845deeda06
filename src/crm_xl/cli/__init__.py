"""The ``crm-xl`` command line: a thin shell over library functions (one module per command group)."""

from __future__ import annotations

from crm_xl.cli.app import app, main

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
