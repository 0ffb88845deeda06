"""Where the files that live beside the package are found: ``templates/`` and ``macros/``.

In a source checkout (and an editable install) they are the repository's top-level folders; a
regular install puts them under ``<prefix>/share/crm-xl/`` (pyproject ``data-files``).
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def resource_dirs(name: str) -> list[Path]:
    """Candidate folders for ``templates`` or ``macros``, most specific first."""
    prefixes = {Path(sys.prefix), Path(sysconfig.get_paths()["data"])}
    return [_REPO / name] + [p / "share" / "crm-xl" / name for p in prefixes]


def resource_dir(name: str, pattern: str = "*") -> Path:
    for path in resource_dirs(name):
        if path.is_dir() and any(path.glob(pattern)):
            return path
    raise FileNotFoundError(f"crm-xl's {name}/ folder was not found (looked in: "
                            + ", ".join(str(p) for p in resource_dirs(name)) + ")")
