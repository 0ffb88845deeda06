"""``crm-xl merge``: the demo split by owner with ``export --owner``, two books edited (one edit
conflicting with the master's), merged back; results read with python-calamine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from conftest import cli_in_process, sha256

AS_OF = "2026-11-23"


run_cli = cli_in_process


def rows(path: Path, sheet: str) -> list[dict]:
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header = table[0]
    return [dict(zip(header, r)) for r in table[1:] if any(v not in ("", None) for v in r)]


def edit_book(path: Path, edit, out: Path | None = None) -> Path:
    """What a salesperson does in Excel: change cells and save (Excel keeps the document
    properties, so the export record is written back as Excel would keep it)."""
    from crm_xl.ports.books import metadata_writer, read_export_record
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.template import write_register

    register = read_register(path)
    record = read_export_record(path)
    edit(register.frames)
    target = out or path
    tmp = target.with_name("edit-" + target.name)
    write_register(tmp, register, lang=register.lang, after_sheets=metadata_writer(record) if record else None)
    tmp.replace(target)
    return target


def _set(frame: pd.DataFrame, id_column: str, rid: str, column: str, value) -> None:
    frame.loc[frame[id_column] == rid, column] = value


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    from crm_xl.workbook import build_workbook

    folder = tmp_path_factory.mktemp("team")
    master = folder / "台账.xlsx"
    build_workbook(master, lang="zh-CN", demo=True, as_of=dt.date.fromisoformat(AS_OF))
    customers = rows(master, "客户")
    owners = sorted({c["负责人"] for c in customers})
    books = {}
    for owner in owners[:3]:
        book = folder / f"{owner}.xlsx"
        result = run_cli("export", str(master), "--owner", owner, "--out", str(book))
        assert result.returncode == 0, result.stderr
        books[owner] = book
    return folder, master, books


def test_merge_takes_every_change_reports_the_conflict_and_resolves_an_id_clash(team):
    folder, master, books = team
    (a, book_a), (b, book_b) = list(books.items())[:2]
    a_customers = [c["客户编号"] for c in rows(book_a, "客户")]
    b_customers = [c["客户编号"] for c in rows(book_b, "客户")]
    a_contacts = [c["联系人编号"] for c in rows(book_a, "联系人")]
    b_opps = [o for o in rows(book_b, "销售机会") if o["机会编号"]]
    renamed_customer, a_dropped_contact = a_customers[0], a_contacts[0]
    conflict_customer, opp = b_customers[0], b_opps[0]["机会编号"]
    all_ids = [c["客户编号"] for c in rows(master, "客户")]
    next_id = f"C{max(int(i[1:]) for i in all_ids) + 1:05d}"
    before = {p: sha256(p) for p in [master, *books.values()]}

    # The master moves on after the export: the manager corrects B's customer's address and adds a
    # customer under the next free ID.
    master2 = folder / "台账-经理.xlsx"

    def manager(frames):
        _set(frames["customers"], "customer_id", conflict_customer, "address", "经理改的地址 1 号")
        new = frames["customers"].iloc[[0]].copy()
        new["customer_id"], new["company_name"] = next_id, "经理新增客户有限公司"
        frames["customers"] = pd.concat([frames["customers"], new], ignore_index=True)

    edit_book(master, manager, out=master2)

    def salesperson_a(frames):
        _set(frames["customers"], "customer_id", renamed_customer, "company_name", "A 改了名字有限公司")
        new = frames["customers"].iloc[[0]].copy()
        new["customer_id"], new["company_name"] = next_id, "A 新开发客户有限公司"  # the same ID: a clash
        frames["customers"] = pd.concat([frames["customers"], new], ignore_index=True)
        contact = frames["contacts"].iloc[[0]].copy()
        contact["contact_id"], contact["customer_id"], contact["name"] = "P99001", next_id, "新联系人"
        frames["contacts"] = pd.concat([frames["contacts"].iloc[1:], contact], ignore_index=True)  # one removed
        log = frames["changelog"]
        frames["changelog"] = pd.concat([log, pd.DataFrame([{
            "at": pd.Timestamp("2026-11-20 10:00"), "user": a, "sheet": "客户", "record_id": renamed_customer,
            "column": "公司名称", "old_value": "", "new_value": "A 改了名字有限公司", "reason": "客户公司更名，营业执照已核对",
            "_row": 99}])], ignore_index=True)

    def salesperson_b(frames):
        _set(frames["opportunities"], "opportunity_id", opp, "amount", 123456.0)
        _set(frames["customers"], "customer_id", conflict_customer, "address", "业务员改的地址 2 号")

    edit_book(book_a, salesperson_a)
    edit_book(book_b, salesperson_b)
    out = folder / "合并.xlsx"
    result = run_cli("merge", str(master2), str(book_a), str(book_b), "--out", str(out), "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 conflicts" in result.stdout
    assert f"ID clash: {next_id} added in {book_a.name} is already used in the master; renamed" in result.stdout
    assert sha256(master) == before[master]  # inputs only read (the books were edited by the "user")

    customers = {c["客户编号"]: c for c in rows(out, "客户")}
    assert customers[renamed_customer]["公司名称"] == "A 改了名字有限公司"
    assert customers[conflict_customer]["地址"] == "经理改的地址 1 号"  # the master's value stays
    assert customers[next_id]["公司名称"] == "经理新增客户有限公司"
    clash_id = f"C{int(next_id[1:]) + 1:05d}"
    assert customers[clash_id]["公司名称"] == "A 新开发客户有限公司"
    contacts = {c["联系人编号"]: c for c in rows(out, "联系人")}
    assert a_dropped_contact not in contacts  # the master agreed (unchanged since the export)
    assert contacts["P99001"]["客户编号"] == clash_id  # the reference followed the new ID
    opps = {o["机会编号"]: o for o in rows(out, "销售机会")}
    assert opps[opp]["预计金额"] == 123456.0

    conflicts = rows(out, "合并冲突")
    assert len(conflicts) == 1
    c = conflicts[0]
    assert (c["记录编号"], c["字段"], c["主台账的值（保留）"], c["业务员台账的值"], c["来源台账"], c["负责人"]) == (
        conflict_customer, "地址", "经理改的地址 1 号", "业务员改的地址 2 号", book_b.name, b)

    log = [r for r in rows(out, "变更日志") if r["更正人"] in (a, b) and r["更正原因"] != ""]
    by_key = {(r["记录编号"], r["字段"]): r for r in log}
    name_change = by_key[(renamed_customer, "公司名称")]
    assert (name_change["更正人"], name_change["新值"], name_change["更正原因"]) == (a, "A 改了名字有限公司",
                                                                               "客户公司更名，营业执照已核对")
    amount = by_key[(opp, "预计金额")]
    assert (amount["更正人"], amount["新值"]) == (b, "123456")
    assert (clash_id, "（新增记录）") in by_key and ("P99001", "（新增记录）") in by_key
    assert (a_dropped_contact, "（删除记录）") in by_key
    assert (conflict_customer, "地址") not in by_key  # a conflict is not a taken change
    # The merged master is a normal register: crm-xl reads and validates it.
    assert run_cli("validate", str(out), "--as-of", AS_OF, "--format", "json").returncode in (0, 1)


def test_merging_an_unchanged_book_changes_nothing(team):
    from crm_xl.ports.reader import read_register

    folder, master, books = team
    book = list(books.values())[2]
    out = folder / "unchanged.xlsx"
    result = run_cli("merge", str(master), str(book), "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 values changed, 0 records added, 0 removed, 0 conflicts" in result.stdout
    a, b = read_register(master), read_register(out)
    for key, frame in a.frames.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), b.frames[key].reset_index(drop=True),
                                      check_dtype=False, obj=key)


def test_a_book_without_a_base_is_refused_unless_base_is_given(team, tmp_path):
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.template import write_register

    folder, master, books = team
    book = list(books.values())[2]
    plain = tmp_path / "no-record.xlsx"
    write_register(plain, read_register(book))  # a copy without the export record
    result = run_cli("merge", str(master), str(plain), "--out", str(tmp_path / "x.xlsx"), "--lang", "en")
    assert result.returncode == 2 and "give the export it started from with --base" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()
    result = run_cli("merge", str(master), str(plain), "--base", str(book), "--out", str(tmp_path / "x.xlsx"))
    assert result.returncode == 0, result.stdout + result.stderr


def _reg(customers, contacts=()):
    from crm_xl.register import Register

    return Register.from_records({"customers": list(customers), "contacts": list(contacts)})


def test_core_rules_for_removals_unreadable_cells_and_master_deletions():
    from crm_xl.merge import Book, merge_books

    def c(cid, name, phone="+86 574 8888 0000", annual=1000):
        return {"customer_id": cid, "company_name": name, "owner": "张伟", "phone": phone,
                "annual_purchase_amount": annual}

    base = _reg([c("C1", "甲"), c("C2", "乙"), c("C3", "丙"), c("C4", "丁")])
    master = _reg([c("C1", "甲"), c("C2", "乙-经理改"), c("C4", "丁")])  # C3 removed by the manager
    # The book: removes C1 (master unchanged → removed) and C2 (master changed → kept), changes C3
    # (the master removed it → not restored), and has an unreadable amount for C4 (never merged).
    book = _reg([c("C3", "丙-新"), c("C4", "丁", annual="一千多")])
    assert len(book.unreadable) == 1
    result = merge_books(master, [Book("张伟.xlsx", "张伟", book, base)], lang="en")
    ids = result.frames["customers"]["customer_id"].tolist()
    assert ids == ["C2", "C4"]
    assert result.frames["customers"].set_index("customer_id").loc["C4", "annual_purchase_amount"] == 1000
    kinds = sorted((x.record_id, x.kind) for x in result.conflicts)
    assert kinds == [("C2", "changed_in_master"), ("C3", "deleted_in_master"), ("C4", "unreadable_in_book")]
    unreadable = next(x for x in result.conflicts if x.kind == "unreadable_in_book")
    assert unreadable.book_value == "一千多" and unreadable.master == 1000
    assert [(x.record_id, x.kind) for x in result.changes] == [("C1", "delete")]
    log = result.frames["changelog"]
    assert log[["user", "record_id", "old_value"]].values.tolist() == [["张伟", "C1", "C1"]]
    assert log["new_value"].isna().all()
