"""``crm-xl import`` on the developers' own corpus (tests/data/own/, written by tests/own_corpus.py).

Each own workbook is imported through the CLI; the register it writes is read back and compared
column by column with the canonical records, and its analysis with the analysis of the same
records typed into ``crm-xl new``'s template — figures, not "it ran"."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import own_corpus as oc
from conftest import calamine_rows, plain_value, sha256
from crm_xl.cli import app
from crm_xl.ports.reader import read_register
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.settings import Settings

runner = CliRunner()
AS_OF = "2026-11-23"
COMPARED = ("customers", "forecast", "receivables", "kpi")


def analyze_json(path: Path) -> dict:
    res = runner.invoke(app, ["analyze", str(path), "--as-of", AS_OF, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


_TYPED: dict[str, dict] = {}


def typed_analysis(name: str, folder: Path) -> dict:
    """The analysis of the same records typed into crm-xl new's template (the oracle); cases that
    hold the same records share one."""
    records = oc.expected(name)
    key = json.dumps(records, sort_keys=True, default=str)
    if key not in _TYPED:
        path = folder / f"typed_{name}.xlsx"
        reg = Register.from_records(records, settings=Settings(), lang="zh-CN")
        write_register(path, reg, lang="zh-CN", settings=Settings())
        _TYPED[key] = analyze_json(path)
    return _TYPED[key]


def import_case(name: str, tmp: Path, *extra: str) -> tuple[Path, object]:
    src = tmp / name
    shutil.copy(oc.OWN / name, src)
    before = sha256(src)
    out = tmp / f"imported_{name}.xlsx"
    args = ["import", str(src), "--out", str(out), *extra]
    mp = oc.OWN / (Path(name).stem + ".map.json")
    if mp.exists():
        args += ["--map", str(mp)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert sha256(src) == before  # the source is only read
    return out, res


@pytest.mark.parametrize("name", sorted(oc.CASES))
def test_own_workbook_imports_to_the_typed_register(name, tmp_path):
    out, res = import_case(name, tmp_path)
    got = read_register(out)
    for sheet, records in oc.expected(name).items():
        frame = got[sheet]
        assert len(frame) == len(records), (sheet, len(frame))
        by_id = {r[oc.id_of(sheet)]: r for r in frame.to_dict("records")}
        for rec in records:
            row = by_id[rec[oc.id_of(sheet)]]
            for col, want in rec.items():
                assert plain_value(row[col]) == want, (sheet, rec[oc.id_of(sheet)], col, row[col], want)
    imported, typed = analyze_json(out), typed_analysis(name, tmp_path)
    for part in COMPARED:
        assert imported[part] == typed[part], part


def test_import_keeps_unplaced_values_and_writes_the_mapping(tmp_path):
    out, res = import_case("zh_basic.xlsx", tmp_path, "--save-map", str(tmp_path / "映射.json"))
    notes = calamine_rows(out, "导入说明")
    kept = [r for r in notes if r[0] == "保留"]
    assert sorted(r[5] for r in kept) == ["李强的客户群", "李强的客户群", "王芳的客户群", "王芳的客户群"]
    assert {r[4] for r in kept} == {"微信群"}
    mapping_rows = [r for r in notes if r[0] == "映射" and r[2] == "商机跟进"]
    assert ["阶段", "销售阶段"] in [[r[4], r[7]] for r in mapping_rows]
    saved = json.loads((tmp_path / "映射.json").read_text(encoding="utf-8"))
    assert saved["sheets"] == {"客户信息": "customers", "商机跟进": "opportunities", "订单记录": "orders"}
    assert saved["columns"]["商机跟进"]["金额"] == "amount"
    assert "数据覆盖：客户信息（客户）：4 行，已识别 8/9 列；未识别：微信群" in res.output


def test_flat_customer_list_splits_contacts_and_says_so(tmp_path):
    out, res = import_case("flat_customers_contacts.xlsx", tmp_path)
    assert "拆分到其他表：联系人→联系人.姓名、邮箱→联系人.电子邮箱" in res.output
    contacts = calamine_rows(out, "联系人")
    assert [r[:3] for r in contacts[1:4]] == [["P0001", "C0001", "John Smith"], ["P0002", "C0002", "Anna Müller"],
                                              ["P0003", "C0003", "Tom Brown"]]


def test_map_file_corrects_a_guess_and_unknown_keys_are_clear_errors(tmp_path):
    src = tmp_path / "own.xlsx"
    shutil.copy(oc.OWN / "zh_basic.xlsx", src)
    bad = tmp_path / "bad.json"
    for data, needle in (({"sheet": {}}, "unknown part 'sheet'"),
                         ({"sheets": {"商机跟进": "deals"}}, "'deals' is not a register sheet"),
                         ({"sheets": {"商机跟进": "opportunities"}, "columns": {"商机跟进": {"金额": "amout"}}},
                          "'amout' is not a column of opportunities"),
                         ({"values": {"stage": {"谈判中": "talks"}}}, "'talks' is not a code of stage")):
        bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        res = runner.invoke(app, ["import", str(src), "--out", str(tmp_path / "x.xlsx"), "--map", str(bad)])
        assert res.exit_code == 2 and needle in res.output, (needle, res.output)
        assert not (tmp_path / "x.xlsx").exists()
    # a map that re-reads 谈判中 as "qualified" wins over the synonym
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"values": {"stage": {"谈判中": "qualified"}}}, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["import", str(src), "--out", str(tmp_path / "y.xlsx"), "--map", str(good)])
    assert res.exit_code == 0, res.output
    assert read_register(tmp_path / "y.xlsx")["opportunities"]["stage"].tolist()[0] == "qualified"


def test_unreadable_value_keeps_its_text_and_is_noted(tmp_path):
    import xlsxwriter

    src = tmp_path / "deals.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("商机")
    for r, row in enumerate([["商机编号", "客户编号", "商机名称", "阶段", "金额", "创建日期", "业务员", "状态"],
                             ["O1", "C1", "X", "快成了", "大概一万", "下周", "王", "跟进中"]]):
        ws.write_row(r, 0, row)
    wb.close()
    res = runner.invoke(app, ["import", str(src), "--out", str(tmp_path / "r.xlsx"), "--save-map", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.output
    rows = calamine_rows(tmp_path / "r.xlsx", "销售机会")
    header = rows[0]
    assert rows[1][header.index("销售阶段")] == "快成了"
    assert rows[1][header.index("预计金额")] == "大概一万"
    assert rows[1][header.index("创建日期")] == "下周"
    notes = {r[5] for r in calamine_rows(tmp_path / "r.xlsx", "导入说明") if r[0] == "保留"}
    assert {"快成了", "大概一万", "下周"} <= notes
    saved = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert saved["values"]["stage"] == {"快成了": None}  # for the user to fill in


def test_held_out_workbook_with_a_map_of_its_stage_words_only(tmp_path):
    """A team layout none of the synonyms were written for: sheet names, headers and stage words
    unseen; the map names only the stage words. The oracle is computed by hand here."""
    import xlsxwriter

    src = tmp_path / "2026台账(销售二部).xlsx"
    wb = xlsxwriter.Workbook(str(src))
    fmt = wb.add_format({"num_format": "yyyy/m/d"})
    ws = wb.add_worksheet("老客户")
    ws.merge_range(0, 0, 0, 6, "销售二部 客户总表（更新到11月）")
    ws.write_row(1, 0, ["序号", "客户全称", "所在国家", "对接业务员", "首次联系时间", "建档日期", "客户来源", "年度采购金额", "合作状态"])
    customers = [(1, "Nordic Fish AS", "挪威", "赵六", dt.datetime(2025, 5, 1), dt.datetime(2025, 5, 2), "展会", "600万", "合作中"),
                 (2, "Lima Foods SAC", "秘鲁", "赵六", dt.datetime(2025, 7, 9), dt.datetime(2025, 7, 9), "谷歌推广", "150万", "合作中"),
                 (3, "Dubai Trading LLC", "阿联酋", "钱七", dt.datetime(2026, 1, 3), dt.datetime(2026, 1, 4), "阿里国际站", "8万", "潜在")]
    for r, row in enumerate(customers, start=2):
        for c, v in enumerate(row):
            ws.write_datetime(r, c, v, fmt) if isinstance(v, dt.datetime) else ws.write(r, c, v)
    ws2 = wb.add_worksheet("在谈项目")
    ws2.write_row(0, 0, ["客户全称", "项目", "进展", "报价金额", "预计签约日期", "登记日期", "对接业务员", "下一步计划"])
    deals = [("Nordic Fish AS", "冷链设备", "P3-议价", "USD 20,000", dt.datetime(2026, 12, 15), dt.datetime(2026, 9, 1), "赵六", "寄样"),
             ("Lima Foods SAC", "包装线", "P2-方案", "¥300,000", dt.datetime(2027, 1, 10), dt.datetime(2026, 10, 5), "赵六", "报价"),
             ("Dubai Trading LLC", "冷库", "P1-初谈", "5万美元", dt.datetime(2026, 12, 28), dt.datetime(2026, 11, 1), "钱七", "电话")]
    for r, row in enumerate(deals, start=1):
        for c, v in enumerate(row):
            ws2.write_datetime(r, c, v, fmt) if isinstance(v, dt.datetime) else ws2.write(r, c, v)
    wb.close()
    mp = tmp_path / "map.json"
    mp.write_text(json.dumps({"values": {"stage": {"P1-初谈": "interested", "P2-方案": "qualified", "P3-议价": "negotiation"}}},
                             ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "台账.xlsx"
    res = runner.invoke(app, ["import", str(src), "--out", str(out), "--map", str(mp)])
    assert res.exit_code == 0, res.output
    data = analyze_json(out)
    # oracle by hand (default probabilities 0.7/0.4/0.2; USD at 7.1): month → weighted (CNY)
    oracle = {"2026-12": 20000 * 7.1 * 0.7 + 50000 * 7.1 * 0.2, "2027-01": 300000 * 0.4}
    got = {m["month"]: m["weighted"] for m in data["forecast"]["by_month"] if m["weighted"]}
    assert got == pytest.approx(oracle, abs=0.01)
    reg = read_register(out)
    cust = reg["customers"].set_index("company_name")
    assert sorted(cust.index) == ["Dubai Trading LLC", "Lima Foods SAC", "Nordic Fish AS"]
    assert cust["country"].to_dict() == {"Nordic Fish AS": "NO", "Lima Foods SAC": "PE", "Dubai Trading LLC": "AE"}
    # scale from the annual purchase amount (SPEC defaults: large ≥ 5,000,000, medium ≥ 1,000,000 CNY)
    scale = {c["customer_id"]: c["scale"] for c in data["customers"]}
    ids = reg["customers"].set_index("customer_id")["company_name"].to_dict()
    assert {ids[k]: v for k, v in scale.items()} == {"Nordic Fish AS": "large", "Lima Foods SAC": "medium",
                                                    "Dubai Trading LLC": "small"}


def test_a_generated_customer_id_never_takes_one_typed_further_down(tmp_path):
    """A customer without an ID above one typed as C0001: the generated ID skips C0001 (it used to
    be handed out before the typed IDs below were known, and two customers shared it)."""
    import xlsxwriter

    src = tmp_path / "客户.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("客户")
    for r, row in enumerate([["客户编号", "公司名称", "国家"], [None, "Acme Trading LLC", "US"],
                             ["C0001", "Beta Handels GmbH", "DE"], [None, "Gamma SARL", "FR"]]):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    out = tmp_path / "导入.xlsx"
    res = runner.invoke(app, ["import", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    ids = {r[1]: r[0] for r in calamine_rows(out, "客户")[1:] if len(r) > 1 and r[1]}
    assert ids == {"Acme Trading LLC": "C0002", "Beta Handels GmbH": "C0001", "Gamma SARL": "C0003"}
