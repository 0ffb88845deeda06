"""The demo company's trade-desk facts: its letterhead and bank in Settings, and on its orders and
opportunities the HS code and unit of each product, the Incoterm's named place, the ports, the
packing (cartons, weights, volume) and contract numbers, so ``crm-xl demo`` prints complete
quotations, PIs, invoices and packing lists. Deterministic for a seed (a fictitious company)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_xl.register import Register

COMPANY = {
    "company_name_zh": "宁波明辉照明科技有限公司",
    "company_name_en": "Ningbo Brightway Lighting Technology Co., Ltd.",
    "company_address": "No. 88 Xingye Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
    "company_contact": "Tel +86 574 8888 6666 · sales@brightway-lighting.example · www.brightway-lighting.example",
    "bank_name": "Bank of China, Ningbo Branch",
    "bank_address": "139 Yaohang Street, Ningbo, Zhejiang, China",
    "bank_swift": "BKCHCNBJ92A",
    "bank_account": "3512 5836 9147 0026",
}
# Demo products: (HS code, unit, pieces per carton, net kg per carton, gross kg per carton, CBM per carton)
PRODUCTS = {
    "LED Downlight 12W": ("9405.11", "PCS", 40, 9.6, 10.8, 0.045),
    "LED Bulb A60 9W": ("8539.52", "PCS", 100, 4.5, 5.6, 0.032),
    "LED Tube T8 18W": ("8539.52", "PCS", 25, 6.0, 7.2, 0.030),
    "LED Flood Light 100W": ("9405.42", "PCS", 4, 10.4, 11.6, 0.038),
    "LED Panel 40W": ("9405.11", "PCS", 4, 11.6, 12.4, 0.042),
    "LED High Bay 150W": ("9405.11", "PCS", 2, 7.8, 8.9, 0.036),
    "LED Street Light 120W": ("9405.42", "PCS", 2, 12.2, 13.6, 0.050),
    "LED Strip 24V 5m": ("9405.42", "ROLL", 50, 6.5, 7.4, 0.028),
    "Solar Street Light 60W": ("9405.42", "SET", 1, 14.0, 16.5, 0.065),
}
PORTS = {"DE": "Hamburg", "US": "Los Angeles", "MX": "Manzanillo", "SA": "Jeddah", "FR": "Le Havre", "IT": "Genoa",
         "GB": "Felixstowe", "TH": "Laem Chabang", "ES": "Valencia", "AE": "Jebel Ali", "NL": "Rotterdam",
         "IN": "Nhava Sheva", "NG": "Lagos", "AU": "Sydney", "BR": "Santos", "JP": "Yokohama", "ZA": "Durban",
         "TR": "Istanbul", "CA": "Vancouver", "CN": "Ningbo"}
LOADING = "Ningbo"
SELLER_PLACE_TERMS = {"EXW", "FCA", "FAS", "FOB"}  # the named place is at the seller's end


def enrich(register: Register) -> Register:
    """The register with the demo's trade-desk facts added (frames and Settings changed in place)."""
    register.settings = register.settings.model_copy(update=COMPANY)
    customers = register.frames["customers"].drop_duplicates("customer_id").set_index("customer_id")
    for sheet in ("orders", "opportunities"):
        f = register.frames[sheet]
        if f.empty:
            continue
        facts = f["product"].map(PRODUCTS)
        f["hs_code"] = facts.map(lambda x: x[0] if isinstance(x, tuple) else None).astype("string")
        f["unit"] = facts.map(lambda x: x[1] if isinstance(x, tuple) else None).astype("string")
        country = f["customer_id"].map(customers["country"]).astype("string")
        term = f["customer_id"].map(customers["incoterms"]).astype("string")
        dest = country.map(lambda c: PORTS.get(c) if isinstance(c, str) else None)
        f["incoterm"] = term
        f["named_place"] = np.where(term.isin(list(SELLER_PLACE_TERMS)).fillna(False), LOADING, dest)
        f["named_place"] = f["named_place"].astype("string")
        if sheet == "orders":
            f["port_of_loading"] = pd.Series(LOADING, index=f.index, dtype="string")
            f["port_of_destination"] = dest.astype("string")
            per = facts.map(lambda x: x[2] if isinstance(x, tuple) else None).astype("float64")
            cartons = np.ceil(f["quantity"].astype("float64") / per)
            f["cartons"] = pd.array(cartons.round(), dtype="Int64") if len(f) else cartons
            for key, i in (("net_weight_kg", 3), ("gross_weight_kg", 4), ("cbm", 5)):
                unit = facts.map(lambda x, i=i: x[i] if isinstance(x, tuple) else None).astype("float64")
                f[key] = (cartons * unit).round(3 if key == "cbm" else 2)
            # a customer's orders of one month in one currency are one contract (a PI of several lines)
            day = f["order_date"].dt.strftime("%Y%m")
            keys = [f["customer_id"], day, f["currency"]]
            pair = f.groupby(keys)["order_id"].transform("count") > 1
            contract = "SC-" + day + "-" + f["customer_id"].astype("string")
            f["contract_no"] = contract.where(pair, None).astype("string")
        else:
            qty = f["quantity"].astype("float64")
            price = (f["amount"].astype("float64") / qty.where(qty > 0)).round(2)
            f["unit_price"] = price
        register.frames[sheet] = f
    return register
