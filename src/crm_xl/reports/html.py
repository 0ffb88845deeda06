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


def render_charts(report: Report, text_as_paths: bool = True, workers: tuple = ()) -> dict[str, str]:
    """Chart key → SVG; ``text_as_paths=False`` for a PDF (see :func:`~crm_xl.reports.charts.render_svg`).

    ``workers`` (:class:`~crm_xl.ports.child.Worker` children with matplotlib loaded; None
    entries are ignored) draw the charts between them, the first worker taking the first, third …
    chart, on both cores at once: the same SVGs, drawn by the same code. A character no font has is
    reported once, here."""
    from crm_xl.fonts import missing_glyphs_reported

    charts, lang = report.charts(), report.header.lang
    live = [w for w in workers if w is not None]
    if not live or len(charts) < 2:
        batches = [(None, charts)]
    else:
        batches = [(w, charts[i::len(live)]) for i, w in enumerate(live)]
        batches = [(w, share) for w, share in batches if share]
    for w, share in batches:
        if w is not None:
            w.submit(draw_batch, share, lang, text_as_paths)
    svgs: dict[str, str] = {}
    missing: set[str] = set()
    for w, share in batches:
        drawn, chars = w.result() if w is not None else draw_batch(share, lang, text_as_paths)
        svgs.update(drawn)
        missing |= chars
    missing_glyphs_reported(missing)
    return {c.key: svgs[c.key] for c in charts}


def draw_batch(charts: list, lang: str, text_as_paths: bool) -> tuple[dict[str, str], set[str]]:
    """:func:`crm_xl.reports.charts.draw_batch` (matplotlib: imported by the reports that draw
    charts, and by a worker child before its first batch)."""
    from crm_xl.reports.charts import draw_batch as draw

    return draw(charts, lang, text_as_paths)
