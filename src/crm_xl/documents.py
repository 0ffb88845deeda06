"""Trade documents from the register: 报价单 Quotation, 形式发票 Proforma Invoice, 商业发票 Commercial
Invoice and 装箱单 Packing List (pure core: Register in, a context of display text out).

Bilingual as Chinese exporters print them: the company header in Chinese and English, the body in
English, which is what buyers abroad read. Company, bank, validity, payment and document terms and
the number patterns come from Settings. The lines come from an order (with every order row sharing
its ``contract_no``) or from an opportunity. Amounts are summed as Decimal and written out in
words: ``SAY US DOLLARS … ONLY`` (num2words) and, for CNY, the Chinese upper-case 大写 (cn2an).

What a document needs but the register lacks (an HS code, the bank account, the Incoterm's named
place …) is listed in ``missing``; the document leaves that blank rather than guess, and the
command prints the list.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.register import Register
from crm_xl.schema import ENUMS

__all__ = ["KINDS", "DocumentError", "amount_in_chinese", "amount_in_words", "document_context", "issued_numbers",
           "next_number", "changelog_entry"]

KINDS: dict[str, tuple[str, str]] = {
    "quotation": ("报价单", "QUOTATION"),
    "pi": ("形式发票", "PROFORMA INVOICE"),
    "invoice": ("商业发票", "COMMERCIAL INVOICE"),
    "packing_list": ("装箱单", "PACKING LIST"),
}
# The change-log column under which an issued document number is recorded (sheet = orders or
# opportunities, record ID = the order or opportunity, new value = the number).
NUMBER_COLUMN = {kind: f"document_{kind}" for kind in KINDS}
CENT = Decimal("0.01")


class DocumentError(ValueError):
    """The document cannot be made (no such order, lines in different currencies …)."""


# ---------------------------------------------------------------- amounts in words
def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _currency_words(code: str) -> tuple[str, str | None]:
    """(major unit plural, minor unit plural or None) in English. num2words' currency table first
    (its trade forms: US DOLLARS, EURO, POUNDS STERLING … PENCE); a currency it does not name gets
    CLDR's English plural from Babel (CHINESE YUAN, JAPANESE YEN, UAE DIRHAMS) and no minor-unit
    name (CLDR has none), so its fraction is written as a fraction of the unit (``AND 50/100``);
    an unknown code is written as it is."""
    from num2words.lang_EN import Num2Word_EN

    forms = Num2Word_EN.CURRENCY_FORMS.get(code)
    if not forms:
        from babel.numbers import UnknownCurrencyError, get_currency_name

        try:
            name = get_currency_name(code, count=2, locale="en")
        except UnknownCurrencyError:
            name = code
        return (name or code).upper(), None
    adjective = Num2Word_EN.CURRENCY_ADJECTIVES.get(code)
    major = forms[0][1]
    if adjective and not major.lower().startswith(adjective.lower()):  # not "SAUDI SAUDI RIYALS"
        major = f"{adjective} {major}"
    return major.upper(), forms[1][1].upper()


def amount_in_words(amount: Any, currency: str) -> str:
    """``SAY US DOLLARS TWELVE THOUSAND … AND CENTS SIXTY-SEVEN ONLY`` (rounded half up to cents,
    as the document's figures are). A fraction of a currency without a named minor unit (yuan in
    num2words' table, yen and won that have none) is written ``AND 50/100``, never "CENTS"."""
    from num2words import num2words

    code = currency.upper()
    value = _money(amount)
    if value < 0:
        raise DocumentError(f"a negative amount ({value}) cannot be written in words")
    whole, cents = int(value), int((value - int(value)) * 100)
    major, minor = _currency_words(code)
    if minor is not None and _minor_digits(code) == 0:
        minor = None
    words = num2words(whole, lang="en").replace(",", "").upper()
    text = f"SAY {major} {words}"
    if cents:
        text += f" AND {cents:02d}/100" if minor is None else f" AND {minor} {num2words(cents, lang='en').upper()}"
    return text + " ONLY"


def _minor_digits(code: str) -> int:
    """Decimal places of the currency (ISO 4217 via Babel: JPY 0, USD 2, KWD 3)."""
    from babel.numbers import get_currency_precision

    try:
        return int(get_currency_precision(code))
    except Exception:  # an unknown code: cents, as for most currencies
        return 2


def amount_in_chinese(amount: Any) -> str:
    """人民币大写 as on Chinese invoices and bank slips: 人民币壹万贰仟叁佰肆拾伍元陆角柒分 (cn2an's
    ``rmb`` mode: 元/角/分, 整 after a whole yuan amount, one 零 for a gap)."""
    import cn2an

    value = _money(amount)
    if value < 0:
        raise DocumentError(f"a negative amount ({value}) cannot be written in 大写")
    return "人民币" + cn2an.an2cn(format(value, "f"), "rmb")


# ---------------------------------------------------------------- numbering and the change log
def issued_numbers(register: Register, kind: str) -> pd.DataFrame:
    """Change-log rows that recorded a number of ``kind`` (columns record_id, sheet, number, at)."""
    log = register.frames["changelog"]
    hit = log[(log["column"] == NUMBER_COLUMN[kind]).fillna(False) & log["new_value"].notna()]
    return pd.DataFrame({"sheet": hit["sheet"].astype("string"), "record_id": hit["record_id"].astype("string"),
                         "number": hit["new_value"].astype("string"), "at": hit["at"]})


def _format(pattern: str, when: dt.date, seq: int) -> str:
    return pattern.format(yyyy=f"{when.year:04d}", yy=f"{when.year % 100:02d}", mm=f"{when.month:02d}", seq=seq)


def next_number(register: Register, kind: str, when: dt.date, record: tuple[str, str]) -> tuple[str, bool]:
    """(number, is_new) for a document of ``kind`` about ``record`` = (sheet, ID) issued on ``when``.

    A record that already has a number of this kind in the change log keeps it (a reprint is the
    same document). Otherwise the sequence is one more than the highest sequence that the Settings
    pattern gives for numbers already issued (any record), counted within what the pattern keeps
    apart: with ``{yyyy}`` in it the count starts again each year.
    """
    pattern = register.settings.number_pattern(kind)
    issued = issued_numbers(register, kind)
    mine = issued[(issued["sheet"] == record[0]).fillna(False) & (issued["record_id"] == record[1]).fillna(False)]
    if len(mine):
        return str(mine["number"].iloc[-1]), False
    matcher = _pattern_regex(pattern, when)
    highest = 0
    for number in issued["number"].dropna().astype(str):
        m = matcher.fullmatch(number.strip())
        if m and _format(pattern, when, int(m.group("seq"))) == number.strip():
            highest = max(highest, int(m.group("seq")))
    return _format(pattern, when, highest + 1), True


def _pattern_regex(pattern: str, when: dt.date) -> re.Pattern[str]:
    """A regex matching the numbers ``pattern`` gives on ``when`` for any sequence (group ``seq``)."""
    import string

    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field == "seq":
            parts.append(r"(?P<seq>\d+)" if "(?P<seq>" not in "".join(parts) else r"\d+")
        elif field is not None:
            parts.append(re.escape(_format("{" + field + "}", when, 0)))
    return re.compile("".join(parts))


def changelog_entry(kind: str, record: tuple[str, str], number: str, user: str, at: dt.datetime) -> dict[str, Any]:
    """The 变更日志 row that records issuing ``number``."""
    zh, en = KINDS[kind]
    return {"at": at, "user": user, "sheet": record[0], "record_id": record[1], "column": NUMBER_COLUMN[kind],
            "old_value": None, "new_value": number, "reason": f"开具{zh} / issued {en.lower()} {number}"}


# ---------------------------------------------------------------- the context
def _txt(v: Any) -> str:
    if v is None:
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v).strip()


def _num(v: Any) -> Decimal | None:
    text = _txt(v)
    return None if not text else Decimal(text)


def _fmt_num(v: Decimal | None, places: int = 2) -> str:
    if v is None:
        return ""
    q = v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{q:,.{places}f}"


def _fmt_qty(v: Decimal | None) -> str:
    if v is None:
        return ""
    return f"{v:,.0f}" if v == v.to_integral_value() else f"{v.normalize():,f}"


def _date(v: Any) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return pd.Timestamp(v).strftime("%Y-%m-%d")


def _one(frame: pd.DataFrame, column: str, value: str) -> pd.Series | None:
    hit = frame[(frame[column].astype("string") == str(value)).fillna(False)]
    return hit.iloc[0] if len(hit) else None


def _country(code: str) -> str:
    if not code:
        return ""
    import pycountry

    c = pycountry.countries.get(alpha_2=code.upper())
    return c.name if c else code


class _Missing:
    def __init__(self, lang: str) -> None:
        self.lang, self.items = lang, []

    def need(self, value: str, zh: str, en: str) -> str:
        if not value:
            self.items.append(pick(zh, en, self.lang))
        return value


def document_context(register: Register, kind: str, *, order_id: str | None = None,
                     opportunity_id: str | None = None, as_of: dt.date, lang: str = "zh-CN",
                     number: str | None = None) -> dict[str, Any]:
    """Everything one document shows, as display text, plus ``totals`` (Decimal) and ``missing``.

    Raises:
        DocumentError: unknown kind, no such order/opportunity, a packing list or invoice asked of an
            opportunity, or lines in more than one currency.
    """
    if kind not in KINDS:
        raise DocumentError(f"unknown document kind {kind!r}: one of {', '.join(KINDS)}")
    if bool(order_id) == bool(opportunity_id):
        raise DocumentError(pick("请给出 --order 或 --opportunity（二选一）", "give --order or --opportunity (one of them)",
                                 lang))
    if opportunity_id and kind in ("invoice", "packing_list"):
        raise DocumentError(pick("商业发票和装箱单按订单开具（--order）", "invoices and packing lists are made from an order "
                                 "(--order)", lang))
    s = register.settings
    f = register.frames
    miss = _Missing(lang)
    if order_id:
        head = _one(f["orders"], "order_id", order_id)
        if head is None:
            raise DocumentError(pick(f"找不到订单 {order_id}", f"no order {order_id}", lang))
        contract = _txt(head.get("contract_no"))
        orders = f["orders"]
        rows = orders[(orders["contract_no"].astype("string") == contract).fillna(False)] if contract else head.to_frame().T
        rows = rows[(rows["status"] != "cancelled").fillna(True)] if contract else rows
        record = ("orders", _txt(head["order_id"]))
        customer_id = _txt(head["customer_id"])
        opp = _one(f["opportunities"], "opportunity_id", _txt(head.get("opportunity_id"))) \
            if _txt(head.get("opportunity_id")) else None
    else:
        head = _one(f["opportunities"], "opportunity_id", opportunity_id)
        if head is None:
            raise DocumentError(pick(f"找不到销售机会 {opportunity_id}", f"no opportunity {opportunity_id}", lang))
        rows = head.to_frame().T
        record = ("opportunities", _txt(head["opportunity_id"]))
        customer_id = _txt(head["customer_id"])
        opp = head
    cust = _one(f["customers"], "customer_id", customer_id)
    c = cust if cust is not None else pd.Series(dtype=object)
    if cust is None:
        miss.items.append(pick(f"客户 {customer_id} 不在客户表中", f"customer {customer_id} is not on the customers sheet",
                               lang))
    contact = None
    contact_id = _txt(opp.get("contact_id")) if opp is not None else ""
    if contact_id:
        contact = _one(f["contacts"], "contact_id", contact_id)
    if contact is None and customer_id:
        people = f["contacts"][(f["contacts"]["customer_id"] == customer_id).fillna(False)]
        dm = people[(people["decision_role"] == "decision_maker").fillna(False)]
        contact = (dm if len(dm) else people).iloc[0] if len(people) else None

    lines, currencies = [], set()
    total_amount = Decimal(0)
    totals = {"cartons": Decimal(0), "net_weight_kg": Decimal(0), "gross_weight_kg": Decimal(0), "cbm": Decimal(0)}
    qty_by_unit: dict[str, Decimal] = {}
    for i, (_, r) in enumerate(rows.iterrows(), start=1):
        ref = _txt(r.get("order_id")) or _txt(r.get("opportunity_id"))
        label = pick(f"第 {i} 行（{ref}）", f"line {i} ({ref})", lang)
        qty = _num(r.get("quantity"))
        price = _num(r.get("unit_price"))
        amount = _num(r.get("amount"))
        if price is None and amount is not None and qty:
            price = amount / qty
        if amount is None and price is not None and qty is not None:
            amount = qty * price
        currency = miss.need(_txt(r.get("currency")).upper(), f"{label}：币种", f"{label}: currency")
        if currency:
            currencies.add(currency)
        product = miss.need(_txt(r.get("product")) or ("" if order_id else _txt(r.get("title"))),
                            f"{label}：产品", f"{label}: product")
        if qty is None:
            miss.items.append(pick(f"{label}：数量", f"{label}: quantity", lang))
        if kind != "packing_list":
            if amount is None:
                miss.items.append(pick(f"{label}：金额", f"{label}: amount", lang))
            miss.need(_txt(r.get("hs_code")), f"{label}：HS编码", f"{label}: HS code")
        line = {"no": i, "product": product, "spec": _txt(r.get("spec")), "hs_code": _txt(r.get("hs_code")),
                "quantity": _fmt_qty(qty), "unit": _txt(r.get("unit")).upper(),
                "unit_price": _fmt_num(price, 4 if price is not None and price != price.quantize(CENT) else 2),
                "amount": _fmt_num(amount), "currency": currency}
        unit = line["unit"] or "—"
        if qty is not None:
            qty_by_unit[unit] = qty_by_unit.get(unit, Decimal(0)) + qty
        if amount is not None:
            total_amount += _money(amount)
        for key in totals:
            value = _num(r.get(key)) if key in r.index else None
            line[key] = _fmt_num(value, 3 if key == "cbm" else (0 if key == "cartons" else 2)) if value is not None else ""
            if value is None:
                if kind == "packing_list":
                    miss.items.append(pick(f"{label}：{_PACK_ZH[key]}", f"{label}: {_PACK_EN[key]}", lang))
            else:
                totals[key] += value
        lines.append(line)
    if len(currencies) > 1:
        raise DocumentError(pick(f"同一单据的订单行币种不同：{'、'.join(sorted(currencies))}",
                                 f"the lines are in different currencies: {', '.join(sorted(currencies))}", lang))
    currency = next(iter(currencies), "")

    incoterm = _txt(head.get("incoterm")) or _txt(c.get("incoterms"))
    miss.need(incoterm, "贸易术语（订单或客户）", "Incoterm (order or customer)")
    place = _txt(head.get("named_place"))
    if kind != "packing_list" and incoterm:
        miss.need(place, "贸易术语的指定地点", "the Incoterm's named place")
    pay_code = _txt(c.get("payment_terms"))
    pay = ENUMS["payment_terms"].label(pay_code, "en") if pay_code else ""
    # The Settings text details T/T terms; another method (L/C, D/P, O/A …) is printed as it is.
    payment = "; ".join(x for x in (pay, s.doc_payment_terms.strip() if pay_code in ("", "TT") else "") if x)
    ship_planned = _date(head.get("promised_delivery_date")) if order_id else _date(head.get("expected_close_date"))
    ship_actual = _date(head.get("ship_date")) if order_id else ""
    if kind in ("invoice", "packing_list"):
        shipment = ship_actual or ship_planned
        miss.need(ship_actual, "发货日期", "ship date")
    else:
        shipment = ship_planned
    validity_days = {"quotation": s.quotation_validity_days, "pi": s.pi_validity_days}.get(kind)
    valid_until = (as_of + dt.timedelta(days=validity_days)).isoformat() if validity_days else ""
    company = {
        "name_zh": miss.need(s.company_name_zh, "参数设置：公司中文名称（company_name_zh）", "Settings: company_name_zh"),
        "name_en": miss.need(s.company_name_en, "参数设置：公司英文名称（company_name_en）", "Settings: company_name_en"),
        "address": miss.need(s.company_address, "参数设置：公司地址（company_address）", "Settings: company_address"),
        "contact": s.company_contact,
    }
    bank = None
    if kind in ("quotation", "pi", "invoice"):
        bank = {"beneficiary": s.bank_beneficiary or s.company_name_en,
                "bank_name": miss.need(s.bank_name, "参数设置：开户银行（bank_name）", "Settings: bank_name"),
                "bank_address": s.bank_address,
                "swift": miss.need(s.bank_swift, "参数设置：SWIFT（bank_swift）", "Settings: bank_swift"),
                "account": miss.need(s.bank_account, "参数设置：收款账号（bank_account）", "Settings: bank_account")}
    if kind == "invoice" and order_id and _txt(head.get("invoice_no")) and number is None:
        number = _txt(head.get("invoice_no"))
    zh, en = KINDS[kind]
    words = amount_in_words(total_amount, currency) if currency and kind != "packing_list" else ""
    chinese = amount_in_chinese(total_amount) if currency == "CNY" and kind != "packing_list" else ""
    return {
        "kind": kind, "title_zh": zh, "title_en": en, "lang": lang, "number": number or "",
        "record": {"sheet": record[0], "id": record[1]},
        "date": as_of.isoformat(), "valid_until": valid_until,
        "company": company, "bank": bank,
        "buyer": {"customer_id": customer_id, "name": _txt(c.get("company_name")), "address": _txt(c.get("address")),
                  "country": _country(_txt(c.get("country"))),
                  "attn": _txt(contact.get("name")) if contact is not None else "",
                  "email": _txt(contact.get("email")) if contact is not None else "",
                  "phone": _txt(contact.get("phone")) if contact is not None else ""},
        "order_ref": record[1], "contract_no": _txt(head.get("contract_no")) if order_id else "",
        "terms": {"incoterm": f"{incoterm} {place}".strip(), "payment": payment,
                  "port_of_loading": _txt(head.get("port_of_loading")),
                  "port_of_destination": _txt(head.get("port_of_destination")),
                  "shipment": shipment, "documents": s.doc_document_terms, "remarks": s.doc_remarks},
        "lines": lines, "currency": currency,
        "total": {"amount": _fmt_num(total_amount), "quantity": ", ".join(f"{_fmt_qty(q)} {u}".replace(" —", "")
                                                                          for u, q in qty_by_unit.items()),
                  "cartons": _fmt_num(totals["cartons"], 0), "net_weight_kg": _fmt_num(totals["net_weight_kg"]),
                  "gross_weight_kg": _fmt_num(totals["gross_weight_kg"]), "cbm": _fmt_num(totals["cbm"], 3)},
        "totals": {"amount": total_amount, **totals, "quantity": qty_by_unit},
        "words": words, "words_zh": chinese,
        "missing": miss.items,
    }


_PACK_ZH = {"cartons": "箱数", "net_weight_kg": "净重", "gross_weight_kg": "毛重", "cbm": "体积"}
_PACK_EN = {"cartons": "cartons", "net_weight_kg": "net weight", "gross_weight_kg": "gross weight", "cbm": "volume"}
