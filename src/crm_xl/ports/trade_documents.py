"""Trade documents out: HTML from ``templates/trade_document.html.j2``, PDF the way the reports are
printed (``reports.pdf.html_to_pdf``: WeasyPrint, LibreOffice as the fallback), and a printable A4
xlsx laid out like the PDF (numbers as numbers, so the buyer's figures can be checked in Excel)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

from crm_xl.ports.packaging import Workbook

TEMPLATE = "trade_document.html.j2"
SUFFIXES = (".pdf", ".html", ".xlsx")


def render_html(context: dict[str, Any]) -> str:
    from markupsafe import Markup

    from crm_xl.fonts import FONTS
    from crm_xl.reports.html import environment

    # the packaged CJK faces (declared by the PDF port's @font-face) in both stacks, as the reports do
    fonts = {"fonts_en": Markup(FONTS["en"]), "fonts_zh": Markup(FONTS["zh-CN"])}
    return environment().get_template(TEMPLATE).render(**{**fonts, **context})


def write_document(context: dict[str, Any], path: str | Path, engine: str = "auto") -> Path:
    """Write the document to ``path`` (.pdf, .html or .xlsx by its suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        path.write_text(render_html(context), encoding="utf-8")
    elif suffix == ".pdf":
        from crm_xl.reports.pdf import html_to_pdf

        html_to_pdf(render_html(context), path, engine)
    elif suffix == ".xlsx":
        write_xlsx(context, path)
    else:
        raise ValueError(f"--out must end in {', '.join(SUFFIXES)}, got {path.name}")
    return path


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").strip()
    try:
        return float(Decimal(cleaned)) if cleaned else None
    except ArithmeticError:
        return None


def _display_width(text: str) -> float:
    """Rough printed width in column units (one unit = a digit of Excel's default 11 pt font) at the
    documents' 10 pt: a CJK or full-width character ≈ 1.9, a capital or digit ≈ 0.85, other Latin
    ≈ 0.65 (measured on a Calc-printed PI: 76 characters of the remark filled 50 units)."""
    return sum(1.9 if unicodedata.east_asian_width(ch) in "WF" else 0.85 if ch.isupper() or ch.isdigit()
               else 0.65 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` column units wide, wrapping at
    spaces (and anywhere inside CJK text) as Excel and Calc do. Neither grows a merged cell's row to
    fit, so the writer sets the height from this, or a long remark is cut at the cell's edge."""
    room = max(2.0, float(width))
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            w = _display_width(word)
            need = w if used == 0 else used + 0.65 + w
            if need <= room:
                used = need
                continue
            if used:
                lines += 1
            while w > room:  # a word longer than the line (CJK text has no spaces) breaks inside
                lines += 1
                w -= room
            used = w
    return lines


def write_xlsx(ctx: dict[str, Any], path: str | Path) -> None:
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    base = {"font_name": "Noto Sans CJK SC", "font_size": 10}
    fmt = {
        "zh": wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "en": wb.add_format({**base, "bold": True, "font_size": 12, "align": "center"}),
        "addr": wb.add_format({**base, "font_size": 9, "align": "center", "text_wrap": True}),
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center", "top": 2,
                                "top_color": "#1F4E78"}),
        "k": wb.add_format({**base, "bold": True, "font_color": "#1F4E78", "valign": "top"}),
        "v": wb.add_format({**base, "text_wrap": True, "valign": "top"}),
        "sign": wb.add_format({**base, "text_wrap": True, "valign": "top", "align": "right"}),
        "th": wb.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1,
                             "text_wrap": True, "align": "center", "valign": "vcenter"}),
        "td": wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"}),
        "qty": wb.add_format({**base, "border": 1, "num_format": "#,##0.###", "valign": "top"}),
        "money": wb.add_format({**base, "border": 1, "num_format": "#,##0.00##", "valign": "top"}),
        "cbm": wb.add_format({**base, "border": 1, "num_format": "#,##0.000", "valign": "top"}),
        "tot": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#EEF3F9"}),
        "totm": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#EEF3F9", "num_format": "#,##0.00"}),
        "totq": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#EEF3F9", "num_format": "#,##0.###"}),
        "words": wb.add_format({**base, "bold": True, "text_wrap": True}),
        "h2": wb.add_format({**base, "bold": True, "font_color": "#1F4E78", "bottom": 1}),
    }
    ws = wb.add_worksheet(ctx["kind"].replace("_", " ").title()[:31])
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    packing = ctx["kind"] == "packing_list"
    # column A holds the table's No. and, above it, the heading labels ("To / Buyer:", "Order ref.:")
    widths = [11, 20, 16, 12, 10, 11, 11, 11] if packing else [11, 22, 18, 11, 12, 14, 16]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    last = len(widths) - 1
    c = ctx["company"]
    r = 0
    ws.merge_range(r, 0, r, last, c["name_zh"], fmt["zh"]); r += 1
    ws.merge_range(r, 0, r, last, c["name_en"], fmt["en"]); r += 1
    ws.merge_range(r, 0, r, last, "\n".join(x for x in (c["address"], c["contact"]) if x), fmt["addr"])
    ws.set_row(r, 28); r += 1
    ws.merge_range(r, 0, r, last, f"{ctx['title_en']}  {ctx['title_zh']}", fmt["title"])
    ws.set_row(r, 24); r += 2
    b = ctx["buyer"]
    buyer = "\n".join(x for x in (b["name"], b["address"], b["country"]) if x)
    attn = b["attn"] + (f" <{b['email']}>" if b["email"] else "") + (f", {b['phone']}" if b["phone"] else "")
    ref = ctx["order_ref"] + (f" (Contract {ctx['contract_no']})" if ctx["contract_no"] else "")
    head = [("To / Buyer:", buyer, "No.:", ctx["number"]), ("Attn:", attn, "Date:", ctx["date"]),
            ("Order ref.:" if ctx["record"]["sheet"] == "orders" else "Inquiry ref.:", ref,
             "Valid until:" if ctx["valid_until"] else "", ctx["valid_until"])]
    for k1, v1, k2, v2 in head:
        ws.write_string(r, 0, k1, fmt["k"])
        ws.merge_range(r, 1, r, last - 2, v1, fmt["v"])  # up to the right-hand label
        ws.write_string(r, last - 1, k2, fmt["k"])
        ws.write_string(r, last, v2, fmt["v"])
        lines = wrapped_lines(v1, sum(widths[1:last - 1]))  # its lines, and a long one wrapped
        if lines > 1:
            ws.set_row(r, 14 * lines)
        r += 1
    r += 1
    if packing:
        heads = ["No.", "Description of goods", "Specification", "Quantity", "Cartons", "N.W. (kg)", "G.W. (kg)",
                 "Meas. (CBM)"]
    else:
        heads = ["No.", "Description of goods", "Specification", "HS code", "Quantity",
                 f"Unit price ({ctx['currency']})", f"Amount ({ctx['currency']})"]
    for i, h in enumerate(heads):
        ws.write_string(r, i, h, fmt["th"])
    ws.set_row(r, 28)
    ws.repeat_rows(r)
    r += 1
    for line in ctx["lines"]:
        ws.write_number(r, 0, line["no"], fmt["td"])
        ws.write_string(r, 1, line["product"], fmt["td"])
        ws.write_string(r, 2, line["spec"], fmt["td"])
        if packing:
            cells = [(3, line["quantity"], "qty"), (4, line["cartons"], "qty"), (5, line["net_weight_kg"], "money"),
                     (6, line["gross_weight_kg"], "money"), (7, line["cbm"], "cbm")]
        else:
            ws.write_string(r, 3, line["hs_code"], fmt["td"])
            cells = [(4, line["quantity"], "qty"), (5, line["unit_price"], "money"), (6, line["amount"], "money")]
        for col, text, f in cells:
            value = _number(text)
            if value is None:
                ws.write_blank(r, col, None, fmt[f])
            else:
                ws.write_number(r, col, value, fmt[f])
        r += 1
    t = ctx["total"]
    if packing:
        ws.merge_range(r, 0, r, 2, "TOTAL", fmt["tot"])
        ws.write_string(r, 3, t["quantity"], fmt["tot"])
        for col, key in ((4, "cartons"), (5, "net_weight_kg"), (6, "gross_weight_kg"), (7, "cbm")):
            ws.write_number(r, col, float(ctx["totals"][key]), fmt["totq"])
    else:
        ws.merge_range(r, 0, r, 3, f"TOTAL {ctx['terms']['incoterm']}".strip(), fmt["tot"])
        ws.write_string(r, 4, t["quantity"], fmt["tot"])
        ws.write_blank(r, 5, None, fmt["tot"])
        ws.write_number(r, 6, float(ctx["totals"]["amount"]), fmt["totm"])
    r += 2
    for text in (ctx["words"], f"大写：{ctx['words_zh']}" if ctx["words_zh"] else "",
                 f"SAY TOTAL {t['cartons']} CARTONS ONLY" if packing else ""):
        if text:
            ws.merge_range(r, 0, r, last, text, fmt["words"])
            ws.set_row(r, 28)
            r += 1
    r += 1
    terms = ctx["terms"]
    rows = [("Price term (Incoterms 2020):", terms["incoterm"])]
    if not packing:
        rows.append(("Payment:", terms["payment"]))
    rows.append(("Shipped on:" if ctx["kind"] in ("invoice", "packing_list") else "Shipment:", terms["shipment"]))
    rows += [("Port of loading:", terms["port_of_loading"]), ("Port of destination:", terms["port_of_destination"])]
    if ctx["kind"] in ("pi", "invoice"):
        rows.append(("Documents:", terms["documents"]))
    if ctx["valid_until"]:
        rows.append(("Validity:", f"valid until {ctx['valid_until']}"))
    if not packing and terms["remarks"]:
        rows.append(("Remarks:", terms["remarks"]))
    sections = [("Terms and conditions", rows)]
    if ctx["bank"]:
        bank = ctx["bank"]
        sections.append(("Bank information", [("Beneficiary:", bank["beneficiary"]),
                                              ("Beneficiary's bank:", bank["bank_name"]),
                                              ("Bank address:", bank["bank_address"]), ("SWIFT code:", bank["swift"]),
                                              ("Account no.:", bank["account"])]))
    for title, items in sections:
        ws.merge_range(r, 0, r, last, title, fmt["h2"])
        r += 1
        for k, v in items:
            ws.merge_range(r, 0, r, 2, k, fmt["k"])
            ws.merge_range(r, 3, r, last, v, fmt["v"])
            lines = wrapped_lines(v, sum(widths[3:]))
            if lines > 1:
                ws.set_row(r, 14 * lines)
            r += 1
        r += 1
    r += 2
    # the signature line spans the right half, right-aligned: a long company name was cut at the edge
    sign = f"For and on behalf of {c['name_en']}"
    ws.merge_range(r, 3, r, last, sign, fmt["sign"])
    if wrapped_lines(sign, sum(widths[3:])) > 1:
        ws.set_row(r, 14 * wrapped_lines(sign, sum(widths[3:])))
    ws.print_area(0, 0, r, last)
    wb.close()
