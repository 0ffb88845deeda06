"""A small register as a trade desk keeps it, written with xlsxwriter (not crm-xl's template):
Chinese headers, a Settings sheet with the company and bank, orders with packing figures, a
change log that already has two PI numbers, contacts with e-mail and WhatsApp numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

D = dt.datetime

CUSTOMERS = [
    ["客户编号", "公司名称", "国家/地区", "地址", "负责人", "录入日期", "付款方式", "贸易术语", "币种"],
    ["C001", "Müller Lichttechnik GmbH", "DE", "Hafenstraße 12, 20457 Hamburg", "王芳", D(2025, 1, 6), "TT", "FOB", "EUR"],
    ["C002", "Sunrise Trading LLC", "US", "1200 Harbor Blvd, Long Beach, CA 90802", "李强", D(2025, 2, 3), "LC", "CIF", "USD"],
    ["C003", "上海明光照明有限公司", "CN", "上海市浦东新区张江路 88 号", "王芳", D(2025, 3, 3), "TT", "EXW", "CNY"],
    ["C004", "Gulf Lights FZE", "AE", "Jebel Ali Free Zone, Dubai", "李强", D(2025, 4, 1), "TT", "CFR", "USD"],
]
CONTACTS = [
    ["联系人编号", "客户编号", "姓名", "职务", "决策角色", "电话", "电子邮箱", "WhatsApp"],
    ["P001", "C001", "Anna Müller", "Einkauf", "决策者", "+49 40 1234567", "anna.mueller@mueller-licht.de", ""],
    ["P002", "C002", "John Carter", "Buyer", "决策者", "+1 562 555 0100", "john@sunrise-trading.com", "+1 562 555 0100"],
    ["P003", "C003", "陈明", "采购经理", "决策者", "13800138000", "chenming@163.com", ""],
    ["P004", "C004", "Omar Haddad", "Owner", "决策者", "+971 50 123 4567", "", "+971 50 123 4567"],
]
OPPORTUNITIES = [
    ["机会编号", "客户编号", "联系人编号", "机会名称", "产品", "销售阶段", "预计金额", "币种", "数量", "规格", "HS编码", "单位",
     "报价单价", "创建日期", "预计成交日期", "负责人", "状态", "贸易术语", "指定地点"],
    ["O001", "C002", "P002", "2027 panel program", "LED Panel 600x600 40W", "商务谈判", 37500, "USD", 3000,
     "4000K 100lm/W", "9405.42", "PCS", 12.5, D(2026, 9, 1), D(2026, 12, 20), "李强", "进行中", "FOB", "Ningbo"],
]
ORDERS = [
    ["订单编号", "客户编号", "机会编号", "下单日期", "产品", "规格", "HS编码", "单位", "数量", "单价", "币种", "金额", "承诺交期",
     "发货日期", "订单状态", "发票号", "负责人", "贸易术语", "指定地点", "装运港", "目的港", "箱数", "净重(kg)", "毛重(kg)",
     "体积(CBM)", "合同号"],
    ["SO001", "C002", "O001", "2026-10-08", "LED Panel 600x600 40W", "4000K 100lm/W", "9405.42", "PCS", 1200, 12.5, "USD",
     15000, D(2026, 11, 30), D(2026, 11, 28), "已发货", "", "李强", "CIF", "Los Angeles", "Ningbo", "Los Angeles",
     300, 3480, 3720.5, 12.6, "SC-2026-018"],
    ["SO002", "C002", "", "2026-10-08", "LED Tube T8 18W", "1200mm 6500K", "8539.52", "PCS", 5000, 1.234, "USD",
     6170, D(2026, 11, 30), D(2026, 11, 28), "已发货", "", "李强", "CIF", "Los Angeles", "Ningbo", "Los Angeles",
     200, 1450.25, 1612, 4.35, "SC-2026-018"],
    ["SO003", "C003", "", "2026-10-20", "LED Downlight 12W", "Φ150 3000K", "9405.11", "PCS", 800, 23.45, "CNY",
     18760, D(2026, 12, 10), None, "生产中", "", "王芳", "EXW", "Ningbo", "", "", 40, 320, 356, 1.8, ""],
    ["SO004", "C001", "", "2026-10-21", "LED High Bay 150W", "IP65", "", "SET", 100, 48.9, "EUR",
     4890, D(2026, 12, 15), None, "已确认", "INV-7788", "王芳", "FOB", "", "Shanghai", "Hamburg", "", "", "", "", ""],
    ["SO005", "C004", "", "2026-10-22", "LED Strip 24V 5m", "", "", "ROLL", 100, 9, "AED", 900, None, None, "已确认", "",
     "李强", "", "", "", "", "", "", "", "", "SC-MIX"],
    ["SO006", "C004", "", "2026-10-22", "LED Bulb A60", "", "", "PCS", 100, 1, "USD", 100, None, None, "已确认", "",
     "李强", "", "", "", "", "", "", "", "", "SC-MIX"],
]
ACTIVITIES = [
    ["记录编号", "日期", "客户编号", "机会编号", "联系人编号", "跟进方式", "沟通内容", "结果", "负责人", "方向", "邮件编号"],
    ["A001", D(2026, 10, 2), "C002", "O001", "P002", "电话", "Discussed the 2027 panel program", "", "李强"],
]
CHANGELOG = [
    ["时间", "更正人", "工作表", "记录编号", "字段", "原值", "新值", "更正原因"],
    [D(2026, 3, 1, 10), "李强", "orders", "SO900", "document_pi", "", "PI-20260002", "开具形式发票"],
    [D(2026, 5, 1, 10), "李强", "orders", "SO901", "document_pi", "", "PI-20260003", "开具形式发票"],
    [D(2025, 12, 1, 10), "李强", "orders", "SO899", "document_pi", "", "PI-20250017", "开具形式发票"],
    [D(2026, 5, 2, 10), "王芳", "customers", "C001", "address", "Hamburg", "Hafenstraße 12, 20457 Hamburg", "客户搬迁"],
]
STAFF = [
    ["工号", "姓名", "团队", "考核期", "电子邮箱"],
    ["S01", "李强", "外贸一部", "2026", "liqiang@brightway-lighting.cn"],
    ["S02", "王芳", "外贸一部", "2026", "wangfang@brightway-lighting.cn"],
]
SETTINGS = [
    ["参数", "取值", "说明"],
    ["company_name_zh", "宁波明辉照明科技有限公司", ""],
    ["company_name_en", "Ningbo Brightway Lighting Technology Co., Ltd.", ""],
    ["company_address", "No. 88 Xingye Road, Yinzhou District, Ningbo 315100, China", ""],
    ["company_contact", "Tel +86 574 8888 6666 · sales@brightway-lighting.cn", ""],
    ["bank_name", "Bank of China, Ningbo Branch", ""],
    ["bank_address", "139 Yaohang Street, Ningbo, China", ""],
    ["bank_swift", "BKCHCNBJ92A", ""],
    ["bank_account", 351258369147, "an account number typed as a number"],
    ["pi_validity_days", 10, ""],
]


def write_desk_book(path: Path, settings_extra: list[list] | None = None, orders_extra: list[list] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheets = [("客户", CUSTOMERS), ("联系人", CONTACTS), ("销售机会", OPPORTUNITIES), ("跟进记录", ACTIVITIES),
              ("订单", ORDERS + (orders_extra or [])), ("人员与目标", STAFF), ("变更日志", CHANGELOG),
              ("参数设置", SETTINGS + (settings_extra or []))]
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, stamp if (v.hour or v.minute) else day)
                elif isinstance(v, str):
                    ws.write_string(r, c, v, bold if r == 0 else None)
                else:
                    ws.write_number(r, c, v)
    wb.close()
    return path
