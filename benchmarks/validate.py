"""Benchmark: ``crm-xl validate`` wall time ÷ fastexcel's time to just read every sheet.

Builds (or reuses, cached in the temp folder) a register with 100,000 customers, one contact each,
2 opportunities and 2–3 orders per customer, with about 1 % planted mistakes, then measures in one
run: fastexcel reading all sheets into Arrow, and ``crm-xl validate --format json`` in a subprocess
(wall time and the child's peak memory). Targets: ratio ≤ 2.0, peak memory ≤ 1.5 GB.

Run: ``python benchmarks/validate.py [--customers 100000] [--rebuild]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import logging

import numpy as np
import pandas as pd

logging.getLogger("fastexcel").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2026, 11, 23)
COUNTRIES = ["DE", "US", "GB", "FR", "IT", "ES", "NL", "PL", "AU", "JP", "BR", "IN", "AE", "CN", "CA"]
SUFFIXES = ["GmbH", "Inc.", "LLC", "Ltd", "Co., Ltd.", "S.r.l.", "B.V.", "S.A.", "Pty Ltd", "AG", "有限公司"]
CURRENCY = {"DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR", "NL": "EUR", "US": "USD", "GB": "GBP",
            "PL": "EUR", "AU": "AUD", "JP": "JPY", "BR": "USD", "IN": "USD", "AE": "USD", "CN": "CNY", "CA": "USD"}
STAGES = ["lead", "interested", "qualified", "negotiation", "contract", "execution"]


def _phones(countries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Distinct valid mobile numbers in international format, one per customer's country."""
    import phonenumbers

    out = np.empty(len(countries), dtype=object)
    for c in sorted(set(countries)):
        where = np.flatnonzero(countries == c)
        ex = phonenumbers.example_number_for_type(c, phonenumbers.PhoneNumberType.MOBILE)
        text = phonenumbers.format_number(ex, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        digits = [i for i, ch in enumerate(text) if ch.isdigit()][-6:]
        pool: set[str] = set()
        while len(pool) < len(where):
            chars = list(text)
            for i, d in zip(digits, rng.integers(0, 10, len(digits))):
                chars[i] = str(d)
            number = "".join(chars)
            if number not in pool and phonenumbers.is_valid_number(phonenumbers.parse(number)):
                pool.add(number)
        out[where] = sorted(pool)
    return out


def build_frames(n: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Plain frames (codes, dates, numbers) for ``n`` customers with ≈1 % mistakes."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 6)).astype(object)
    country = rng.choice(COUNTRIES, n)
    words = np.array(["Global", "Pacific", "Nordic", "Alpha", "Delta", "Sun", "Blue", "Green", "Metro", "Prime"])
    names = np.array([f"{words[i % 10]} {words[(i // 10) % 10]} Trading {i} {SUFFIXES[i % len(SUFFIXES)]}"
                      for i in range(n)], dtype=object)
    first = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
    entered = first + pd.to_timedelta(rng.integers(0, 3, n), unit="D")
    important = rng.random(n) < 0.1
    owners = np.array([f"Sales{i:02d}" for i in range(20)])
    customers = pd.DataFrame({
        "customer_id": ids, "company_name": names, "country": country,
        "address": [f"{i} Main Street" for i in range(n)], "industry": "Machinery",
        "source_channel": rng.choice(["trade_fair", "online_platform", "sales_outreach", "inbound"], n),
        "owner": rng.choice(owners, n), "first_contact_date": first, "entered_date": entered,
        "coop_start_date": entered + pd.to_timedelta(90, unit="D"),
        "annual_purchase_amount": rng.integers(10_000, 10_000_000, n).astype(float),
        "currency": [CURRENCY[c] for c in country], "payment_terms": rng.choice(["TT", "LC", "OA"], n),
        "incoterms": rng.choice(["FOB", "CIF", "EXW"], n), "credit_rating": rng.choice(list("ABC"), n),
        "important": np.where(important, "yes", "no"),
        "reviewed_by": np.where(important, "Manager", None), "reviewed_date": np.where(important, entered, pd.NaT),
        "last_info_update": pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 100, n), unit="D"),
        "status": rng.choice(["prospect", "active", "dormant"], n),
    })
    contacts = pd.DataFrame({
        "contact_id": np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 6)).astype(object),
        "customer_id": ids, "name": [f"Person {i}" for i in range(n)], "title": "Buyer",
        "decision_role": "purchaser", "phone": _phones(country, rng),
        "email": [f"buyer{i}@trading{i}.com" for i in range(n)],
        "birthday": pd.Timestamp("1970-01-01") + pd.to_timedelta(rng.integers(0, 12000, n), unit="D"),
    })
    m = 2 * n
    cust = np.repeat(ids, 2)
    stage = rng.choice(STAGES, m)
    created = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(1, 300, m), unit="D")
    expected_close = np.maximum(created, pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(-10, 200, m), unit="D"))
    prob = np.array([{"lead": .1, "interested": .2, "qualified": .4, "negotiation": .7}.get(s, 1.0) for s in stage])
    opportunities = pd.DataFrame({
        "opportunity_id": np.char.add("O", np.char.zfill(np.arange(1, m + 1).astype(str), 7)).astype(object),
        "customer_id": cust, "title": "Pumps order", "product": rng.choice(["Pump", "Valve", "Motor"], m),
        "region": "EU", "stage": stage, "probability": prob, "amount": rng.integers(1000, 500_000, m).astype(float),
        "currency": "USD", "quantity": rng.integers(1, 1000, m).astype(float), "created_date": created,
        "expected_close_date": expected_close,
        "competitors": "Acme", "next_step": "Send quote", "owner": rng.choice(owners, m),
        "status": np.where(np.isin(stage, ["contract", "execution"]), "won", "open"),
        "won_date": np.where(np.isin(stage, ["contract", "execution"]), created, pd.NaT),
    })
    k = rng.integers(2, 4, n)
    o = int(k.sum())
    ocust = np.repeat(ids, k)
    qty = rng.integers(1, 1000, o).astype(float)
    price = np.round(rng.uniform(1, 500, o), 2)
    order_date = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 1000, o), unit="D")
    amount = np.round(qty * price, 2)
    orders = pd.DataFrame({
        "order_id": np.char.add("SO", np.char.zfill(np.arange(1, o + 1).astype(str), 7)).astype(object),
        "customer_id": ocust, "order_date": order_date, "product": rng.choice(["Pump", "Valve", "Motor"], o),
        "quantity": qty, "unit_price": price, "currency": "USD", "amount": amount, "cost": np.round(amount * .7, 2),
        "promised_delivery_date": order_date + pd.to_timedelta(30, unit="D"),
        "ship_date": order_date + pd.to_timedelta(rng.integers(20, 40, o), unit="D"), "status": "shipped",
        "invoiced_amount": amount, "received_amount": amount, "owner": rng.choice(owners, o),
    })
    # ≈1 % planted mistakes of several kinds
    for frame, col, bad in ((customers, "country", "XX"), (contacts, "email", "not-an-email"),
                            (orders, "received_amount", 1e9), (opportunities, "customer_id", "C999999X")):
        pick = rng.choice(len(frame), len(frame) // 100, replace=False)
        frame[col] = frame[col].astype(object)
        frame.loc[pick, col] = bad
    return {"customers": customers, "contacts": contacts, "opportunities": opportunities, "orders": orders}


def build_workbook(path: Path, n: int) -> None:
    from crm_xl.ports.template import write_register
    from crm_xl.register import Register
    from crm_xl.settings import Settings

    try:
        from crm_xl.demo import generate_demo  # the demo generator, when it is on this branch
        data = generate_demo(n_customers=n, as_of=AS_OF)
        frames = {k: v for k, v in data.frames.items()}
    except ImportError:
        frames = build_frames(n)
    write_register(path, Register(frames=frames, settings=Settings()), lang="en")


def read_fastexcel(path: Path) -> tuple[float, int]:
    import fastexcel

    t = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    rows = 0
    for name in reader.sheet_names:
        rows += reader.load_sheet(name, schema_sample_rows=None).to_arrow().num_rows
    return time.perf_counter() - t, rows


def run_validate(path: Path) -> tuple[float, float, int]:
    out = Path(tempfile.gettempdir()) / "crm-xl-bench-findings.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "crm_xl", "validate", str(path), "--as-of", AS_OF.isoformat(),
                           "--format", "json", "--out", str(out)], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit(f"crm-xl validate failed ({proc.returncode}): {proc.stderr}")
    import json

    n_findings = len(json.loads(out.read_text(encoding="utf-8"))["findings"])
    return wall, max(peak_kb, before) / 1024, n_findings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    path = Path(tempfile.gettempdir()) / f"crm-xl-bench-{args.customers}.xlsx"
    if args.rebuild or not path.exists():
        t = time.perf_counter()
        build_workbook(path, args.customers)
        print(f"built {path} in {time.perf_counter() - t:.1f} s")
    read_s, rows = read_fastexcel(path)
    wall, peak_mb, n_findings = run_validate(path)
    print(f"rows in workbook:          {rows:,}")
    print(f"fastexcel read all sheets: {read_s:.2f} s")
    print(f"crm-xl validate (wall):    {wall:.2f} s  ({n_findings:,} findings)")
    print(f"ratio validate / read:     {wall / read_s:.2f}  (target ≤ 2.0)")
    print(f"peak memory of validate:   {peak_mb:,.0f} MB  (target ≤ 1536 MB)")


if __name__ == "__main__":
    main()
