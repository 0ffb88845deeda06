"""Telling a database URL from a workbook path, cheaply (no SQLAlchemy import for a file path)."""

from __future__ import annotations

import re
from typing import Any

_URL = re.compile(r"^(duckdb|postgres|postgresql)(\+[a-z0-9_]+)?://", re.I)


def is_database_url(text: Any) -> bool:
    return isinstance(text, str) and bool(_URL.match(text))


class DatabaseURL(str):
    """A database URL given where a workbook path is expected. Its text (what messages, logs and
    JSON show) has the password hidden; ``url`` is the real one."""

    url: str

    def __new__(cls, url: str) -> "DatabaseURL":
        obj = super().__new__(cls, redact(url))
        obj.url = url
        return obj

    @property
    def name(self) -> str:
        return str(self)

    def resolve(self) -> "DatabaseURL":
        return self


def redact(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is reported by the caller
        return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)
