"""The one error a port raises for input it cannot use; the CLI turns it into exit 2."""

from __future__ import annotations

from pathlib import Path

from crm_xl.i18n import pick

REASONS: dict[str, tuple[str, str]] = {
    "missing": ("文件不存在", "file does not exist"),
    "is_directory": ("这是一个文件夹，不是工作簿", "this is a folder, not a workbook"),
    "empty": ("文件为空", "the file is empty"),
    "not_a_spreadsheet": ("不是 Excel 工作簿（.xlsx / .xlsm）", "not an Excel workbook (.xlsx / .xlsm)"),
    "unsupported_format": ("不支持的格式，请另存为 .xlsx", "unsupported format; save it as .xlsx"),
    "password_required": ("工作簿已加密，请用 --password 或环境变量 CRM_XL_PASSWORD 提供密码",
                          "the workbook is encrypted; give the password with --password or CRM_XL_PASSWORD"),
    "wrong_password": ("密码不正确", "wrong password"),
    "corrupt": ("文件已损坏，无法读取", "the file is damaged and cannot be read"),
    "no_register_sheets": ("找不到任何台账工作表（客户、联系人、销售机会……）",
                           "no register sheet found (Customers, Contacts, Opportunities …)"),
    "zip_bomb": ("压缩内容异常庞大，已拒绝读取", "the compressed content is abnormally large; refused"),
    "too_many_parts": ("文件包含的部件过多，已拒绝读取", "the file has too many parts; refused"),
    "xml_entities": ("文件含有 XML 实体声明（可能是恶意文件），已拒绝读取",
                     "the file declares XML entities (possibly hostile); refused"),
    "too_large": ("文件超出读取上限", "the file exceeds the reading limits"),
    "no_such_record": ("找不到该记录", "no such record"),
}


class UnreadableWorkbook(Exception):
    """A workbook that cannot be read: missing, not a spreadsheet, encrypted, damaged, hostile."""

    def __init__(self, path: str | Path, reason: str, detail: str = "") -> None:
        self.path = str(path)
        self.reason = reason
        self.detail = detail
        super().__init__(f"{self.path}: {reason}{': ' + detail if detail else ''}")

    def message(self, lang: str) -> str:
        zh, en = REASONS.get(self.reason, (self.reason, self.reason))
        text = pick(zh, en, lang)
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.path}: {text}{detail}"
