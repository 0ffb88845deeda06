"""Rendering a hand-made report model: HTML, SVG charts, Excel with native charts, PDF pages."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile

import pytest

from crm_xl.reports.charts import cjk_font_available, render_svg
from crm_xl.reports.html import render_html
from crm_xl.reports.labels import format_delta, format_value
from crm_xl.reports.model import Chart, Column, Header, Kpi, Report, Section, Series, Table, resolve_period
from crm_xl.reports.output import write_report
from crm_xl.reports.pdf import for_libreoffice, html_to_pdf, weasyprint_available
from crm_xl.reports.xlsx import write_xlsx
from lo import require_soffice
from report_html import page_images, parse_report

AS_OF = dt.date(2026, 11, 23)
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
EVIL = "<script>alert(1)</script>"


def sample(lang: str = "zh-CN", approved_by: str | None = None) -> Report:
    header = Header(kind="sales", title="销售业绩报告" if lang != "en" else "Sales performance report",
                    workbook="客户台账.xlsx", as_of=AS_OF, period=resolve_period("2026-10", AS_OF), base_currency="CNY",
                    status="approved" if approved_by else "draft", approved_by=approved_by,
                    approved_at=dt.datetime(2026, 11, 23, 10, 30) if approved_by else None, lang=lang,
                    generated_at=dt.datetime(2026, 11, 23, 9, 0))
    section = Section(
        key="overview", title="销售概况",
        kpis=[Kpi(key="sales", label="销售额", value=1234567.8, fmt="money", delta=0.123, delta_label="环比"),
              Kpi(key="margin", label="毛利率", value=0.2345, fmt="pct")],
        charts=[Chart(key="trend", title="月度销售额与预测", kind="line", categories=MONTHS, fmt="money",
                      x_label="月份", y_label="金额 (CNY)",
                      series=[Series(name="实际", values=[100000.0 * i for i in range(1, 11)] + [None, None]),
                              Series(name="预测", dashed=True, values=[None] * 9 + [1e6, 1.1e6, 1.2e6],
                                     lower=[None] * 9 + [1e6, 9e5, 9.5e5], upper=[None] * 9 + [1e6, 1.3e6, 1.5e6])]),
                Chart(key="by_product", title="按产品", kind="barh", categories=["LED 灯具", EVIL], fmt="money",
                      series=[Series(name="本期", values=[5e5, 1e5]), Series(name="上期", values=[4e5, None])]),
                Chart(key="mix", title="规模", kind="stacked_bar", categories=["A", "B", "C"], fmt="int",
                      series=[Series(name="大型", values=[1, 2, 3]), Series(name="小型", values=[3, 1, 0])]),
                Chart(key="corr", title="跟进次数与赢单金额", kind="scatter", fmt="money", x_fmt="int",
                      series=[Series(name="业务员", x=[10, 20, 35], values=[1e5, 3e5, 4e5],
                                     point_labels=["张三", "李四", "王五"])])],
        tables=[Table(key="products", title="按产品",
                      columns=[Column(key="product", label="产品"), Column(key="sales", label="销售额", fmt="money"),
                               Column(key="share", label="占比", fmt="pct")],
                      rows=[{"product": EVIL, "sales": 12345.6, "share": 0.25},
                            {"product": "=HYPERLINK(\"http://x\")", "sales": 37036.8, "share": 0.75}],
                      total={"product": "合计", "sales": 49382.4, "share": 1.0})])
    return Report(header=header, sections=[section], notes=["说明"])


def test_formatting():
    assert format_value(1234567.8, "money") == "1,234,568"
    assert format_value(0.2345, "pct") == "23.4%"
    assert format_value(None, "money") == "—"
    assert format_value(float("nan"), "pct") == "—"
    assert format_delta(0.123) == "+12.3%" and format_delta(-0.04) == "−4.0%" and format_delta(None) == "—"


def test_periods():
    p = resolve_period("2026-10", AS_OF)
    assert (p.start, p.end, p.grain) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "month")
    assert (p.previous().start, p.previous().end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert (p.year_before().start, p.year_before().end) == (dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    q = resolve_period("2026-Q1", AS_OF)
    assert (q.previous().start, q.previous().end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    mtd = resolve_period("2026-11", AS_OF)  # cut at the as-of date; compared with the same days
    assert mtd.end == AS_OF and mtd.previous().end == dt.date(2026, 10, 23)
    assert resolve_period("2026-03", AS_OF).previous().end == dt.date(2026, 2, 28)
    r = resolve_period("2026-01-01..2026-03-31", AS_OF)
    assert r.grain == "range" and r.previous().end == dt.date(2025, 12, 31)
    with pytest.raises(ValueError):
        resolve_period("2027-01", AS_OF)
    with pytest.raises(ValueError):
        resolve_period("October", AS_OF)


def test_chart_validation_rejects_ragged_series():
    with pytest.raises(ValueError):
        Chart(key="x", title="x", kind="bar", categories=["a", "b"], series=[Series(name="s", values=[1.0])])


def test_html_header_figures_and_escaping():
    html = render_html(sample())
    p = parse_report(html)
    assert p.meta["workbook"] == "客户台账.xlsx"
    assert p.meta["as_of"] == "2026-11-23"
    assert p.meta["period"] == "2026-10 (2026-10-01 – 2026-10-31)"
    assert p.meta["base_currency"] == "CNY"
    assert p.meta["status"] == "草稿" and "approved_by" not in p.meta
    assert p.meta["lang"] == "zh-CN"
    assert p.kpis["sales"] == {"label": "销售额", "value": "1,234,568", "delta": "环比 +12.3%"}
    assert p.kpis["margin"]["value"] == "23.4%"
    assert p.tables["products"][0] == {"product": EVIL, "sales": "12,346", "share": "25.0%"}
    assert p.totals["products"]["sales"] == "49,382"
    assert p.charts == ["trend", "by_product", "mix", "corr"]
    # escaped, never live: the name appears only as text
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # self-contained: no fetched resources
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|url\(\s*["']?https?:|@import""", html)
    assert html.count("<svg") == 4 and "<style>" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # several charts on one page: no id defined twice


def test_html_approved_and_english():
    p = parse_report(render_html(sample("en", approved_by="王经理")))
    assert p.meta["status"] == "Approved"
    assert p.meta["approved_by"] == "王经理" and p.meta["approved_at"] == "2026-11-23 10:30"
    from crm_xl.i18n import to_traditional

    traditional = render_html(sample("zh-TW"))
    assert f"<th>{to_traditional('数据截至')}</th>" in traditional and "<th>数据截至</th>" not in traditional
    assert '<html lang="zh-Hant">' in traditional and '"Noto Sans CJK TC"' in traditional


def test_strict_undefined_and_autoescape_in_environment():
    from jinja2 import UndefinedError

    from crm_xl.reports.html import environment

    env = environment()
    assert env.autoescape is True or env.autoescape("x.html.j2")
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing.value }}").render()


def test_svg_charts_are_self_contained_and_deterministic():
    chart = sample().section("overview").charts[0]
    a, b = render_svg(chart, "zh-CN"), render_svg(chart, "zh-CN")
    assert a == b  # stable ids and no timestamp: reports can be diffed
    assert a.startswith("<svg") and 'width="100%"' in a and "<image" not in a
    empty = Chart(key="empty", title="空", kind="bar", categories=["a"], series=[Series(name="s", values=[0.0])])
    assert "<svg" in render_svg(empty, "en")


def test_pdf_charts_draw_each_hatch_once_and_dots_on_their_smallest_tile():
    """For the PDF, the bars of one hatched series are one path (WeasyPrint draws a pattern once
    per element) and the dot hatch is one period of matplotlib's 72-pt tile: the same bars, the
    same dots modulo the period, the background colour under the hatch instead of inside it."""
    n = 7
    chart = Chart(key="k", title="KPI", kind="stacked_bar", categories=[f"c{i}" for i in range(n)], fmt="num",
                  series=[Series(name=f"s{j}", values=[1.0 + i + j for i in range(n)]) for j in range(4)])
    html, pdf = render_svg(chart, "en"), render_svg(chart, "en", text_as_paths=False)

    def patterns(svg):
        return {m[1]: (int(m[2]), m[3]) for m in re.finditer(
            r'<pattern id="([^"]+)"[^>]* width="(\d+)" height="\d+">(.*?)</pattern>', svg, re.S)}

    big, small = patterns(html), patterns(pdf)
    assert set(big) == set(small) and len(big) == 3  # "", "///", "...", "xxx": three hatched series
    for pid in big:
        assert html.count(f"url(#{pid})") == n + 1 and pdf.count(f"url(#{pid})") == 2  # the bars, the legend
        assert "<rect" in big[pid][1] and "<rect" not in small[pid][1]
    dots = next(pid for pid, (size, body) in big.items() if body.count("C ") > 100)
    period, body = small[dots]
    assert big[dots][0] == 72 and 72 % period == 0 and period < 72 and len(body) * 10 < len(big[dots][1])

    def starts(body, p):
        return {(round(float(x) % p, 2) % p, round(float(y) % p, 2) % p)
                for x, y in re.findall(r"M (-?[\d.]+) (-?[\d.]+)", body)}

    assert starts(body, period) == starts(big[dots][1], period)
    bars = re.findall(r'<path d="([^"]+)" clip-path="[^"]*" style="fill: url', html)
    assert len(bars) == 3 * n and all(bar in pdf for bar in bars)  # every bar drawn, in the same place


def test_chinese_glyphs_are_drawn_not_tofu():
    """A CJK title drawn with the packaged CJK font has many distinct glyph paths; DejaVu would draw boxes."""
    from crm_xl.reports.charts import font_family

    assert cjk_font_available()
    assert font_family("zh-CN")[0] == "crm-xl Noto Sans SC" and font_family("zh-TW")[0] == "crm-xl Noto Sans TC"
    chart = Chart(key="cjk", title="销售额趋势预测", kind="bar", categories=["甲", "乙"],
                  series=[Series(name="本期", values=[1.0, 2.0])])
    svg = render_svg(chart, "zh-CN")
    glyphs = set(re.findall(r'<path id="([^"]+)"', svg))
    assert any("CJK" in g or "Noto" in g for g in glyphs), sorted(glyphs)[:5]


def _chart_refs(xlsx) -> dict[str, list[str]]:
    out = {}
    with zipfile.ZipFile(xlsx) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("xl/charts/chart")):
            out[name] = re.findall(r"<c:f>([^<]+)</c:f>", z.read(name).decode("utf-8"))
    return out


def test_xlsx_native_charts_reference_the_data_sheet(tmp_path):
    from python_calamine import CalamineWorkbook

    path = tmp_path / "r.xlsx"
    ranges = write_xlsx(sample(), path)
    refs = _chart_refs(path)
    assert len(refs) == 4
    trend = refs["xl/charts/chart1.xml"]
    # 12 months → rows 3..14 of the data sheet: categories in A, actual in B, forecast C, lower D, upper E
    assert trend == ["图表数据!$A$3:$A$14", "图表数据!$B$3:$B$14", "图表数据!$A$3:$A$14", "图表数据!$C$3:$C$14",
                     "图表数据!$A$3:$A$14", "图表数据!$D$3:$D$14", "图表数据!$A$3:$A$14", "图表数据!$E$3:$E$14"]
    assert [r.last_row - r.first_row + 1 for r in ranges["by_product"]] == [2, 2]
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names[:2] == ["仪表板", "图表数据"]
    data = wb.get_sheet_by_name("图表数据").to_python()
    assert data[2][:2] == ["2026-01", 100000.0] and data[13][0] == "2026-12"
    assert data[11][3] == 1_000_000.0 and data[12][4] == 1_300_000.0  # 2026-10 lower, 2026-11 upper
    dash = wb.get_sheet_by_name("仪表板").to_python()
    flat = [c for row in dash for c in row]
    assert "客户台账.xlsx" in flat and "CNY" in flat and "草稿" in flat
    tables = wb.get_sheet_by_name("销售概况").to_python()
    assert [r[:3] for r in tables[2:4]] == [[EVIL, 12345.6, 0.25], ["=HYPERLINK(\"http://x\")", 37036.8, 0.75]]
    with zipfile.ZipFile(path) as z:  # no cell became a formula
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.libreoffice
def test_xlsx_opens_in_libreoffice(tmp_path):
    soffice = require_soffice("calc")
    path = tmp_path / "r.xlsx"
    write_xlsx(sample("en", approved_by="Wang"), path)
    run = subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(path)],
                         capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "out" / "r.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr
    pages = page_images(pdf, tmp_path)
    assert pages and pages[0].std() > 10  # the dashboard page has content


def _check_pdf(pdf, tmp_path, min_pages=1):
    pages = page_images(pdf, tmp_path)
    assert len(pages) >= min_pages
    for page in pages:
        assert page.std() > 8, "a blank page"
    return pages


@pytest.mark.skipif(not weasyprint_available(), reason="weasyprint not installed")
def test_pdf_with_weasyprint(tmp_path):
    pdf = tmp_path / "r.pdf"
    assert html_to_pdf(render_html(sample()), pdf, "weasyprint") == "weasyprint"
    _check_pdf(pdf, tmp_path, min_pages=2)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "销售业绩报告" in text and "1,234,568" in text


@pytest.mark.libreoffice
def test_pdf_with_libreoffice(tmp_path):
    require_soffice("writer")  # LibreOffice imports the HTML into Writer
    pdf = tmp_path / "r.pdf"
    html = render_html(sample("en"))
    assert "<svg" not in for_libreoffice(html) and for_libreoffice(html).count("data:image/svg+xml;base64,") == 4
    assert html_to_pdf(html, pdf, "libreoffice") == "libreoffice"
    _check_pdf(pdf, tmp_path)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Sales performance report" in text and "1,234,568" in text


def test_write_report_is_atomic_and_checks_the_suffix(tmp_path):
    out = write_report(sample(), tmp_path / "sub" / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["r.html"]  # no temp file left behind
    with pytest.raises(ValueError):
        write_report(sample(), tmp_path / "r.docx")


def test_replacing_a_report_keeps_a_backup(tmp_path):
    """Like every output, a report that replaces an existing file keeps it as a timestamped backup."""
    from crm_xl.ports.atomic import list_backups

    dst = tmp_path / "report.html"
    dst.write_text("old report", encoding="utf-8")
    write_report(sample(), dst)
    backups = list_backups(dst)
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == "old report"
    assert "old report" not in dst.read_text(encoding="utf-8")
