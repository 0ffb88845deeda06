"""Errors never erase data: a finding makes a value unusable, never its record; every output says
what it left out; no crash on a blank or odd cell (issue 12). Regression tests for each crash the
issue names, run through the CLI on workbooks written as a user would have them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analytics_records import AS_OF, customer, opportunity, order
from crm_xl.cli import app
from crm_xl.contract import dumps
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.review import review

runner = CliRunner()
DAY = AS_OF.isoformat()


def book(tmp_path: Path, records: dict, name: str = "台账.xlsx") -> Path:
    path = tmp_path / name
    write_register(path, Register.from_records(records))
    return path


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------------------------------ per value
def test_the_issue_register_every_record_counts():
    recs = {
        "customers": [customer(f"C{i}") for i in range(1, 9)],
        # SO1 typed 2 % off quantity × unit price (V303): it counts with its amount
        "orders": [order("SO1", "C1", "2026-10-05", 10_200, quantity=10, unit_price=1000),
                   order("SO2", "C2", "2026-10-06", 5_000, quantity=5, unit_price=1000)],
        # an open contract-stage deal without an order number (V501) is in commit
        "opportunities": [opportunity("OC", "contract", 7_000, "2026-12-15"),
                          opportunity("ON", "negotiation", 3_000, "2026-12-20")],
    }
    recs["customers"][2]["country"] = "XX"  # an unusable country: the customer keeps its grade
    rv = review(Register.from_records(recs), AS_OF, period="2026-10", lang="en")
    codes = {f.code for f in rv.validation.findings if f.severity == "error"}
    assert {"V303", "V501", "V104"} <= codes
    data = rv.analysis.to_json("en")
    assert [c["customer_id"] for c in data["customers"]] == [f"C{i}" for i in range(1, 9)]
    assert all(c["scale"] and c["abc"] and c["risk"] for c in data["customers"])
    kpi = {k["owner"]: k for k in data["kpi"]}
    assert kpi["张三"]["metrics"]["sales_amount"]["value"] == 15_200.0  # 10,200 + 5,000, nothing dropped
    total = data["forecast"]["total"]
    assert (total["pipeline"], total["commit"], total["best_case"]) == (10_000.0, 7_000.0, 10_000.0)
    assert data["coverage"]["measures"]["pipeline"] == {"used": 2, "left_out": 0, "reasons": []}


def test_data_accuracy_three_error_rows_of_nineteen():
    # 王小明 has 19 rows (customers); 3 have an error (an unknown country code) → 16 / 19 = 84.2 %
    recs = {"customers": [customer(f"C{i:02d}", owner="王小明", country="XX" if i in (3, 7, 11) else "US")
                          for i in range(1, 20)],
            "staff": [{"staff_id": "S1", "name": "王小明", "period": "2026-10", "sales_target": 1000}]}
    rv = review(Register.from_records(recs), AS_OF, period="2026-10", lang="en")
    error_rows = {f.row for f in rv.validation.findings if f.severity == "error"}
    assert len(error_rows) == 3
    [k] = [k for k in rv.analysis.to_json()["kpi"] if k["owner"] == "王小明"]
    assert k["metrics"]["data_accuracy"]["value"] == pytest.approx(16 / 19, abs=1e-4)
    assert round(100 * k["metrics"]["data_accuracy"]["value"], 1) == 84.2


def test_data_accuracy_reads_every_owner_sheet():
    recs = {"customers": [customer("C1", owner="李四"), customer("C2", owner="李四", country="XX")],
            "orders": [order("SO1", "C1", "2026-10-05", 100, owner="李四")]}
    rv = review(Register.from_records(recs), AS_OF, period="2026-10")
    [k] = [k for k in rv.analysis.to_json()["kpi"] if k["owner"] == "李四"]
    assert k["metrics"]["data_accuracy"]["value"] == pytest.approx(2 / 3, abs=1e-4)


def test_coverage_names_a_bad_close_date_and_text_shows_one_line(tmp_path):
    recs = {"customers": [customer("C1")],
            "opportunities": [opportunity("O1", "negotiation", 1000, "2026-12-10", product="pump"),
                              opportunity("O2", "negotiation", 500, "2026-12-11", product="pump")]}
    recs["opportunities"][1]["expected_close_date"] = "下个月吧"  # unreadable: R001
    path = book(tmp_path, recs)
    res = run("analyze", path, "--as-of", DAY, "--format", "json", "--lang", "en")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    m = data["coverage"]["measures"]
    assert data["forecast"]["total"]["pipeline"] == 1500.0
    assert m["by_month"]["left_out"] == 1 and m["by_month"]["reasons"][0]["ids"] == ["O2"]
    assert m["by_month"]["reasons"][0]["reason"] == "expected_close_date unusable"
    assert m["by_product"]["left_out"] == 0
    text = run("analyze", path, "--as-of", DAY, "--lang", "en").output
    lines = [line for line in text.splitlines() if line.startswith("Left out: ")]
    assert lines == ["Left out: by month (Expected close unusable 1: O2); by region (Region missing 2: O1, O2)"]


# ------------------------------------------------------------------------------------------ crashes
def test_kpi_with_orders_of_customers_not_in_the_sheet(tmp_path):
    # kpi.py: ArrowInvalid "'王小明' as double" — owner lookup against an empty customer table
    recs = {"orders": [order("SO1", "C1", "2026-10-05", 100, owner="王小明")]}
    res = run("analyze", book(tmp_path, recs), "--as-of", DAY, "--format", "json", "--period", "2026-10")
    assert res.exit_code == 0, res.output
    [k] = [k for k in json.loads(res.output)["kpi"] if k["owner"] == "王小明"]
    assert k["metrics"]["sales_amount"]["value"] == 100.0


def test_kpi_with_chinese_country_names(tmp_path):
    recs = {"customers": [customer("C1", country="德国", owner="王小明"), customer("C2", country="美国")],
            "orders": [order("SO1", "C1", "2026-10-05", 100, owner="王小明")]}
    res = run("analyze", book(tmp_path, recs), "--as-of", DAY, "--format", "json")
    assert res.exit_code == 0, res.output
    assert {c["customer_id"] for c in json.loads(res.output)["customers"]} == {"C1", "C2"}


def test_staff_row_without_targets_gives_null_grade_and_text_renders(tmp_path):
    recs = {"customers": [customer("C1")], "orders": [order("SO1", "C1", "2026-10-05", 100)],
            "staff": [{"staff_id": "S1", "name": "王小明"}, {"staff_id": "S2", "name": "李四", "period": "2026-10"}]}
    path = book(tmp_path, recs)
    res = run("analyze", path, "--as-of", DAY, "--format", "json")
    assert res.exit_code == 0 and "NaN" not in res.output
    data = json.loads(res.output)
    assert {k["owner"]: k["grade"] for k in data["kpi"]}["王小明"] is None
    res = run("analyze", path, "--as-of", DAY)
    assert res.exit_code == 0 and "王小明" in res.output, res.output


def test_ticket_with_a_blank_status_gets_its_form(tmp_path):
    # forms.py: "boolean value of NA is ambiguous" on a ticket whose status cell is blank
    recs = {"customers": [customer("C1")],
            "tickets": [{"ticket_id": "TK1", "customer_id": "C1", "type": "complaint", "urgency": "high",
                         "received_at": "2026-11-20 09:00", "description": "漏水", "status": None}]}
    out = tmp_path / "单.html"
    res = run("complaint-form", book(tmp_path, recs), "TK1", "--as-of", DAY, "--out", out)
    assert res.exit_code == 0, res.output
    assert "TK1" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["sales", "monthly"])
def test_report_period_as_a_date_range(tmp_path, kind):
    # report --period 2026-01-01..2026-03-31 (the form --help shows): KeyError 'range'
    recs = {"customers": [customer("C1")], "orders": [order("SO1", "C1", "2026-02-05", 100),
                                                      order("SO0", "C1", "2025-02-05", 50)]}
    out = tmp_path / f"{kind}.html"
    res = run("report", book(tmp_path, recs), "--kind", kind, "--period", "2026-01-01..2026-03-31",
              "--as-of", DAY, "--out", out)
    assert res.exit_code == 0, res.output
    assert "2026-01-01..2026-03-31" in out.read_text(encoding="utf-8")


def test_reports_say_what_was_left_out(tmp_path):
    recs = {"customers": [customer("C1")],
            "opportunities": [opportunity("O1", "negotiation", 1000, None)]}
    out = tmp_path / "r.html"
    assert run("report", book(tmp_path, recs), "--kind", "sales", "--as-of", DAY, "--lang", "en",
               "--out", out).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="left-out"' in html and "O1" in html


def test_json_is_strict():
    text = dumps({"a": float("nan"), "b": [float("inf"), 1.5], "c": None})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": None}


def test_a_rewrite_keeps_what_the_user_typed(tmp_path):
    # the export writes the register again: an unreadable date and an unknown option keep their text,
    # as text, with the finding as the cell's comment — never a blank
    import openpyxl

    recs = {"customers": [customer("C1")],
            "opportunities": [opportunity("O1", "谈判中吧", 500, "下个月吧", customer_id="C1")]}
    src = book(tmp_path, recs)
    out = tmp_path / "导出.xlsx"
    res = run("export", src, "--out", out)
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["销售机会"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2, max_row=2) for c in row if c.value is not None}
    assert cells["下个月吧"].data_type == "s" and "R001" in cells["下个月吧"].comment.text
    assert "R002" in cells["谈判中吧"].comment.text


def test_on_the_demo_every_customer_is_graded_and_every_open_deal_counts():
    from crm_xl.currency import to_base
    from crm_xl.workbook import demo_register

    register, _ = demo_register(as_of=AS_OF, n_customers=40)
    rv = review(register, AS_OF)
    assert rv.validation.errors > 0  # the demo's planted mistakes are there …
    data = rv.analysis.to_json()
    ids = set(register["customers"]["customer_id"].dropna())
    graded = {c["customer_id"] for c in data["customers"] if c["scale"] and c["abc"] and c["risk"]}
    assert graded == ids  # … and still every customer with an ID has a grade
    opp = rv.validation.usable_frames()["opportunities"]
    live = opp[(opp["status"] == "open").fillna(False)]
    when = live["expected_close_date"].fillna(live["created_date"])
    amounts = to_base(live["amount"], live["currency"], when, register.settings)
    assert data["forecast"]["total"]["pipeline"] == pytest.approx(round(amounts.sum(), 2), abs=0.01)
    m = data["coverage"]["measures"]["pipeline"]
    named = {i for r in m["reasons"] for i in r["ids"]}
    assert m["used"] == amounts.notna().sum() and named == set(live.loc[amounts.isna(), "opportunity_id"])


def test_a_csv_export_keeps_what_the_user_typed_and_a_masked_one_does_not(tmp_path):
    import csv as _csv

    recs = {"customers": [customer("C1")],
            "opportunities": [opportunity("O1", "谈判中吧", 500, "下个月吧", customer_id="C1")]}
    src = book(tmp_path, recs)
    out = tmp_path / "导出"
    res = run("export", src, "--format", "csv", "--out", out)
    assert res.exit_code == 0, res.output
    with open(out / "opportunities.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(_csv.reader(fh))
    assert "下个月吧" in rows[1] and "谈判中吧" in rows[1]
    masked = tmp_path / "外发"
    res = run("export", src, "--format", "csv", "--mask", "--approval", "A-1", "--out", masked)
    assert res.exit_code == 0, res.output
    with open(masked / "opportunities.csv", encoding="utf-8-sig", newline="") as fh:
        assert "下个月吧" not in fh.read()


def test_a_duration_cell_in_a_mixed_column_is_a_finding_not_a_damaged_file(tmp_path):
    # One [h]:mm:ss cell in a column that also holds text or dates made fastexcel refuse the column,
    # and crm-xl called the whole workbook damaged (exit 2): every record lost for one cell.
    import datetime as dt

    import xlsxwriter

    from crm_xl.ports.reader import read_register

    path = tmp_path / "own.xlsx"
    wb = xlsxwriter.Workbook(path)
    hours, day = wb.add_format({"num_format": "[h]:mm:ss"}), wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("跟进记录")
    ws.write(0, 0, "2026年跟进台账")  # a title above the header: rows must still line up
    ws.write_row(2, 0, ["记录编号", "客户编号", "跟进日期", "跟进方式", "内容", "时长", "负责人"])
    for r, (when, length) in enumerate([(dt.datetime(2026, 3, 5), "30分钟"), (1.25, 0.5), (dt.datetime(2026, 3, 7), 2)]):
        ws.write_row(3 + r, 0, [f"A{r + 1}", "C1"])
        if isinstance(when, dt.datetime):
            ws.write_datetime(3 + r, 2, when, day)
        else:
            ws.write_number(3 + r, 2, when, hours)  # a duration typed into the date column
        ws.write_row(3 + r, 3, ["电话", "谈价格"])
        if isinstance(length, str):
            ws.write_string(3 + r, 5, length)
        else:
            ws.write_number(3 + r, 5, length, hours)
        ws.write(3 + r, 6, "张伟")
    wb.add_worksheet("客户").write_row(0, 0, ["客户编号", "公司名称", "国家", "负责人"])
    wb.close()

    register = read_register(path)
    acts = register.frames["activities"]
    assert acts["activity_id"].tolist() == ["A1", "A2", "A3"]
    assert acts["_row"].tolist() == [4, 5, 6]
    assert acts["时长"].tolist() == ["30分钟", "12:00:00", "48:00:00"]  # what the user typed, kept
    assert str(acts["date"].iloc[0].date()) == "2026-03-05" and acts["date"].isna().iloc[1]
    r = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert r.exit_code == 1, r.output
    bad = [f for f in json.loads(r.output)["findings"] if f["cell"] == "C5"]
    assert bad and bad[0]["code"] == "R001" and "30:00:00" in bad[0]["message"]


def test_a_serial_beyond_excel_dates_in_a_date_cell_is_a_finding_and_its_order_still_counts(tmp_path):
    # A date-formatted cell holding 1e300 (or 3e6: the year 10113) is no date. fastexcel handed the
    # first back as an empty cell — no finding, the delivery date silently gone — and the second
    # crashed the whole read (OverflowError). Each must be R001 naming its sheet, row, cell and
    # value, and each order still counts in the sales it has an amount and a date for.
    import datetime as dt

    import openpyxl

    path = tmp_path / "订单台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单编号", "客户编号", "下单日期", "产品", "数量", "币种", "金额", "发货日期", "订单状态", "负责人"])
    for oid, shipped in (("SO1", dt.datetime(2026, 10, 9)), ("SO2", 1e300), ("SO3", 3e6)):
        ws.append([oid, "C1", dt.datetime(2026, 10, 5), "valve", 1, "CNY", 1000, shipped, "已发货", "张三"])
        for col in (3, 8):
            ws.cell(ws.max_row, col).number_format = "yyyy-mm-dd"
    wb.create_sheet("客户").append(["客户编号", "公司名称", "国家/地区", "来源渠道", "负责人", "首次接触日期",
                                  "录入日期", "客户状态"])
    wb["客户"].append(["C1", "Acme Inc.", "US", "展会", "张三", "2026-01-05", "2026-01-06", "合作中"])
    wb.save(path)

    r = run("validate", path, "--format", "json")
    assert r.exit_code == 1, r.output
    found = {(f["sheet"], f["row"], f["cell"], f["column"], f["code"], f["value"])
             for f in json.loads(r.output)["findings"] if f["column"] == "ship_date"}
    assert ("orders", 3, "H3", "ship_date", "R001", 1e300) in found
    assert any(f[:5] == ("orders", 4, "H4", "ship_date", "R001") and "10113" in str(f[5]) for f in found)
    text = run("validate", path, "--lang", "en").output
    assert "1e+300" in text

    data = json.loads(run("analyze", path, "--as-of", DAY, "--format", "json").output)
    [k] = [k for k in data["kpi"] if k["owner"] == "张三"]
    assert k["metrics"]["sales_amount"]["value"] == 3000.0  # SO2 and SO3 count: amount and date are fine
