"""The shipped zh-TW label table (``crm_xl/zh_tw_labels.json``) is what OpenCC gives today, and
reading a workbook — in any of the three languages — never builds OpenCC's s2tw converter (0.12–
0.16 s of one core that holds the GIL, once per command)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from crm_xl import i18n


def test_the_shipped_table_is_opencc_of_every_schema_label():
    shipped = json.loads(i18n._TW_TABLE.read_text(encoding="utf-8"))
    assert shipped == i18n.tw_table(), "run `python -m crm_xl.i18n` to write the table again"
    assert set(shipped) == set(i18n.label_strings()) and len(shipped) > 300
    assert shipped["客户"] == "客戶" and shipped["销售机会"] == "銷售機會"


def test_a_text_outside_the_table_is_still_converted():
    assert "新的備註文字" not in i18n._tw_table()
    assert i18n.to_traditional("新的备注文字") == "新的備註文字"


PROBE = """
import json, sys
from crm_xl import i18n
from crm_xl.ports.reader import read_register
register = read_register(sys.argv[1])
extra = sys.argv[2:]
for text in extra:
    i18n.to_traditional(text)
print(json.dumps({"customers": len(register["customers"]),
                  "converter_built": i18n._converter.cache_info().currsize}))
"""


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from crm_xl.ports.template import write_register
    from crm_xl.workbook import demo_register

    register, _ = demo_register(as_of=dt.date(2026, 11, 23), n_customers=20)
    folder = tmp_path_factory.mktemp("tw")
    out = {}
    for lang in ("zh-CN", "zh-TW", "en"):
        out[lang] = folder / f"demo-{lang}.xlsx"
        write_register(out[lang], register, lang=lang)
    return out


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
def test_reading_a_workbook_does_not_build_the_converter(books, lang):
    done = subprocess.run([sys.executable, "-c", PROBE, str(books[lang])], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen == {"customers": 20, "converter_built": 0}


def test_the_probe_sees_the_converter_built(books):
    """The check can fail: converting a text the table does not hold builds the converter."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(books["zh-CN"]), "一段表外的文字"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["converter_built"] == 1
