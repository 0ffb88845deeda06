"""Render a report model to one self-contained HTML file (inline CSS and SVG, no external URLs).

Templates live in the repository's top-level ``templates/`` folder (``report_base.html.j2`` and
``report_<kind>.html.j2``); Jinja2 runs with autoescape on and ``StrictUndefined``, so a customer
named ``<script>`` is shown, never executed, and a missing value is an error, not a blank.
"""

from __future__ import annotations

from crm_xl.resources import resource_dirs

from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crm_xl.fonts import FONTS
from crm_xl.reports.labels import format_delta, format_value, label
from crm_xl.reports.model import Report

_HERE = Path(__file__).resolve()
TEMPLATE_DIRS = tuple(resource_dirs("templates"))

@lru_cache(maxsize=1)
def environment() -> Environment:
    dirs = [str(d) for d in TEMPLATE_DIRS if d.is_dir()]
    if not dirs:
        raise FileNotFoundError(f"report templates not found in {', '.join(map(str, TEMPLATE_DIRS))}")
    return Environment(loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)


def render_html(report: Report, svgs: dict[str, str] | None = None) -> str:
    """The report as an HTML document; ``svgs`` (chart key → SVG) may be given to reuse renders."""
    lang = report.header.lang
    if svgs is None:
        svgs = render_charts(report)
    template = environment().get_template(f"report_{report.header.kind}.html.j2")
    return template.render(
        report=report,
        charts={k: Markup(v) for k, v in svgs.items()},  # our own matplotlib output: text is drawn as paths
        L=lambda key: label(key, lang),
        fmt=format_value,
        delta=format_delta,
        fonts=Markup(FONTS[lang]),
        html_lang={"zh-CN": "zh-Hans", "zh-TW": "zh-Hant", "en": "en"}[lang],
    )


def render_charts(report: Report, text_as_paths: bool = True) -> dict[str, str]:
    """Chart key → SVG; ``text_as_paths=False`` for a PDF (see :func:`~crm_xl.reports.charts.render_svg`)."""
    from crm_xl.reports.charts import render_svg  # matplotlib: imported by the reports that draw charts

    return {c.key: render_svg(c, report.header.lang, text_as_paths) for c in report.charts()}
