"""The message catalogue: one entry per finding code, in zh-CN and English (zh-TW derived).

Each domain module defines its own codes with :func:`define` at import time, so the code, its
default severity, its message in every language and the policy clause it enforces stay together.
``docs/findings.md`` is generated from this catalogue (``crm-xl docs``) and a test keeps it current.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from string import Formatter
from typing import Any

from crm_xl.i18n import Text, pick


@dataclass(frozen=True)
class MessageDef:
    code: str
    severity: str
    zh: str
    en: str
    clause: str = ""
    title_zh: str = ""
    title_en: str = ""

    def title(self, lang: str) -> str:
        return pick(self.title_zh or self.zh, self.title_en or self.en, lang)


CATALOGUE: dict[str, MessageDef] = {}


def define(code: str, severity: str, zh: str, en: str, clause: str = "", title_zh: str = "",
           title_en: str = "") -> str:
    """Register a finding code; returns the code so modules can keep it as a constant."""
    existing = CATALOGUE.get(code)
    new = MessageDef(code, severity, zh, en, clause, title_zh, title_en)
    if existing is not None and existing != new:
        raise ValueError(f"finding code {code} defined twice with different texts")
    CATALOGUE[code] = new
    return code


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(code: str, params: dict[str, Any], lang: str) -> str:
    entry = CATALOGUE.get(code)
    if entry is None:
        return f"{code} {params}" if params else code
    template = pick(entry.zh, entry.en, lang)
    values = _Safe({k: _show(v, lang) for k, v in (params or {}).items()})
    return Formatter().vformat(template, (), values)


def _show(value: Any, lang: str) -> str:
    if isinstance(value, Text):
        return value(lang)
    if isinstance(value, (list, tuple)):
        return "、".join(_show(v, lang) for v in value) if lang != "en" else ", ".join(_show(v, lang) for v in value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}" if abs(value) < 1e15 else f"{value:.6g}"
    if isinstance(value, dt.timedelta):  # a duration cell (pd.Timedelta too)
        return duration_text(value)
    if isinstance(value, dt.time):  # a time-only cell (a date cell below 1 as calamine reads it)
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if type(value).__name__ == "date" else value.isoformat(sep=" ")[:16]
    return str(value)


def duration_text(value: dt.timedelta) -> str:
    """A duration as Excel shows ``[h]:mm:ss``: ``30:00:00``."""
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# Codes the reader itself produces (cells it could not read, settings it could not use).
UNREADABLE = define(
    "R001", "error", "无法识别的{expected}：“{value}”", "Cannot read “{value}” as {expected}",
    "000 一(三)2 数据准确性", "无法识别的值", "Unreadable value")
UNKNOWN_OPTION = define(
    "R002", "error", "“{value}”不在下拉选项中，可选：{options}", "“{value}” is not one of: {options}",
    "000 二(二)1 字段要求", "不在选项中", "Not a listed option")
MISSING_COLUMN = define(
    "R003", "error", "缺少必填列“{label}”", "Required column “{label}” is missing",
    "000 二(二)1 字段要求", "缺少列", "Missing column")
SETTING_INVALID = define(
    "S001", "error", "参数 {key} 的取值“{value}”无效（{reason}），已使用默认值 {default}",
    "Setting {key} = “{value}” is invalid ({reason}); the default {default} is used",
    "SPEC Settings", "参数无效", "Invalid setting")
SETTING_UNKNOWN = define(
    "S002", "warning", "未知参数 {key}，已忽略", "Unknown setting {key} ignored", "SPEC Settings",
    "未知参数", "Unknown setting")

def compact_value(value: Any, limit: int = 40) -> Any:
    """A cell's value short enough for a message: a number written out in full (a float's hundreds
    of digits) as ``1e+300``, a long text cut to its first characters and ``…``; others as they are."""
    if not isinstance(value, str) or len(value) <= limit:
        return value
    text = value.strip()
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        number = None
    if number is not None and math.isfinite(number):
        return f"{number:.6g}"
    return text[:limit - 1] + "…"


EXPECTED_LABELS = {
    "date": ("日期", "a date"), "datetime": ("日期时间", "a date and time"), "number": ("数字", "a number"),
    "integer": ("整数", "a whole number"), "money": ("金额", "an amount"), "probability": ("概率", "a probability"),
    "score": ("评分", "a score"), "bool": ("是/否", "yes/no"),
}


def expected_text(kind: str) -> Text:
    """What a column of this kind should hold, for messages ("a date", "日期")."""
    zh, en = EXPECTED_LABELS.get(kind, ("值", "a value"))
    return Text(zh, en)
