"""Commands that protect customer data: ``export``, ``encrypt``, ``decrypt``, ``diff``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from crm_xl.cli.app import (EXIT_FINDINGS, app, atomic_output, check_early, console, fail, handle_errors, lang_option,
                            preload, source_argument, resolve_lang, say)
from crm_xl.i18n import pick
from crm_xl.cli.app import dumps


def _password(password: str | None, confirm: bool = False) -> str:
    from crm_xl.ports.crypto import resolve_password

    secret = resolve_password(password)
    if secret:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.prompt("Password / 密码", hide_input=True, confirmation_prompt=confirm)
    fail("a password is needed: --password or the environment variable CRM_XL_PASSWORD")
    raise AssertionError  # unreachable


@app.command("export", help="Export a register for one owner or, masked, for an outside party.\n\n"
                            "--owner: only rows reachable from that owner's customers by a declared reference. "
                            "--mask: personal data masked in every text cell; staff, order costs, Settings and "
                            "birthdays left out unless --include names them.\n\n"
                            "Example: crm-xl export 台账.xlsx --mask --approval 审批-2026-031 --out 给货代.xlsx")
@handle_errors()
def export(
    path: Path = source_argument(),
    out: Path = typer.Option(..., "--out", help="Output .xlsx file, or a folder for --format csv (empty, or this "
                                                "owner's earlier export)."),
    owner: str = typer.Option(None, "--owner", help="Only this owner's customers and the rows that refer to them."),
    mask: bool = typer.Option(False, "--mask", help="For an outside party: mask personal data (needs --approval)."),
    approval: str = typer.Option(None, "--approval", help="Approval reference for sharing outside (policy 000 二(四)3)."),
    include: str = typer.Option(None, "--include", help="With --mask, also export: staff, costs, settings, birthdays "
                                                        "(comma-separated)."),
    fmt: str = typer.Option(None, "--format", help="xlsx or csv (default from --out)."),
    log: Path = typer.Option(None, "--log", help="Export log to append to (default: crm-xl-exports.csv beside the "
                                                 "register)."),
    password: str = typer.Option(None, "--password", help="Password of an encrypted register."),
    lang: str = lang_option(),
) -> None:
    check_early(path)  # the input check runs on the second core while pandas and the core are imported
    from crm_xl.exports import (ExportError, cut_overlong, detector_for, mask_frames, overlong_findings, owner_subset,
                                 withhold)
    from crm_xl.ports.atomic import atomic_path
    from crm_xl.ports.export import (append_log, check_csv_folder, check_xlsx_target, export_identity,
                                     write_csv_folder, write_xlsx)
    from crm_xl.ports.reader import read_register
    from crm_xl.ports.sanitize import visible_line
    from crm_xl.schema import SHEETS
    from crm_xl.settings import Settings

    ui_lang = resolve_lang(lang)
    if mask and not approval:
        fail(pick("对外提供客户信息须经审批：请用 --approval 填写审批编号（制度 000 二(四)3）",
                  "sharing customer data outside needs approval: give --approval REF (policy 000 二(四)3)",
                  ui_lang), EXIT_FINDINGS)
    kind = (fmt or ("csv" if out.suffix.lower() in ("", ".csv") else "xlsx")).lower()
    if kind not in ("csv", "xlsx"):
        raise typer.BadParameter("--format must be xlsx or csv")
    wanted = {p.strip().lower() for p in (include or "").split(",") if p.strip()}
    # what the export imports after the read, imported on the second core during it
    preload((*(("crm_xl.ports.template",) if kind == "xlsx" else ()),
             *(("crm_xl.ports.books",) if owner and not mask else ()), *(("phonenumbers",) if mask else ())))
    try:
        register = read_register(path, password=password)
        lang = resolve_lang(lang, register.lang)
        frames = owner_subset(register, owner) if owner is not None else dict(register.frames)
        left_out: list[str] = []
        settings = register.settings
        if mask:
            frames, left_out = withhold(frames, wanted)
            frames = mask_frames(frames, detector_for(register), register.settings.profile)
            if "settings" not in wanted:
                settings = Settings(profile=register.settings.profile, language=register.settings.language)
        elif wanted:
            raise typer.BadParameter("--include needs --mask")
        frames, overlong = cut_overlong(frames)
        identity = export_identity(owner.strip() if owner else owner, mask)
        folder = out if out.suffix.lower() != ".csv" else out.with_suffix("")
        if kind == "csv":
            earlier = check_csv_folder(folder, identity["owner"], mask)
            written = write_csv_folder(folder, register, frames, lang, identity, earlier)
            target = folder
        else:
            check_xlsx_target(out, identity["owner"], mask)
            record = None
            if owner and not mask:  # a salesperson's book: recorded so that crm-xl merge finds its base
                from crm_xl.ports.books import new_export_record

                record = new_export_record(identity["owner"], str(path))
            out.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(out, backups=0) as tmp:
                write_xlsx(tmp, register, frames, lang, identity, settings, record=record)
            if record is not None:
                from crm_xl.ports.books import keep_base

                keep_base(out, record)
            target = out
        if mask or approval or owner:
            # beside the register (not in the folder being shared); a database has no folder: beside the output
            home = path.parent if isinstance(path, Path) else (target if target.is_dir() else target.parent)
            log_path = log or home / "crm-xl-exports.csv"
            append_log(log_path, source=path, output=target, approval=approval, owner=owner, masked=mask,
                       frames=frames, left_out=left_out, cut=len(overlong), follow_symlink=log is not None)
    except ExportError as exc:
        fail(exc.message(lang if isinstance(lang, str) and lang in ("zh-CN", "zh-TW", "en") else ui_lang))
    counts = {k: len(v) for k, v in frames.items() if len(v)}
    say(f"已导出 {target}（客户 {counts.get('customers', 0)} 个）", f"Exported {target} ({counts.get('customers', 0)} customers)", lang)
    if left_out:
        shown = [SHEETS[k].label(lang) + (f"·{SHEETS[k].column(c).label(lang)}" if c else "")
                 for k, _, c in (item.partition(".") for item in left_out)]
        say("未导出（可用 --include 加入）：" + "、".join(shown), "Left out (add with --include): " + ", ".join(shown), lang)
    for finding in overlong_findings(register, overlong):
        sheet = SHEETS[finding.sheet]
        column = sheet.column(finding.column).label(lang) if sheet.has(finding.column) else visible_line(finding.column)
        say(f"{finding.code} {sheet.label(lang)}!{finding.cell or finding.row or ''} {column}：{finding.message(lang)}",
            f"{finding.code} {sheet.label(lang)}!{finding.cell or finding.row or ''} {column}: {finding.message(lang)}", lang)


@app.command("encrypt", help="Encrypt a workbook with a password (Excel-compatible).\n\n"
                             "Example: CRM_XL_PASSWORD=… crm-xl encrypt 台账.xlsx --out 台账-加密.xlsx")
@handle_errors()
def encrypt(
    path: Path = typer.Argument(...),
    out: Path = typer.Option(..., "--out"),
    password: str = typer.Option(None, "--password", help="Password (or CRM_XL_PASSWORD, or a prompt)."),
    lang: str = lang_option("zh-CN"),
) -> None:
    from crm_xl.ports.crypto import encrypt_workbook

    secret = _password(password, confirm=True)
    with atomic_output(out) as tmp:
        tmp.unlink()
        encrypt_workbook(path, tmp, secret, backups=0)
    say(f"已加密：{out}", f"Encrypted: {out}", resolve_lang(lang))


@app.command("decrypt", help="Decrypt a password-protected workbook.\n\n"
                             "Example: crm-xl decrypt 台账-加密.xlsx --out 台账.xlsx --password …")
@handle_errors()
def decrypt(
    path: Path = typer.Argument(...),
    out: Path = typer.Option(..., "--out"),
    password: str = typer.Option(None, "--password", help="Password (or CRM_XL_PASSWORD, or a prompt)."),
    lang: str = lang_option("zh-CN"),
) -> None:
    from crm_xl.ports.crypto import decrypt_workbook

    secret = _password(password)
    with atomic_output(out) as tmp:
        tmp.unlink()
        decrypt_workbook(path, tmp, secret, backups=0)
    say(f"已解密：{out}", f"Decrypted: {out}", resolve_lang(lang))


@app.command("diff", help="Compare two versions of a register by record ID; flag changes without a change-log reason.\n\n"
                          "Exit 1 when a changed value has no change-log row with a reason (policy 000 二(二)2).\n\n"
                          "Example: crm-xl diff 台账-上周.xlsx 台账.xlsx --out 变更.json")
@handle_errors()
def diff(
    old: Path = typer.Argument(..., help="The earlier version."),
    new: Path = typer.Argument(..., help="The later version (its change log is checked)."),
    out: Path = typer.Option(None, "--out", help="Write the differences as JSON."),
    password: str = typer.Option(None, "--password"),
    lang: str = lang_option(),
) -> None:
    from crm_xl.diff import diff_registers
    from crm_xl.ports.sanitize import visible_text
    from crm_xl.ports.reader import read_register
    from crm_xl.schema import SHEETS

    a, b = read_register(old, password=password), read_register(new, password=password)
    lang = resolve_lang(lang, b.lang)
    result = diff_registers(a, b)
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    table = Table(title=t("变更明细", "Changes"))
    for head in (t("工作表", "Sheet"), t("记录", "Record"), t("行", "Row"), t("字段", "Column"), t("原值", "Old"),
                 t("新值", "New"), t("变更日志", "Logged")):
        table.add_column(head)
    for rec in result.changed.to_dict("records"):
        sheet = SHEETS[rec["sheet"]]
        table.add_row(*(visible_text(v) for v in (
            sheet.label(lang), rec["record_id"], rec["row"], sheet.column(rec["column"]).label(lang), rec["old"],
            rec["new"], rec["reason"] if isinstance(rec["reason"], str) else t("✗ 无更正原因", "✗ no reason logged"))))
    console.print(table)
    s = result.to_json()["summary"]
    say(f"新增 {s['added']} 条，删除 {s['removed']} 条，修改 {s['changed_cells']} 个单元格，其中 {s['unexplained']} 个未记录更正原因",
        f"{s['added']} added, {s['removed']} removed, {s['changed_cells']} cells changed, {s['unexplained']} without a logged reason", lang)
    if out:
        with atomic_output(out) as tmp:
            tmp.write_text(dumps(result.to_json(), indent=2), encoding="utf-8")
    if s["unexplained"]:
        raise typer.Exit(EXIT_FINDINGS)
