"""Worksheet functions: the UDF wrappers give the core's answers, read the workbook's Settings and
accept labels in any language; the core reads every threshold from Settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crm_xl import formulas
from crm_xl.excel import udfs
from crm_xl.excel.port import RecordingPort, read_settings
from crm_xl.excel.vba import udf_module_source
from crm_xl.register import Register
from crm_xl.settings import FxRate, Settings

S = Settings()


def test_stage_probability_and_weighted_accept_any_language() -> None:
    for stage in ("negotiation", "商务谈判", "商務談判", " Negotiation "):
        assert udfs.CRM_STAGE_PROB(stage) == formulas.stage_probability("negotiation", S) == 0.7
    assert udfs.CRM_WEIGHTED(1000, "需求明确") == pytest.approx(400.0)
    assert udfs.CRM_WEIGHTED(None, "lead") is None
    assert udfs.CRM_STAGE_PROB("nonsense").startswith("#")


def test_scale_and_abc_follow_settings() -> None:
    assert udfs.CRM_SCALE(5_000_000) == "大型" and udfs.CRM_SCALE(999_999.99) == "小型"
    assert formulas.scale_class(2_000_000, S.model_copy(update={"scale_medium_min": 3_000_000})) == "small"
    amounts = [[500.0], [300.0], [150.0], [50.0], [None], ["n/a"]]
    assert [udfs.CRM_ABC(amounts, a) for a in (500, 300, 150, 50, 0)] == ["A", "A", "B", "C", "C"]
    assert formulas.abc_class(amounts, 300, S.model_copy(update={"abc_a_share": 0.5})) == "B"


def test_dates_revisit_workdays_and_sla_use_the_company_calendar() -> None:
    # National Day 2025: Oct 1-8 are holidays, Sunday Sep 28 is a make-up working day.
    assert udfs.CRM_WORKDAYS(dt.datetime(2025, 9, 26), "2025-10-09") == 4  # Sep 28, 29, 30, Oct 9
    assert udfs.CRM_NEXT_REVISIT("2025-09-01", "大型") == dt.date(2025, 10, 9)  # +30 days = Oct 1 → rolled forward
    due = udfs.CRM_SLA_DUE(dt.datetime(2026, 3, 2, 10), "投诉", "紧急")
    assert due == dt.datetime(2026, 3, 5, 18, 0)
    inquiry = udfs.CRM_SLA_DUE(dt.datetime(2026, 3, 2, 10), "inquiry")
    assert inquiry == formulas.company_calendar(S).add_work_hours(dt.datetime(2026, 3, 2, 10), S.inquiry_response_hours)
    slower = S.model_copy(update={"resolution_days_high": 5})
    assert formulas.sla_due(dt.datetime(2026, 3, 2, 10), "complaint", "high", slower) == dt.datetime(2026, 3, 9, 18, 0)


def test_fx_uses_the_dated_rate_and_never_counts_a_missing_rate_one_to_one() -> None:
    rates = (FxRate(currency="USD", rate=7.0), FxRate(currency="USD", rate=7.2, valid_from=dt.date(2026, 6, 1)))
    s = S.model_copy(update={"fx_rates": rates})
    assert formulas.convert_currency(100, "usd", s, "2026-05-31") == pytest.approx(700.0)
    assert formulas.convert_currency(100, "USD", s, dt.date(2026, 6, 1)) == pytest.approx(720.0)
    assert formulas.convert_currency(100, "USD", s) == pytest.approx(720.0)
    assert formulas.convert_currency(100, "CNY", s) == 100
    with pytest.raises(formulas.FormulaError):
        formulas.convert_currency(100, "CHF", s)
    assert udfs.CRM_FX(100, "EUR") == pytest.approx(100 * 7.75)


def test_settings_come_from_the_workbook(tmp_path: Path) -> None:
    register = Register.from_records({"customers": [{"customer_id": "C1", "company_name": "A"}]})
    port = RecordingPort.from_register(register, tmp_path)
    grid = port.sheets["参数设置"]
    row = next(i for i, r in enumerate(grid) if r and r[0] == "scale_large_min")
    port.write_block("参数设置", f"B{row + 1}", [[8_000_000]])
    settings = read_settings(port)
    assert settings.scale_large_min == 8_000_000
    assert {name for name, _ in port.calls if name == "read_sheet"} == {"read_sheet"}
    assert all(sheet in ("参数设置", "阶段概率", "汇率", "节假日") for name, sheet in port.calls if name == "read_sheet")

    class Caller:  # what xlwings passes as `caller`: a range whose sheet.book is the workbook
        class sheet:  # noqa: N801
            book = object()

    from crm_xl.excel import port as excel_port

    original = excel_port.XlwingsPort
    excel_port.XlwingsPort = lambda book: port  # type: ignore[assignment]
    try:
        Caller.sheet.book = type("Book", (), {"fullname": str(tmp_path / "book.xlsx")})()
        assert udfs.CRM_SCALE(6_000_000, caller=Caller()) == "中型"
        assert udfs.CRM_SCALE(6_000_000) == "大型"
    finally:
        excel_port.XlwingsPort = original


def test_registry_generates_the_vba_module() -> None:
    names = [spec.name for spec in udfs.UDFS]
    assert names == ["CRM_STAGE_PROB", "CRM_WEIGHTED", "CRM_SCALE", "CRM_ABC", "CRM_NEXT_REVISIT", "CRM_WORKDAYS",
                     "CRM_FX", "CRM_SLA_DUE"]
    source = udf_module_source(udfs.UDFS)
    for spec in udfs.UDFS:
        assert f'XLPy.CallUDF("crm_xl.excel.udfs", "{spec.name}"' in source
        assert spec.description and spec.description.isascii()
        assert getattr(udfs, spec.name).__doc__.split("\n\n")[0].split()[0] in spec.description
