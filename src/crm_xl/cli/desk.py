"""The foreign-trade desk: ``document`` (quotation, PI, invoice, packing list) and ``log-mail``."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import typer

from crm_xl.cli.app import EXIT_FINDINGS, app, atomic_output, fail, handle_errors, lang_option, resolve_lang, say
from crm_xl.i18n import pick

KIND_CHOICES = {"quotation": "quotation", "pi": "pi", "invoice": "invoice", "packing-list": "packing_list",
                "packing_list": "packing_list"}


def refuse_same_file(out: Path, *inputs: Path) -> None:
    for path in inputs:
        if out.exists() and path.exists() and out.resolve() == path.resolve():
            raise typer.BadParameter(f"{out} is an input; write the output to a new file")


@app.command("document", help="Make a trade document from the register: quotation (报价单), proforma invoice "
                              "(形式发票), commercial invoice (商业发票) or packing list (装箱单), as .pdf, .html or "
                              ".xlsx. Company, bank, terms and the number pattern come from Settings; --record "
                              "writes a copy of the register whose change log records the number.\n\n"
                              "Example: crm-xl document 客户台账.xlsx --kind pi --order SO0042 --out PI.pdf "
                              "--record 客户台账-新.xlsx")
@handle_errors()
def document(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="The register workbook (read only)."),
    kind: str = typer.Option(..., "--kind", help="quotation, pi, invoice or packing-list."),
    order: str = typer.Option(None, "--order", help="The order's ID (rows with its contract no. are its lines)."),
    opportunity: str = typer.Option(None, "--opportunity", help="The opportunity's ID (quotation or PI)."),
    out: Path = typer.Option(..., "--out", help="FILE.pdf, FILE.html or FILE.xlsx."),
    record: Path = typer.Option(None, "--record", help="Write a copy of the register with the issued number in its "
                                                       "change log (变更日志) to this new file."),
    as_of: str = typer.Option(None, "--as-of", help="Document date (YYYY-MM-DD; default today)."),
    user: str = typer.Option(None, "--user", help="Who issues it, for the change log (default: the login name)."),
    engine: str = typer.Option("auto", "--engine", help="PDF engine: auto, weasyprint or libreoffice."),
    lang: str = lang_option(),
) -> None:
    from crm_xl.documents import changelog_entry, document_context, next_number
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.trade_documents import SUFFIXES, write_document

    if kind.lower() not in KIND_CHOICES:
        raise typer.BadParameter(f"--kind must be one of quotation, pi, invoice, packing-list; got {kind!r}")
    if out.suffix.lower() not in SUFFIXES:
        raise typer.BadParameter(f"--out must end in {', '.join(SUFFIXES)}")
    refuse_same_file(out, path)
    if record is not None:
        refuse_same_file(record, path)
        if record.resolve() == out.resolve():
            raise typer.BadParameter("--record and --out must be different files")
    kind = KIND_CHOICES[kind.lower()]
    register = read_register(path)
    lang = resolve_lang(lang, register.lang)
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    ctx = document_context(register, kind, order_id=order, opportunity_id=opportunity, as_of=day, lang=lang)
    rec = (ctx["record"]["sheet"], ctx["record"]["id"])
    if ctx["number"]:  # the order's own invoice number
        number, new = ctx["number"], False
    else:
        number, new = next_number(register, kind, day, rec)
        ctx["number"] = number
    with atomic_output(out) as tmp:
        write_document(ctx, tmp, engine)
    say(f"已生成 {ctx['title_zh']} {number} → {out}", f"Wrote {ctx['title_en'].lower()} {number} → {out}", lang)
    if ctx["words"]:
        say(f"  合计 {ctx['currency']} {ctx['total']['amount']}：{ctx['words']}",
            f"  total {ctx['currency']} {ctx['total']['amount']}: {ctx['words']}", lang)
    for item in ctx["missing"]:
        say(f"  缺少：{item}（单据上留空）", f"  missing: {item} (left blank on the document)", lang)
    if record is not None:
        from crm_xl.ports.append import append_rows

        entries = [changelog_entry(kind, rec, number, user or getpass.getuser(), dt.datetime.now().replace(microsecond=0))] \
            if new else []
        with atomic_output(record) as tmp:
            if entries:
                append_rows(register, path, tmp, {"changelog": entries})
            else:
                tmp.write_bytes(path.read_bytes())
        say(f"  编号已记入变更日志 → {record}" if new else f"  编号 {number} 已登记过，未重复记录 → {record}",
            f"  number recorded in the change log → {record}" if new else
            f"  number {number} was already recorded; not recorded again → {record}", lang)
    elif new:
        say(f"  注意：编号 {number} 未记入变更日志（加 --record 新台账.xlsx 记录）",
            f"  note: number {number} is not recorded in the change log (add --record NEW.xlsx)", lang)
    if ctx["missing"]:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("log-mail", help="Log e-mails and chats that already happened into 跟进记录: .eml, .mbox, Outlook .msg, "
                              "WhatsApp and WeChat text exports, or folders of them. Messages are matched to "
                              "contacts by address or phone, to customers by company domain (public mail domains "
                              "excluded); unmatched ones are listed, never guessed. A re-run adds nothing twice "
                              "(Message-ID).\n\n"
                              "Example: crm-xl log-mail 客户台账.xlsx ~/Mail/export 'WhatsApp Chat with John.txt' "
                              "--out 客户台账-新.xlsx")
@handle_errors()
def log_mail(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="The register workbook (read only)."),
    mail: list[Path] = typer.Argument(..., exists=True, help="Mail or chat files, or folders of them (read only)."),
    out: Path = typer.Option(..., "--out", help="The new register with the activities appended (.xlsx/.xlsm)."),
    lang: str = lang_option(),
) -> None:
    from crm_xl.mail_log import log_contacts
    from crm_xl.ports.append import append_rows
    from crm_xl.ports.mailbox import read_contacts
    from crm_xl.ports.reader import read_register

    refuse_same_file(out, path, *mail)
    register = read_register(path)
    lang = resolve_lang(lang, register.lang)
    from crm_xl.schema import SHEETS

    acts = SHEETS["activities"]
    lacking = [acts.column(k).label(lang) for k in ("message_id", "direction", "summary", "date", "customer_id")
               if register.column_index("activities", k) is None or "activities" not in register.positions]
    if lacking:
        fail(pick(f"{acts.label(lang)} 缺少列：{'、'.join(lacking)}（请先在表头加上这些列；邮件编号用于避免重复导入）",
                  f"the {acts.label(lang)} sheet lacks the columns {', '.join(lacking)} (add them to its header "
                  "first; the message ID keeps a re-run from logging a message twice)", lang))
    contacts, problems = read_contacts(list(mail), register.settings.date_day_first)
    result = log_contacts(register, contacts, lang)
    with atomic_output(out) as tmp:
        if result.rows:
            append_rows(register, path, tmp, {"activities": result.rows})
        else:
            tmp.write_bytes(path.read_bytes())
    say(f"读取 {len(contacts)} 条消息：新增跟进记录 {len(result.rows)} 条，已记录过 {result.skipped} 条，"
        f"未匹配 {len(result.unmatched)} 条 → {out}",
        f"Read {len(contacts)} messages: {len(result.rows)} activities added, {result.skipped} already logged, "
        f"{len(result.unmatched)} unmatched → {out}", lang)
    for u in result.unmatched:
        c = u.contact
        when = c.when.strftime("%Y-%m-%d %H:%M") if c.when else "?"
        say(f"  未匹配：{c.source}  {when}  {c.sender}  「{c.subject[:60]}」— {u.reason}",
            f"  unmatched: {c.source}  {when}  {c.sender}  \"{c.subject[:60]}\" — {u.reason}", lang)
    for file, reason in problems:
        say(f"  无法读取：{file} — {reason}", f"  could not read: {file} — {reason}", lang)
