"""A big register is written in xlsxwriter's constant-memory mode; its header row must still be there."""

from __future__ import annotations

from crm_xl.ports import template
from crm_xl.ports.reader import read_register
from crm_xl.register import Register


def test_streamed_workbook_keeps_headers_and_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(template, "BIG", 3)  # 4 customers + settings rows ≥ 3 → constant_memory mode
    reg = Register.from_records({"customers": [
        {"customer_id": f"C{i}", "company_name": f"Co {i}", "country": "US", "source_channel": "trade_fair",
         "owner": "张三", "first_contact_date": "2026-01-01", "entered_date": "2026-01-02", "status": "active"}
        for i in range(4)]})
    path = tmp_path / "big.xlsx"
    template.write_register(path, reg, lang="en")
    back = read_register(path)
    assert back.frames["customers"]["customer_id"].tolist() == ["C0", "C1", "C2", "C3"]
    assert back.frames["customers"]["_row"].tolist() == [2, 3, 4, 5]
