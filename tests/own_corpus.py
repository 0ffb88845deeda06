"""The developers' own corpus: one small company's data written the ways trade teams keep it.

``python tests/own_corpus.py`` (re)writes ``tests/data/own/``. Every workbook there holds (part of)
the same records as :data:`CANONICAL` — the data as it would be typed into ``crm-xl new``'s
template — in its own layout: other sheet names and headers, title rows, merged cells, flat lists,
a sheet per salesperson, zh-CN / zh-TW / en, money with symbols, Chinese country names, GBK and
Big5 CSV. ``tests/test_import.py`` imports each and compares its analysis with the canonical one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import xlsxwriter

OWN = Path(__file__).resolve().parent / "data" / "own"
D = dt.date

CANONICAL: dict[str, list[dict]] = {
    "customers": [
        {"customer_id": "C0001", "company_name": "Acme Inc.", "country": "US", "source_channel": "online_platform",
         "owner": "王芳", "first_contact_date": D(2026, 1, 5), "entered_date": D(2026, 1, 6), "status": "active"},
        {"customer_id": "C0002", "company_name": "Berlin Tools GmbH", "country": "DE", "source_channel": "trade_fair",
         "owner": "李强", "first_contact_date": D(2026, 2, 1), "entered_date": D(2026, 2, 2), "status": "active"},
        {"customer_id": "C0003", "company_name": "London Parts Ltd", "country": "GB", "source_channel": "referral",
         "owner": "王芳", "first_contact_date": D(2026, 3, 5), "entered_date": D(2026, 3, 6), "status": "prospect"},
        {"customer_id": "C0004", "company_name": "上海远航贸易有限公司", "country": "CN", "source_channel": "inbound",
         "owner": "李强", "first_contact_date": D(2026, 4, 10), "entered_date": D(2026, 4, 10), "status": "active"},
    ],
    "contacts": [
        {"contact_id": "P0001", "customer_id": "C0001", "name": "John Smith", "email": "john@acme.com"},
        {"contact_id": "P0002", "customer_id": "C0002", "name": "Anna Müller", "email": "anna@berlintools.de"},
        {"contact_id": "P0003", "customer_id": "C0003", "name": "Tom Brown", "email": "tom@londonparts.co.uk"},
    ],
    "opportunities": [
        {"opportunity_id": "O0001", "customer_id": "C0001", "title": "Pumps", "stage": "negotiation", "amount": 12000.0,
         "currency": "USD", "expected_close_date": D(2026, 12, 10), "created_date": D(2026, 9, 1), "owner": "王芳",
         "status": "open", "next_step": "寄样"},
        {"opportunity_id": "O0002", "customer_id": "C0002", "title": "Valves", "stage": "qualified", "amount": 8500.0,
         "currency": "EUR", "expected_close_date": D(2027, 1, 20), "created_date": D(2026, 9, 3), "owner": "李强",
         "status": "open", "next_step": "报价"},
        {"opportunity_id": "O0003", "customer_id": "C0003", "title": "Seals", "stage": "interested", "amount": 50000.0,
         "currency": "CNY", "expected_close_date": D(2026, 12, 20), "created_date": D(2026, 10, 1), "owner": "王芳",
         "status": "open", "next_step": "电话"},
        {"opportunity_id": "O0004", "customer_id": "C0004", "title": "Motors", "stage": "contract", "amount": 12000.0,
         "currency": "CNY", "expected_close_date": D(2026, 11, 30), "created_date": D(2026, 8, 1), "owner": "李强",
         "status": "open", "next_step": "签约"},
    ],
    "orders": [
        {"order_id": "SO0001", "customer_id": "C0001", "order_date": D(2026, 6, 1), "product": "Pumps", "quantity": 10.0,
         "unit_price": 1200.0, "currency": "USD", "amount": 12000.0, "status": "delivered", "received_amount": 6000.0,
         "payment_due_date": D(2026, 8, 1), "owner": "王芳"},
        {"order_id": "SO0002", "customer_id": "C0002", "order_date": D(2026, 7, 15), "product": "Valves", "quantity": 5.0,
         "unit_price": 1700.0, "currency": "EUR", "amount": 8500.0, "status": "shipped", "received_amount": 0.0,
         "payment_due_date": D(2026, 9, 15), "owner": "李强"},
        {"order_id": "SO0003", "customer_id": "C0004", "order_date": D(2026, 9, 1), "product": "Motors", "quantity": 100.0,
         "unit_price": 500.0, "currency": "CNY", "amount": 50000.0, "status": "closed", "received_amount": 50000.0,
         "payment_due_date": D(2026, 10, 1), "owner": "李强"},
    ],
}

ZH_COUNTRY = {"US": "美国", "DE": "德国", "GB": "英国", "CN": "中国"}
TW_COUNTRY = {"US": "美國", "DE": "德國", "GB": "英國", "CN": "中國"}
EN_COUNTRY = {"US": "USA", "DE": "Germany", "GB": "UK", "CN": "China"}
ZH_SOURCE = {"online_platform": "阿里国际站", "trade_fair": "广交会", "referral": "老客户介绍", "inbound": "官网询盘"}
ZH_STAGE = {"negotiation": "谈判中", "qualified": "已报价", "interested": "有意向", "contract": "已签约"}
EN_STAGE = {"negotiation": "Negotiating", "qualified": "Quoted", "interested": "Contacted", "contract": "Signed"}
ZH_CUST_STATUS = {"active": "合作中", "prospect": "潜在客户"}
ZH_ORDER_STATUS = {"delivered": "已签收", "shipped": "已出货", "closed": "已完成"}
SYMBOL = {"USD": "$", "EUR": "€", "CNY": "¥"}


def by(key: str, value) -> dict:
    return {r[key]: r for r in CANONICAL["customers"]}[value] if key == "customer_id" else {}


def cust(cid: str) -> dict:
    return next(r for r in CANONICAL["customers"] if r["customer_id"] == cid)


def contact_of(cid: str) -> dict | None:
    return next((r for r in CANONICAL["contacts"] if r["customer_id"] == cid), None)


def money(amount: float, currency: str, style: int) -> str:
    """The same amount the ways people type it."""
    a = int(amount) if float(amount).is_integer() else amount
    if currency == "EUR":
        return ("€" + f"{a:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")) if style % 2 else f"EUR {a}"
    if currency == "USD":
        return (f"${a:,}", f"USD {a:,}", f"{a}美元")[style % 3]
    if a >= 10000 and a % 1000 == 0:
        return (f"{a / 10000:g}万元", f"RMB {a / 10000:g}万", f"¥{a:,}")[style % 3]
    return f"¥{a:,}"


class Book:
    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.bold = self.wb.add_format({"bold": True})

    def sheet(self, name: str, rows: list[list], title: list[str] | None = None, merge_col: int | None = None):
        ws = self.wb.add_worksheet(name)
        r0 = 0
        for t in title or []:
            ws.merge_range(r0, 0, r0, max(len(rows[0]) - 1, 1), t, self.bold) if t else None
            r0 += 1
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(r0 + r, c, dt.datetime(v.year, v.month, v.day), self.date)
                else:
                    ws.write(r0 + r, c, v)
        if merge_col is not None:  # merge runs of equal values in one column (a customer over its orders)
            start = 1
            for r in range(2, len(rows) + 1):
                if r == len(rows) or rows[r][merge_col] != rows[start][merge_col]:
                    if r - 1 > start:
                        ws.merge_range(r0 + start, merge_col, r0 + r - 1, merge_col, rows[start][merge_col])
                    start = r
        return ws

    def close(self) -> None:
        self.wb.close()


def zh_customers(with_contacts: bool = False, extra: bool = True) -> list[list]:
    head = ["客户编号", "客户名称", "国家", "客户来源", "业务员", "首次联系日期", "录入日期", "状态"]
    if with_contacts:
        head += ["联系人", "邮箱"]
    if extra:
        head += ["微信群"]
    rows = [head]
    for c in CANONICAL["customers"]:
        row = [c["customer_id"], c["company_name"], ZH_COUNTRY[c["country"]], ZH_SOURCE[c["source_channel"]], c["owner"],
               c["first_contact_date"], c["entered_date"], ZH_CUST_STATUS[c["status"]]]
        if with_contacts:
            p = contact_of(c["customer_id"]) or {}
            row += [p.get("name"), p.get("email")]
        if extra:
            row += [f"{c['owner']}的客户群"]
        rows.append(row)
    return rows


def zh_deals(ids: bool = True, customer_by_name: bool = False, style: int = 0, owner: bool = True) -> list[list]:
    head = (["商机编号"] if ids else []) + (["客户名称", "国家"] if customer_by_name else ["客户编号"]) + \
        ["商机名称", "阶段", "金额", "预计成交", "创建日期"] + (["业务员"] if owner else []) + ["状态", "下一步"]
    rows = [head]
    for i, o in enumerate(CANONICAL["opportunities"]):
        c = cust(o["customer_id"])
        row = ([o["opportunity_id"]] if ids else []) + \
            ([c["company_name"], ZH_COUNTRY[c["country"]]] if customer_by_name else [o["customer_id"]]) + \
            [o["title"], ZH_STAGE[o["stage"]], money(o["amount"], o["currency"], style + i), o["expected_close_date"],
             o["created_date"]] + ([o["owner"]] if owner else []) + ["跟进中", o["next_step"]]
        rows.append(row)
    return rows


def zh_orders(style: int = 0) -> list[list]:
    rows = [["订单号", "客户编号", "订单日期", "品名", "数量", "单价", "币种", "订单金额", "状态", "已收金额", "应收日期", "业务员"]]
    for i, o in enumerate(CANONICAL["orders"]):
        rows.append([o["order_id"], o["customer_id"], o["order_date"], o["product"], o["quantity"], o["unit_price"],
                     o["currency"], money(o["amount"], o["currency"], style + i), ZH_ORDER_STATUS[o["status"]],
                     o["received_amount"], o["payment_due_date"], o["owner"]])
    return rows


def to_tw(rows: list[list]) -> list[list]:
    import opencc

    conv = opencc.OpenCC("s2tw")
    return [[conv.convert(v) if isinstance(v, str) else v for v in row] for row in rows]


def write_csv(path: Path, rows: list[list], encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    for row in rows:
        w.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))


# -- the cases: file name → (sheets of CANONICAL it holds, writer) --------------------------------------

def case_zh_basic(path: Path) -> None:
    b = Book(path)
    b.sheet("客户信息", zh_customers())
    b.sheet("商机跟进", zh_deals())
    b.sheet("订单记录", zh_orders())
    b.close()


def case_zh_tw(path: Path) -> None:
    b = Book(path)
    cust_rows = to_tw(zh_customers())
    for row in cust_rows[1:]:
        row[2] = TW_COUNTRY[next(c["country"] for c in CANONICAL["customers"] if c["customer_id"] == row[0])]
    b.sheet("客戶資料", cust_rows)
    b.sheet("商機", to_tw(zh_deals()))
    b.close()


def case_en(path: Path) -> None:
    b = Book(path)
    rows = [["Customer No", "Company", "Country", "Lead source", "Sales rep", "First contacted", "Date added", "Customer status"]]
    en_source = {"online_platform": "Alibaba", "trade_fair": "Canton Fair", "referral": "Referral", "inbound": "Website"}
    en_status = {"active": "Active", "prospect": "Prospect"}
    for c in CANONICAL["customers"]:
        rows.append([c["customer_id"], c["company_name"], EN_COUNTRY[c["country"]], en_source[c["source_channel"]],
                     c["owner"], c["first_contact_date"], c["entered_date"], en_status[c["status"]]])
    b.sheet("Clients", rows)
    deals = [["Deal ID", "Customer No", "Deal name", "Deal stage", "Deal value", "Close date", "Created on", "Sales rep",
              "Deal status", "Next step"]]
    for i, o in enumerate(CANONICAL["opportunities"]):
        deals.append([o["opportunity_id"], o["customer_id"], o["title"], EN_STAGE[o["stage"]], money(o["amount"], o["currency"], i),
                      o["expected_close_date"], o["created_date"], o["owner"], "Open", o["next_step"]])
    b.sheet("Deals", deals)
    b.close()


def case_gbk_csv(path: Path) -> None:
    write_csv(path, zh_customers(), "gbk")


def case_big5_csv(path: Path) -> None:
    write_csv(path, to_tw(zh_deals(style=1)), "big5")  # Big5 has no € sign


def case_title_rows(path: Path) -> None:
    b = Book(path)
    b.sheet("客户", zh_customers(), title=["2026年外贸部客户台账", "（内部资料，请勿外传）"])
    b.sheet("商机", zh_deals(), title=["商机跟进表 2026"])
    b.close()


def case_merged(path: Path) -> None:
    rows = [["客户名称", "订单号", "订单日期", "品名", "数量", "单价", "币种", "金额", "状态", "已收款", "应收日期", "业务员"]]
    for o in sorted(CANONICAL["orders"], key=lambda o: o["customer_id"]):
        rows.append([cust(o["customer_id"])["company_name"], o["order_id"], o["order_date"], o["product"], o["quantity"],
                     o["unit_price"], o["currency"], o["amount"], ZH_ORDER_STATUS[o["status"]], o["received_amount"],
                     o["payment_due_date"], o["owner"]])
    b = Book(path)
    b.sheet("客户信息", zh_customers())
    b.sheet("订单明细", rows, merge_col=0)
    b.close()


def case_flat_customers(path: Path) -> None:
    b = Book(path)
    b.sheet("客户名单", zh_customers(with_contacts=True))
    b.close()


def case_flat_deals(path: Path) -> None:
    b = Book(path)
    b.sheet("Sheet1", zh_deals(ids=False, customer_by_name=True))
    b.close()


def case_per_salesperson(path: Path) -> None:
    b = Book(path)
    deals = zh_deals(owner=False)
    for person in ("王芳", "李强"):
        rows = [deals[0]] + [r for r, o in zip(deals[1:], CANONICAL["opportunities"]) if o["owner"] == person]
        b.sheet(person, rows)
    b.sheet("客户信息", zh_customers())
    b.close()


def case_money_symbols(path: Path) -> None:
    b = Book(path)
    b.sheet("客户信息", zh_customers(extra=False))
    b.sheet("商机", zh_deals(style=1))
    b.sheet("订单", zh_orders(style=2))
    b.close()


def case_dates(path: Path) -> None:
    weekday = "一二三四五六日"
    rows = zh_customers(extra=False)
    for row in rows[1:]:
        d1, d2 = row[5], row[6]
        row[5] = f"{d1.year}年{d1.month:02d}月{d1.day:02d}日 周{weekday[d1.weekday()]}"
        row[6] = f"{d2.year % 100}/{d2.month}/{d2.day}"
    b = Book(path)
    b.sheet("客户资料", rows)
    deals = zh_deals()
    for row in deals[1:]:
        row[5] = row[5].strftime("%Y/%m/%d")
    b.sheet("商机", deals)
    b.close()


def case_map_needed(path: Path) -> None:
    """Headers no synonym knows: imported with tests/data/own/map_needed.map.json."""
    rows = [["Kunde Nr", "Firma", "Land", "Quelle", "Betreuer", "Erstkontakt", "Angelegt", "Zustand"]]
    de_source = {"online_platform": "Plattform", "trade_fair": "Messe", "referral": "Empfehlung", "inbound": "Anfrage"}
    de_status = {"active": "aktiv", "prospect": "Interessent"}
    for c in CANONICAL["customers"]:
        rows.append([c["customer_id"], c["company_name"], {"US": "Vereinigte Staaten", "DE": "Deutschland",
                                                             "GB": "Vereinigtes Königreich", "CN": "China"}[c["country"]],
                     de_source[c["source_channel"]], c["owner"], c["first_contact_date"], c["entered_date"],
                     de_status[c["status"]]])
    b = Book(path)
    b.sheet("Kunden", rows)
    b.close()


CASES = {
    "zh_basic.xlsx": (case_zh_basic, ("customers", "opportunities", "orders")),
    "zh_tw.xlsx": (case_zh_tw, ("customers", "opportunities")),
    "en_clients_deals.xlsx": (case_en, ("customers", "opportunities")),
    "customers_gbk.csv": (case_gbk_csv, ("customers",)),
    "deals_big5.csv": (case_big5_csv, ("opportunities",)),
    "title_rows.xlsx": (case_title_rows, ("customers", "opportunities")),
    "merged_orders.xlsx": (case_merged, ("customers", "orders")),
    "flat_customers_contacts.xlsx": (case_flat_customers, ("customers", "contacts")),
    "flat_deals.xlsx": (case_flat_deals, ("customers", "opportunities")),
    "per_salesperson.xlsx": (case_per_salesperson, ("customers", "opportunities")),
    "money_symbols.xlsx": (case_money_symbols, ("customers", "opportunities", "orders")),
    "date_forms.xlsx": (case_dates, ("customers", "opportunities")),
    "map_needed.xlsx": (case_map_needed, ("customers",)),
    # title_rows.xlsx saved as .ods by LibreOffice (soffice --headless --convert-to ods); not rewritten here
    "title_rows.ods": (None, ("customers", "opportunities")),
}
MAPS = {
    "map_needed.xlsx": {
        "sheets": {"Kunden": "customers"},
        "columns": {"Kunden": {"Kunde Nr": "customer_id", "Firma": "company_name", "Land": "country",
                               "Quelle": "source_channel", "Betreuer": "owner", "Erstkontakt": "first_contact_date",
                               "Angelegt": "entered_date", "Zustand": "status"}},
        "values": {"source_channel": {"Plattform": "online_platform", "Messe": "trade_fair", "Empfehlung": "referral",
                                      "Anfrage": "inbound"},
                   "status": {"aktiv": "active", "Interessent": "prospect"}},
    },
}


TW_CASES = ("zh_tw.xlsx", "deals_big5.csv")
FREE_TEXT = ("company_name", "owner", "next_step", "title", "name")


def expected(name: str) -> dict[str, list[dict]]:
    """The canonical records a case holds (flat deals generate customer records with what they name;
    the zh-TW cases hold their free text in traditional characters, as their team typed it)."""
    sheets = CASES[name][1]
    out = {k: [dict(r) for r in CANONICAL[k]] for k in sheets}
    if name in TW_CASES:
        import opencc

        conv = opencc.OpenCC("s2tw")
        for recs in out.values():
            for r in recs:
                for col in FREE_TEXT:
                    if isinstance(r.get(col), str):
                        r[col] = conv.convert(r[col])
    if name == "flat_deals.xlsx":
        out["customers"] = [{"customer_id": c["customer_id"], "company_name": c["company_name"], "country": c["country"]}
                            for c in CANONICAL["customers"]]
    return out


def main() -> None:
    import json

    OWN.mkdir(parents=True, exist_ok=True)
    for name, (writer, _) in CASES.items():
        if writer is not None:
            writer(OWN / name)
    for name, m in MAPS.items():
        (OWN / (Path(name).stem + ".map.json")).write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n",
                                                               encoding="utf-8")


if __name__ == "__main__":
    main()


def id_of(sheet: str) -> str:
    from crm_xl.schema import SHEETS

    return SHEETS[sheet].id_column
