"""Intake in every reader: headers by synonym and fuzzy guess, values as people type them, and
never a column ignored in silence (findings and the data-coverage line)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from typer.testing import CliRunner

from conftest import plain_value
from crm_xl.cli import app
from crm_xl.intake.matching import match_headers, match_sheet_name
from crm_xl.intake.values import country_code, parse_money_text
from crm_xl.parsing import parse_datetime_text
from crm_xl.ports.reader import read_register
from crm_xl.schema import SHEETS

runner = CliRunner()
WIDE = {"COLUMNS": "250"}


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook as a person types it (xlsxwriter, independent of crm-xl's template)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


# -- matching ---------------------------------------------------------------------------------------

def test_headers_by_label_synonym_and_fuzzy_guess():
    opp = SHEETS["opportunities"]
    got = {m.header: (m.key, m.how) for m in match_headers(opp, ["阶段", "金额", "预计成交", "业务员", "Stage",
                                                                  "Expectd close date", "说不清"])}
    assert got["阶段"] == ("stage", "synonym")
    assert got["金额"] == ("amount", "synonym")
    assert got["预计成交"] == ("expected_close_date", "synonym")
    assert got["业务员"] == ("owner", "synonym")
    assert got["Stage"] == (None, "none")  # 阶段 already took the stage column: not merged silently
    assert got["Expectd close date"] == (None, "none")  # expected_close_date is taken too
    assert got["说不清"] == (None, "none")
    fuzzy = {m.header: (m.key, m.how) for m in match_headers(SHEETS["contacts"], ["Emial", "Phonee"])}
    assert fuzzy == {"Emial": ("email", "fuzzy"), "Phonee": ("phone", "fuzzy")}


def test_traditional_headers_and_sheet_names_match_simplified_synonyms():
    got = {m.header: m.key for m in match_headers(SHEETS["customers"], ["客戶名稱", "國家", "業務員", "首次聯繫日期"])}
    assert got == {"客戶名稱": "company_name", "國家": "country", "業務員": "owner", "首次聯繫日期": "first_contact_date"}
    assert match_sheet_name("客戶資料").key == "customers"
    assert match_sheet_name("商機跟進").key == "opportunities"
    assert match_sheet_name("Deals").key == "opportunities"
    assert match_sheet_name("投诉登记").key == "tickets"
    assert match_sheet_name("随便").key is None


def test_two_equally_good_candidates_are_no_guess():
    # "日期" would fit activities.date exactly; "下次日期" is as close to 下次跟进日期 (next_date) as …
    ms = match_headers(SHEETS["orders"], ["日期1"])  # 下单日期, 发货日期, 到货日期 … all equally close
    assert ms[0].key is None and ms[0].how == "none"


# -- values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,code", [("美国", "US"), ("英国", "GB"), ("德国", "DE"), ("UK", "GB"), ("USA", "US"),
                                       ("Deutschland", "DE"), ("美國", "US"), ("United States", "US"),
                                       ("阿联酋", "AE"), ("de", "DE"), ("日本", "JP")])
def test_country_names(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text,row,expected", [
    ("$12,000", None, (12000.0, "USD")), ("USD 12,000", None, (12000.0, "USD")), ("12000美元", None, (12000.0, "USD")),
    ("€8.500,00", None, (8500.0, "EUR")), ("RMB 5万", None, (50000.0, "CNY")), ("1.2万", None, (12000.0, None)),
    ("8.500", "EUR", (8500.0, None)), ("8.500", "USD", (8.5, None)), ("8,500", "USD", (8500.0, None)),
    ("8,500", "EUR", (8500.0, None)), ("EUR 8,500", None, (8500.0, "EUR")), ("8,5", "EUR", (8.5, None)),
    ("8.500", "BRL", (8500.0, None)), ("1.234.567", None, (1234567.0, None)), ("5万元", None, (50000.0, "CNY")),
    ("HK$ 300", None, (300.0, "HKD")), ("$300", "HKD", (300.0, "HKD")), ("十二", None, (None, None)),
    ("12 foo", None, (None, None)), ("$12 €", None, (None, None)),
])
def test_money_as_typed(text, row, expected):
    assert parse_money_text(text, row) == expected


def test_dates_as_typed():
    assert parse_datetime_text("26/3/5") == dt.datetime(2026, 3, 5)
    assert parse_datetime_text("2026年03月05日 周四") == dt.datetime(2026, 3, 5)
    assert parse_datetime_text("2026-03-05 (Thu)") == dt.datetime(2026, 3, 5)
    assert parse_datetime_text("05/03/26") is None  # 2005-03-26 or 2026-03-05: a finding, not a guess


# -- a team's own deal sheet through every door -----------------------------------------------------

def own_book(path: Path) -> Path:
    return write_book(path, {
        "客户信息": [
            ["客户编号", "客户名称", "国家", "客户来源", "业务员", "首次联系日期", "录入日期", "状态", "微信群"],
            ["C1", "Acme Inc.", "美国", "阿里国际站", "王芳", dt.date(2026, 1, 5), dt.date(2026, 1, 6), "合作中", "群1"],
            ["C2", "Berlin Tools GmbH", "德国", "展会", "李强", dt.date(2026, 2, 1), dt.date(2026, 2, 2), "潜在", "群2"],
        ],
        "商机": [
            ["商机编号", "客户编号", "商机名称", "阶段", "金额", "币种", "预计成交", "创建日期", "业务员", "状态", "备用列", "下一步"],
            ["O1", "C1", "Pumps", "谈判中", "$12,000", None, dt.date(2026, 12, 10), dt.date(2026, 9, 1), "王芳", "跟进中", "x", "寄样"],
            ["O2", "C2", "Valves", "已报价", "€8.500,00", "EUR", dt.date(2026, 12, 20), dt.date(2026, 9, 3), "李强", "进行中", None, "报价"],
            ["O3", "C2", "Seals", "需求明确", "$1,000", "EUR", dt.date(2026, 12, 20), dt.date(2026, 9, 3), "李强", "进行中", None, "报价"],
        ],
    })


def test_own_layout_is_read_and_every_guess_and_gap_is_said(tmp_path):
    book = own_book(tmp_path / "我的客户表.xlsx")
    before = book.read_bytes()
    reg = read_register(book)
    cust, opp = reg["customers"], reg["opportunities"]
    assert cust["country"].tolist() == ["US", "DE"]
    assert cust["source_channel"].tolist() == ["online_platform", "trade_fair"]
    assert opp["stage"].tolist() == ["negotiation", "qualified", "qualified"]
    assert opp["currency"].tolist() == ["USD", "EUR", "EUR"]  # O1's blank currency from "$12,000"
    assert opp["amount"].tolist()[:2] == [12000.0, 8500.0]
    assert pd.isna(opp["amount"].iloc[2])  # "$1,000" in a EUR row: unusable, with a finding
    findings = {(f.code, f.sheet, f.value) for f in reg.reader_findings()}
    assert ("R009", "opportunities", "$1,000") in findings
    assert ("R004", "customers", "微信群") in findings or ("R005", "customers", "微信群") in findings
    assert any(f.sheet == "opportunities" and f.value == "备用列" and f.code in ("R004", "R005", "R006")
               for f in reg.reader_findings())
    assert book.read_bytes() == before

    res = runner.invoke(app, ["analyze", str(book), "--as-of", "2026-11-23", "--format", "json"], env=WIDE)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    # weighted by hand: 12000 USD × 0.7 × 7.1 + 8500 EUR × 0.4 × 7.75 (O3's amount is unusable)
    assert data["forecast"]["total"]["weighted"] == pytest.approx(12000 * 0.7 * 7.1 + 8500 * 0.4 * 7.75, abs=0.01)
    sheets = data["coverage"]["sheets"]
    assert sheets["customers"]["rows_read"] == 2
    assert sheets["customers"]["unmapped_headers"] == ["微信群"]
    assert sheets["opportunities"]["columns_mapped"] == 11 and sheets["opportunities"]["columns_total"] == 12
    assert "measures" in data["coverage"]

    text = runner.invoke(app, ["analyze", str(book), "--as-of", "2026-11-23"], env=WIDE).output
    assert "客户信息（客户）：2 行，已识别 8/9 列；未识别：微信群" in text


def test_unknown_header_message_names_the_closest_column(tmp_path):
    book = write_book(tmp_path / "b.xlsx", {"客户": [
        ["客户编号", "公司名称", "国家/地区", "来源渠道", "负责人", "首次接触日期", "录入日期", "客户状态", "采购额"],
        ["C1", "A", "US", "展会", "王", dt.date(2026, 1, 1), dt.date(2026, 1, 1), "合作中", 100]]})
    reg = read_register(book)
    msgs = [f.message("zh-CN") for f in reg.findings if f.value == "采购额"]
    assert msgs and msgs[0].startswith("列“采购额”未识别，是否为“")
    f = next(f for f in reg.findings if f.value == "采购额")
    assert f.cell == "I1"


def test_pipeline_without_amount_says_it_cannot_be_computed(tmp_path):
    book = write_book(tmp_path / "b.xlsx", {"商机": [
        ["商机编号", "客户编号", "商机名称", "阶段", "创建日期", "负责人", "状态"],
        ["O1", "C1", "X", "谈判中", dt.date(2026, 9, 1), "王", "进行中"]]})
    res = runner.invoke(app, ["analyze", str(book), "--as-of", "2026-11-23"], env=WIDE)
    assert res.exit_code == 0, res.output
    assert "加权销售预测无法计算（不是 0）" in res.output
    data = json.loads(runner.invoke(app, ["analyze", str(book), "--as-of", "2026-11-23", "--format", "json"]).output)
    assert data["coverage"]["sheets"]["opportunities"]["key_figure_computable"] is False


def test_every_renamed_optional_column_is_named(tmp_path):
    """Each optional column of the demo register renamed to an unknown word: each one is named in
    the findings and in the coverage line."""
    from crm_xl.workbook import demo_register

    reg, _ = demo_register(as_of=dt.date(2026, 11, 23), n_customers=8)
    sheets, renamed = {}, {}
    for key in ("customers", "contacts", "opportunities", "orders", "tickets", "activities"):
        sheet = SHEETS[key]
        frame = reg[key]
        cols = [c for c in sheet.columns_for("trade") if not c.derived]
        headers = []
        for i, c in enumerate(cols):
            if c.required:
                headers.append(c.label("zh-CN"))
            else:
                word = f"Qzx{key[:3]}{i}vv"
                headers.append(word)
                renamed.setdefault(key, []).append(word)
        rows = [headers]
        for rec in frame.head(3).to_dict("records"):
            rows.append([plain_value(rec.get(c.key)) for c in cols])
        sheets[sheet.label("zh-CN")] = rows
    book = write_book(tmp_path / "renamed.xlsx", sheets)
    read = read_register(book)
    named = {(f.sheet, f.value) for f in read.findings if f.code in ("R004", "R005")}
    from crm_xl.intake.report import coverage_lines

    lines = coverage_lines(read, "zh-CN")
    for key, words in renamed.items():
        line = next(ln for ln in lines if ln.startswith(SHEETS[key].label("zh-CN") + "："))
        for w in words:
            assert (key, w) in named, (key, w)
            assert w in line, (w, line)

