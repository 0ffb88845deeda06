"""Units written into headers (``年采购额(万元)``, ``Amount (USD thousands)``): a 50 under 万元 is
500,000, read so and said so, through every door that maps a user's header to a column — the file
reader (validate/analyze), ``crm-xl import`` with and without a map file, and the Excel door. A unit
on a column that is no amount, or a word that is no known unit, is a finding, never a guess.

Workbooks are written with openpyxl as a person types them; results are read back from the CLI's
JSON and, for import, from the written register with python-calamine."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.intake.units import header_unit

runner = CliRunner()
AS_OF = "2026-11-23"
CUSTOMER_HEADERS = ["客户编号", "公司名称", "国家/地区", "来源渠道", "负责人", "首次接触日期", "录入日期", "客户状态"]


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False, env={"COLUMNS": "250"})


def customers_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append([*CUSTOMER_HEADERS, "年采购额(万元)", "币种", "信用额度（万美元）"])
    first, entered = dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 6)
    ws.append(["C1", "Acme Inc.", "US", "展会", "张三", first, entered, "合作中", 600, "CNY", 2])
    ws.append(["C2", "Beta GmbH", "DE", "展会", "张三", first, entered, "合作中", 1.23, "USD", 0.5])
    ws = wb.create_sheet("订单")
    ws.append(["订单编号", "客户编号", "下单日期", "产品", "数量(万)", "币种", "金额", "订单状态", "负责人"])
    ws.append(["SO1", "C2", dt.datetime(2026, 10, 5), "valve", 3, "USD", 100, "已确认", "张三"])
    wb.save(path)
    return path


def test_a_money_header_in_wan_is_scaled_and_said_at_its_cell(tmp_path):
    book = customers_book(tmp_path / "客户表.xlsx")
    data = json.loads(run("analyze", book, "--as-of", AS_OF, "--format", "json").output)
    scale = {c["customer_id"]: c["scale"] for c in data["customers"]}
    # 600 万元 = 6,000,000 ≥ 5,000,000 (large); 1.23 万 = 12,300 (small). Read as 600 it was small.
    assert scale == {"C1": "large", "C2": "small"}
    units = data["coverage"]["sheets"]["customers"]["header_units"]
    assert units["年采购额(万元)"] == {"column": "annual_purchase_amount", "unit": "万元", "applied": True,
                                     "factor": 10_000, "currency": None}
    assert units["信用额度（万美元）"]["currency"] == "USD"

    res = run("validate", book, "--format", "json")
    findings = json.loads(res.output)["findings"]
    [scaled] = [f for f in findings if f["code"] == "R013" and f["column"] == "annual_purchase_amount"]
    assert (scaled["sheet"], scaled["row"], scaled["cell"], scaled["value"]) == ("customers", 1, "I1", "年采购额(万元)")
    assert "万元" in scaled["message"] and "10,000" in scaled["message"]
    # 万美元 names a currency: the USD row takes it, the CNY row's credit limit is a conflict, not 20,000 CNY
    conflicts = [(f["row"], f["value"]) for f in findings if f["code"] == "R009"]
    assert conflicts == [(2, 2)]
    # a unit on a column that is no amount: said, not applied
    [kept] = [f for f in findings if f["code"] == "R014"]
    assert (kept["sheet"], kept["column"], kept["cell"], kept["severity"]) == ("orders", "quantity", "E1", "warning")
    assert "数量(万)" in kept["message"] and "未换算" in kept["message"]

    en = run("validate", book, "--lang", "en").output.replace("\n", " ")
    assert "multiplied by 10,000" in " ".join(en.split())
    text = run("analyze", book, "--as-of", AS_OF).output.replace("\n", "")  # however the console wraps
    assert "按表头单位换算：年采购额(万元) ×10,000" in text


def test_import_scales_a_header_the_map_file_names_and_keeps_the_decimals(tmp_path):
    # The map file sends 成交额(千元) to the amount: the values were imported as 12.5, not 12,500.
    src = tmp_path / "订单2026.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "客户编号", "下单日期", "产品", "数量", "币种", "成交额(千元)", "成本(含税)", "订单状态", "业务员"])
    ws.append(["SO1", "C1", dt.datetime(2026, 10, 5), "valve", 10, "CNY", 12.5, 8, "已确认", "张三"])
    ws.append(["SO2", "C1", dt.datetime(2026, 10, 6), "pump", 1, "CNY", 1.001, 0.5, "已确认", "张三"])
    wb.save(src)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"columns": {"订单": {"成交额(千元)": "amount", "成本(含税)": "cost"}}}), encoding="utf-8")
    out = tmp_path / "台账.xlsx"
    res = run("import", src, "--out", out, "--map", mapping)
    assert res.exit_code == 0, res.output
    assert "成交额(千元) ×1,000" in res.output.replace("\n", "")

    book = CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_name("订单").to_python()
    amount, cost = rows[0].index("金额"), rows[0].index("成本")
    assert [r[amount] for r in rows[1:3]] == [12500.0, 1001.0]  # 1.001 × 1000 exactly, not 1000.9999999999999
    assert [r[cost] for r in rows[1:3]] == [8.0, 0.5]  # 含税 is no unit: read as written …
    notes = [r for r in book.get_sheet_by_name("导入说明").to_python() if r[4] in ("成交额(千元)", "成本(含税)")]
    said = " ".join(str(r[-1]) for r in notes)
    assert "1,000" in said and "“含税”不是已知的金额单位" in said  # … and said so

    data = json.loads(run("analyze", out, "--as-of", AS_OF, "--format", "json").output)
    [k] = [k for k in data["kpi"] if k["owner"] == "张三"]
    assert k["metrics"]["sales_amount"]["value"] == 13501.0


def test_the_excel_door_scales_as_the_file_reader_does(tmp_path):
    from crm_xl.excel.port import RecordingPort, read_register as read_from_port
    from crm_xl.ports.reader import read_register

    book = customers_book(tmp_path / "客户表.xlsx")
    from_file = read_register(book)
    from_port, _ = read_from_port(RecordingPort.from_file(book))
    for reg in (from_file, from_port):
        assert reg["customers"]["annual_purchase_amount"].tolist() == [6_000_000.0, 12_300.0]
        assert reg["customers"]["credit_limit"].isna().tolist() == [True, False]
        assert reg["customers"]["credit_limit"].iloc[1] == 5_000.0
        assert {f.code for f in reg.reader_findings()} >= {"R013", "R014", "R009"}
        assert reg["orders"]["quantity"].tolist() == [3.0]  # 数量(万): not applied, and said


@pytest.mark.parametrize("header, factor, currency", [
    ("年采购额(万元)", 10_000, None), ("年采购额（万美元）", 10_000, "USD"), ("金额(千元)", 1_000, None),
    ("Annual purchases (k USD)", 1_000, "USD"), ("Amount (USD thousands)", 1_000, "USD"),
    ("Amount (USD mn)", 1_000_000, "USD"), ("金额（百万美元）", 1_000_000, "USD"), ("金额(亿元)", 10**8, None),
    ("Sales (USD'000)", 1_000, "USD"), ("金额【单位：万元】", 10_000, None), ("Budget (millions)", 10**6, None),
])
def test_unit_words(header, factor, currency):
    unit = header_unit(header)
    assert unit is not None and unit.known
    assert (unit.factor, unit.currency) == (Decimal(factor), currency)


@pytest.mark.parametrize("header", ["金额(含税)", "金额(兆)", "Amount (RMB 10k)", "净重(kg)"])
def test_words_that_are_no_unit_are_not_guessed(header):
    unit = header_unit(header)
    assert unit is not None and not unit.known
