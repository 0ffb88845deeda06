"""V2xx: unique IDs, references between sheets, and duplicate customers (F1.6)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from crm_xl.i18n import Text, to_traditional
from crm_xl.register import ROW
from crm_xl.schema import SHEETS
from crm_xl.validation import codes as C
from crm_xl.validation.context import Context, col_label, text_arrow, text_lookup
from crm_xl.validation.fields import ROW_SHEETS, contact_values, phone_results

# Legal forms stripped before comparing company names, as word sequences (lower case, no
# punctuation) at the end of the name …
FOREIGN_LEGAL_FORMS: tuple[str, ...] = (
    "co ltd", "company limited", "co limited", "corp ltd", "pty ltd", "pty limited", "pvt ltd",
    "private limited", "public limited company", "ltd", "limited", "llc", "l l c", "llp", "lp", "plc",
    "inc", "incorporated", "corp", "corporation", "co", "company", "gmbh co kg", "gmbh & co kg", "gmbh",
    "mbh", "ag", "kg", "ohg", "ug", "e k", "sa", "s a", "sas", "s a s", "sarl", "s a r l", "srl", "s r l",
    "spa", "s p a", "sl", "s l", "sau", "ltda", "s a de c v", "sa de cv", "bv", "b v", "nv", "n v",
    "sp z o o", "spzoo", "s c", "oy", "oyj", "ab", "as", "a s", "aps", "asa", "kft", "zrt", "sro", "s r o",
    "doo", "d o o", "kk", "k k", "jsc", "ojsc", "pjsc", "ooo", "tic ltd sti", "ltd sti", "as", "bhd",
    "sdn bhd", "pte ltd", "pte", "tbk", "pt", "fze", "fzco", "fzc", "fz llc", "est", "wll", "w l l",
    "group", "holdings", "holding",
)
# … and Chinese ones (compared in traditional characters, so both scripts match).
CHINESE_LEGAL_FORMS: tuple[str, ...] = tuple(sorted({to_traditional(s) for s in (
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "集团",
    "总公司", "分公司", "公司", "商行", "株式会社",
)}, key=len, reverse=True))
# Trailing legal forms; the first word is never stripped (each form needs a space before it).
_FOREIGN_TAIL = re.compile(r"(?:\s+(?:%s))+$" % "|".join(
    sorted({r"\s+".join(map(re.escape, f.replace("&", " ").split())) for f in FOREIGN_LEGAL_FORMS}, key=len, reverse=True)))
_CHINESE_TAIL = re.compile(r"(?:%s)+$" % "|".join(map(re.escape, CHINESE_LEGAL_FORMS)))
_CJK_CLASS = "[\u3400-\u9fff\uf900-\ufaff]"  # literal characters: valid in Python re and RE2
_PUNCT_RE2 = r"[^\p{L}\p{N}]+"  # Arrow's RE2 (Python's \w would do, but RE2's \w is ASCII only)
ARROW_TEXT = "string[pyarrow]"

# Public mail providers: a shared domain there says nothing about the company.
PUBLIC_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "zoho.com",
    "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "mail.ru", "yandex.ru", "yandex.com",
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
    "aliyun.com", "139.com", "189.cn", "naver.com", "hanmail.net", "daum.net", "rediffmail.com",
    "orange.fr", "free.fr", "wanadoo.fr", "laposte.net", "libero.it", "virgilio.it", "bigpond.com",
    "uol.com.br", "bol.com.br", "terra.com.br", "seznam.cz", "wp.pl", "o2.pl", "interia.pl",
})
_PUBLIC_PREFIXES = ("yahoo.", "hotmail.", "outlook.", "live.", "gmx.", "yandex.")


def normalize_company(names: pd.Series) -> pd.Series:
    """Company names → comparison keys: width, case, punctuation, script and legal form folded.

    ``"ACME Trading Co., Ltd."``, ``"Acme Trading Ltd"``, ``"ＡＣＭＥ trading GmbH"`` → ``"acmetrading"``;
    ``"深圳华为技术有限公司"`` and ``"深圳華為技術股份有限公司"`` give the same key. The first word
    (or character) is never stripped, so a name that is only a legal form keeps it.
    """
    uniques = pd.Series(pd.unique(names.dropna().to_numpy(dtype=object)), dtype=object)
    if not len(uniques):
        return pd.Series(np.full(len(names), None, dtype=object), index=names.index)
    text = uniques.astype(ARROW_TEXT)
    wide = ~text.str.isascii().to_numpy(dtype=bool)
    if wide.any():
        text[wide] = [unicodedata.normalize("NFKC", t).casefold() for t in text[wide]]
    text = text.str.lower()
    cjk = text.str.contains(_CJK_CLASS, regex=True).to_numpy(dtype=bool)
    if cjk.any():  # one OpenCC call for all Chinese names
        text[cjk] = to_traditional_batch(list(text[cjk]))
    words = text.str.replace(_PUNCT_RE2, " ", regex=True).str.strip()
    # ``words`` holds letters, digits and single ASCII spaces only, so Arrow's RE2 reads the legal-form
    # pattern's ``\s`` exactly as Python's ``re`` does; pandas would run ``re`` once per name (it
    # sends every pattern with ``\s`` to Python).
    import pyarrow as pa
    import pyarrow.compute as pc

    tail = pc.replace_substring_regex(pa.array(words), _FOREIGN_TAIL.pattern, "")
    stripped = pd.Series(pd.arrays.ArrowStringArray(tail), index=words.index).str.replace(" ", "", regex=False)
    stripped = stripped.str.replace(_CHINESE_TAIL.pattern, "", regex=True)
    key = stripped.where(stripped.str.len() > 0, words.str.replace(" ", "", regex=False))
    return pd.Series(text_lookup(names, uniques, key.astype(object).to_numpy()), index=names.index)


def to_traditional_batch(texts: list[str]) -> list[str]:
    """Simplified → traditional for many texts in one OpenCC call."""
    from crm_xl.i18n import _converter

    out = _converter().convert("\n".join(t.replace("\n", " ") for t in texts)).split("\n")
    return out if len(out) == len(texts) else [to_traditional(t) for t in texts]


def check_unique_ids(ctx: Context) -> None:
    for key in ROW_SHEETS:
        frame = ctx.frame(key)
        for column in SHEETS[key].columns:
            if not column.unique or not len(frame) or not ctx.present(key, column.key):
                continue
            s = frame[column.key]
            dup = (s.notna() & s.duplicated(keep="first")).to_numpy()
            if dup.any():
                first = frame.loc[s.notna()].drop_duplicates(column.key).set_index(column.key)[ROW]
                ctx.add(key, column.key, C.DUPLICATE_ID, dup,
                        row_params={"first_row": s.map(first).to_numpy(dtype=object)})


def check_references(ctx: Context) -> None:
    """V202 references to missing records; V203 references to another customer's record."""
    import pyarrow.compute as pc

    for key in ROW_SHEETS:
        frame = ctx.frame(key)
        if not len(frame):
            continue
        for column in SHEETS[key].columns:
            if not column.ref or not ctx.present(key, column.key):
                continue
            target, target_col = column.ref.split(".")
            if not ctx.has_sheet(target):
                continue
            s = frame[column.key]
            text = text_arrow(s)
            # every target key set is computed once per run (customers.customer_id serves ten columns)
            missing = _mask(text.is_valid()) & ~_mask(pc.is_in(text, value_set=ctx.key_set(target, target_col)))
            ctx.add(key, column.key, C.MISSING_REFERENCE, missing,
                    {"column": col_label(key, column.key), "target": Text(SHEETS[target].zh, SHEETS[target].en)})
            if (column.key != "customer_id" and "customer_id" in frame.columns
                    and SHEETS[target].has("customer_id") and SHEETS[target].id_column == target_col):
                keys, owners = ctx.key_values(target, target_col, "customer_id")
                other = owners.take(pc.index_in(text, value_set=keys))  # the referenced record's customer
                own = text_arrow(frame["customer_id"])
                mismatch = _mask(pc.not_equal(other, own))  # null (either side blank) is no mismatch
                if mismatch.any():
                    ctx.add(key, column.key, C.REFERENCE_OTHER_CUSTOMER, mismatch,
                            {"column": col_label(key, column.key)},
                            {"other": lambda idx, other=other: _texts(other, idx),
                             "customer": lambda idx, own=own: _texts(own, idx)})


def _mask(result) -> np.ndarray:
    """An Arrow boolean result as a numpy mask (null → False)."""
    return np.asarray(result.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _texts(arrow, idx: np.ndarray) -> np.ndarray:
    """The Arrow text values at positions ``idx`` as Python strings (None for blanks)."""
    import pyarrow as pa

    return np.asarray(arrow.take(pa.array(idx, type=pa.int64())).to_pylist(), dtype=object)


def _flag_later(groups: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows (customer, key, pos) whose key was first used by another customer → with that customer.

    Among the rows with both a key and a customer, each (customer, key) pair counts once, at its
    first row; of those, every row after the first of its key is returned, with ``other`` and
    ``other_pos``: the customer and position of that first row. (Integer codes, not frame-wide
    dropna / drop_duplicates / map: the same rows in the same order.)"""
    keys = groups[key].to_numpy(dtype=object)
    customers = groups["customer_id"].to_numpy(dtype=object)
    rows = np.flatnonzero(~pd.isna(keys) & ~pd.isna(customers))
    k, _ = pd.factorize(keys[rows])
    c, cust = pd.factorize(customers[rows])
    _, pair_first = np.unique(k.astype("int64") * max(len(cust), 1) + c, return_index=True)
    pairs = np.sort(pair_first)  # first row of each (customer, key), in row order
    _, key_first = np.unique(k[pairs], return_index=True)
    is_first = np.zeros(len(pairs), dtype=bool)
    is_first[key_first] = True
    first_of_key = np.empty(k.max() + 1 if len(k) else 0, dtype="int64")
    first_of_key[k[pairs[key_first]]] = pairs[key_first]
    later = pairs[~is_first]
    origin = rows[first_of_key[k[later]]]  # the key's first row, as a position in ``groups``
    return groups.iloc[rows[later]].assign(other=customers[origin], other_pos=groups["pos"].to_numpy()[origin])


def check_duplicate_customers(ctx: Context) -> None:
    """V204 same normalized name, V205 same company e-mail domain + country, V206 same phone."""
    customers, contacts = ctx.frame("customers"), ctx.frame("contacts")
    if ctx.active(C.DUPLICATE_NAME) and len(customers):
        keys = normalize_company(customers["company_name"])
        df = pd.DataFrame({"customer_id": customers["customer_id"].astype(object), "name": keys.astype(object),
                           "pos": np.arange(len(customers))})
        later = _flag_later(df, "name")
        later = later[later["other"] != later["customer_id"]]
        if len(later):
            other_pos = later["other_pos"].to_numpy(dtype="int64")
            ctx.add("customers", "company_name", C.DUPLICATE_NAME, later["pos"].to_numpy(dtype="int64"),
                    row_params={"other": later["other"].to_numpy(),
                                "other_name": customers["company_name"].astype(object).to_numpy()[other_pos],
                                "first_row": customers[ROW].to_numpy()[other_pos]})
    if not len(contacts) or not len(customers):
        return
    country = pd.Series(text_lookup(contacts["customer_id"], customers["customer_id"], customers["country"].astype(object)),
                        dtype=object)
    if ctx.active(C.DUPLICATE_DOMAIN) and ctx.present("contacts", "email"):
        emails = contact_values(ctx, "email")
        domain = emails.astype(ARROW_TEXT).str.extract(r"@([^@]+)$", expand=False).str.lower()
        public = domain.isin(PUBLIC_MAIL_DOMAINS) | domain.str.startswith(_PUBLIC_PREFIXES).fillna(False)
        domain = domain.where(~public)
        pos = emails.index.to_numpy()
        df = pd.DataFrame({"customer_id": contacts["customer_id"].astype(object).to_numpy()[pos],
                           "country": country.astype(object).to_numpy()[pos],
                           "domain": domain.to_numpy(dtype=object), "pos": pos})
        df["key"] = df["domain"].astype(ARROW_TEXT) + "|" + df["country"].astype(ARROW_TEXT)
        later = _flag_later(df, "key")
        if len(later):
            ctx.add("contacts", "email", C.DUPLICATE_DOMAIN, later["pos"].to_numpy(dtype="int64"),
                    row_params={"other": later["other"].to_numpy(), "domain": later["domain"].to_numpy(),
                                "country": later["country"].to_numpy()})
    if ctx.active(C.DUPLICATE_PHONE) and ctx.present("contacts", "phone"):
        phones, _, e164 = phone_results(ctx)
        if len(phones):
            pos = phones.index.to_numpy()
            df = pd.DataFrame({"customer_id": contacts["customer_id"].astype(object).to_numpy()[pos],
                               "phone": e164.to_numpy(dtype=object), "pos": pos})
            later = _flag_later(df, "phone")
            if len(later):
                ctx.add("contacts", "phone", C.DUPLICATE_PHONE, later["pos"].to_numpy(dtype="int64"),
                        row_params={"other": later["other"].to_numpy(), "phone": later["phone"].to_numpy()})
