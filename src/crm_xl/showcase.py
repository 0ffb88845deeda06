"""``crm-xl demo``: the main job run end to end on a generated company.

Builds the demo register (as .xlsx, and as .xlsm with the macro buttons), reads it back like any
user workbook, reviews it once (validation → analysis → follow-ups → service) and writes every
output crm-xl produces into one folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.table import Table

from crm_xl.cli.app import atomic_output, console
from crm_xl.i18n import pick
from crm_xl.ports.template import sheets_for
from crm_xl.schema import SHEETS
from crm_xl.contract import dumps


def _write_json(path: Path, data) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(dumps(data, indent=2), encoding="utf-8")


def run_demo(out: Path, *, lang: str = "zh-CN", profile: str = "trade", seed: int = 20261123,
             as_of: dt.date = dt.date(2026, 11, 23), pdf: bool = True) -> dict:
    """Build the demo workbook, read it back and write every output into ``out``."""
    from crm_xl import forms
    from crm_xl.cli.validate import print_text, report_json
    from crm_xl.ports.followup_book import write_followup_book, write_owner_books
    from crm_xl.ports.reader import read_register
    from crm_xl.reports.build import prepare
    from crm_xl.reports.output import write_demo_reports
    from crm_xl.review import review
    from crm_xl.workbook import build_workbook, demo_register

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    say = lambda zh, en: console.print(t(zh, en), markup=False, soft_wrap=True)  # noqa: E731  (a line is never cut)
    out.mkdir(parents=True, exist_ok=True)
    stem = t("演示台账", "demo-register") + ("" if profile == "trade" else f"-{profile}")
    workbook = out / f"{stem}.xlsx"
    company, _ = demo_register(lang=lang, profile=profile, seed=seed, as_of=as_of)  # generated once, written twice
    with atomic_output(workbook) as tmp:
        generated = build_workbook(tmp, lang=lang, profile=profile, register=company)
    with atomic_output(out / f"{stem}.xlsm") as tmp:
        build_workbook(tmp, lang=lang, profile=profile, register=company, macros=True)
    say(f"① 已生成演示台账 {workbook}（另有带按钮的 .xlsm）", f"① Built the demo register {workbook} (and an .xlsm with buttons)")

    register = read_register(workbook)
    counts = register.counts()
    table = Table(title=t("各工作表记录数", "Records per sheet"))
    for head, justify in ((t("工作表", "Sheet"), "left"), (t("生成", "Generated"), "right"), (t("读回", "Read back"), "right")):
        table.add_column(head, justify=justify)
    shown = [k for k in sheets_for(profile) if not SHEETS[k].settings_table or k in ("fx_rates", "holidays")]
    for key in shown:
        table.add_row(SHEETS[key].label(lang), str(generated.get(key, 0)), str(counts[key]))
    console.print(table)
    summary: dict = {"workbook": str(workbook), "as_of": as_of.isoformat(), "language": lang, "profile": profile,
                     "counts": {k: counts[k] for k in shown}, "outputs": {}}

    rv = review(register, as_of, lang=lang)
    result = rv.validation
    _write_json(out / "validation.json", report_json(result, str(workbook), lang))
    with atomic_output(out / "validation.txt") as tmp, tmp.open("w", encoding="utf-8") as fh:
        print_text(result, lang, max_rows=0, file=fh)
    summary["validation"] = result.summary()
    say(f"② 校验：{result.errors} 个错误，{result.warnings} 个警告 → validation.txt / validation.json",
        f"② Validation: {result.errors} errors, {result.warnings} warnings → validation.txt / validation.json")

    _write_json(out / "analysis.json", rv.analysis.to_json(lang))
    say("③ 客户分级、销售预测、KPI、订单执行、跟进与服务 → analysis.json",
        "③ Grades, forecast, KPI, order-to-cash, follow-ups and service → analysis.json")

    plan_path = out / t("跟进计划.xlsx", "followups.xlsx")
    with atomic_output(plan_path) as tmp:
        items = write_followup_book(rv.plan, tmp, lang, as_of)
    owners_dir = out / t("按负责人", "by-owner")
    write_owner_books(rv.plan, owners_dir, lang, as_of)
    say(f"④ 跟进计划：{items} 项 → {plan_path.name}（每位负责人一份在 {owners_dir.name}/）",
        f"④ Follow-up plan: {items} items → {plan_path.name} (one per owner in {owners_dir.name}/)")

    form_pdf = pdf
    if pdf:  # a fresh machine may have no PDF engine (no Pango, no LibreOffice): say so once, write HTML
        from crm_xl.reports.pdf import PdfEngineMissing, libreoffice_missing, pdf_engine

        try:
            pdf_engine("auto")
        except PdfEngineMissing as exc:
            pdf = False  # the documents and reports print HTML, which needs WeasyPrint or LibreOffice Writer
            form_pdf = forms.pdf_engine() == "libreoffice" and libreoffice_missing("calc") is None
            reason = str(exc).removeprefix("no PDF engine for 'auto': ")
            summary["pdf_missing"] = reason
            if form_pdf:  # Calc without Writer: the form's printable xlsx layout still prints
                say(f"单据和报表未生成 PDF：{reason}；已改为 HTML（可在浏览器中打印），投诉处理单由 LibreOffice Calc 打印",
                    f"No PDFs of the documents and reports: {reason}; they are written as HTML (print them "
                    "from a browser), the complaint form is printed by LibreOffice Calc")
            else:
                say(f"PDF 未生成：{reason}；投诉处理单、单据和报表改为 HTML（可在浏览器中打印）",
                    f"No PDFs: {reason}; the complaint form, documents and reports are written as HTML "
                    "(print them from a browser)")

    open_ids = forms.open_complaints(register)
    if open_ids:
        contexts = [forms.complaint_context(register, tid, as_of, lang) for tid in open_ids]
        forms_path = out / t("投诉处理单.xlsx", "complaint-forms.xlsx")
        with atomic_output(forms_path) as tmp:
            forms.write_form_workbook(contexts, tmp)
        first = out / t(f"投诉处理单-{open_ids[0]}.html", f"complaint-form-{open_ids[0]}.html")
        with atomic_output(first) as tmp:
            tmp.write_text(forms.render_html(contexts[0]), encoding="utf-8")
        if form_pdf:
            with atomic_output(first.with_suffix(".pdf")) as tmp:
                forms.render_pdf(contexts[0], tmp)
        shown_form = first.with_suffix(".pdf" if form_pdf else ".html").name
        say(f"⑤ 投诉处理单：{len(open_ids)} 张未结投诉 → {forms_path.name}，{shown_form}",
            f"⑤ Complaint forms: {len(open_ids)} open complaints → {forms_path.name}, {shown_form}")

    if profile == "trade":
        summary["outputs"]["documents"] = _trade_documents(register, out / t("单据", "documents"), as_of, lang, pdf)
        say(f"⑤ 外贸单据（报价单、形式发票、商业发票、装箱单）→ {out / t('单据', 'documents')}",
            f"⑤ Trade documents (quotation, PI, commercial invoice, packing list) → {out / t('单据', 'documents')}")
        from crm_xl.ports.ics import calendar_events, write_ics

        ics = out / t("跟进计划.ics", "followups.ics")
        with atomic_output(ics) as tmp:
            n = write_ics(calendar_events(rv.plan, rv.service.tickets, register["customers"], lang), tmp,
                          t("crm-xl 跟进计划", "crm-xl follow-ups"), dt.datetime.combine(as_of, dt.time()))
        say(f"⑤ 跟进日历：{n} 个事件 → {ics.name}", f"⑤ Follow-up calendar: {n} events → {ics.name}")
    inputs = prepare(register, as_of, lang=lang, workbook=workbook.name, reviewed=rv)
    written = write_demo_reports(inputs, out / t("报表", "reports"), pdf=pdf)
    summary["outputs"]["reports"] = {k: str(v) for k, v in written.items()}
    say(f"⑥ 报表（销售、客户、服务、月度管理）→ {out / t('报表', 'reports')}",
        f"⑥ Reports (sales, customers, service, monthly) → {out / t('报表', 'reports')}")
    _write_json(out / "summary.json", summary)
    say(f"完成。全部输出在 {out}", f"Done. Every output is in {out}")
    return summary


def _trade_documents(register, folder: Path, as_of: dt.date, lang: str, pdf: bool) -> dict[str, str]:
    """One of each trade document from the demo register: a quotation for an open opportunity in
    negotiation, and a PI, commercial invoice and packing list for a shipped order of several lines."""
    from crm_xl.documents import document_context, next_number
    from crm_xl.ports.trade_documents import write_document

    folder.mkdir(parents=True, exist_ok=True)
    o = register["orders"]
    shipped = o[(o["status"].isin(["shipped", "delivered"]) & o["contract_no"].notna()).fillna(False)]
    shipped = shipped if len(shipped) else o[(o["status"] != "cancelled").fillna(False)]
    order_id = str(shipped.sort_values("order_date").iloc[-1]["order_id"])
    opps = register["opportunities"]
    open_opps = opps[((opps["status"] == "open") & opps["amount"].notna() & opps["quantity"].notna()).fillna(False)]
    best = open_opps.sort_values("stage", key=lambda s: s.map({"negotiation": 0, "qualified": 1}).fillna(2))
    written: dict[str, str] = {}
    jobs = [("pi", {"order_id": order_id}), ("invoice", {"order_id": order_id}), ("packing_list", {"order_id": order_id})]
    if len(best):
        jobs.insert(0, ("quotation", {"opportunity_id": str(best.iloc[0]["opportunity_id"])}))
    for kind, ref in jobs:
        ctx = document_context(register, kind, as_of=as_of, lang=lang, **ref)
        if not ctx["number"]:
            ctx["number"] = next_number(register, kind, as_of, (ctx["record"]["sheet"], ctx["record"]["id"]))[0]
        for suffix in ((".pdf", ".xlsx") if pdf else (".html", ".xlsx")):  # HTML when PDFs are off
            target = folder / f"{ctx['number']}{suffix}"
            with atomic_output(target) as tmp:
                write_document(ctx, tmp)
            written[f"{kind}{suffix}"] = str(target)
    return written
