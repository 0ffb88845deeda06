"""log-mail: a folder of mail and chat exports written here logs exactly the expected activities."""

from __future__ import annotations

import email.policy
import email.utils
import mailbox
from email.header import Header
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import calamine_rows, sha256
from crm_xl.cli import app
from crm_xl.mail_log import is_public_domain, normalize_phone
from desk_books import write_desk_book
from outlook_msg import write_msg

runner = CliRunner()


def eml(path: Path, *, frm: str, to: str, subject: str, date: str, mid: str, cc: str = "",
        attachment: tuple[str, bytes] | None = None, reply_to_id: str = "") -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"], msg["Message-ID"] = frm, to, subject, date, mid
    if cc:
        msg["Cc"] = cc
    if reply_to_id:
        msg["In-Reply-To"] = reply_to_id
    msg.set_content("Dear partner,\nplease see below.\n")
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    path.write_bytes(msg.as_bytes(policy=email.policy.SMTP))


def gbk_eml(path: Path) -> None:
    """A message as Chinese mail clients send it: GBK body and a GBK encoded-word subject."""
    msg = MIMEMultipart()
    msg["From"] = email.utils.formataddr(("陈明", "chenming@163.com"), charset="gbk")
    msg["To"] = "wangfang@brightway-lighting.cn"
    msg["Subject"] = Header("关于筒灯订单SO003的交期", "gbk")
    msg["Date"] = "Tue, 17 Nov 2026 09:12:00 +0800"
    msg["Message-ID"] = "<gbk-001@163.com>"
    msg.attach(MIMEText("王经理您好，请确认交期。", "plain", "gbk"))
    path.write_bytes(msg.as_bytes())
    assert path.read_bytes().count(b"=?gbk?") == 2


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    d = tmp_path / "mail"
    (d / "sub").mkdir(parents=True)
    # 1. a customer's contact writes to our salesperson, with an attachment (UTF-8 subject)
    eml(d / "01.eml", frm="John Carter <john@sunrise-trading.com>", to="李强 <liqiang@brightway-lighting.cn>",
        subject="RFQ: LED panels for Q1 – größere Mengen", date="Mon, 16 Nov 2026 08:30:00 -0800",
        mid="<rfq-1@sunrise-trading.com>", attachment=("specs.pdf", b"%PDF-1.4 test"))
    # 2. our reply (sent): matched through the recipient, owner from the sender
    eml(d / "02.eml", frm="李强 <liqiang@brightway-lighting.cn>", to="john@sunrise-trading.com",
        cc="wangfang@brightway-lighting.cn", subject="Re: RFQ: LED panels for Q1", date="Tue, 17 Nov 2026 10:00:00 +0800",
        mid="<re-rfq-1@brightway-lighting.cn>", reply_to_id="<rfq-1@sunrise-trading.com>")
    # 3. an unknown person at a known customer's domain → the customer, no contact
    eml(d / "sub" / "03.eml", frm="logistics@sunrise-trading.com", to="liqiang@brightway-lighting.cn",
        subject="Shipping marks", date="Wed, 18 Nov 2026 07:00:00 -0800", mid="<marks@sunrise-trading.com>")
    # 4. GBK: a registered contact with a public-domain address (163.com) → matched by the address
    gbk_eml(d / "sub" / "04.eml")
    # 5. an unknown sender with a gmail address → unmatched (a public domain names no customer)
    eml(d / "05.eml", frm="Deal Hunter <dealhunter99@gmail.com>", to="liqiang@brightway-lighting.cn",
        subject="Cheap LED offer", date="Thu, 19 Nov 2026 11:00:00 +0000", mid="<spam-1@gmail.com>")
    # 6. an unknown company → unmatched
    eml(d / "06.eml", frm="buyer@unknown-importer.co.uk", to="wangfang@brightway-lighting.cn",
        subject="Catalogue request", date="Thu, 19 Nov 2026 12:00:00 +0000", mid="<cat@unknown-importer.co.uk>")
    # 7. an mbox with two messages: one duplicates 01.eml (same Message-ID), one is new
    box = mailbox.mbox(str(d / "archive.mbox"))
    dup = EmailMessage()
    dup["From"], dup["To"], dup["Subject"] = "john@sunrise-trading.com", "liqiang@brightway-lighting.cn", "RFQ copy"
    dup["Date"], dup["Message-ID"] = "Mon, 16 Nov 2026 08:30:00 -0800", "<rfq-1@sunrise-trading.com>"
    dup.set_content("same message")
    new = EmailMessage()
    new["From"], new["To"] = "anna.mueller@mueller-licht.de", "wangfang@brightway-lighting.cn"
    new["Subject"], new["Date"] = "Reklamation High Bay", "Fri, 20 Nov 2026 09:00:00 +0100"
    new["Message-ID"] = "<rekl-7@mueller-licht.de>"
    new.set_content("Bitte um Rückruf.")
    box.add(dup)
    box.add(new)
    box.flush()
    box.close()
    # 8. a WhatsApp export (Android, day-first because of 20/11): Omar writes, 李强 answers, next day again
    (d / "WhatsApp Chat with Omar Haddad.txt").write_text(
        "20/11/2026, 09:15 - Messages and calls are end-to-end encrypted.\n"
        "20/11/2026, 09:16 - Omar Haddad: Hello, do you have the 24V strips in stock?\n"
        "20/11/2026, 09:20 - 李强: Yes, 500 rolls. I will send the PI today.\n"
        "The price is FOB Ningbo.\n"
        "21/11/2026, 16:02 - Omar Haddad: <Media omitted>\n", encoding="utf-8")
    # 9. a WeChat export in GB18030 with a registered contact and a stranger
    (d / "wechat.txt").write_bytes(
        ("2026-11-21 10:05:11 陈明\n下周能发货吗？\n\n2026-11-21 10:06:40 王芳\n可以，周三装柜。\n\n"
         "2026-11-22 08:00:00 陌生人\n你好\n").encode("gb18030"))
    # 10. an Outlook .msg with an attachment from a registered contact
    write_msg(d / "sub" / "Angebot.msg", sender="anna.mueller@mueller-licht.de", sender_name="Anna Müller",
              to=[("王芳", "wangfang@brightway-lighting.cn")], subject="AW: Angebot High Bay – Lieferzeit",
              date="Mon, 23 Nov 2026 08:00:00 +0100", message_id="<aw-angebot@mueller-licht.de>",
              attachments=[("Zeichnung.pdf", b"%PDF-1.4 drawing")])
    return d


def test_public_domains_and_phones():
    assert is_public_domain("163.com") and is_public_domain("gmail.com") and is_public_domain("qq.com")
    assert not is_public_domain("sunrise-trading.com")
    assert normalize_phone("+971 50 123 4567") == normalize_phone("00971501234567".replace("00", "+", 1)) == "+971501234567"
    assert normalize_phone("13800138000", "CN") == "+8613800138000"


def test_log_mail_logs_exactly_the_expected_activities_and_a_rerun_adds_none(tmp_path: Path, mail_folder: Path):
    book = write_desk_book(tmp_path / "台账.xlsx")
    before = {p: sha256(p) for p in [book, *mail_folder.rglob("*")] if p.is_file()}
    out = tmp_path / "台账-新.xlsx"
    res = runner.invoke(app, ["log-mail", str(book), str(mail_folder), "--out", str(out), "--lang", "en"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert all(sha256(p) == h for p, h in before.items())  # inputs are only read
    rows = calamine_rows(out, "跟进记录")
    header, data = rows[0], rows[1:]
    assert data[0][:7] == ["A001", data[0][1], "C002", "O001", "P002", "电话", "Discussed the 2027 panel program"]
    got = [dict(zip(header, r)) for r in data[1:]]
    summary = [(str(g["日期"])[:10], g["客户编号"], g["联系人编号"], g["跟进方式"], g["方向"], g["负责人"],
                g["沟通内容"]) for g in got]
    assert summary == [
        ("2026-11-16", "C002", "P002", "邮件", "收到", "李强", "RFQ: LED panels for Q1 – größere Mengen (attachments: specs.pdf)"),
        ("2026-11-17", "C002", "P002", "邮件", "发出", "李强", "Re: RFQ: LED panels for Q1"),
        ("2026-11-17", "C003", "P003", "邮件", "收到", "王芳", "关于筒灯订单SO003的交期"),
        ("2026-11-18", "C002", "", "邮件", "收到", "李强", "Shipping marks"),
        ("2026-11-20", "C001", "P001", "邮件", "收到", "王芳", "Reklamation High Bay"),
        ("2026-11-20", "C004", "P004", "即时通讯", "收到", "李强",
         "WhatsApp: Hello, do you have the 24V strips in stock? (2 messages that day)"),
        ("2026-11-21", "C003", "P003", "即时通讯", "收到", "王芳", "WeChat: 下周能发货吗？ (2 messages that day)"),
        ("2026-11-21", "C004", "P004", "即时通讯", "收到", "李强", "WhatsApp: <Media omitted> (1 messages that day)"),
        ("2026-11-23", "C001", "P001", "邮件", "收到", "王芳", "AW: Angebot High Bay – Lieferzeit (attachments: Zeichnung.pdf)"),
    ]
    assert [g["记录编号"] for g in got] == [f"A{n:03d}" for n in range(2, 11)]
    assert got[0]["邮件编号"] == "<rfq-1@sunrise-trading.com>"
    out_text = " ".join(res.output.split())
    assert "9 activities added, 1 already logged, 3 unmatched" in out_text
    assert "dealhunter99@gmail.com" in out_text and "public mail domain" in out_text
    assert "unknown-importer.co.uk" in out_text and "陌生人" in out_text
    # the other sheets are as they were
    for sheet in ("客户", "联系人", "订单", "变更日志", "参数设置"):
        assert calamine_rows(out, sheet) == calamine_rows(book, sheet)
    # a re-run on the new register adds nothing
    again = tmp_path / "again.xlsx"
    res2 = runner.invoke(app, ["log-mail", str(out), str(mail_folder), "--out", str(again), "--lang", "en"])
    assert res2.exit_code == 0 and "0 activities added, 10 already logged" in " ".join(res2.output.split())
    assert calamine_rows(again, "跟进记录") == rows
    # and the new register reads and validates as a register
    from crm_xl.ports.reader import read_register

    reg = read_register(out)
    assert len(reg.frames["activities"]) == 10
    assert set(reg.frames["activities"]["method"]) == {"phone", "email", "im"}
