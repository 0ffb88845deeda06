"""docs/findings.md is generated from the catalogue; the workflow table; the fast e-mail/phone paths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crm_xl.validation import CODES, findings_markdown, normalize_company
from crm_xl.validation.contact_points import PHONE_BAD, PHONE_NOT_IN_USE, PHONE_OK, check_phones, invalid_emails
from crm_xl.workflow import ALLOWED_TRANSITIONS, check_history, parse_history

DOCS = Path(__file__).resolve().parents[1] / "docs" / "findings.md"


def test_findings_doc_is_current():
    assert DOCS.read_text(encoding="utf-8") == findings_markdown(), \
        "docs/findings.md is stale: regenerate with python -c 'from crm_xl.validation import findings_markdown as f; " \
        "open(\"docs/findings.md\",\"w\").write(f())'"
    for code in CODES:
        assert f"| {code} |" in DOCS.read_text(encoding="utf-8")


def test_history_parsing_any_language_and_separator():
    assert parse_history("已受理>已分配>调查中") == (("received", "assigned", "investigating"), ())
    assert parse_history("Received -> Assigned ; 調查中") == (("received", "assigned", "investigating"), ())
    assert parse_history("received/assigned，closed") == (("received", "assigned", "closed"), ())
    assert parse_history("received > nonsense") == (("received",), ("nonsense",))


def test_workflow_transitions():
    full = ["received", "assigned", "investigating", "proposed", "implementing", "awaiting_feedback", "closed",
            "reopened", "investigating", "implementing", "closed"]
    assert check_history(full) is None
    assert check_history(["received", "closed"]) == ("received", "closed")
    assert check_history(["received", "closed"], "inquiry") is None
    assert check_history(["assigned", "closed"]) == (None, "assigned")
    assert check_history(["received", "assigned", "assigned", "investigating"]) is None
    assert all(nxt in ALLOWED_TRANSITIONS for targets in ALLOWED_TRANSITIONS.values() for nxt in targets)


@pytest.mark.parametrize("a,b", [
    ("Acme Trading Co., Ltd.", "ACME trading GmbH"),
    ("ＡＣＭＥ　Trading LLC", "acme-trading inc"),
    ("深圳华为技术有限公司", "深圳華為技術股份有限公司"),
    ("Müller Maschinenbau GmbH & Co. KG", "MÜLLER MASCHINENBAU"),
    ("Nowak Sp. z o.o.", "NOWAK"),
])
def test_company_names_fold_to_one_key(a, b):
    keys = normalize_company(pd.Series([a, b]))
    assert keys[0] == keys[1] and keys[0]


def test_company_names_that_differ_stay_apart():
    keys = normalize_company(pd.Series(["Zinc Works Ltd", "Works Ltd", "Co"]))
    assert keys[0] != keys[1] and keys[2] == "co"


EMAILS = ["a@b.de", "first.last+tag@sub.example-mail.com", "x@localhost", "a..b@x.com", ".a@x.com", "a.@x.com",
          "a@x", "a@-x.com", "a@x-.com", "a@x.c", "a@x.123", "ü@x.de", "a@müller.de", "a b@x.com", "a@x..com",
          "a@x.test", "a@ab--cd.com", "a@xn--mller-kva.de", "a" * 65 + "@x.com", "a@" + "b" * 64 + ".com",
          "user@[1.2.3.4]", '"quoted"@x.com', "a@x.local", "A@X.COM", "a%b@x.org", "a_b-c@x.io"]


def test_email_fast_path_agrees_with_email_validator():
    from email_validator import EmailNotValidError, validate_email

    expected = []
    for e in EMAILS:
        try:
            validate_email(e, check_deliverability=False)
            expected.append(False)
        except EmailNotValidError:
            expected.append(True)
    assert list(invalid_emails(pd.Series(EMAILS))) == expected


def test_phone_fast_path_agrees_with_phonenumbers():
    import random

    import phonenumbers

    random.seed(3)
    values = []
    for region in ("DE", "US", "GB", "CN", "IT", "JP", "BR", "AU", "RU", "KZ"):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            for _ in range(30):
                chars = list(text)
                for _ in range(random.randint(0, 3)):
                    i = random.randrange(4, len(chars))
                    if chars[i].isdigit():
                        chars[i] = str(random.randint(0, 9))
                values.append("".join(chars) + (str(random.randint(0, 9)) if random.random() < .2 else ""))
    status, e164 = check_phones(pd.Series(values), pd.Series([None] * len(values)))
    for text, got, e in zip(values, status, e164):
        try:
            n = phonenumbers.parse(text, None)
            want = PHONE_OK if phonenumbers.is_valid_number(n) else (
                PHONE_NOT_IN_USE if phonenumbers.is_possible_number(n) else PHONE_BAD)
        except phonenumbers.NumberParseException:
            want = PHONE_BAD
        assert got == want, text
        if want == PHONE_OK:
            assert e == phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    assert (status == PHONE_OK).sum() > 100
