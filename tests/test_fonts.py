"""The fonts travel with the package: PDFs and charts show Chinese on a machine with no font installed.

The machine is simulated by pointing fontconfig at an empty font folder (``FONTCONFIG_FILE``);
the commands run as processes, and what they print is read back with poppler (pdffonts,
pdftotext), independent of WeasyPrint.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

import crm_xl.fonts as fonts
from crm_xl.ports.template import write_register
from crm_xl.register import Register

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-12-14"


def _customer(cid, owner, **kw):
    return {"customer_id": cid, "company_name": f"{cid} 灯饰照明有限公司", "country": "CN", "owner": owner,
            "status": "active", "first_contact_date": "2026-06-01", "entered_date": "2026-06-02",
            "last_info_update": "2026-11-01", "source_channel": "trade_fair", "scale": "large"} | kw


def no_font_machine(tmp: Path) -> dict[str, str]:
    """Environment of a machine whose fontconfig knows no font at all (an empty font folder)."""
    (tmp / "no-fonts").mkdir()
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                    f'<dir>{tmp / "no-fonts"}</dir><cachedir>{tmp / "fc-cache"}</cachedir></fontconfig>\n',
                    encoding="utf-8")
    return dict(os.environ, FONTCONFIG_FILE=str(conf), MPLCONFIGDIR=str(tmp / "mpl"), PYTHONWARNINGS="default")


def crm_xl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=600,
                          env=env)


def embedded_fonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


def pdf_text(pdf: Path) -> str:
    return "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
                   .stdout.split())


def need_poppler() -> None:
    if not (shutil.which("pdffonts") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdffonts, pdftotext) not installed")


@pytest.fixture(scope="module")
def register_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fonts") / "客户台账.xlsx"
    register = Register.from_records({
        "customers": [_customer("C1", "张三"), _customer("C2", "李四", country="DE")],
        "tickets": [{"ticket_id": "T0043", "type": "complaint", "received_at": "2026-12-10 09:30", "channel": "email",
                     "customer_id": "C2", "complainant": "Jürgen Weiß", "product": "LED 面板灯 600×600",
                     "category": "quality", "urgency": "high", "description": "到货后三盏灯频闪，驱动电源疑似不良",
                     "expected_resolution": "补发驱动电源", "responsible_dept": "质量部", "assignee": "王五",
                     "status": "investigating"}],
    })
    write_register(path, register)
    return path


def test_the_package_carries_a_simplified_and_a_traditional_face():
    for lang, family in (("zh-CN", "crm-xl Noto Sans SC"), ("zh-TW", "crm-xl Noto Sans TC"), ("en", "crm-xl Noto Sans SC")):
        name, path = fonts.face(lang)
        assert name == family and path.is_file() and path.stat().st_size < 4_000_000
        font = TTFont(path)
        assert font["name"].getDebugName(1) == family
    assert (fonts.FONT_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1


def test_every_character_crm_xl_writes_itself_has_a_glyph():
    """Labels, messages and templates: no character of crm-xl's own text falls outside the subset
    (when this fails after adding text, run python -m crm_xl.fonts.subset)."""
    import opencc

    own = set()
    for folder, suffixes in (("src/crm_xl", (".py",)), ("templates", (".j2",))):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in suffixes:
                own |= {c for c in path.read_text(encoding="utf-8") if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"}
    assert len(own) > 500
    traditional = set(opencc.OpenCC("s2tw").convert("".join(sorted(own))))
    for lang, chars in (("zh-CN", own), ("zh-TW", traditional)):
        cmap = TTFont(fonts.face(lang)[1])["cmap"].getBestCmap()
        missing = sorted(c for c in chars if ord(c) not in cmap and not c.isspace())
        assert not missing, f"{lang}: {''.join(missing[:50])} not in the packaged font"


@pytest.mark.slow
def test_pdfs_embed_the_packaged_font_on_a_machine_without_fonts(register_file, tmp_path):
    need_poppler()
    env = no_font_machine(tmp_path)
    form = tmp_path / "T0043.pdf"
    run = crm_xl("complaint-form", str(register_file), "T0043", "--out", str(form), "--as-of", AS_OF, env=env)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "font" not in run.stderr.lower(), run.stderr
    names = embedded_fonts(form)
    assert names and all("crm-xl-Noto-Sans-SC" in n for n in names), names
    text = pdf_text(form)
    assert "投诉处理单" in text and "T0043" in text and "驱动电源疑似不良" in text and "JürgenWeiß" in text

    report = tmp_path / "月报.pdf"
    run = crm_xl("report", str(register_file), "--kind", "monthly", "--out", str(report), "--as-of", AS_OF,
                 "--lang", "zh-TW", env=env)
    assert run.returncode == 0, run.stderr
    assert any("crm-xl-Noto-Sans-TC" in n for n in embedded_fonts(report)), embedded_fonts(report)
    assert "月度經營管理報告" in pdf_text(report)
    assert "Warning" not in run.stderr and "font" not in run.stderr.lower() and "Glyph" not in run.stderr, run.stderr


def test_charts_use_the_packaged_font():
    from crm_xl.reports.charts import font_family, render_svg
    from crm_xl.reports.model import Chart, Series

    assert font_family("zh-CN")[0] == "crm-xl Noto Sans SC" and font_family("zh-TW")[0] == "crm-xl Noto Sans TC"
    chart = Chart(key="t", title="各产品销售额", kind="bar", categories=["面板灯", "筒灯"],
                  series=[Series(name="本期", values=[3.0, 2.0])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not one font warning
        svg = render_svg(chart, "zh-CN")
    assert len(set(re.findall(r'<path id="t-crm-xl-NotoSansSC-Regular-([0-9a-f]+)"', svg))) >= 8


def test_characters_no_font_has_are_one_line_not_a_warning_per_glyph(caplog):
    from crm_xl.reports.charts import render_svg
    from crm_xl.reports.model import Chart, Series

    rare = "\U00020001\U00020002\U00020003"  # CJK Extension B: in no font here
    chart = Chart(key="rare", title=f"客户 {rare}", kind="bar", categories=[rare, "乙"],
                  series=[Series(name=rare, values=[1.0, 2.0])])
    with caplog.at_level(logging.WARNING, logger="crm_xl.fonts"), warnings.catch_warnings():
        warnings.simplefilter("error")
        render_svg(chart, "zh-CN")
        render_svg(chart, "zh-CN")  # the same characters again: nothing more is said
    lines = [r.getMessage() for r in caplog.records if r.name == "crm_xl.fonts"]
    assert len(lines) == 1 and "3 character(s)" in lines[0] and all(c in lines[0] for c in rare), lines


def test_a_removed_font_is_one_clear_line(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(fonts, "FONT_DIR", tmp_path)  # the faces are gone
    fonts._missing_notice.cache_clear()
    with caplog.at_level(logging.WARNING, logger="crm_xl.fonts"):
        assert fonts.available("zh-CN") is None
        assert fonts.available("en") is None  # the same face: said once
        assert fonts.font_face_css(("zh-CN",)) == ""
    lines = [r.getMessage() for r in caplog.records if r.name == "crm_xl.fonts"]
    assert len(lines) == 1 and "crm-xl-NotoSansSC-Regular.otf is missing" in lines[0]
    assert "fonts-noto-cjk" in lines[0]
    fonts._missing_notice.cache_clear()


def test_libreoffice_gets_the_packaged_fonts_through_fontconfig(tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "user.conf"))
    env = fonts.fontconfig_env(tmp_path)
    conf = Path(env["FONTCONFIG_FILE"]).read_text(encoding="utf-8")
    assert f"<include ignore_missing=\"yes\">{tmp_path / 'user.conf'}</include>" in conf
    assert f"<dir>{fonts.FONT_DIR}</dir>" in conf
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                env=dict(os.environ, **env)).stdout.replace("\\-", "-")
        assert "crm-xl Noto Sans SC" in listed and "crm-xl Noto Sans TC" in listed


@pytest.mark.slow
def test_report_pdf_charts_carry_their_text_in_the_embedded_font(tmp_path):
    """In the PDF the charts' words are text in the packaged face (searchable, and the PDF prints
    faster than with every glyph as an outline); the HTML file keeps outlines."""
    need_poppler()
    from report_fixtures import fixture_register

    from crm_xl.reports.build import build_report, prepare
    from crm_xl.reports.html import render_charts, render_html
    from crm_xl.reports.output import write_report
    from crm_xl.reports.pdf import html_to_pdf

    report = build_report("monthly", prepare(fixture_register(), date(2026, 11, 23)))
    titles = ["".join(c.title.split()) for c in report.charts()]
    assert "<text" in "".join(render_charts(report, text_as_paths=False).values())
    assert "<text" not in "".join(render_charts(report).values())
    pdf = write_report(report, tmp_path / "r.pdf")
    outlines = tmp_path / "outlines.pdf"
    html_to_pdf(render_html(report), outlines)  # the HTML file's charts: glyphs as outlines
    text, without = pdf_text(pdf), pdf_text(outlines)
    assert titles and all(text.count(t) == without.count(t) + 1 for t in titles), titles
    assert any("crm-xl-Noto-Sans-SC" in n for n in embedded_fonts(pdf))


@pytest.mark.slow
def test_trade_documents_print_chinese_with_the_packaged_font_on_a_machine_without_fonts(tmp_path):
    """The PI's Chinese letterhead (宁波明辉照明科技有限公司, 形式发票) prints in the packaged face, not as boxes."""
    from desk_books import write_desk_book

    need_poppler()
    env = no_font_machine(tmp_path)
    book = write_desk_book(tmp_path / "台账.xlsx")
    pi = tmp_path / "PI.pdf"
    run = crm_xl("document", str(book), "--kind", "pi", "--order", "SO001", "--out", str(pi), "--as-of", AS_OF, env=env)
    assert run.returncode == 0, run.stderr
    names = embedded_fonts(pi)
    assert any("crm-xl-Noto-Sans-SC" in n for n in names), names
    text = pdf_text(pi)
    assert "宁波明辉照明科技有限公司" in text and "形式发票" in text
    assert "Glyph" not in run.stderr and "font" not in run.stderr.lower(), run.stderr
