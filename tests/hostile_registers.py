"""Hostile registers built for the data-protection tests, and an independent leak scanner.

The registers hold personal data in every free-text column (phones of several countries written
several ways, e-mail addresses, WeChat/WhatsApp/LINE/Skype/QQ handles after their labels, ID-card
and passport numbers), numeric IDs that repeat across sheets, owner names that collide when made
into file names, and owner names that look like chart formulas.

The scanner does not use crm-xl's detector: it opens every part of an output zip (or reads a CSV)
and looks for the planted values and for anything shaped like an e-mail address, a handle after
its label or a phone-length run of digits in text.
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

# Planted personal data: (text as typed, what must never appear in an output).
PHONES = ["13812345678", "+86 139-8765-4321", "+49 151 23456789", "(202) 555-0143", "+44 7700 900123",
          "0151 2345 6789", "010-62345678", "+81 90-1234-5678"]
EMAILS = ["john.smith@example.com", "li.na@qq.com", "buyer_01@mueller-gmbh.de"]
HANDLES = [("WeChat", "zhangsan_88"), ("微信：", "wxid_abc12345"), ("WhatsApp", "+4915123456789"),
           ("LINE ID: ", "yamada.taro"), ("Skype: ", "live:bob_buyer"), ("QQ ", "123456789")]
ID_NUMBERS = ["11010119900307123X", "护照 E12345678"]
SECRETS = ([re.sub(r"\D", "", p)[-8:] for p in PHONES] + EMAILS
           + [h.lstrip("+") for _, h in HANDLES] + ["11010119900307123X", "E12345678"])

CHART_OWNERS = ["cmd|' /C calc'!A0", "[1]Sheet1!A1", "=SUM(A1:A9)"]
COLLIDING_OWNERS = ["Team/A", "Team:A", "Team?A", "team/a"]


def pii_text(i: int) -> str:
    phone = PHONES[i % len(PHONES)]
    email = EMAILS[i % len(EMAILS)]
    label, handle = HANDLES[i % len(HANDLES)]
    ident = ID_NUMBERS[i % len(ID_NUMBERS)]
    return f"客户说 call {phone}, mail {email} / {label}{handle}; 证件 {ident} 下周回访"


def hostile_records(profile: str = "trade") -> dict[str, list[dict]]:
    """Numeric per-sheet IDs (customer 1, contact 1, order 1 …: the same numbers on every sheet),
    PII in every free-text column, owners that collide or look like formulas."""
    owners = ["张伟", "李娜"] + COLLIDING_OWNERS + CHART_OWNERS
    base = {"source_channel": "trade_fair", "first_contact_date": "2026-03-02", "entered_date": "2026-03-03",
            "status": "active", "country": "DE", "currency": "EUR"}
    customers, contacts, opportunities, activities, orders, tickets, surveys, changelog = ([] for _ in range(8))
    for i in range(1, len(owners) * 2 + 1):
        owner = owners[(i - 1) % len(owners)]
        text = pii_text(i)
        customers.append({**base, "customer_id": i, "company_name": f"Kunde {i} GmbH", "owner": owner,
                          "address": f"Hauptstraße {i}, 10115 Berlin, Tel {PHONES[i % len(PHONES)]}",
                          "notes": text, "business_scope": text, "decision_process": text,
                          "products_of_interest": text, "legal_rep": f"Hans Müller {i}", "industry": "LED"})
        contacts.append({"contact_id": i, "customer_id": i, "name": f"联系人{i}", "title": text,
                         "phone": PHONES[i % len(PHONES)], "email": EMAILS[i % len(EMAILS)],
                         "wechat": HANDLES[0][1], "whatsapp": PHONES[(i + 1) % len(PHONES)],
                         "birthday": "1980-05-0%d" % (i % 9 + 1), "preferences": text})
        opportunities.append({"opportunity_id": i, "customer_id": i, "title": text, "product": "LED",
                              "region": "EU", "stage": "negotiation", "amount": 1000 * i, "currency": "EUR",
                              "created_date": "2026-10-01", "expected_close_date": "2026-12-15", "owner": owner,
                              "status": "open", "competitors": text, "next_step": text, "lost_reason": text})
        activities.append({"activity_id": i, "date": "2026-11-02", "customer_id": i, "method": "email",
                           "summary": text, "outcome": text, "next_action": text, "owner": owner})
        orders.append({"order_id": i, "customer_id": i, "order_date": "2026-10-05", "product": "LED", "spec": text,
                       "quantity": 10, "unit_price": 100, "currency": "EUR", "amount": 1000, "cost": 700,
                       "status": "shipped", "owner": owner})
        tickets.append({"ticket_id": i, "type": "complaint", "received_at": "2026-11-01 10:00", "channel": "email",
                        "customer_id": i, "complainant": f"Hans Müller {i}",
                        "contact_info": f"{EMAILS[i % len(EMAILS)]} / {PHONES[i % len(PHONES)]}",
                        "category": "quality", "description": text, "expected_resolution": text, "urgency": "high",
                        "status": "received", "root_cause": text, "solution": text, "compensation": text})
        surveys.append({"survey_id": i, "customer_id": i, "date": "2026-11-05", "channel": "email",
                        "overall_score": 4, "comments": text})
        # change log: per-sheet numeric IDs, so record 3 of Contacts is not customer 3
        changelog.append({"at": "2026-11-20 10:00", "user": "张伟", "sheet": "联系人", "record_id": i,
                          "column": "email", "old_value": EMAILS[i % len(EMAILS)], "new_value": text,
                          "reason": f"客户来电 {PHONES[i % len(PHONES)]} 更正"})
    staff = [{"staff_id": f"S{i}", "name": o, "period": "2026-10", "sales_target": 1_000_000, "expense": 50_000}
             for i, o in enumerate(owners)]
    return {"customers": customers, "contacts": contacts, "opportunities": opportunities,
            "activities": activities, "orders": orders, "tickets": tickets, "surveys": surveys,
            "changelog": changelog, "staff": staff}


# ---------------------------------------------------------------------------------------------
# Independent leak scanner
# ---------------------------------------------------------------------------------------------

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
HANDLE = re.compile(r"(?i)(?<![\w.@*])(?:wechat|微信|whatsapp|line id|skype|qq)\s*[:：]?\s*([A-Za-z0-9+][A-Za-z0-9_\-.:+*]{3,})")
DIGITS = re.compile(r"(?<![A-Za-z0-9])\+?\d[\d \-().]{5,}\d")
# Not personal: dates (with a time), decimal numbers such as column widths, serials of dates.
NOT_PERSONAL = re.compile(r"^(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}(?::\d{2}){0,2})?|-?\d+\.\d+)$")


def _template_texts() -> set[str]:
    """The template's own help texts (examples such as "+49 30 1234567" in a column's input message)."""
    from crm_xl.i18n import LANGS
    from crm_xl.schema import SHEETS

    return {c.help(lang) for s in SHEETS.values() for c in s.columns for lang in LANGS}


def text_nodes(xml: str) -> list[str]:
    """Texts of an XML part: element contents and attribute values (entities decoded), without
    markup numbers (angles, sizes: attributes that are a bare number or a GUID) and the template's
    fixed help texts."""
    fixed = _template_texts()
    texts = [unescape(t) for t in re.findall(r">([^<]+)<", xml)]
    texts += [unescape(v) for v in re.findall(r'="([^"]*)"', xml)
              if not re.fullmatch(r"-?\d+(?:\.\d+)?|\{[0-9A-Fa-f\-]+\}", v)]
    return [t for t in texts if t not in fixed]


def leaks_in_text(text: str) -> list[str]:
    found = [s for s in SECRETS if s in text]
    found += EMAIL.findall(text)
    found += [h for h in HANDLE.findall(text) if "*" not in h]
    for run in DIGITS.findall(text):
        if sum(c.isdigit() for c in run) >= 7 and not NOT_PERSONAL.match(run.strip()):
            found.append(run)
    return found


def scan_zip(path: Path) -> list[tuple[str, str]]:
    """(part, leak) for every part of an xlsx. Numeric cell values (<v> of number cells) are not
    text and are skipped; every string, attribute and property is scanned."""
    leaks = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            try:
                xml = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if "/worksheets/" in name:  # number cells hold amounts, not text
                xml = re.sub(r'<c [^>]*?(?<!t="s")(?<!t="str")(?<!t="inlineStr")><v>[^<]*</v></c>', "", xml)
            for text in text_nodes(xml):
                leaks += [(name, leak) for leak in leaks_in_text(text)]
    return leaks


def scan_file(path: Path) -> list[tuple[str, str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return scan_zip(path)
    text = path.read_text(encoding="utf-8-sig")
    return [(path.name, leak) for leak in leaks_in_text(text)]


def formula_refs(path: Path) -> list[tuple[str, str]]:
    """Every formula or chart reference in an xlsx: (part, text)."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            xml = archive.read(name).decode("utf-8", "replace")
            found += [(name, unescape(f)) for f in re.findall(r"<(?:c:)?f(?:\s[^>]*)?>([^<]*)</(?:c:)?f>", xml)]
    return found
