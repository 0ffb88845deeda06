"""Outputs: the 跟进计划 workbook (and per-owner books), the 投诉处理单 as HTML, xlsx and PDF, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.followups import build_followups
from crm_xl.forms import (complaint_context, open_complaints, pdf_engine, render_html, render_pdf, soffice_binary,
                          write_form_workbook)
from crm_xl.ports.followup_book import write_followup_book
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.reports.pdf import libreoffice_missing
from lo import require_soffice

AS_OF = date(2026, 12, 14)
REQUIRE = os.environ.get("CRM_XL_REQUIRE_LIBREOFFICE") == "1"


def _customer(cid, owner, **kw):
    return {"customer_id": cid, "company_name": f"{cid} 贸易有限公司", "country": "CN", "owner": owner,
            "status": "active", "first_contact_date": "2026-06-01", "entered_date": "2026-06-02",
            "last_info_update": "2026-01-01", "source_channel": "trade_fair", "scale": "large"} | kw


COMPLAINT = {
    "ticket_id": "T0042", "type": "complaint", "received_at": "2026-11-20 19:30", "channel": "email",
    "customer_id": "C1", "complainant": "Hans Müller", "contact_info": "+49 30 1234567", "order_id": "SO0815",
    "product": "不锈钢球阀 DN50", "category": "quality", "urgency": "high",
    "description": "到货 200 件中有 12 件阀体有砂眼 <b>压力测试渗漏</b>", "expected_resolution": "补发 12 件并承担运费",
    "responsible_dept": "质量部", "assignee": "王五", "first_response_at": "2026-11-23 10:00", "status": "closed",
    "closed_at": "2026-11-24 17:00", "satisfaction": 2, "root_cause": "铸造砂型含水量偏高",
    "solution": "空运补发 12 件", "compensation": 1850,
    "status_history": "已受理 2026-11-20 19:30>已分配 2026-11-21>调查中 2026-11-23 10:00>已关闭 2026-11-24 17:00",
}


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.from_records({
        "customers": [_customer("C1", "张三", country="DE"), _customer("C2", "李四"),
                      _customer("C3", "张三", last_info_update="2026-12-01"),
                      _customer("C4", "=HYPERLINK(\"x\")", last_info_update="2026-01-05")],
        "tickets": [COMPLAINT,
                    COMPLAINT | {"ticket_id": "T0043", "status": "investigating", "closed_at": None,
                                 "satisfaction": None, "status_history": None, "customer_id": "C2"},
                    COMPLAINT | {"ticket_id": "T0044", "type": "inquiry", "status": "received", "closed_at": None}],
    })


def _read(path: Path) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_index(0).to_python()


def test_plan_workbook_one_sheet_filter_freeze_and_colours(register, tmp_path) -> None:
    plan = build_followups(register, AS_OF, "zh-CN", scale=pd.Series({"C1": "large", "C2": "small", "C3": "small"}))
    out = tmp_path / "plan.xlsx"
    n = write_followup_book(plan, out, "zh-CN", AS_OF)
    rows = _read(out)
    assert n == len(plan) == len(rows) - 1
    assert rows[0][:3] == ["负责人", "到期日", "优先级"]
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["跟进计划"]
    # formula-looking text stays text
    assert any(r[0] == '=HYPERLINK("x")' for r in rows[1:])
    import zipfile

    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<autoFilter" in xml and 'state="frozen"' in xml and "<f>" not in xml


def test_due_today_yellow_overdue_red_future_plain(tmp_path) -> None:
    import openpyxl

    frame = pd.DataFrame({"owner": ["甲"] * 3, "due": pd.to_datetime(["2026-12-10", "2026-12-14", "2026-12-20"]),
                          "priority": [1, 2, 3], "customer_id": ["A", "B", "C"], "reason": ["r"] * 3})
    out = tmp_path / "p.xlsx"
    write_followup_book(frame, out, "en", AS_OF)
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "Follow-up plan" and ws.freeze_panes == "A2" and ws.auto_filter.ref
    fills = [ws.cell(row=r, column=1).fill.fgColor.rgb for r in (2, 3, 4)]
    assert fills[0].endswith("F8CBAD") and fills[1].endswith("FFF2CC") and not fills[2].endswith(("F8CBAD", "FFF2CC"))
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd" and ws.cell(row=3, column=3).value == "2 medium"


def test_split_by_owner_contains_no_other_owners_customer(register, tmp_path) -> None:
    runner = CliRunner()
    src = tmp_path / "register.xlsx"
    write_register(src, register)
    out, split = tmp_path / "plan.xlsx", tmp_path / "owners"
    res = runner.invoke(app, ["followups", str(src), "--as-of", AS_OF.isoformat(), "--out", str(out),
                              "--split-by-owner", str(split)])
    assert res.exit_code == 0, res.output
    customers_of = register.frames["customers"].set_index("customer_id")["owner"].to_dict()
    files = sorted(split.glob("*.xlsx"))
    assert {f.name for f in files} >= {"跟进计划_张三.xlsx", "跟进计划_李四.xlsx"}
    seen = set()
    for f in files:
        rows = _read(f)[1:]
        owners = {r[0] for r in rows}
        assert len(owners) == 1, f
        owner = owners.pop()
        seen |= {r[3] for r in rows}
        for r in rows:  # every customer in this book belongs to this owner (or is this owner's ticket)
            assert customers_of.get(r[3]) == owner or r[10], (f, r)
    whole = {r[3] for r in _read(out)[1:]}
    assert seen == whole  # nothing lost in the split


def test_complaint_form_html_is_escaped_and_complete(register) -> None:
    ctx = complaint_context(register, "T0042", AS_OF, "zh-CN")
    html = render_html(ctx)
    assert "&lt;b&gt;压力测试渗漏&lt;/b&gt;" in html and "<b>压力测试渗漏" not in html
    for text in ("投诉处理单", "T0042", "C1 贸易有限公司", "Hans Müller", "补发 12 件并承担运费", "2026-11-23 18:00",
                 "2026-11-25 18:00", "调查中", "铸造砂型含水量偏高", "1,850.00", "2 / 5", "应重新处理",
                 "部门负责人", "客户确认", "Noto Sans CJK SC", "@page"):
        assert text in html, text
    en = render_html(complaint_context(register, "T0042", AS_OF, "en"))
    assert "Complaint Handling Form" in en and "Investigating" in en
    with pytest.raises(ValueError):
        complaint_context(register, "NOPE", AS_OF, "zh-CN")
    assert open_complaints(register) == ["T0043"]


def test_complaint_form_workbook_sheet_per_ticket(register, tmp_path) -> None:
    ctxs = [complaint_context(register, t, AS_OF, "zh-CN") for t in ("T0042", "T0043")]
    out = tmp_path / "forms.xlsx"
    assert write_form_workbook(ctxs, out) == 2
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["T0042", "T0043"]
    cells = {str(v) for row in wb.get_sheet_by_name("T0042").to_python() for v in row}
    assert {"投诉处理单", "Hans Müller", "铸造砂型含水量偏高", "处理人", "部门负责人", "客户确认"} <= cells


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _need(engine: str) -> None:
    if engine == "libreoffice":
        require_soffice("calc")  # the form's xlsx layout, printed by Calc
    available = shutil.which("pdftotext") and (engine == "libreoffice" or pdf_engine() == "weasyprint")
    if not available:
        if REQUIRE:
            pytest.fail(f"{engine} or pdftotext missing but CRM_XL_REQUIRE_LIBREOFFICE=1")
        pytest.skip(f"{engine} or pdftotext not installed")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["weasyprint", "libreoffice"])
def test_complaint_form_pdf_has_the_tickets_fields(register, tmp_path, engine) -> None:
    _need(engine)
    pdf = render_pdf(complaint_context(register, "T0042", AS_OF, "zh-CN"), tmp_path / "T0042.pdf", engine=engine)
    text = _pdf_text(pdf)
    squeezed = "".join(text.split())
    for field in ("投诉处理单", "T0042", "HansMüller", "SO0815", "不锈钢球阀DN50", "补发12件并承担运费", "质量部",
                  "铸造砂型含水量偏高", "空运补发12件", "1,850.00", "2/5", "2026-11-2518:00", "部门负责人", "客户确认"):
        assert field in squeezed, (engine, field)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in pages or "595" in pages


@pytest.mark.libreoffice
def test_cli_complaint_form_outputs(register, tmp_path) -> None:
    runner = CliRunner()
    src = tmp_path / "register.xlsx"
    write_register(src, register)
    res = runner.invoke(app, ["complaint-form", str(src), "T0042", "--out", str(tmp_path / "f.html")])
    assert res.exit_code == 0, res.output
    assert "T0042" in (tmp_path / "f.html").read_text(encoding="utf-8")
    res = runner.invoke(app, ["complaint-form", str(src), "--all", "--out", str(tmp_path / "all.xlsx"),
                              "--as-of", "2026-12-14"])
    assert res.exit_code == 0, res.output
    assert CalamineWorkbook.from_path(str(tmp_path / "all.xlsx")).sheet_names == ["T0043"]
    res = runner.invoke(app, ["complaint-form", str(src), "NOPE", "--out", str(tmp_path / "x.html")])
    assert res.exit_code == 3 and "NOPE" in res.output and not (tmp_path / "x.html").exists()
    res = runner.invoke(app, ["complaint-form", str(src), "T0042", "--out", str(tmp_path / "x.doc")])
    assert res.exit_code != 0
    if soffice_binary() and not libreoffice_missing("calc"):
        res = runner.invoke(app, ["complaint-form", str(src), "--all", "--engine", "libreoffice",
                                  "--out", str(tmp_path / "pdfs")])
        assert res.exit_code == 0, res.output
        assert [p.name for p in (tmp_path / "pdfs").iterdir()] == ["T0043.pdf"]
