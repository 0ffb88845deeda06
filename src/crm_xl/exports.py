"""What an export may contain (pure core): one owner's records, and the columns to mask.

Policy 000 二(四): customer information is shown only to authorised people and shared outside
only with approval; 000 二(四)3 / 002 二.4: what is shared outside is limited to what is needed.
"""

from __future__ import annotations

import pandas as pd

from crm_xl.register import Register

# Sheets whose rows belong to a customer through customer_id.
CUSTOMER_SHEETS = ("contacts", "opportunities", "activities", "orders", "tickets", "surveys", "intelligence",
                   "projects", "vehicles", "service_visits", "events")
# Sheets whose rows belong to a project through project_id.
PROJECT_SHEETS = ("milestones", "project_changes")
# Policy tables every export keeps (they hold no customer data).
SETTINGS_SHEETS = ("settings", "stages", "fx_rates", "holidays")

# Personal contact data masked for outside parties: column → kind of mask.
MASKED_COLUMNS: dict[str, dict[str, str]] = {
    "customers": {"address": "address", "wechat": "im", "legal_rep": "name"},
    "contacts": {"phone": "phone", "email": "email", "wechat": "im", "whatsapp": "phone"},
    "tickets": {"contact_info": "contact", "complainant": "name"},
}


def owner_subset(register: Register, owner: str) -> dict[str, pd.DataFrame]:
    """Only ``owner``'s customers and every row that refers to them (plus the owner's own staff rows)."""
    owner = owner.strip()
    customers = register["customers"]
    mine = customers[customers["owner"].str.strip().eq(owner).fillna(False)]
    ids = set(mine["customer_id"].dropna())
    frames: dict[str, pd.DataFrame] = {"customers": mine}
    for key in CUSTOMER_SHEETS:
        frame = register[key]
        frames[key] = frame[frame["customer_id"].isin(ids).fillna(False)]
    projects = set(frames["projects"]["project_id"].dropna())
    for key in PROJECT_SHEETS:
        frame = register[key]
        frames[key] = frame[frame["project_id"].isin(projects).fillna(False)]
    staff = register["staff"]
    frames["staff"] = staff[staff["name"].str.strip().eq(owner).fillna(False)]
    log = register["changelog"]
    record_ids = set(ids) | {v for k in CUSTOMER_SHEETS + PROJECT_SHEETS for v in _ids(register, k, frames[k])}
    frames["changelog"] = log[log["record_id"].isin(record_ids).fillna(False)]
    for key in SETTINGS_SHEETS:
        frames[key] = register[key]
    return frames


def _ids(register: Register, key: str, frame: pd.DataFrame) -> set:
    from crm_xl.schema import SHEETS

    id_column = SHEETS[key].id_column
    return set(frame[id_column].dropna()) if id_column else set()


def owners(register: Register) -> list[str]:
    return sorted(set(register["customers"]["owner"].dropna().str.strip()) - {""})
