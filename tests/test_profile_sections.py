"""The auto demo's report renders: dealer, project and training sections in the report model."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_xl.demo import generate_demo
from crm_xl.register import Register
from crm_xl.reports.html import render_charts, render_html
from crm_xl.reports.model import Header, Period, Report
from crm_xl.reports.profile_sections import auto_sections, project_section, training_section
from crm_xl.settings import Settings

AS_OF = dt.date(2026, 11, 23)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_auto_demo_report_renders(lang):
    data = generate_demo(profile="auto", as_of=AS_OF)
    reg = Register.from_records(data.frames, settings=Settings(profile="auto"), lang=lang)
    start = dt.date(2026, 1, 1)
    sections = [*auto_sections(reg, AS_OF, start, AS_OF, lang), project_section(reg, AS_OF, lang),
                training_section(reg, start, AS_OF, lang)]
    header = Header(kind="monthly", title="4S", workbook="demo.xlsx", as_of=AS_OF,
                    period=Period(label="2026", start=start, end=AS_OF, grain="range"), base_currency="CNY", lang=lang,
                    generated_at=dt.datetime(2026, 11, 23, 18))
    report = Report(header=header, sections=sections)
    html = render_html(report, render_charts(report))
    sales = report.section("auto_sales")
    sold = sum(r["vehicles"] for r in sales.tables[0].rows)
    in_range = sum(1 for d in data.frames["vehicles"]["purchase_date"] if start <= d <= AS_OF)
    assert sold == in_range > 0
    assert ("车型销售" if lang == "zh-CN" else "Sales by model") in html
    retention = next(k for k in report.section("auto_service").kpis if k.key == "retention")
    assert 0 < retention.value <= 1
    assert report.section("projects").kpis[0].value == len(data.frames["projects"])
    assert "<svg" in html
