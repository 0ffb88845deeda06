"""Charts of the report model drawn with matplotlib (Agg) as inline SVG strings.

Readable in print and in grayscale: every series has a colour of a distinct lightness *and* a
hatch (bars) or a marker and line style (lines); axes are labelled, values carry thousands
separators, month labels are rotated, forecast intervals are hatched bands. Chinese labels use
the Noto Sans CJK subset that ships in ``crm_xl/fonts`` (SC for zh-CN and English, TC for zh-TW),
so they render on a machine with no font installed; text is drawn as paths, so the SVG shows the
same glyphs wherever it is opened. A character no font has is reported in one line.
"""

from __future__ import annotations

import io
import logging
import math
import re
import textwrap
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from crm_xl.fonts import glyph_warnings_collected, matplotlib_families  # noqa: E402
from crm_xl.reports.labels import label  # noqa: E402
from crm_xl.reports.model import Chart, Series  # noqa: E402

# Colours from dark to light so series stay apart in grayscale; hatches and markers as a second cue.
PALETTE = ("#1f3f77", "#e3872d", "#6aa84f", "#8e5ba8", "#b5b5b5", "#c0392b", "#2a9d8f", "#5c4033")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "---", "+++", "ooo")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":", "-", "--", "-.", ":")
WIDTH_IN, HEIGHT_IN = 7.2, 3.3
MAX_LABEL = 16  # characters of a category label before it is shortened


def font_family(lang: str) -> list[str]:
    """Font families for ``lang`` in fallback order: the packaged CJK face, installed Noto Sans CJK,
    DejaVu Sans."""
    return list(matplotlib_families(lang))


def cjk_font_available() -> bool:
    return font_family("zh-CN")[0] != "DejaVu Sans"


def _formatter(fmt: str) -> FuncFormatter:
    def money(v, _pos):
        return f"{v:,.0f}"

    def pct(v, _pos):
        return f"{v * 100:,.0f}%"

    def num(v, _pos):
        return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:,.1f}"

    return FuncFormatter({"money": money, "int": money, "pct": pct}.get(fmt, num))


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _nan(values) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _style_axes(ax, chart: Chart) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y" if chart.kind != "barh" else "x", color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)
    if chart.x_label:
        ax.set_xlabel(chart.x_label)
    if chart.y_label:
        ax.set_ylabel(chart.y_label)


MAX_TICKS = 14  # category labels on an x axis; beyond that every k-th is shown


def _category_ticks(ax, categories: list[str]) -> None:
    labels = [_short(c) for c in categories]
    step = max(1, math.ceil(len(labels) / MAX_TICKS))
    # keep the last category labelled (the latest month) and step back from it
    shown = list(range(len(labels) - 1, -1, -step))[::-1]
    ax.set_xticks(shown)
    longest = max((len(x) for x in labels), default=0)
    rotate = longest * len(shown) > 48 or (len(shown) > 8 and longest > 2)
    ax.set_xticklabels([labels[i] for i in shown], rotation=45 if rotate else 0, ha="right" if rotate else "center",
                       rotation_mode="anchor")


def _draw(ax, chart: Chart, lang: str) -> None:
    n = len(chart.series)
    if chart.kind == "line":
        x = list(range(len(chart.categories)))
        for i, s in enumerate(chart.series):
            colour = PALETTE[i % len(PALETTE)]
            if s.lower is not None and s.upper is not None:
                ax.fill_between(x, _nan(s.lower), _nan(s.upper), facecolor=colour, alpha=0.18, hatch="///",
                                edgecolor=colour, linewidth=0.0, label=label("interval", lang))
            ax.plot(x, _nan(s.values), color=colour, marker=MARKERS[i % len(MARKERS)], markersize=4,
                    linestyle="--" if s.dashed else LINESTYLES[i % len(LINESTYLES)], linewidth=1.8, label=s.name)
        _category_ticks(ax, chart.categories)
        ax.set_ylim(bottom=0)
    elif chart.kind in ("bar", "stacked_bar"):
        x = range(len(chart.categories))
        stacked = chart.kind == "stacked_bar"
        width = 0.8 if stacked else 0.8 / max(n, 1)
        bottom = [0.0] * len(chart.categories)
        for i, s in enumerate(chart.series):
            vals = [0.0 if v is None else float(v) for v in s.values]
            pos = list(x) if stacked else [xi - 0.4 + width * (i + 0.5) for xi in x]
            ax.bar(pos, vals, width=width, bottom=bottom if stacked else None, color=PALETTE[i % len(PALETTE)],
                   hatch=HATCHES[i % len(HATCHES)], edgecolor="#333333", linewidth=0.5, label=s.name)
            if stacked:
                bottom = [b + v for b, v in zip(bottom, vals)]
        _category_ticks(ax, chart.categories)
    elif chart.kind == "barh":
        y = list(range(len(chart.categories)))
        height = 0.8 / max(n, 1)
        for i, s in enumerate(chart.series):
            vals = [0.0 if v is None else float(v) for v in s.values]
            pos = [yi - 0.4 + height * (i + 0.5) for yi in y]
            ax.barh(pos, vals, height=height, color=PALETTE[i % len(PALETTE)], hatch=HATCHES[i % len(HATCHES)],
                    edgecolor="#333333", linewidth=0.5, label=s.name)
        ax.set_yticks(y)
        ax.set_yticklabels([_short(c) for c in chart.categories])
        ax.invert_yaxis()
    elif chart.kind == "scatter":
        for i, s in enumerate(chart.series):
            ax.scatter(_nan(s.x or []), _nan(s.values), color=PALETTE[i % len(PALETTE)],
                       marker=MARKERS[i % len(MARKERS)], s=36, edgecolor="#333333", linewidth=0.5, label=s.name)
            for xv, yv, text in zip(s.x or [], s.values, s.point_labels or []):
                if xv is not None and yv is not None:
                    ax.annotate(_short(text), (xv, yv), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.xaxis.set_major_formatter(_formatter(chart.x_fmt))
        ax.xaxis.set_major_locator(MaxNLocator(integer=chart.x_fmt in ("int", "money")))
        ax.margins(x=0.12, y=0.12)  # room for the point labels at the edges
    value_axis = ax.xaxis if chart.kind == "barh" else ax.yaxis
    value_axis.set_major_formatter(_formatter(chart.fmt))
    if chart.fmt == "int":  # counts: whole-number ticks only (no 0, 0, 1, 1, 2 on small counts)
        value_axis.set_major_locator(MaxNLocator(integer=True))
    if n > 1 or any(s.lower is not None for s in chart.series):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def warm_up() -> None:
    """What drawing the first chart costs beyond the chart, paid ahead (in a
    :mod:`~crm_xl.ports.child` worker while the parent reads): matplotlib, the chart code, the
    packaged faces registered with matplotlib and loaded, first drawing. Nothing is reported."""
    import crm_xl.fonts as fonts
    import crm_xl.reports.html  # noqa: F401  (jinja2, for a child that also writes the page)

    fonts._registered()
    reported, quiet = set(fonts._reported), logging.getLogger("crm_xl.fonts")
    was, quiet.disabled = quiet.disabled, True
    try:
        render_svg(Chart(key="warm-up", title="月度 Monthly", kind="bar", categories=["1月", "Feb"], fmt="money",
                         y_label="金额 (CNY)", series=[Series(name="本期", values=[1.0, 2.0]),
                                                      Series(name="上期", values=[2.0, 1.0])]), "zh-CN")
    finally:  # a glyph missing here is still reported when a real chart needs it
        quiet.disabled = was
        fonts._reported.clear()
        fonts._reported.update(reported)


def draw_batch(charts: list[Chart], lang: str, text_as_paths: bool) -> tuple[dict[str, str], set[str]]:
    """``charts`` drawn (key → SVG) and the characters no font had, not reported here: the caller
    reports them once for all its batches (:func:`crm_xl.reports.html.render_charts`)."""
    import crm_xl.fonts as fonts

    reported, quiet = set(fonts._reported), logging.getLogger("crm_xl.fonts")
    was, quiet.disabled = quiet.disabled, True
    try:
        svgs = {c.key: render_svg(c, lang, text_as_paths) for c in charts}
        return svgs, set(fonts._reported) - reported
    finally:
        quiet.disabled = was
        fonts._reported.clear()
        fonts._reported.update(reported)


_SIZE = re.compile(r'<svg([^>]*?) width="[^"]+" height="([^"]+)"')


def render_svg(chart: Chart, lang: str, text_as_paths: bool = True) -> str:
    """The chart as an ``<svg>`` element (no XML prolog) that scales to its container's width.

    With ``text_as_paths`` (for the HTML file) every glyph is an outline, so the chart shows the
    same wherever it is opened. Without (for the PDF) text stays ``<text>`` in the packaged CJK
    face, which the PDF engine embeds once: about a third faster to print, and the chart's words
    can be searched and copied in the PDF.
    """
    height = HEIGHT_IN
    if chart.kind == "barh":
        height = max(2.2, min(9.0, 0.8 + 0.32 * len(chart.categories) * max(1, len(chart.series)) ** 0.5))
    rc = {"font.family": font_family(lang), "font.size": 9, "axes.titlesize": 11.5,
          "axes.titleweight": "normal",  # the packaged face has one weight
          "svg.fonttype": "path" if text_as_paths else "none", "svg.hashsalt": chart.key, "hatch.linewidth": 0.6,
          "axes.unicode_minus": False}
    with plt.rc_context(rc), glyph_warnings_collected():
        fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
        try:
            ax.set_title("\n".join(textwrap.wrap(chart.title, 60)) or chart.title, loc="left")
            if chart.empty:
                ax.text(0.5, 0.5, label("no_data", lang), ha="center", va="center", transform=ax.transAxes,
                        fontsize=11, color="#555555")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.spines[:].set_visible(False)
            else:
                _draw(ax, chart, lang)
                _style_axes(ax, chart)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "crm-xl"})
        finally:
            plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # ids unique per chart: several charts share one HTML page (glyph and clip ids would collide)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "_", chart.key) + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m[1]}="#{prefix}{m[2]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    # scale with the page: width 100 %, height from the viewBox; an accessible name for screen readers
    svg = _SIZE.sub(lambda m: f'<svg{m[1]} width="100%" role="img" aria-label="{_attr(chart.title)}"', svg, count=1)
    return svg if text_as_paths else shrink_hatch_tiles(merge_hatched_patches(svg))


_PATTERN = re.compile(r'(?P<open><pattern id="(?P<id>[^"]+)" patternUnits="userSpaceOnUse" x="0" y="0" )'
                      r'width="(?P<w>\d+)" height="(?P=w)">(?P<gap>\s*)<rect x="0" y="0" width="\d+" height="\d+" '
                      r'fill="(?P<fill>#[0-9a-fA-F]{6})"/>\s*<path d="(?P<d>[^"]*)"(?P<rest>.*?</pattern>)', re.S)
_FILLED = re.compile(r'<path d="(?P<d>[^"]*)"(?P<clip> clip-path="[^"]*")? style="fill: url\(#(?P<id>[^)]+)\)(?P<style>[^"]*)"/>')
_NUMBER = re.compile(r"-?[\d.]+(?:e-?\d+)?")
BIG_HATCH = 5000  # characters of a hatch path worth shrinking (the dot hatches run to ~150 kB)


def shrink_hatch_tiles(svg: str) -> str:
    """Hatches drawn over a plain background, dot hatches on their smallest repeating tile.

    matplotlib writes every hatch as a 72 × 72 pt pattern tile of a background square and the
    hatch; for ``...`` that tile holds 342 small circles (~150 kB of path, parsed by WeasyPrint at
    every use). The dots repeat every few points, so a tile of one period holding the circles that
    touch it tiles the plane with the same picture, at 1/81 of the path. The period is not assumed:
    the smallest divisor P of the tile for which the circles shifted by P right or up land on
    circles of the tiled pattern is used, else the tile is left as it is (line hatches, whose
    segments do not repeat as segments, keep their tile). The background colour becomes a plain
    fill under the hatch: painted per tile it shows the tiles' seams as white hairlines in PDF
    viewers (poppler, at every 72 pt before, and at every 8 pt with the small tile). Only patterns every user of which is opaque are changed (a translucent fill under a
    translucent hatch would not add up to the same colour)."""
    users: dict[str, list[str]] = {}
    for m in _FILLED.finditer(svg):
        users.setdefault(m["id"], []).append(m["style"])
    shrunk: dict[str, str] = {}  # pattern id → its background colour, now drawn under it

    def shrink(m: re.Match) -> str:
        size, d = int(m["w"]), m["d"]
        if not users.get(m["id"]) or any("opacity" in st for st in users[m["id"]]):
            return m.group(0)
        period, kept = (_smallest_tile(d, size) if len(d) >= BIG_HATCH else None) or (size, d)
        shrunk[m["id"]] = m["fill"]
        return f'{m["open"]}width="{period}" height="{period}">{m["gap"]}<path d="{kept}"{m["rest"]}'

    svg = _PATTERN.sub(shrink, svg)
    if not shrunk:
        return svg

    def underlay(m: re.Match) -> str:
        if m["id"] not in shrunk:
            return m.group(0)
        return f'<path d="{m["d"]}"{m["clip"] or ""} style="fill: {shrunk[m["id"]]}"/>{m.group(0)}'

    return _FILLED.sub(underlay, svg)


@lru_cache(maxsize=16)
def _smallest_tile(d: str, size: int) -> tuple[int, str] | None:
    """(period, the subpaths touching the period's square) for the hatch path ``d`` on a
    ``size`` tile, or None when it repeats on no smaller tile (see :func:`shrink_hatch_tiles`)."""
    subpaths = [f"M{part}" for part in d.split("M")[1:]]
    coords = [[float(v) for v in _NUMBER.findall(sp)] for sp in subpaths]
    if not coords or any(len(c) < 2 or len(c) % 2 for c in coords):
        return None
    # a subpath is its start point and its shape relative to that point
    shapes = [tuple(round(v - c[i % 2], 2) for i, v in enumerate(c)) for c in coords]
    starts = [(c[0], c[1]) for c in coords]

    def at(x: float, y: float, shape: tuple) -> tuple:
        return round(x, 2), round(y, 2), shape

    tiled = {at(x + size * i, y + size * j, sh) for (x, y), sh in zip(starts, shapes)
             for i in (-1, 0, 1) for j in (-1, 0, 1)}
    for period in (p for p in range(4, size // 2 + 1) if size % p == 0):
        if all(at(x + period, y, sh) in tiled and at(x, y + period, sh) in tiled for (x, y), sh in zip(starts, shapes)):
            margin = 1.0  # an outline reaches past its control points' box
            kept = [sp for sp, c in zip(subpaths, coords)
                    if min(c[0::2]) < period + margin and max(c[0::2]) > -margin
                    and min(c[1::2]) < period + margin and max(c[1::2]) > -margin]
            return period, "".join(kept)
    return None


# one patch (bar) matplotlib filled with a hatch pattern: ``<g id=…><path d=… [clip-path=…] style=…url(#h…)…/></g>``
_HATCHED = re.compile(r'[ \t]*<g id="(?P<id>[^"]+)">\s*<path d="(?P<d>[^"]*)"'
                      r'(?P<attrs>(?: clip-path="[^"]*")? style="[^"]*url\(#[^"]*")/>\s*</g>\n')


def merge_hatched_patches(svg: str) -> str:
    """Each run of consecutive hatched bars with the same style (one series) as one ``<path>``.

    WeasyPrint draws a pattern fill once per element, re-parsing the pattern's hatch path each
    time (the dot hatch is ~150 kB of circles): twenty bars of one series cost twenty parses and
    twenty copies of the pattern in the PDF. One path of the same rectangles, same fill, outline
    and clip, and in the same place in the drawing order looks the same and is drawn once (the
    monthly report's PDF: 4.2 → … s CPU writing). Used for the PDF only; the HTML keeps
    matplotlib's SVG as it is."""
    out: list[str] = []
    pos = 0
    run: list[re.Match] = []

    def flush() -> None:
        if not run:
            return
        first = run[0]
        if len(run) == 1:
            out.append(first.group(0))
        else:
            indent = first.group(0)[: len(first.group(0)) - len(first.group(0).lstrip())]
            d = "".join(m["d"] for m in run)
            out.append(f'{indent}<g id="{first["id"]}">\n{indent} <path d="{d}"{first["attrs"]}/>\n{indent}</g>\n')
        run.clear()

    for m in _HATCHED.finditer(svg):
        if run and (m.start() != run[-1].end() or m["attrs"] != run[-1]["attrs"]):
            flush()
        if not run:
            out.append(svg[pos:m.start()])
        run.append(m)
        pos = m.end()
    flush()
    out.append(svg[pos:])
    return "".join(out)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))
