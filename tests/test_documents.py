"""Trade documents: figures read back from the PDF, xlsx and change log and compared with sums by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from conftest import calamine_rows, sha256
from crm_xl.cli import app
from crm_xl.documents import amount_in_chinese, amount_in_words
from desk_books import write_desk_book

runner = CliRunner()


def need_pdf() -> None:
    """This test prints a PDF and reads it back: skip with the reason on a machine with no PDF
    engine or no poppler (a fresh Debian), fail under CRM_XL_REQUIRE_LIBREOFFICE=1 (CI has both)."""
    from lo import _required, require_pdf_engine

    require_pdf_engine()
    need_pdftotext()


def need_pdftotext() -> None:
    from lo import _required

    if not shutil.which("pdftotext"):
        if _required():
            pytest.fail("pdftotext (poppler-utils) is not installed, but CRM_XL_REQUIRE_LIBREOFFICE=1")
        pytest.skip("pdftotext (poppler-utils) is not installed")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# ------------------------------------------------------------------ amounts in words
@pytest.mark.parametrize("amount,currency,words", [
    (21170, "USD", "SAY US DOLLARS TWENTY-ONE THOUSAND ONE HUNDRED AND SEVENTY ONLY"),
    ("22514.80", "USD", "SAY US DOLLARS TWENTY-TWO THOUSAND FIVE HUNDRED AND FOURTEEN AND CENTS EIGHTY ONLY"),
    (0.5, "USD", "SAY US DOLLARS ZERO AND CENTS FIFTY ONLY"),
    (4890, "EUR", "SAY EURO FOUR THOUSAND EIGHT HUNDRED AND NINETY ONLY"),
    (1000000.01, "GBP", "SAY POUNDS STERLING ONE MILLION AND PENCE ONE ONLY"),
    (1500, "JPY", "SAY JAPANESE YEN ONE THOUSAND FIVE HUNDRED ONLY"),  # CLDR's name (Babel): num2words has none
    ("1234.50", "JPY", "SAY JAPANESE YEN ONE THOUSAND TWO HUNDRED AND THIRTY-FOUR AND 50/100 ONLY"),  # yen have no cents
    ("18760.05", "CNY", "SAY CHINESE YUAN EIGHTEEN THOUSAND SEVEN HUNDRED AND SIXTY AND 05/100 ONLY"),
    (2500, "AED", "SAY UAE DIRHAMS TWO THOUSAND FIVE HUNDRED ONLY"),
    (100, "SAR", "SAY SAUDI RIYALS ONE HUNDRED ONLY"),  # was "SAUDI SAUDI RIYALS"
    (10, "XYZ", "SAY XYZ TEN ONLY"),  # a code nobody names is written as it is
    ("99.995", "USD", "SAY US DOLLARS ONE HUNDRED ONLY"),  # rounded half up to cents first
])
def test_amount_in_words(amount, currency, words):
    assert amount_in_words(amount, currency) == words


# The examples of 《正确填写票据和结算凭证的基本规定》; where the rule allows two forms, both are listed.
@pytest.mark.parametrize("amount,forms", [
    ("1409.50", ["人民币壹仟肆佰零玖元伍角"]),
    ("6007.14", ["人民币陆仟零柒元壹角肆分"]),
    ("1680.32", ["人民币壹仟陆佰捌拾元零叁角贰分", "人民币壹仟陆佰捌拾元叁角贰分"]),
    ("107000.53", ["人民币壹拾万柒仟元零伍角叁分", "人民币壹拾万零柒仟元伍角叁分", "人民币壹拾万柒仟元伍角叁分"]),
    ("325.04", ["人民币叁佰贰拾伍元零肆分"]),
    ("18760", ["人民币壹万捌仟柒佰陆拾元整"]),
    ("100", ["人民币壹佰元整"]),
    ("0.05", ["人民币伍分"]),
    ("0.005", ["人民币壹分"]),
    ("100000000", ["人民币壹亿元整"]),
    ("10010.5", ["人民币壹万零壹拾元伍角"]),
])
def test_chinese_upper_case_amounts_follow_the_bank_rules(amount, forms):
    assert amount_in_chinese(amount) in forms


_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10)))
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _decode_integer(text: str) -> int:
    """An independent reading of upper-case Chinese integers (亿/万 sections, 拾佰仟 inside)."""
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL:
            section += (digit or 1) * _SMALL[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    return total + section + digit


def decode_rmb(text: str) -> Decimal:
    assert text.startswith("人民币")
    body = text[3:]
    yuan = jiao = fen = 0
    if "元" in body:
        head, body = body.split("元", 1)
        yuan = _decode_integer(head)
    m = re.search(r"([壹贰叁肆伍陆柒捌玖])角", body)
    jiao = _DIGITS[m.group(1)] if m else 0
    m = re.search(r"([壹贰叁肆伍陆柒捌玖])分", body)
    fen = _DIGITS[m.group(1)] if m else 0
    if "元" not in text:
        assert not re.search(r"[拾佰仟万亿]", body)
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


@hsettings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_chinese_upper_case_reads_back_to_the_amount(value):
    text = amount_in_chinese(value)
    assert decode_rmb(text) == value
    assert text.endswith(("整", "角", "分"))
    assert "零零" not in text
    if value >= 1:
        assert not re.search("零[元万亿]", text) and not text[3:].startswith("零")
    if value == value.to_integral_value():
        assert text.endswith("元整")


# ------------------------------------------------------------------ documents through the CLI
@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_desk_book(tmp_path / "台账.xlsx")


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_pi_pdf_shows_the_lines_totals_words_and_bank_block(book: Path, tmp_path: Path):
    need_pdf()
    before = sha256(book)
    out, record = tmp_path / "PI.pdf", tmp_path / "台账-新.xlsx"
    res = run("document", book, "--kind", "pi", "--order", "SO001", "--out", out, "--record", record,
              "--as-of", "2026-11-23", "--user", "李强")
    assert res.exit_code == 0, res.output
    assert sha256(book) == before  # the input is only read
    text = pdf_text(out)
    words = flat(text)
    # SO001 and SO002 share contract SC-2026-018: 1,200 × 12.50 + 5,000 × 1.234 = 15,000 + 6,170
    assert "15,000.00" in words and "6,170.00" in words and "1.234" in words
    assert "USD 21,170.00" in words
    assert "SAY US DOLLARS TWENTY-ONE THOUSAND ONE HUNDRED AND SEVENTY ONLY" in words
    # the change log held PI-20260002 and PI-20260003 (and 2025's PI-20250017): the next is 0004
    assert "PI-20260004" in words and "2026-12-03" in words  # valid 10 days (the workbook's pi_validity_days)
    for fact in ("BKCHCNBJ92A", "351258369147", "Bank of China, Ningbo Branch",
                 "Ningbo Brightway Lighting Technology Co., Ltd.", "宁波明辉照明科技有限公司", "形式发票",
                 "CIF Los Angeles", "9405.42", "8539.52", "Sunrise Trading LLC", "John Carter", "SC-2026-018",
                 "Payment: L/C"):
        assert fact in words, fact
    assert "30% T/T in advance" not in words  # the Settings T/T terms are not printed for an L/C buyer
    log = calamine_rows(record, "变更日志")
    assert log[-1][1:7] == ["李强", "orders", "SO001", "document_pi", "", "PI-20260004"]
    assert len(log) == 6  # header + four rows typed + the new one
    assert calamine_rows(record, "订单") == calamine_rows(book, "订单")
    # a reprint from the new register keeps the number and records nothing more
    again = run("document", record, "--kind", "pi", "--order", "SO001", "--out", tmp_path / "PI2.html",
                "--record", tmp_path / "third.xlsx", "--as-of", "2026-11-24")
    assert again.exit_code == 0 and "PI-20260004" in (tmp_path / "PI2.html").read_text(encoding="utf-8")
    assert len(calamine_rows(tmp_path / "third.xlsx", "变更日志")) == 6
    # the next order gets the next number
    nxt = run("document", record, "--kind", "pi", "--order", "SO003", "--out", tmp_path / "PI3.html",
              "--as-of", "2026-11-24")
    assert "PI-20260005" in (tmp_path / "PI3.html").read_text(encoding="utf-8"), nxt.output


def test_cny_documents_carry_the_chinese_upper_case_amount(book: Path, tmp_path: Path):
    need_pdf()
    out = tmp_path / "QT.pdf"
    res = run("document", book, "--kind", "pi", "--order", "SO003", "--out", out, "--as-of", "2026-11-23")
    words = flat(pdf_text(out))
    assert "CNY 18,760.00" in words  # 800 × 23.45
    assert "SAY CHINESE YUAN EIGHTEEN THOUSAND SEVEN HUNDRED AND SIXTY ONLY" in words
    assert "人民币壹万捌仟柒佰陆拾元整" in words
    assert "EXW Ningbo" in words and "T/T; 30% T/T in advance, 70% T/T against copy of B/L" in words
    assert res.exit_code == 0, res.output


def test_packing_list_sums_cartons_weights_and_volume(book: Path, tmp_path: Path):
    need_pdf()
    out = tmp_path / "PL.pdf"
    res = run("document", book, "--kind", "packing-list", "--order", "SO002", "--out", out, "--as-of", "2026-11-23")
    assert res.exit_code == 0, res.output
    words = flat(pdf_text(out))
    # 300 + 200 cartons; N.W. 3,480 + 1,450.25; G.W. 3,720.5 + 1,612; 12.6 + 4.35 CBM
    for figure in ("500", "4,930.25", "5,332.50", "16.950", "SAY TOTAL 500 CARTONS ONLY", "PL-20260001",
                   "6,200 PCS", "Shipped on: 2026-11-28"):
        assert figure in words, figure
    assert "Unit price" not in words and "BKCHCNBJ92A" not in words  # no prices or bank on a packing list


def test_invoice_takes_the_orders_invoice_number_and_lists_what_is_missing(book: Path, tmp_path: Path):
    out = tmp_path / "CI.html"
    res = run("document", book, "--kind", "invoice", "--order", "SO004", "--out", out, "--as-of", "2026-11-23",
              "--lang", "en")
    assert res.exit_code == 1  # something the invoice needs is blank
    html = out.read_text(encoding="utf-8")
    assert "INV-7788" in html and "COMMERCIAL INVOICE" in html and "SAY EURO FOUR THOUSAND EIGHT HUNDRED" in html
    assert "HS code" in res.output and "named place" in res.output and "ship date" in res.output


def test_quotation_from_an_opportunity_and_settings_are_read(tmp_path: Path):
    need_pdf()
    book = write_desk_book(tmp_path / "台账.xlsx", settings_extra=[["number_quotation", "BW-QT{yy}{mm}-{seq:03d}", ""],
                                                                   ["quotation_validity_days", 45, ""]])
    out = tmp_path / "QT.pdf"
    res = run("document", book, "--kind", "quotation", "--opportunity", "O001", "--out", out, "--as-of", "2026-11-23")
    assert res.exit_code == 0, res.output
    words = flat(pdf_text(out))
    assert "BW-QT2611-001" in words and "2027-01-07" in words  # 2026-11-23 + 45 days
    assert "3,000 PCS" in words and "12.50" in words and "FOB Ningbo" in words and "USD 37,500.00" in words and "QUOTATION" in words


def test_a_bad_number_pattern_is_a_settings_finding_and_keeps_the_default(tmp_path: Path):
    from crm_xl.ports.reader import read_register

    book = write_desk_book(tmp_path / "台账.xlsx", settings_extra=[["number_pi", "PI-{year}", ""]])
    reg = read_register(book)
    assert reg.settings.number_pi == "PI-{yyyy}{seq:04d}"
    assert any(f.code == "S001" and f.params["key"] == "number_pi" for f in reg.findings)


def test_lines_in_two_currencies_are_refused(book: Path, tmp_path: Path):
    res = runner.invoke(app, ["document", str(book), "--kind", "pi", "--order", "SO005", "--out",
                              str(tmp_path / "x.pdf"), "--lang", "en"])
    assert res.exit_code == 2 and "different currencies" in res.output and not (tmp_path / "x.pdf").exists()


@pytest.mark.libreoffice
def test_pi_xlsx_opens_in_libreoffice_with_the_figures(book: Path, tmp_path: Path):
    from lo import require_soffice

    soffice = require_soffice("calc")  # skips with the reason, fails under CRM_XL_REQUIRE_LIBREOFFICE=1
    need_pdftotext()
    out = tmp_path / "PI.xlsx"
    assert run("document", book, "--kind", "pi", "--order", "SO001", "--out", out, "--as-of", "2026-11-23").exit_code == 0
    rows = calamine_rows(out, "Pi")
    amounts = [r[6] for r in rows if len(r) > 6 and isinstance(r[6], float)]
    assert amounts == [15000.0, 6170.0, 21170.0]
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "lo-out"), str(out)], check=True, capture_output=True, timeout=180)
    words = flat(pdf_text(tmp_path / "lo-out" / "PI.pdf"))
    assert "21,170.00" in words and "SAY US DOLLARS TWENTY-ONE THOUSAND ONE HUNDRED AND SEVENTY ONLY" in words
    assert "BKCHCNBJ92A" in words


def test_the_demo_prints_one_complete_document_of_each_kind(tmp_path: Path):
    import datetime as dt

    from crm_xl.documents import document_context
    from crm_xl.showcase import _trade_documents
    from crm_xl.workbook import demo_register

    day = dt.date(2026, 11, 23)
    reg, _ = demo_register(lang="en", as_of=day)
    written = _trade_documents(reg, tmp_path, day, "en", pdf=False)
    assert {k.split(".")[0] for k in written} == {"quotation", "pi", "invoice", "packing_list"}
    assert all(Path(p).is_file() for p in written.values())
    o = reg["orders"]
    multi = o[(o["status"].isin(["shipped", "delivered"]) & o["contract_no"].notna()).fillna(False)]
    head = multi.sort_values("order_date").iloc[-1]
    lines = o[(o["contract_no"] == head["contract_no"]).fillna(False) & (o["status"] != "cancelled").fillna(True)]
    for kind in ("pi", "invoice", "packing_list"):
        ctx = document_context(reg, kind, order_id=str(head["order_id"]), as_of=day, lang="en")
        assert ctx["missing"] == [], (kind, ctx["missing"])  # the demo's letterhead, bank and packing are complete
        assert len(ctx["lines"]) == len(lines) >= 2
    assert ctx["totals"]["cartons"] == sum(Decimal(str(v)) for v in lines["cartons"])
    pi = document_context(reg, "pi", order_id=str(head["order_id"]), as_of=day, lang="en")
    assert pi["totals"]["amount"] == sum(Decimal(str(v)).quantize(Decimal("0.01")) for v in lines["amount"])
    assert pi["number"] == "" and Path(written["pi.html"]).stem == "PI-20260001"


def test_control_sheet_button_makes_the_pi_of_the_selected_order_row(book: Path, tmp_path: Path):
    need_pdf()
    from crm_xl.excel import trade_document
    from crm_xl.excel.port import RecordingPort

    port = RecordingPort.from_file(book)
    port.selected = ("订单", 3)  # SO002: its contract makes it a two-line PI
    outcome = trade_document(port, as_of=__import__("datetime").date(2026, 11, 23))
    assert outcome.ok, outcome.message
    pdf = book.parent / "PI-20260004.pdf"
    words = flat(pdf_text(pdf))
    assert "USD 21,170.00" in words and "BKCHCNBJ92A" in words
    log = port.sheets["变更日志"]
    assert log[5][2:7] == ["orders", "SO002", "document_pi", None, "PI-20260004"]
    assert outcome.counts == {"documents": 1, "recorded": 1} and "PI-20260004" in port.messages[-1][1]
    port.selected = ("客户", 2)
    assert not trade_document(port).ok and "订单" in port.messages[-1][1]


def test_wrapped_lines_counts_what_a_printed_cell_needs():
    from crm_xl.ports.trade_documents import wrapped_lines

    assert wrapped_lines("Prepaid", 53) == 1
    assert wrapped_lines("Commercial invoice, packing list, full set of B/L, certificate of origin", 53) == 1
    assert wrapped_lines("Quantity and amount may vary within ±5%. Bank charges outside China for the buyer's account.",
                         53) == 2
    assert wrapped_lines("数量及金额允许±5%溢短装，中国境外银行费用由买方承担，" * 3, 53) == 3  # 143 units: CJK breaks inside
    assert wrapped_lines("line one\nline two", 53) == 2


def test_a_long_remark_gets_a_row_tall_enough_to_print_whole(tmp_path: Path):
    """Neither Excel nor Calc grows a merged cell's row to fit its wrapped text: a remark longer than
    one line was cut at the bottom edge when the PI was printed."""
    import openpyxl

    remark = ("Quantity and amount may vary within ±5%. Bank charges outside China for the buyer's account. "
              "数量及金额允许±5%溢短装，中国境外银行费用由买方承担，请在付款时注明合同号。")
    book = write_desk_book(tmp_path / "台账.xlsx", settings_extra=[["doc_remarks", remark, ""]])
    out = tmp_path / "PI.xlsx"
    assert run("document", book, "--kind", "pi", "--order", "SO001", "--out", out, "--as-of", "2026-11-23").exit_code == 0
    ws = openpyxl.load_workbook(out).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert remark in cells  # the whole remark, as typed
    row = cells[remark].row
    assert ws.row_dimensions[row].height >= 3 * 14
    sign = next(v for v in cells if v.startswith("For and on behalf of"))
    assert sign.endswith("Co., Ltd.") and cells[sign].alignment.horizontal == "right"
    merged = next(m for m in ws.merged_cells.ranges if m.min_row == cells[sign].row)
    assert merged.max_col - merged.min_col >= 3  # spans the right half, not three narrow columns


def test_a_long_buyer_address_line_gets_its_wrapped_height(tmp_path: Path, monkeypatch):
    """The buyer block's row was as tall as its line breaks only; an address line longer than the
    block wraps in print, and its last line was cut."""
    import openpyxl

    import desk_books

    address = ("Unit 1203, 12/F, Tower B, Sunrise International Logistics Park, 1200 Harbor Boulevard, "
               "Long Beach, CA 90802")
    customers = [row[:] for row in desk_books.CUSTOMERS]
    customers[2][3] = address  # C002, the buyer of SO001
    monkeypatch.setattr(desk_books, "CUSTOMERS", customers)
    book = write_desk_book(tmp_path / "台账.xlsx")
    out = tmp_path / "PI.xlsx"
    assert run("document", book, "--kind", "pi", "--order", "SO001", "--out", out, "--as-of", "2026-11-23").exit_code == 0
    ws = openpyxl.load_workbook(out).active
    buyer = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and address in c.value)
    assert buyer.value.split("\n")[:2] == ["Sunrise Trading LLC", address]  # the address whole, as typed
    assert ws.row_dimensions[buyer.row].height >= 4 * 14  # name, the address on two lines, country
