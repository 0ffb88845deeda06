"""Reports built from a small fixed register (tests/report_fixtures.py): the figures a reader sees
in the HTML are checked against the hand-worked numbers of the fixture, and the CLI end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("crm_xl.analysis", reason="analytics not merged yet")

from crm_xl.reports.build import build_report, prepare  # noqa: E402
from crm_xl.reports.html import render_html  # noqa: E402
from crm_xl.reports.output import write_demo_reports  # noqa: E402
from report_fixtures import AS_OF, SCRIPT_NAME, fixture_register  # noqa: E402
from report_html import parse_report  # noqa: E402


@pytest.fixture(scope="module")
def inputs():
    return prepare(fixture_register(), AS_OF, lang="zh-CN")


@pytest.fixture(scope="module")
def inputs_en():
    return prepare(fixture_register("en"), AS_OF, lang="en", approved_by="Wang Li",
                   approved_at=dt.datetime(2026, 11, 23, 16, 5))


def html_of(kind, x):
    return parse_report(render_html(build_report(kind, x)))


def test_default_period_is_the_last_complete_month(inputs):
    assert inputs.period.label == "2026-10"
    assert inputs.workbook == "客户台账.xlsx"


def test_sales_report_figures(inputs):
    p = html_of("sales", inputs)
    assert p.meta["period"] == "2026-10 (2026-10-01 – 2026-10-31)" and p.meta["status"] == "草稿"
    # October: SO3 30,000 CNY + SO4 USD 5,000 × 7.10 = 35,500; SO5 is cancelled
    assert p.kpis["sales"]["value"] == "65,500"
    assert p.kpis["sales"]["delta"] == "环比 +227.5%"  # vs September's 20,000
    assert p.kpis["sales_yoy"]["value"] == "555.0%"  # vs October 2025's 10,000
    assert p.kpis["quantity"]["value"] == "35" and p.kpis["orders"]["value"] == "2"
    assert p.kpis["gross_margin"]["value"] == "24.6%"  # (65,500 − 49,400) / 65,500
    assert p.kpis["gross_profit"]["value"] == "16,100"
    assert p.kpis["weighted"]["value"] == "75,000"  # 100,000 × 0.7 + 50,000 × 0.1
    assert p.kpis["open_opps"]["value"] == "2"
    products = {r["dim"]: r for r in p.tables["by_product"]}
    assert products["Panel"]["now"] == "35,500" and products["Panel"]["margin"] == "20.0%"
    assert products["LED-A"]["prev"] == "20,000" and products["LED-A"]["mom"] == "50.0%"
    assert products["LED-A"]["yoy"] == "200.0%" and products["Panel"]["mom"] == "—"
    assert p.totals["by_product"]["now"] == "65,500" and p.totals["by_product"]["share"] == "100.0%"
    regions = {r["dim"]: r["now"] for r in p.tables["by_region"]}
    assert regions == {"US": "35,500", "DE": "30,000"}
    owners = {r["dim"]: r["now"] for r in p.tables["by_owner"]}
    assert owners == {"李四": "35,500", "张三": "30,000"}
    pipeline = {r["month"]: r for r in p.tables["pipeline"]}
    assert pipeline["2026-12"]["weighted"] == "70,000" and pipeline["2026-12"]["best_case"] == "100,000"
    assert pipeline["无预计成交日"]["weighted"] == "5,000"
    assert p.totals["pipeline"]["pipeline"] == "150,000"
    corr = {r["owner"]: (r["activities"], r["won"]) for r in p.tables["activities_vs_sales"]}
    assert corr == {"张三": ("3", "50,000"), "李四": ("1", "35,500"), "王五": ("1", "0")}
    assert len(p.tables["trend_forecast"]) == 12
    assert {"sales_trend", "by_product", "by_region", "by_owner", "pipeline_by_month", "pipeline_by_stage",
            "activities_vs_sales"} <= set(p.charts)


def test_customer_report_figures_and_escaping(inputs):
    report = build_report("customers", inputs)
    html = render_html(report)
    p = parse_report(html)
    assert p.kpis["customers"]["value"] == "4"
    assert p.kpis["new_customers"]["value"] == "1"  # C2's first order is in October
    assert p.kpis["active_customers"]["value"] == "2"  # C1 and C2 ordered in October
    assert p.kpis["churned_customers"]["value"] == "0"
    assert p.kpis["important"]["value"] == "1"
    sources = {r["dim"]: r["count"] for r in p.tables["by_source"]}
    assert sources == {"展会": "1", "客户推荐": "1", "网络平台": "1", "客户来询": "1"}
    assert {r["dim"]: r["count"] for r in p.tables["by_country"]} == {"DE": "2", "US": "2"}
    assert {r["dim"]: r["count"] for r in p.tables["by_industry"]} == {"Retail": "3", "Wholesale": "1"}
    assert p.totals["by_scale"]["count"] == "4"
    names = [r["name"] for r in p.tables["lowest_completeness"]]
    assert SCRIPT_NAME in names  # shown as text …
    assert SCRIPT_NAME not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Trading Ltd" in html  # … never live


def test_customer_report_lists_duplicate_findings(inputs):
    pytest.importorskip("crm_xl.validation", reason="validation not merged yet")
    p = html_of("customers", inputs)
    assert int(p.kpis["duplicates"]["value"]) >= 1  # "Alpha Lighting GmbH" / "Alpha Lighting Co., Ltd."
    assert any(r["customer_id"] in ("C1", "C4") for r in p.tables["duplicates"])


def test_service_report_figures(inputs):
    p = html_of("service", inputs)
    assert p.kpis["tickets"]["value"] == "3" and p.kpis["complaints"]["value"] == "2"  # received in October
    assert p.kpis["on_time_rate"]["value"] == "66.7%"  # T1 and T3 on time, T2 closed after 3 working days
    assert p.kpis["reopen_rate"]["value"] == "33.3%"  # T2 reopened once
    assert p.kpis["satisfaction"]["value"] == "4.0"  # (5 + 3) / 2 over closed tickets with a score
    assert p.kpis["nps"]["value"] == "0"  # one promoter (10), one detractor (6), one passive (8)
    assert p.kpis["overdue"]["value"] == "1"  # T4: response and resolution both overdue
    by_type = {r["type"]: r for r in p.tables["by_type"]}
    assert by_type["投诉"]["tickets"] == "2" and by_type["投诉"]["on_time"] == "50.0%"
    assert by_type["咨询"]["on_time"] == "100.0%"
    overdue = p.tables["overdue"]
    assert {r["ticket_id"] for r in overdue} == {"T4"} and len(overdue) == 2
    csat = {r["dim"]: r for r in p.tables["csat"]}
    assert csat["总体"]["answers"] == "3" and csat["总体"]["csat"] == "66.7%" and csat["总体"]["mean"] == "4.0"
    assert csat["交付"]["csat"] == "33.3%"


def test_monthly_report_combines_headlines_and_kpi(inputs):
    p = html_of("monthly", inputs)
    assert p.kpis["sales"]["value"] == "65,500" and p.kpis["new_customers"]["value"] == "1"
    assert p.kpis["tickets"]["value"] == "3" and p.kpis["on_time_rate"]["value"] == "66.7%"
    ranking = p.tables["kpi_ranking"]
    assert [r["rank"] for r in ranking] == ["1", "2", "3"]
    assert {r["owner"] for r in ranking} == {"张三", "李四", "王五"}
    scores = [float(r["score"]) for r in ranking]
    assert scores == sorted(scores, reverse=True)
    grades = sum(int(p.kpis[f"grade_{g}"]["value"]) for g in ("excellent", "good", "pass", "fail"))
    assert grades == 3
    assert "kpi_scores" in p.charts and "sales_trend" in p.charts


def test_english_approved_report(inputs_en):
    p = html_of("sales", inputs_en)
    assert p.meta["status"] == "Approved" and p.meta["approved_by"] == "Wang Li"
    assert p.meta["approved_at"] == "2026-11-23 16:05" and p.meta["lang"] == "en"
    assert p.kpis["sales"]["label"] == "Sales (CNY)" and p.kpis["sales"]["delta"] == "MoM +227.5%"


def test_demo_reports(inputs, tmp_path):
    written = write_demo_reports(inputs, tmp_path)
    assert {"sales.html", "customers.html", "service.html", "monthly.html", "monthly.xlsx"} <= set(written)
    charts = len(build_report("monthly", inputs).charts())
    with zipfile.ZipFile(written["monthly.xlsx"]) as z:
        assert charts >= 4 and sum(n.startswith("xl/charts/chart") for n in z.namelist()) == charts
    if "monthly.pdf" in written:
        assert written["monthly.pdf"].read_bytes()[:5] == b"%PDF-"


def test_cli_report_reads_only_and_writes_atomically(tmp_path):
    from typer.testing import CliRunner

    from crm_xl.cli import app
    from crm_xl.ports.template import write_register

    book = tmp_path / "客户台账.xlsx"
    write_register(book, fixture_register(), lang="zh-CN")
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    runner = CliRunner()
    out = tmp_path / "out" / "sales.html"
    res = runner.invoke(app, ["report", str(book), "--kind", "sales", "--as-of", "2026-11-23", "--period", "2026-10",
                              "--approved-by", "王经理", "--out", str(out)])
    assert res.exit_code == 0, res.output
    p = parse_report(out.read_text(encoding="utf-8"))
    assert p.kpis["sales"]["value"] == "65,500"
    assert p.meta["workbook"] == "客户台账.xlsx" and p.meta["approved_by"] == "王经理"
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert sorted(x.name for x in out.parent.iterdir()) == ["sales.html"]
    xlsx = tmp_path / "monthly.xlsx"
    res = runner.invoke(app, ["report", str(book), "--kind", "monthly", "--as-of", "2026-11-23", "--lang", "en",
                              "--out", str(xlsx)])
    assert res.exit_code == 0, res.output
    assert zipfile.ZipFile(xlsx).testzip() is None
    bad = runner.invoke(app, ["report", str(book), "--kind", "weekly", "--out", str(tmp_path / "x.html")])
    assert bad.exit_code != 0
    same = runner.invoke(app, ["report", str(book), "--kind", "sales", "--out", str(book)])
    assert same.exit_code != 0 and hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_reports_skip_the_follow_up_plan_and_keep_the_review_s_analysis(monkeypatch):
    """A report shows no follow-up plan, so prepare() does not build one (0.4–0.9 s of a monthly
    report); its analysis and service are the ones review() makes, figure for figure."""
    import crm_xl.followups
    from crm_xl.review import review

    register = fixture_register()
    reviewed = review(register, AS_OF, period="2026-10", lang="zh-CN")

    def no_plan(*args, **kwargs):
        raise AssertionError("a report built the follow-up plan")

    monkeypatch.setattr(crm_xl.followups, "build_followups", no_plan)
    x = prepare(register, AS_OF, lang="zh-CN")
    assert x.period.label == "2026-10"
    mine, theirs = x.analysis.to_json("zh-CN"), reviewed.analysis.to_json("zh-CN")
    for key in ("followups", "service"):  # the review's JSON of the plan and of the service report
        mine.pop(key), theirs.pop(key)
    assert mine == theirs
    assert x.service.to_json() == reviewed.service.to_json()
    assert list(x.findings) == list(reviewed.validation.findings)
