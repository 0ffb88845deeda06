"""Reading mail and chat exports into :class:`crm_xl.mail_log.Contact` (files are only read).

- ``.eml``: the standard library's ``email`` parser (``policy.default`` decodes RFC 2047 headers
  in any charset, GBK and GB18030 included);
- ``.mbox``: ``mailbox.mbox``, each message parsed as an ``.eml``;
- ``.msg`` (Outlook): ``extract-msg``;
- ``.txt``: a WhatsApp "Export chat" file (``12/11/2026, 14:32 - Name: text`` on Android,
  ``[12/11/2026, 14:32:05] Name: text`` on iOS) or a WeChat text export
  (``2026-11-20 14:32:05 Name`` / ``Name 2026-11-20 14:32:05`` followed by the message lines); its
  encoding is detected with charset-normalizer when it is not UTF-8;
- a folder: every such file in it and below it, in name order.
WhatsApp dates are day-first or month-first by the phone's locale: a first field above 12 means
day-first, a second above 12 month-first, otherwise the register's ``date_day_first`` setting.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import mailbox
import re
from pathlib import Path
from typing import Iterator

from crm_xl.mail_log import Contact

__all__ = ["MAIL_SUFFIXES", "read_contacts", "unreadable"]

MAIL_SUFFIXES = (".eml", ".mbox", ".msg", ".txt")


def _naive(when: dt.datetime | None) -> dt.datetime | None:
    """Local wall time of the message (the time zone it was written in), without tzinfo."""
    return when.replace(tzinfo=None) if when is not None else None


def _from_message(msg: email.message.EmailMessage, source: str) -> Contact:
    def parsed(name: str) -> list[tuple[str, str]]:
        out = []
        for value in msg.get_all(name) or []:
            found = getattr(value, "addresses", None)  # policy.default: decoded, parsed headers
            if found is not None:
                out += [(a.display_name, a.addr_spec) for a in found if a.addr_spec]
            else:
                out += [(n, a) for n, a in email.utils.getaddresses([str(value)]) if a]
        return out

    def addresses(*names: str) -> tuple[str, ...]:
        return tuple(a for n in names for _, a in parsed(n))

    sender = parsed("From")
    name, address = sender[0] if sender else ("", "")
    when = None
    if msg.get("Date"):
        try:
            when = _naive(email.utils.parsedate_to_datetime(str(msg["Date"])))
        except (TypeError, ValueError, IndexError):
            when = None
    files = tuple(part.get_filename() for part in msg.iter_attachments() if part.get_filename()) \
        if msg.is_multipart() else ()
    return Contact(source=source, channel="email", when=when, sender=address, sender_name=name,
                   recipients=addresses("To", "Cc"), subject=str(msg.get("Subject", "") or "").strip(),
                   message_id=str(msg.get("Message-ID", "") or "").strip(), attachments=files)


def _read_eml(path: Path) -> Iterator[Contact]:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.default)
    yield _from_message(msg, str(path))


def _read_mbox(path: Path) -> Iterator[Contact]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for i, key in enumerate(box.keys(), start=1):
            raw = box.get_bytes(key)
            yield _from_message(email.message_from_bytes(raw, policy=email.policy.default), f"{path}#{i}")
    finally:
        box.close()


def _read_msg(path: Path) -> Iterator[Contact]:
    import extract_msg

    msg = extract_msg.openMsg(str(path))
    try:
        header = msg.header
        message_id = (header.get("Message-ID") if header is not None else None) or getattr(msg, "messageId", None) or ""
        sender = email.utils.getaddresses([msg.sender or ""])
        name, address = sender[0] if sender else ("", "")
        recipients = tuple(r.email for r in msg.recipients if getattr(r, "email", None))
        when = msg.date  # PR_CLIENT_SUBMIT_TIME; a saved received mail may have only its transport headers
        if when is None and header is not None and header.get("Date"):
            when = str(header.get("Date"))
        if isinstance(when, str):
            when = email.utils.parsedate_to_datetime(when)
        files = tuple(a.longFilename or a.shortFilename for a in msg.attachments
                      if (a.longFilename or a.shortFilename))
        yield Contact(source=str(path), channel="email", when=_naive(when), sender=address or (msg.sender or ""),
                      sender_name=name, recipients=recipients, subject=(msg.subject or "").strip(),
                      message_id=str(message_id).strip(), attachments=files)
    finally:
        msg.close()


_WA = re.compile(r"^\[?(\d{1,4})[./-](\d{1,2})[./-](\d{1,4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?\]?"
                 r"\s*(?:-\s*)?([^:]{1,80}?):\s(.*)$")
_WX = [re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(.{1,80})$"),
       re.compile(r"^(.{1,80}?)\s+(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")]
_CHAT_WITH = re.compile(r"WhatsApp(?: Chat with| 聊天：| 聊天记录 -| Chat -)\s*(.+)$", re.I)


def _text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def _whatsapp(lines: list[str], path: Path, day_first: bool) -> list[Contact]:
    hits = [(i, m) for i, line in enumerate(lines) if (m := _WA.match(line.strip("\u200e\u202f ")))]
    firsts = [int(m.group(1)) for _, m in hits if len(m.group(1)) <= 2]
    seconds = [int(m.group(2)) for _, m in hits]
    if any(v > 12 for v in firsts):
        day_first = True
    elif any(v > 12 for v in seconds):
        day_first = False
    chat_with = ""
    m = _CHAT_WITH.search(path.stem)
    if m:
        chat_with = m.group(1).strip()
    out = []
    for n, (i, m) in enumerate(hits, start=1):
        a, b, c = m.group(1), m.group(2), m.group(3)
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            year = int(c) + (2000 if len(c) == 2 else 0)
            day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        hour = int(m.group(4))
        ampm = (m.group(7) or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        try:
            when = dt.datetime(year, month, day, hour, int(m.group(5)), int(m.group(6) or 0))
        except ValueError:
            when = None
        text = m.group(9).strip()
        out.append(Contact(source=f"{path}#{n}", channel="whatsapp", when=when, sender=m.group(8).strip(),
                           subject=text, chat_with=chat_with))
    return out


def _wechat(lines: list[str], path: Path) -> list[Contact]:
    out: list[Contact] = []
    current: Contact | None = None
    for line in lines:
        stripped = line.strip()
        m0, m1 = _WX[0].match(stripped), _WX[1].match(stripped)
        if m0 or m1:
            if m0:
                y, mo, d, h, mi, s, name = m0.groups()
            else:
                name, y, mo, d, h, mi, s = m1.groups()
            try:
                when = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            except ValueError:
                when = None
            current = Contact(source=f"{path}#{len(out) + 1}", channel="wechat", when=when, sender=name.strip())
            out.append(current)
        elif current is not None and stripped and not current.subject:
            current.subject = stripped
    return out


def _read_txt(path: Path, day_first: bool) -> Iterator[Contact]:
    lines = _text(path).splitlines()
    wa = _whatsapp(lines, path, day_first)
    if wa:
        yield from wa
        return
    yield from _wechat(lines, path)


def unreadable(path: Path) -> bool:
    return path.suffix.lower() not in MAIL_SUFFIXES


def read_contacts(paths: list[Path], day_first: bool = True) -> tuple[list[Contact], list[tuple[str, str]]]:
    """Every message in ``paths`` (files or folders); and (file, reason) for files that could not be read."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and not unreadable(f))
        else:
            files.append(p)
    contacts: list[Contact] = []
    problems: list[tuple[str, str]] = []
    for f in files:
        suffix = f.suffix.lower()
        try:
            if suffix == ".eml":
                got = list(_read_eml(f))
            elif suffix == ".mbox":
                got = list(_read_mbox(f))
            elif suffix == ".msg":
                got = list(_read_msg(f))
            elif suffix == ".txt":
                got = list(_read_txt(f, day_first))
                if not got:
                    problems.append((str(f), "no WhatsApp or WeChat messages found"))
            else:
                problems.append((str(f), "not .eml, .mbox, .msg or .txt"))
                continue
        except Exception as exc:  # a damaged file is reported, the others are still read
            problems.append((str(f), f"{type(exc).__name__}: {exc}"))
            continue
        contacts += got
    return contacts, problems
