"""No crash on any cell (issue 12): a property test over the demo register running every command.

Hypothesis picks a sheet and one of its columns of a small demo register and blanks the column,
fills it with unparsable text, or with values of another type; the register is written as the
workbook a user would have, and every command runs on it through the CLI: validate, analyze (JSON
and text), followups (with the per-owner workbooks), complaint-form, export (xlsx and CSV), diff
and a report (kind × format drawn too; every kind × format runs once in the test below), import,
merge (the damaged book into the undamaged master), sync into DuckDB and analyze from it, and a
PI from the first order that still has an ID. Each must
end with exit 0 or 1 and its result, never an internal error or a usage error; JSON is strict.

Bounded for CI: ``CRM_XL_PROPERTY_EXAMPLES`` examples (default 6) on a 10-customer register;
raise it for a longer hunt. (log-mail needs mail files: tests/test_mail_log.py covers it.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.schema import SHEETS

AS_OF = dt.date(2026, 11, 23)
DAY = AS_OF.isoformat()
EXAMPLES = int(os.environ.get("CRM_XL_PROPERTY_EXAMPLES", "6"))
runner = CliRunner()
UNPARSABLE = ["无法识别的内容", "n/a", "???", "=1+1", "1e309", "nan", "2026-13-45", "  ", "TRUE!", "１２．５万"]
OTHER_TYPES = [42, -1.5, 0, True, dt.date(2031, 2, 28), dt.datetime(1999, 12, 31, 23, 59), 10**12, "2026/3/5"]
KINDS = ("sales", "customers", "service", "monthly")
FORMATS = (".html", ".xlsx", ".pdf")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from crm_xl.demo import generate_demo

    frames = {k: v.copy() for k, v in generate_demo(seed=7, as_of=AS_OF, n_customers=10).frames.items()}
    folder = tmp_path_factory.mktemp("property")
    base = folder / "基准.xlsx"
    write_register(base, Register.from_records(frames))
    return frames, base


def _columns() -> list[tuple[str, str]]:
    from crm_xl.demo import generate_demo

    frames = generate_demo(seed=7, as_of=AS_OF, n_customers=10).frames
    return [(key, c.key) for key, frame in frames.items() if key in SHEETS
            for c in SHEETS[key].columns if c.key in frame.columns]


COLUMNS = _columns()


def mutated(frames: dict[str, pd.DataFrame], sheet: str, column: str, value) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    frame = frames[sheet].copy()
    frame[column] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
    out[sheet] = frame
    return out


def strict_json(text: str):
    def no_constant(name):
        raise AssertionError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=no_constant)


def run(*args) -> str:
    res = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code in (0, 1), (args, res.exit_code, res.output[-2000:])
    assert "内部错误" not in res.output and "internal error" not in res.output, (args, res.output[-2000:])
    return res.output


def every_command(book: Path, base: Path, out: Path, report_kind: str, report_format: str,
                  order_id: str | None = None) -> None:
    data = strict_json(run("validate", book, "--as-of", DAY, "--format", "json"))
    assert "summary" in data
    data = strict_json(run("analyze", book, "--as-of", DAY, "--format", "json"))
    assert {"customers", "forecast", "kpi", "coverage"} <= set(data)
    assert "KPI" in run("analyze", book, "--as-of", DAY)
    run("followups", book, "--as-of", DAY, "--out", out / "跟进.xlsx", "--split-by-owner", out / "按负责人")
    assert (out / "跟进.xlsx").is_file()
    run("complaint-form", book, "--all", "--as-of", DAY, "--out", out / "投诉.xlsx")
    run("export", book, "--out", out / "导出.xlsx")
    assert (out / "导出.xlsx").is_file()
    run("export", book, "--out", out / "csv", "--format", "csv")
    run("diff", base, book)
    target = out / f"报表-{report_kind}{report_format}"
    run("report", book, "--kind", report_kind, "--as-of", DAY, "--out", target)
    assert target.is_file() and target.stat().st_size > 0
    # the commands added in the second round: a team's own workbook in, books merged back, a database, papers
    run("import", book, "--out", out / "导入.xlsx")
    assert (out / "导入.xlsx").is_file()
    run("merge", base, book, "--base", base, "--out", out / "合并.xlsx")
    assert (out / "合并.xlsx").is_file()
    run("sync", book, "--db", f"duckdb:///{out / 'crm.duckdb'}")
    strict_json(run("analyze", f"duckdb:///{out / 'crm.duckdb'}", "--as-of", DAY, "--format", "json"))
    if order_id is not None:
        run("document", book, "--kind", "pi", "--order", order_id, "--as-of", DAY, "--out", out / "PI.html")
        assert (out / "PI.html").is_file()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(choice=st.sampled_from(COLUMNS), how=st.sampled_from(["blank", "text", "other_type"]),
       text=st.sampled_from(UNPARSABLE), other=st.sampled_from(OTHER_TYPES),
       kind=st.sampled_from(KINDS), fmt=st.sampled_from((".html", ".xlsx")))
def test_every_command_on_any_damaged_column(demo, tmp_path_factory, choice, how, text, other, kind, fmt):
    frames, base = demo
    sheet, column = choice
    value = {"blank": None, "text": text, "other_type": other}[how]
    folder = tmp_path_factory.mktemp("case")
    book = folder / "台账.xlsx"
    damaged = mutated(frames, sheet, column, value)
    write_register(book, Register.from_records(damaged))
    ids = [v for v in damaged["orders"]["order_id"] if isinstance(v, str) and v.strip()]
    every_command(book, base, folder, kind, fmt, order_id=ids[0] if ids else None)


def test_every_report_kind_and_format_on_a_hostile_register(demo, tmp_path):
    """Several columns damaged at once (blank statuses, text in dates and amounts, numbers in
    names), then every report kind in every format."""
    frames, base = demo
    for sheet, column, value in (("tickets", "status", None), ("opportunities", "expected_close_date", "下个月"),
                                 ("orders", "amount", "约五万"), ("customers", "country", "德国"),
                                 ("staff", "sales_target", None), ("customers", "company_name", 42),
                                 ("activities", "date", True)):
        frames = mutated(frames, sheet, column, value)
    book = tmp_path / "台账.xlsx"
    write_register(book, Register.from_records(frames))
    from lo import pdf_engine_missing, require_pdf_engine

    if pdf_engine_missing():  # a fresh machine: a PDF is one clear line and exit 2, never an internal error
        res = runner.invoke(app, ["report", str(book), "--kind", "monthly", "--as-of", DAY, "--out", str(tmp_path / "x.pdf")])
        assert res.exit_code == 2 and "本机无法生成 PDF" in res.output and "apt install" in res.output, res.output
        assert not (tmp_path / "x.pdf").exists()
        require_pdf_engine()  # then skip (with the reason) or, under CRM_XL_REQUIRE_LIBREOFFICE=1, fail
    every_command(book, base, tmp_path, "monthly", ".pdf")
    for kind in KINDS:
        for fmt in FORMATS:
            target = tmp_path / f"{kind}{fmt}"
            run("report", book, "--kind", kind, "--as-of", DAY, "--period", "2026-01-01..2026-03-31", "--out", target)
            assert target.stat().st_size > 0
