"""The validation finding codes and their messages (zh-CN and English; zh-TW is derived).

Codes are stable and grouped: V1xx a single cell (required, type, range, codes, e-mail, phone,
impossible future dates), V2xx identity (unique IDs, references, duplicate customers), V3xx
consistency of dates and money, V4xx customer-information policy (F1), V5xx sales process (F3),
V6xx service tickets (F5). Default severities can be changed per code in the Settings sheet
(key ``severity.V401``, value error / warning / info / off).
"""

from __future__ import annotations

from crm_xl.messages import define

# -- V1xx: one cell
REQUIRED = define(
    "V101", "error", "“{column}”为必填项，请填写", "“{column}” is required; fill it in",
    "000 二(二)1 錄入信息應遵循系統規定的字段要求", "必填项为空", "Required value missing")
OUT_OF_RANGE = define(
    "V102", "error", "“{column}”的值 {value} 超出允许范围（{range}），请更正",
    "“{column}” = {value} is outside the allowed range ({range}); correct it",
    "000 一(三)2 數據準確性", "超出允许范围", "Value out of range")
NOT_INTEGER = define(
    "V103", "error", "“{column}”应为整数，现为 {value}", "“{column}” must be a whole number, not {value}",
    "000 一(三)2 數據準確性", "应为整数", "Not a whole number")
BAD_COUNTRY = define(
    "V104", "error", "“{value}”不是有效的国家/地区代码，请填写 ISO 3166 两位字母代码（如 US、DE、CN）",
    "“{value}” is not a country code; use the two ISO 3166 letters, e.g. US, DE, CN",
    "000 二(一)2 基本信息", "国家/地区代码无效", "Unknown country code")
BAD_CURRENCY = define(
    "V105", "error", "“{value}”不是有效的币种代码，请填写 ISO 4217 代码（如 USD、EUR、CNY）",
    "“{value}” is not a currency code; use ISO 4217, e.g. USD, EUR, CNY",
    "000 一(三)2 數據準確性", "币种代码无效", "Unknown currency code")
BAD_EMAIL = define(
    "V106", "error", "电子邮箱“{value}”格式不正确，请检查 @ 前的用户名和 @ 后的域名",
    "E-mail “{value}” is not a valid address; check the name before @ and the domain after it",
    "000 二(一)2 聯系方式", "电子邮箱无效", "Invalid e-mail address")
BAD_PHONE = define(
    "V107", "error", "电话“{value}”无法识别为{region}的号码，请核对位数或加上国家代码（如 +49 30 1234567）",
    "Phone “{value}” is not a number of {region}; check the digits or add the country code (e.g. +49 30 1234567)",
    "000 二(一)2 聯系方式", "电话号码无效", "Invalid phone number")
PHONE_NOT_IN_USE = define(
    "V108", "warning", "电话“{value}”的位数正确，但不是{region}在用的号段，请核对",
    "Phone “{value}” has the right length but is not a number range in use in {region}; check it",
    "000 二(一)2 聯系方式", "电话号段无效", "Phone number range not in use")
FUTURE_DATE = define(
    "V109", "error", "“{column}” {value} 晚于检查日 {as_of}，不可能是将来的日期，请更正",
    "“{column}” {value} is after the as-of date {as_of}; it cannot lie in the future",
    "000 一(三)2 數據準確性", "日期不可能在将来", "Impossible future date")

# -- V2xx: identity, references, duplicates
DUPLICATE_ID = define(
    "V201", "error", "编号“{value}”重复：第 {first_row} 行已使用该编号，请改用新编号",
    "ID “{value}” is already used in row {first_row}; give this record a new ID",
    "000 一(三)2 數據準確性", "编号重复", "Duplicate ID")
MISSING_REFERENCE = define(
    "V202", "error", "“{column}”为“{value}”，但“{target}”表中没有这条记录，请先录入或更正编号",
    "“{column}” “{value}” does not exist in {target}; enter that record first or correct the ID",
    "000 一(三)3 流程規范化", "引用的记录不存在", "Reference not found")
REFERENCE_OTHER_CUSTOMER = define(
    "V203", "error", "“{column}”“{value}”属于客户 {other}，与本行的客户 {customer} 不一致，请核对",
    "“{column}” “{value}” belongs to customer {other}, not to this row's customer {customer}; check it",
    "000 一(三)2 數據準確性", "引用属于其他客户", "Reference belongs to another customer")
DUPLICATE_NAME = define(
    "V204", "warning", "与第 {first_row} 行的客户 {other}“{other_name}”可能重复（去掉公司类型后名称相同），请核实后合并",
    "Possibly the same company as customer {other} “{other_name}” (row {first_row}): the names match without "
    "the legal form; check and merge",
    "000 二(二) 信息規范性和一致性", "疑似重复客户（名称）", "Possible duplicate customer (name)")
DUPLICATE_DOMAIN = define(
    "V205", "warning", "邮箱域名 {domain} 也用于同一国家（{country}）的客户 {other}，可能是重复客户，请核实",
    "E-mail domain {domain} is also used by customer {other} in the same country ({country}); possibly a "
    "duplicate customer, check it",
    "000 二(二) 信息規范性和一致性", "疑似重复客户（邮箱域名）", "Possible duplicate customer (e-mail domain)")
DUPLICATE_PHONE = define(
    "V206", "warning", "电话 {phone} 也是客户 {other} 的联系人电话，可能是重复客户，请核实",
    "Phone {phone} is also a contact phone of customer {other}; possibly a duplicate customer, check it",
    "000 二(二) 信息規范性和一致性", "疑似重复客户（电话）", "Possible duplicate customer (phone)")

# -- V3xx: dates and money
DATE_ORDER = define(
    "V301", "error", "“{column}” {value} 早于“{earlier}” {earlier_value}，日期先后不对，请更正",
    "“{column}” {value} is before “{earlier}” {earlier_value}; correct the dates",
    "000 一(三)2 數據準確性", "日期先后顺序不对", "Dates out of order")
RECEIVED_OVER_INVOICED = define(
    "V302", "error", "已收款 {value} 大于开票金额 {invoiced}，请核对收款或发票",
    "Received {value} is more than the invoiced {invoiced}; check the payment or the invoice",
    "001 三 訂單回款", "收款大于开票", "Received more than invoiced")
AMOUNT_MISMATCH = define(
    "V303", "error", "金额 {value} 与 数量×单价 = {expected} 不符（允许相对误差 {tolerance}）",
    "Amount {value} differs from quantity × unit price = {expected} (tolerance {tolerance})",
    "001 三 訂單", "金额与数量×单价不符", "Amount ≠ quantity × unit price")
NO_FX_RATE = define(
    "V304", "warning", "“汇率”表中没有币种 {value} 的汇率，金额无法折算为本位币 {base}，请补充汇率",
    "The FX table has no rate for {value}, so amounts cannot be converted to {base}; add the rate",
    "SPEC base_currency", "缺少汇率", "No FX rate")

# -- V4xx: customer information policy (F1)
ENTRY_LATE = define(
    "V401", "warning", "首次接触 {first_contact} 后 {days} 个工作日才录入，超过规定的 {limit} 个工作日",
    "Entered {days} working days after the first contact on {first_contact}; the limit is {limit}",
    "000 二(二)1 應在[具體時間]內錄入", "录入超时", "Entered late")
IMPORTANT_UNREVIEWED = define(
    "V402", "warning", "重要客户信息须二次核对，请填写{missing}",
    "An important customer's information needs a second check; fill in {missing}",
    "000 二(二)2 重要客戶信息應進行二次核對", "重要客户未二次核对", "Important customer not double-checked")
REVIEW_OVERDUE = define(
    "V403", "warning", "客户信息已 {days} 天未全面核实（上次 {last}），规定至少每 {limit} 天核实一次",
    "Customer information not reviewed for {days} days (last {last}); review it at least every {limit} days",
    "000 二(三)1, 004 每季度更新", "客户信息未按期核实", "Information review overdue")
REFERRER_MISSING = define(
    "V404", "warning", "来源渠道为“客户推荐”，请填写推荐人", "The source is a referral; fill in the referrer",
    "000 二(一)1 客戶推薦", "缺少推荐人", "Referrer missing")

# -- V5xx: sales process (F3)
STAGE_FIELDS = define(
    "V501", "error", "处于“{stage}”阶段的机会须填写{missing}", "An opportunity at stage “{stage}” needs {missing}",
    "000 三(一)2, 003 三", "阶段必填信息缺失", "Stage-required information missing")
PROBABILITY_BAND = define(
    "V502", "warning", "成交概率 {value} 不在“{stage}”阶段的允许范围 {band} 内（默认 {default}），请确认",
    "Probability {value} is outside the band {band} of stage “{stage}” (default {default}); confirm it",
    "000 三(四) 銷售預測", "概率超出阶段范围", "Probability outside the stage band")
LOST_WITHOUT_REASON = define(
    "V503", "error", "丢单须填写丢单原因", "A lost opportunity needs the reason it was lost",
    "003 三 贏單/丟單分析", "丢单未填原因", "Lost without a reason")
WON_EARLY_STAGE = define(
    "V504", "warning", "状态为赢单，但销售阶段仍为“{stage}”，请更新为合同签订或项目执行",
    "Marked won but still at stage “{stage}”; move it to contract signed or execution",
    "000 三(二)5", "赢单但阶段未更新", "Won at an early stage")
CLOSE_DATE_PASSED = define(
    "V505", "warning", "预计成交日期 {value} 已过而机会仍在进行中，请更新预计成交日期或状态",
    "Expected close {value} has passed and the opportunity is still open; update the date or the status",
    "000 三(四)1 更新銷售預測", "预计成交日期已过", "Expected close date passed")

# -- V6xx: service tickets (F5)
CLOSED_WITHOUT_TIME = define(
    "V601", "error", "工单已关闭，请填写关闭时间", "The ticket is closed; fill in when it was closed",
    "000 四(二)4 處理情況歸檔", "已关闭未填关闭时间", "Closed without a closing time")
BAD_TRANSITION = define(
    "V602", "error", "状态记录中“{from_status} → {to_status}”不符合处理流程；“{from_status}”之后只能是：{allowed}",
    "Status history “{from_status} → {to_status}” is not allowed by the workflow; after “{from_status}” "
    "come only: {allowed}",
    "000 四(二) 投訴處理流程", "状态流转不允许", "Status change not allowed")
BAD_HISTORY_START = define(
    "V603", "error", "状态记录应从“{start}”开始，现为“{first}”",
    "The status history must start with “{start}”, not “{first}”",
    "000 四(一)2 創建服務工單", "状态记录起点不对", "Status history starts wrongly")
UNKNOWN_HISTORY_STATUS = define(
    "V604", "error", "状态记录中的“{token}”不是处理状态，可选：{options}",
    "“{token}” in the status history is not a status; use: {options}",
    "000 四 服務工單", "状态记录无法识别", "Unknown status in the history")
HISTORY_STATUS_MISMATCH = define(
    "V605", "warning", "状态记录最后为“{last}”，与当前处理状态“{status}”不一致",
    "The status history ends with “{last}” but the status is “{status}”",
    "000 四(一)2 跟蹤處理進度", "状态记录与状态不一致", "History disagrees with the status")
CLOSED_TIME_NOT_CLOSED = define(
    "V606", "warning", "已填写关闭时间，但处理状态为“{status}”，请更新状态或清除关闭时间",
    "A closing time is filled in but the status is “{status}”; update the status or clear the time",
    "000 四(二)4", "有关闭时间但未关闭", "Closing time on an open ticket")

CODES: tuple[str, ...] = (
    REQUIRED, OUT_OF_RANGE, NOT_INTEGER, BAD_COUNTRY, BAD_CURRENCY, BAD_EMAIL, BAD_PHONE, PHONE_NOT_IN_USE,
    FUTURE_DATE, DUPLICATE_ID, MISSING_REFERENCE, REFERENCE_OTHER_CUSTOMER, DUPLICATE_NAME, DUPLICATE_DOMAIN,
    DUPLICATE_PHONE, DATE_ORDER, RECEIVED_OVER_INVOICED, AMOUNT_MISMATCH, NO_FX_RATE, ENTRY_LATE,
    IMPORTANT_UNREVIEWED, REVIEW_OVERDUE, REFERRER_MISSING, STAGE_FIELDS, PROBABILITY_BAND, LOST_WITHOUT_REASON,
    WON_EARLY_STAGE, CLOSE_DATE_PASSED, CLOSED_WITHOUT_TIME, BAD_TRANSITION, BAD_HISTORY_START,
    UNKNOWN_HISTORY_STATUS, HISTORY_STATUS_MISMATCH, CLOSED_TIME_NOT_CLOSED,
)

# Codes whose error finding makes the cell's *value* unusable (treated as missing by analysis); the
# record itself always counts. R001/R002: the reader could not read the cell or it is not a listed
# option. Findings that relate several cells (V3xx), identities (V2xx) or policies (V4xx–V6xx)
# leave the values in use.
UNUSABLE_VALUE: frozenset[str] = frozenset({
    "R001", "R002", OUT_OF_RANGE, NOT_INTEGER, BAD_COUNTRY, BAD_CURRENCY, BAD_EMAIL, BAD_PHONE, FUTURE_DATE,
})
