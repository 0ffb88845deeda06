"""``crm-xl demo``: the main job run end to end on a generated export company."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rich.table import Table

from crm_xl.cli.app import atomic_output, console
from crm_xl.i18n import pick
from crm_xl.ports.template import sheets_for
from crm_xl.schema import SHEETS


def _write_json(path: Path, data) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def run_demo(out: Path, *, lang: str = "zh-CN", profile: str = "trade", seed: int = 20261123,
             as_of: dt.date = dt.date(2026, 11, 23)) -> dict:
    """Build the demo workbook, read it back and write every output into ``out``."""
    from crm_xl.ports.reader import read_register
    from crm_xl.workbook import build_workbook

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    out.mkdir(parents=True, exist_ok=True)
    workbook = out / t("演示台账.xlsx", "demo-register.xlsx")
    with atomic_output(workbook) as tmp:
        generated = build_workbook(tmp, lang=lang, demo=True, profile=profile, seed=seed, as_of=as_of)
    console.print(t(f"① 已生成演示台账 {workbook}", f"① Built the demo register {workbook}"), markup=False)

    register = read_register(workbook)
    counts = register.counts()
    table = Table(title=t("各工作表记录数", "Records per sheet"))
    table.add_column(t("工作表", "Sheet"))
    table.add_column(t("生成", "Generated"), justify="right")
    table.add_column(t("读回", "Read back"), justify="right")
    shown = [k for k in sheets_for(profile) if not SHEETS[k].settings_table or k in ("fx_rates", "holidays")]
    for key in shown:
        n = counts[key]
        table.add_row(SHEETS[key].label(lang), str(generated.get(key, 0)), str(n))
    console.print(table)
    summary = {
        "workbook": str(workbook), "as_of": as_of.isoformat(), "language": lang, "profile": profile,
        "counts": {k: counts[k] for k in shown},
    }
    from crm_xl.cli.validate import print_text, report_json
    from crm_xl.validation import validate

    result = validate(register, as_of)
    _write_json(out / "validation.json", report_json(result, str(workbook), lang))
    with atomic_output(out / "validation.txt") as tmp, tmp.open("w", encoding="utf-8") as fh:
        print_text(result, lang, max_rows=0, file=fh)
    summary["validation"] = result.summary()
    console.print(t(f"  校验报告：{result.errors} 个错误，{result.warnings} 个警告，见 {out / 'validation.txt'}",
                    f"  Validation: {result.errors} errors, {result.warnings} warnings; see {out / 'validation.txt'}"),
                  markup=False)
    _write_json(out / "summary.json", summary)
    console.print(t(f"② 摘要已写入 {out / 'summary.json'}", f"② Summary written to {out / 'summary.json'}"),
                  markup=False)

    from crm_xl.analysis import analyze

    analysis = analyze(register, as_of)
    _write_json(out / "analysis.json", analysis.to_json(lang))
    console.print(t(f"③ 分级、预测、KPI 与订单执行分析已写入 {out / 'analysis.json'}",
                    f"③ Grades, forecast, KPI and order-to-cash written to {out / 'analysis.json'}"), markup=False)
    return summary
