"""Read a rendered report back the way a reader sees it: KPI tiles, header fields and table cells."""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser

import pytest


class ReportParser(HTMLParser):
    """Collects ``data-kpi`` tiles (label/value/delta text), ``data-meta`` header cells and every
    ``data-table`` as rows of ``{column key: text}``."""

    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, dict[str, str]] = {}
        self.meta: dict[str, str] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.totals: dict[str, dict[str, str]] = {}
        self.charts: list[str] = []
        self._kpi: str | None = None
        self._field: str | None = None
        self._meta: str | None = None
        self._table: str | None = None
        self._row: dict[str, str] | None = None
        self._col: str | None = None
        self._foot = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-kpi" in a:
            self._kpi = a["data-kpi"]
            self.kpis[self._kpi] = {}
        cls = a.get("class") or ""
        if self._kpi and tag == "div" and cls.startswith("kpi-"):
            self._field, self._text = cls.split()[0][4:], []
        if "data-meta" in a:
            self._meta, self._text = a["data-meta"], []
        if "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = []
        if "data-chart" in a:
            self.charts.append(a["data-chart"])
        if tag == "tfoot":
            self._foot = True
        if tag == "tr" and self._table:
            self._row = {}
        if tag == "td" and self._row is not None and "data-col" in a:
            self._col, self._text = a["data-col"], []

    def handle_endtag(self, tag):
        if tag == "div" and self._field:
            self.kpis[self._kpi][self._field] = "".join(self._text).strip()
            self._field = None
        if tag == "td" and self._kpi and not self._field:
            self._kpi = None
        if tag == "td" and self._meta:
            self.meta[self._meta] = " ".join("".join(self._text).split())
            self._meta = None
        if tag == "td" and self._col:
            self._row[self._col] = "".join(self._text).strip()
            self._col = None
        if tag == "tr" and self._row:
            if self._foot:
                self.totals[self._table] = self._row
            else:
                self.tables[self._table].append(self._row)
            self._row = None
        if tag == "tfoot":
            self._foot = False
        if tag == "table" and self._table:
            self._table = None

    def handle_data(self, data):
        if self._field or self._meta or self._col:
            self._text.append(data)


def parse_report(html: str) -> ReportParser:
    p = ReportParser()
    p.feed(html)
    return p


def require_tool(name: str) -> str:
    """The tool's path, or skip — unless CRM_XL_REQUIRE_LIBREOFFICE=1, then fail."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CRM_XL_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"{name} is required (CRM_XL_REQUIRE_LIBREOFFICE=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path


def page_images(pdf, tmp_path, dpi: int = 40):
    """Each PDF page as a grayscale numpy array (pdftoppm)."""
    import subprocess

    import numpy as np
    from PIL import Image

    require_tool("pdftoppm")
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120)
    return [np.asarray(Image.open(p).convert("L"), dtype="float64") for p in sorted(tmp_path.glob("page*.png"))]
