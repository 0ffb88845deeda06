"""One declaration per register sheet (SPEC "The register").

Adding a column means editing one place: here. The template builder, the reader's header mapping,
validation messages and the docs are all generated from these declarations.
"""

from __future__ import annotations

from crm_xl.schema.model import Column as C, Sheet

DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
MONEY = "#,##0.00"
PCT = "0%"
INT = "#,##0"
NUM = "#,##0.##"


def _id(key, zh, en, prefix_zh, prefix_en, **kw) -> C:
    return C(key, zh, en, "id", required=True, unique=True, width=12,
             help_zh=f"唯一编号，如 {prefix_zh}", help_en=f"Unique ID, e.g. {prefix_en}", **kw)


def _ref(key, zh, en, target, required=False, **kw) -> C:
    return C(key, zh, en, "id", required=required, width=12, ref=target,
             help_zh=f"填写已存在的{zh}", help_en=f"An existing {en}", **kw)


def _date(key, zh, en, help_zh="", help_en="", **kw) -> C:
    return C(key, zh, en, "date", num_format=DATE, width=12, help_zh=help_zh or "日期，如 2026-03-05",
             help_en=help_en or "Date, e.g. 2026-03-05", **kw)


def _dt(key, zh, en, help_zh="", help_en="", **kw) -> C:
    return C(key, zh, en, "datetime", num_format=DATETIME, width=17,
             help_zh=help_zh or "日期时间，如 2026-03-05 14:30", help_en=help_en or "Date and time, e.g. 2026-03-05 14:30", **kw)


def _money(key, zh, en, help_zh="", help_en="", **kw) -> C:
    return C(key, zh, en, "money", num_format=MONEY, minimum=0, width=14,
             help_zh=help_zh or "金额，不小于 0，币种见币种列", help_en=help_en or "Amount ≥ 0 in the row's currency", **kw)


def _enum(key, zh, en, enum, help_zh="", help_en="", **kw) -> C:  # noqa: PLR0913
    return C(key, zh, en, "enum", enum=enum, width=kw.pop("width", 12),
             help_zh=help_zh or "请从下拉列表选择", help_en=help_en or "Choose from the list", **kw)


def _owner(required=True) -> C:
    return C("owner", "负责人", "Owner", "text", required=required, width=10,
             help_zh="负责的业务员姓名（与人员与目标表一致）", help_en="Responsible salesperson (as in Staff)")


def _currency(required=False) -> C:
    return C("currency", "币种", "Currency", "currency", required=required, width=8,
             help_zh="ISO 4217 币种代码，如 USD、EUR、CNY", help_en="ISO 4217 code, e.g. USD, EUR, CNY")


def _trade_line_columns(spec: bool = False) -> tuple[C, ...]:
    """What a trade document's line needs beyond product and quantity (HS code, unit)."""
    return ((C("spec", "规格", "Spec", width=14),) if spec else ()) + (
        C("hs_code", "HS编码", "HS code", width=11, help_zh="海关商品编码，如 8501.52", help_en="Customs HS code, e.g. 8501.52"),
        C("unit", "单位", "Unit", width=7, help_zh="计量单位，如 PCS、SET、KG", help_en="Unit of quantity, e.g. PCS, SET, KG"),
    )


def _price_term_columns() -> tuple[C, ...]:
    """The price term a document prints: Incoterm (blank = the customer's) and its named place."""
    return (
        _enum("incoterm", "贸易术语", "Incoterm", "incoterms", width=9,
              help_zh="本单的贸易术语（Incoterms 2020）；留空按客户的贸易术语", help_en="Incoterm here; blank = the customer's"),
        C("named_place", "指定地点", "Named place", width=14, help_zh="贸易术语的指定地点，如 FOB Ningbo 中的 Ningbo",
          help_en="The Incoterm's named place, e.g. Ningbo in FOB Ningbo"),
    )


CUSTOMERS = Sheet(
    "customers", "客户", "Customers", id_column="customer_id",
    purpose_zh="一行一个客户公司：基本信息、业务信息、决策信息（000 二(一)）",
    purpose_en="One row per customer company: basic, business and decision information",
    columns=(
        _id("customer_id", "客户编号", "Customer ID", "C0001", "C0001"),
        C("company_name", "公司名称", "Company name", required=True, width=28,
          help_zh="客户公司全称（含公司类型，如 有限公司 / GmbH / Ltd.）；个人客户填姓名",
          help_en="Full legal company name; a person's name for individual customers",
          aliases=("客户名称", "客户姓名", "Customer name", "Customer")),
        C("country", "国家/地区", "Country", "country", required=True, width=9,
          help_zh="ISO 3166 两位代码，如 US、DE、CN", help_en="ISO 3166 alpha-2 code, e.g. US, DE, CN"),
        C("address", "地址", "Address", width=30),
        C("industry", "行业", "Industry", width=14),
        C("business_scope", "经营范围", "Business scope", width=20),
        C("legal_rep", "法定代表人", "Legal representative", width=12),
        _enum("source_channel", "来源渠道", "Source channel", "source_channel", required=True,
              help_zh="客户从哪里来：展会、客户推荐、网络平台…", help_en="Where the customer came from"),
        C("referrer", "推荐人", "Referrer", width=12,
          help_zh="来源为客户推荐时填写推荐人", help_en="Who referred the customer (for referrals)"),
        _owner(),
        _date("first_contact_date", "首次接触日期", "First contact date", required=True,
              help_zh="首次与客户接触的日期；应在规定工作日内录入", help_en="Date of the first contact; enter within the deadline"),
        _date("entered_date", "录入日期", "Entered date", required=True,
              help_zh="录入本系统的日期", help_en="Date the record was entered"),
        _date("coop_start_date", "合作开始日期", "Cooperation start", help_zh="首笔订单或合同日期",
              help_en="Date of the first order or contract"),
        _money("annual_purchase_amount", "年度采购额", "Annual purchase amount",
               help_zh="客户年度采购额（无订单时用于规模分类）", help_en="Yearly purchases (sizes customers without orders)"),
        _currency(),
        _enum("purchase_frequency", "采购频率", "Purchase frequency", "purchase_frequency"),
        _money("budget", "采购预算", "Budget"),
        C("products_of_interest", "意向产品", "Products of interest", width=18),
        C("decision_process", "决策流程", "Decision process", width=18,
          help_zh="客户内部决策流程、关键决策人", help_en="How the customer decides; key decision makers"),
        _enum("payment_terms", "付款方式", "Payment terms", "payment_terms", width=10),
        _enum("incoterms", "贸易术语", "Incoterms", "incoterms", width=9),
        _enum("credit_rating", "信用等级", "Credit rating", "credit_rating", width=8,
              help_zh="A 最好 … D 最差", help_en="A best … D worst"),
        _money("credit_limit", "信用额度", "Credit limit"),
        _enum("important", "重要客户", "Important", "bool", width=8,
              help_zh="重要客户的信息需二次核对（核对人、核对日期）", help_en="Important customers need a second check"),
        C("reviewed_by", "核对人", "Reviewed by", width=10, help_zh="二次核对人", help_en="Who double-checked"),
        _date("reviewed_date", "核对日期", "Reviewed date"),
        _date("last_info_update", "信息更新日期", "Last info update",
              help_zh="最近一次全面核实客户信息的日期", help_en="Last full review of the customer's information"),
        _enum("status", "客户状态", "Status", "customer_status", required=True),
        C("notes", "备注", "Notes", width=24),
        # -- automotive dealer profile (004 二): individual customers
        _enum("gender", "性别", "Gender", "gender", width=6, profiles=("auto",)),
        _enum("age_band", "年龄段", "Age band", "age_band", width=8, profiles=("auto",)),
        C("occupation", "职业", "Occupation", width=12, profiles=("auto",)),
        C("city", "城市", "City", width=10, profiles=("auto",)),
        C("wechat", "微信", "WeChat", width=12, profiles=("auto",)),
        _enum("purchase_intent", "购车意向等级", "Purchase intent", "purchase_intent", width=14, profiles=("auto",),
              help_zh="H级7天内、A级15天内、B级30天内、C级3个月内购车", help_en="H within 7 days … C within 3 months"),
        C("budget_range", "预算范围", "Budget range", width=12, profiles=("auto",), help_zh="如 15-20万", help_en="e.g. 150-200k"),
        C("model_preference", "意向车型", "Preferred model", width=14, profiles=("auto",)),
        _date("expected_purchase_date", "预计购车时间", "Expected purchase", profiles=("auto",)),
        _enum("scale", "规模分类", "Scale", "scale", derived=True, help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        _enum("abc", "ABC分类", "ABC class", "abc", derived=True, width=8, help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        _enum("level", "客户等级", "Level", "level", derived=True, help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        _enum("coop", "合作年限分类", "Cooperation class", "coop", derived=True, help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        _enum("risk", "风险等级", "Risk", "risk", derived=True, width=8, help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        C("completeness", "信息完整度", "Completeness", "probability", num_format=PCT, width=10, derived=True,
          help_zh="由 crm-xl 计算", help_en="Computed by crm-xl"),
        _date("next_revisit_date", "下次回访日期", "Next revisit", derived=True,
              help_zh="由 crm-xl 按规模回访周期计算", help_en="Computed from the revisit cycle"),
    ),
)

CONTACTS = Sheet(
    "contacts", "联系人", "Contacts", id_column="contact_id",
    purpose_zh="客户公司中的联系人及其决策角色", purpose_en="People at customers and their decision roles",
    columns=(
        _id("contact_id", "联系人编号", "Contact ID", "P0001", "P0001"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        C("name", "姓名", "Name", required=True, width=14),
        C("title", "职务", "Title", width=14),
        _enum("decision_role", "决策角色", "Decision role", "decision_role"),
        C("phone", "电话", "Phone", "phone", width=16,
          help_zh="含国家代码，如 +49 30 1234567；无代码时按客户国家识别", help_en="With country code; else the customer's country is assumed"),
        C("email", "电子邮箱", "E-mail", "email", width=24),
        C("wechat", "微信", "WeChat", width=12),
        C("whatsapp", "WhatsApp", "WhatsApp", width=14),
        _date("birthday", "生日", "Birthday", help_zh="用于生日关怀", help_en="For birthday greetings"),
        C("preferred_language", "沟通语言", "Preferred language", width=10),
        C("preferences", "偏好", "Preferences", width=20),
    ),
)

OPPORTUNITIES = Sheet(
    "opportunities", "销售机会", "Opportunities", id_column="opportunity_id",
    purpose_zh="销售机会及其阶段（000 三(二)）", purpose_en="Sales opportunities and their stage",
    columns=(
        _id("opportunity_id", "机会编号", "Opportunity ID", "O0001", "O0001"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        _ref("contact_id", "联系人编号", "Contact ID", "contacts.contact_id"),
        C("title", "机会名称", "Title", required=True, width=24),
        _enum("source", "来源", "Source", "source_channel"),
        C("product", "产品", "Product", width=16),
        C("region", "区域", "Region", width=10),
        _enum("stage", "销售阶段", "Stage", "stage", required=True,
              help_zh="潜在客户→意向客户→需求明确→商务谈判→合同签订→项目执行", help_en="Lead → … → Execution"),
        C("probability", "成交概率", "Probability", "probability", num_format=PCT, width=9, minimum=0, maximum=1,
          help_zh="留空则按阶段默认概率；0–100%", help_en="Blank = stage default; 0–100%"),
        _money("amount", "预计金额", "Amount", help_zh="需求明确阶段起必填", help_en="Required from 'qualified'"),
        _currency(),
        C("quantity", "数量", "Quantity", "number", num_format=NUM, minimum=0, width=10),
        _date("created_date", "创建日期", "Created", required=True),
        _date("expected_close_date", "预计成交日期", "Expected close", help_zh="需求明确阶段起必填",
              help_en="Required from 'qualified'"),
        C("competitors", "竞争对手", "Competitors", width=18),
        C("next_step", "下一步", "Next step", width=20),
        _date("next_followup_date", "下次跟进日期", "Next follow-up"),
        C("followup_method", "跟进方式", "Follow-up method", "enum", enum="method", width=10,
          help_zh="计划的跟进方式", help_en="Planned follow-up method"),
        C("followup_goal", "跟进目标", "Follow-up goal", width=18, help_zh="计划跟进的预期目标",
          help_en="What the next follow-up should achieve"),
        _owner(),
        _enum("status", "状态", "Status", "opportunity_status", required=True),
        C("lost_reason", "丢单原因", "Lost reason", width=18, help_zh="丢单时必填", help_en="Required when lost"),
        _date("won_date", "赢单日期", "Won date"),
        _ref("order_id", "订单编号", "Order ID", "orders.order_id"),
        C("weighted_amount", "加权金额(本币)", "Weighted amount (base)", "money", num_format=MONEY, width=14,
          derived=True, help_zh="由 crm-xl 计算：金额×概率，折算本位币", help_en="Computed: amount × probability in base currency"),
        *_trade_line_columns(spec=True),
        _money("unit_price", "报价单价", "Quoted unit price", help_zh="报价单的单价；留空按 金额÷数量",
               help_en="Unit price on the quotation; blank = amount ÷ quantity"),
        *_price_term_columns(),
    ),
)

ACTIVITIES = Sheet(
    "activities", "跟进记录", "Activities", id_column="activity_id",
    purpose_zh="每一次与客户的联系（000 三(三)）", purpose_en="Each contact made with a customer",
    columns=(
        _id("activity_id", "记录编号", "Activity ID", "A0001", "A0001"),
        _date("date", "日期", "Date", required=True),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        _ref("opportunity_id", "机会编号", "Opportunity ID", "opportunities.opportunity_id"),
        _ref("contact_id", "联系人编号", "Contact ID", "contacts.contact_id"),
        _enum("method", "跟进方式", "Method", "method", required=True),
        C("summary", "沟通内容", "Summary", required=True, width=30),
        C("outcome", "结果", "Outcome", width=18),
        C("next_action", "下一步行动", "Next action", width=18),
        _date("next_date", "下次跟进日期", "Next date"),
        _owner(),
        _enum("direction", "方向", "Direction", "direction", width=8, help_zh="收到（客户来信）或发出",
              help_en="Received from or sent to the customer"),
        C("message_id", "邮件编号", "Message ID", width=22, help_zh="log-mail 导入时填写（邮件 Message-ID 或聊天记录键）；重复导入时跳过",
          help_en="Filled by log-mail (the e-mail's Message-ID or a chat key); a re-run skips it"),
    ),
)

ORDERS = Sheet(
    "orders", "订单", "Orders", id_column="order_id",
    purpose_zh="已确认订单：交付与回款（001 三）", purpose_en="Confirmed orders: delivery and payment",
    columns=(
        _id("order_id", "订单编号", "Order ID", "SO0001", "SO0001"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        _ref("opportunity_id", "机会编号", "Opportunity ID", "opportunities.opportunity_id"),
        _date("order_date", "下单日期", "Order date", required=True),
        C("product", "产品", "Product", required=True, width=16),
        C("spec", "规格", "Spec", width=14),
        C("quantity", "数量", "Quantity", "number", num_format=NUM, minimum=0, width=10, required=True),
        _money("unit_price", "单价", "Unit price"),
        _currency(required=True),
        _money("amount", "金额", "Amount", required=True, help_zh="应等于 数量×单价", help_en="Should equal quantity × unit price"),
        _money("cost", "成本", "Cost", help_zh="本单成本（同币种），用于毛利", help_en="Cost in the order currency (for margin)"),
        _date("promised_delivery_date", "承诺交期", "Promised delivery"),
        _date("ship_date", "发货日期", "Ship date"),
        _date("arrival_date", "到货日期", "Arrival date"),
        _enum("status", "订单状态", "Status", "order_status", required=True),
        C("invoice_no", "发票号", "Invoice no.", width=12),
        _money("invoiced_amount", "开票金额", "Invoiced amount"),
        _money("received_amount", "已收款", "Received amount"),
        _date("payment_due_date", "应收款日期", "Payment due"),
        _date("paid_date", "收款日期", "Paid date"),
        _owner(),
        *_trade_line_columns(),
        *_price_term_columns(),
        C("port_of_loading", "装运港", "Port of loading", width=14),
        C("port_of_destination", "目的港", "Port of destination", width=14),
        C("cartons", "箱数", "Cartons", "integer", num_format=INT, minimum=0, width=8, help_zh="装箱单的总箱数",
          help_en="Number of cartons (packing list)"),
        C("net_weight_kg", "净重(kg)", "N.W. (kg)", "number", num_format=NUM, minimum=0, width=10),
        C("gross_weight_kg", "毛重(kg)", "G.W. (kg)", "number", num_format=NUM, minimum=0, width=10),
        C("cbm", "体积(CBM)", "Volume (CBM)", "number", num_format="#,##0.000", minimum=0, width=10,
          help_zh="总体积，立方米", help_en="Total volume in cubic metres"),
        C("contract_no", "合同号", "Contract no.", width=12,
          help_zh="同一合同号的订单行打印在同一张单据上", help_en="Order rows with the same contract no. print on one document"),
    ),
)

TICKETS = Sheet(
    "tickets", "服务与投诉", "Service tickets", id_column="ticket_id",
    purpose_zh="客户咨询、反馈与投诉（000 四）", purpose_en="Inquiries, feedback and complaints",
    columns=(
        _id("ticket_id", "工单编号", "Ticket ID", "T0001", "T0001"),
        _enum("type", "类型", "Type", "ticket_type", required=True),
        _dt("received_at", "受理时间", "Received at", required=True),
        C("channel", "渠道", "Channel", "enum", enum="method", width=10),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        C("complainant", "投诉人", "Complainant", width=12),
        C("contact_info", "联系方式", "Contact info", width=18),
        _ref("order_id", "订单编号", "Order ID", "orders.order_id"),
        C("product", "产品", "Product", width=14),
        _enum("category", "问题类别", "Category", "ticket_category"),
        C("description", "问题描述", "Description", required=True, width=30),
        C("expected_resolution", "期望解决方式", "Expected resolution", width=18),
        _enum("urgency", "紧急程度", "Urgency", "urgency", required=True),
        C("responsible_dept", "责任部门", "Responsible dept.", width=12),
        C("assignee", "处理人", "Assignee", width=10),
        _dt("first_response_at", "首次响应时间", "First response at"),
        _enum("status", "处理状态", "Status", "ticket_status", required=True),
        C("status_history", "状态记录", "Status history", width=24,
          help_zh="状态变化，用 > 分隔，如 已受理>已分配>调查中", help_en="Status changes separated by >, e.g. received>assigned"),
        C("root_cause", "原因分析", "Root cause", width=18),
        C("solution", "解决方案", "Solution", width=20),
        _money("compensation", "赔偿金额", "Compensation"),
        _dt("closed_at", "关闭时间", "Closed at"),
        C("satisfaction", "满意度", "Satisfaction", "score", minimum=1, maximum=5, width=8,
          help_zh="1–5 分", help_en="1–5"),
        C("reopened_count", "重开次数", "Reopened", "integer", num_format=INT, minimum=0, width=8),
    ),
)

SURVEYS = Sheet(
    "surveys", "满意度调查", "Surveys", id_column="survey_id",
    purpose_zh="客户满意度调查结果（000 四(四)，002 四.4）", purpose_en="Customer satisfaction survey answers",
    columns=(
        _id("survey_id", "调查编号", "Survey ID", "S0001", "S0001"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        _date("date", "日期", "Date", required=True),
        C("channel", "调查方式", "Channel", "enum", enum="method", width=10),
        *(C(k, zh, en, "score", minimum=1, maximum=5, width=9, help_zh="1–5 分", help_en="1–5")
          for k, zh, en in (("product_score", "产品评分", "Product"), ("service_score", "服务评分", "Service"),
                            ("communication_score", "沟通评分", "Communication"),
                            ("delivery_score", "交付评分", "Delivery"), ("overall_score", "总体评分", "Overall"))),
        C("nps", "推荐意愿(NPS)", "NPS", "score", minimum=0, maximum=10, width=9, help_zh="0–10 分", help_en="0–10"),
        C("comments", "意见建议", "Comments", width=30),
    ),
)

STAFF = Sheet(
    "staff", "人员与目标", "Staff & targets", id_column=None,
    purpose_zh="业务员及各考核期目标（003 五）", purpose_en="Salespeople and their targets per period",
    columns=(
        C("staff_id", "工号", "Staff ID", "id", required=True, width=10),
        C("name", "姓名", "Name", required=True, width=10),
        C("team", "团队", "Team", width=10),
        _enum("role", "岗位", "Role", "staff_role"),
        C("period", "考核期", "Period", required=True, width=10,
          help_zh="如 2026-10（月）、2026-Q3（季）、2026（年）", help_en="e.g. 2026-10, 2026-Q3, 2026"),
        _money("sales_target", "销售额目标(本币)", "Sales target (base)"),
        C("quantity_target", "数量目标", "Quantity target", "number", num_format=NUM, minimum=0, width=10),
        C("new_customer_target", "新客户目标", "New customer target", "integer", num_format=INT, minimum=0, width=10),
        _money("expense", "费用(本币)", "Expense (base)"),
        C("teamwork_score", "团队协作评分", "Teamwork score", "score", minimum=0, maximum=100, width=10,
          help_zh="主管评分 0–100", help_en="Manager's score 0–100"),
        C("activity_target", "计划跟进次数", "Planned activities", "integer", num_format=INT, minimum=0, width=10,
          help_zh="本期计划的拜访/电话等跟进次数（001 二 订单活动计划）", help_en="Planned contacts this period"),
        _date("hire_date", "入职日期", "Hire date", help_zh="新员工须在规定天数内完成培训",
              help_en="New staff must be trained within the Settings deadline"),
        C("email", "电子邮箱", "E-mail", "email", width=22, help_zh="业务员的邮箱：导入邮件时按发件人/收件人认定负责人",
          help_en="The salesperson's e-mail: log-mail takes the owner from a message's sender or recipient"),
    ),
)

CHANGELOG = Sheet(
    "changelog", "变更日志", "Change log", id_column=None,
    purpose_zh="更正已录入信息时记录更正原因和时间（000 二(二)2）",
    purpose_en="Corrections of recorded values with reason and time",
    columns=(
        _dt("at", "时间", "At", required=True),
        C("user", "更正人", "User", required=True, width=10),
        C("sheet", "工作表", "Sheet", required=True, width=12),
        C("record_id", "记录编号", "Record ID", "id", required=True, width=12),
        C("column", "字段", "Column", required=True, width=14),
        C("old_value", "原值", "Old value", width=16),
        C("new_value", "新值", "New value", width=16),
        C("reason", "更正原因", "Reason", required=True, width=24),
    ),
)

SETTINGS = Sheet(
    "settings", "参数设置", "Settings", settings_table=True,
    purpose_zh="制度参数：经理可修改，所有规则从这里读取", purpose_en="Policy parameters the manager may change",
    columns=(
        C("key", "参数", "Key", "id", required=True, unique=True, width=30),
        C("value", "取值", "Value", width=14),
        C("note", "说明", "Note", width=70),
    ),
)

STAGES = Sheet(
    "stages", "阶段概率", "Stage probabilities", settings_table=True,
    purpose_zh="各销售阶段的默认成交概率与允许范围（000 三(四)）",
    purpose_en="Default win probability per stage and the band allowed for overrides",
    columns=(
        _enum("stage", "销售阶段", "Stage", "stage", required=True, unique=True),
        C("probability", "默认概率", "Default probability", "probability", num_format=PCT, required=True,
          minimum=0, maximum=1, width=10),
        C("min_probability", "最低概率", "Band minimum", "probability", num_format=PCT, minimum=0, maximum=1, width=10),
        C("max_probability", "最高概率", "Band maximum", "probability", num_format=PCT, minimum=0, maximum=1, width=10),
        C("stale_days", "无跟进天数上限", "Stale after days", "integer", num_format=INT, minimum=0, width=12),
    ),
)

FX_RATES = Sheet(
    "fx_rates", "汇率", "FX rates", settings_table=True,
    purpose_zh="外币折算本位币的汇率（1 单位外币 = 多少本位币）", purpose_en="Units of base currency per 1 unit of currency",
    columns=(
        C("currency", "币种", "Currency", "currency", required=True, width=8),
        C("rate", "汇率", "Rate", "number", num_format="0.0000", required=True, minimum=0, width=10),
        _date("valid_from", "生效日期", "Valid from", help_zh="留空表示一直有效；有多个日期时按交易日期取最近的",
              help_en="Blank = always; the latest rate on or before the transaction date applies"),
        C("note", "说明", "Note", width=20),
    ),
)

HOLIDAYS = Sheet(
    "holidays", "节假日", "Holidays", settings_table=True,
    purpose_zh="公司自定的休息日或调休上班日（补充法定节假日）", purpose_en="Company days off or extra working days",
    columns=(
        _date("date", "日期", "Date", required=True),
        C("name", "名称", "Name", width=16),
        _enum("kind", "类型", "Kind", "holiday_kind", required=True),
    ),
)



# -- order intelligence (001 二 订单情报处理制度), both profiles
INTELLIGENCE = Sheet(
    "intelligence", "订单情报", "Order intelligence", id_column="intel_id",
    purpose_zh="员工报告的订单情报：评估与奖励（001 二）", purpose_en="Leads and intelligence reported by staff, evaluated and rewarded",
    columns=(
        _id("intel_id", "情报编号", "Intel ID", "I0001", "I0001"),
        _date("date", "报告日期", "Reported", required=True),
        C("reporter", "报告人", "Reporter", required=True, width=10),
        C("source", "情报来源", "Source", width=14, help_zh="打听、调查、客户、展会……", help_en="Where it came from"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id"),
        C("prospect_name", "潜在客户", "Prospect", width=18, help_zh="尚未建档的客户名称", help_en="Prospect not yet in Customers"),
        C("region", "区域", "Region", width=10),
        C("content", "情报内容", "Content", required=True, width=30),
        _money("estimated_value", "预计金额", "Estimated value"),
        _currency(),
        _enum("evaluation", "评估结果", "Evaluation", "intel_evaluation", required=True),
        _money("reward_amount", "奖励金额(本币)", "Reward (base)"),
        _date("reward_paid_date", "奖励发放日期", "Reward paid"),
    ),
)

# -- cooperation projects (002 六, 000 项目执行, 001 四 加工订单), both profiles
PROJECTS = Sheet(
    "projects", "合作项目", "Projects", id_column="project_id",
    purpose_zh="签约后的合作项目：计划、进度、验收（002 六）", purpose_en="A project per signed contract: plan, progress, acceptance",
    columns=(
        _id("project_id", "项目编号", "Project ID", "PJ001", "PJ001"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        _ref("opportunity_id", "机会编号", "Opportunity ID", "opportunities.opportunity_id"),
        _ref("order_id", "订单编号", "Order ID", "orders.order_id"),
        C("title", "项目名称", "Title", required=True, width=22),
        _owner(),
        C("team", "项目成员", "Team", width=18),
        _date("start_date", "开始日期", "Start", required=True),
        _date("planned_end_date", "计划完成日期", "Planned end", required=True),
        _date("actual_end_date", "实际完成日期", "Actual end"),
        _enum("status", "项目状态", "Status", "project_status", required=True),
        C("progress", "进度", "Progress", "probability", num_format=PCT, minimum=0, maximum=1, width=8),
        _date("acceptance_date", "验收日期", "Accepted on"),
        _enum("acceptance_result", "验收结果", "Acceptance", "acceptance_result"),
        C("customer_rating", "客户评分", "Customer rating", "score", minimum=1, maximum=5, width=8),
        C("summary", "项目总结", "Summary", width=24),
        C("bom_ref", "BOM编号", "BOM ref.", width=10, help_zh="加工订单的物料清单", help_en="Bill of materials (processing orders)"),
        _date("material_arrival_date", "物料到货日期", "Material arrival"),
        _enum("iqc_result", "来料检验", "IQC", "iqc_result", width=8),
        _date("production_start", "投产日期", "Production start"),
        _date("production_end", "完工日期", "Production end"),
    ),
)

MILESTONES = Sheet(
    "milestones", "项目里程碑", "Milestones", id_column="milestone_id",
    purpose_zh="项目计划的时间节点与里程碑（002 六.1）", purpose_en="Project milestones with planned and actual dates",
    columns=(
        _id("milestone_id", "里程碑编号", "Milestone ID", "M001", "M001"),
        _ref("project_id", "项目编号", "Project ID", "projects.project_id", required=True),
        C("name", "里程碑", "Milestone", required=True, width=20),
        _date("planned_date", "计划日期", "Planned", required=True),
        _date("actual_date", "实际日期", "Actual"),
        _enum("status", "状态", "Status", "milestone_status", required=True),
        C("owner", "负责人", "Owner", width=10),
    ),
)

PROJECT_CHANGES = Sheet(
    "project_changes", "项目变更", "Project changes", id_column="change_id",
    purpose_zh="项目变更及其对计划的影响，须经审批（002 六.3）", purpose_en="Change requests, their effect on the plan, approval",
    columns=(
        _id("change_id", "变更编号", "Change ID", "CR001", "CR001"),
        _ref("project_id", "项目编号", "Project ID", "projects.project_id", required=True),
        _date("date", "提出日期", "Date", required=True),
        C("description", "变更内容", "Description", required=True, width=28),
        C("impact_days", "工期影响(天)", "Impact (days)", "number", num_format=NUM, width=10),
        C("impact_amount", "金额影响", "Impact (amount)", "number", num_format=MONEY, width=12),
        _enum("approved", "已审批", "Approved", "bool", width=8),
        C("approved_by", "审批人", "Approved by", width=10),
    ),
)

# -- training (000 六, 004 六), both profiles
TRAINING_SESSIONS = Sheet(
    "training_sessions", "培训记录", "Training sessions", id_column="session_id",
    purpose_zh="培训场次：日期、主题、讲师、学时", purpose_en="Training sessions: date, topic, trainer, hours",
    columns=(
        _id("session_id", "培训编号", "Session ID", "TR01", "TR01"),
        _date("date", "日期", "Date", required=True),
        C("topic", "主题", "Topic", required=True, width=24),
        C("trainer", "讲师", "Trainer", width=10),
        C("hours", "学时", "Hours", "number", num_format=NUM, minimum=0, width=8),
    ),
)

TRAINING_ATTENDANCE = Sheet(
    "training_attendance", "培训签到", "Training attendance",
    purpose_zh="每位员工参加培训的情况", purpose_en="Who attended which session",
    columns=(
        _ref("session_id", "培训编号", "Session ID", "training_sessions.session_id", required=True),
        _ref("staff_id", "工号", "Staff ID", "staff.staff_id", required=True),
        _enum("attended", "出席", "Attended", "bool", required=True, width=8),
        C("score", "考核成绩", "Score", "score", minimum=0, maximum=100, width=8),
    ),
)

# -- automotive dealer profile (004)
VEHICLES = Sheet(
    "vehicles", "车辆档案", "Vehicles", id_column="vin", profiles=("auto",),
    purpose_zh="客户车辆：车型、车架号、发动机号、购车日期、里程（004 二）",
    purpose_en="Customers' vehicles: model, VIN, engine number, purchase date, mileage",
    columns=(
        C("vin", "车架号(VIN)", "VIN", "id", required=True, unique=True, width=20,
          help_zh="17 位车辆识别代号，第 9 位为校验位", help_en="17-character VIN; position 9 is the check digit"),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        C("model", "车型", "Model", required=True, width=16),
        C("engine_no", "发动机号", "Engine no.", width=14),
        C("plate", "车牌号", "Plate", width=10),
        _date("purchase_date", "购车日期", "Purchase date", required=True),
        _money("purchase_price", "购车价格", "Purchase price"),
        C("mileage", "当前里程(km)", "Mileage (km)", "number", num_format=INT, minimum=0, width=10),
        _date("mileage_date", "里程记录日期", "Mileage date"),
        _owner(required=False),
    ),
)

SERVICE_VISITS = Sheet(
    "service_visits", "维修保养记录", "Service history", id_column="visit_id", profiles=("auto",),
    purpose_zh="每次进厂维修保养（004 三）", purpose_en="Each service or repair visit",
    columns=(
        _id("visit_id", "工单号", "Visit ID", "W0001", "W0001"),
        _date("date", "进厂日期", "Date", required=True),
        _ref("vin", "车架号(VIN)", "VIN", "vehicles.vin", required=True),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id"),
        C("mileage", "进厂里程(km)", "Mileage (km)", "number", num_format=INT, minimum=0, width=10, required=True),
        C("items", "维修保养项目", "Items", required=True, width=24),
        C("parts", "更换配件", "Parts", width=18),
        _money("cost", "费用", "Cost"),
        C("advisor", "服务顾问", "Advisor", width=10),
        C("satisfaction", "满意度", "Satisfaction", "score", minimum=1, maximum=5, width=8),
    ),
)

EVENTS = Sheet(
    "events", "活动记录", "Events", profiles=("auto",),
    purpose_zh="车展、试驾、车主俱乐部等活动，每位参与客户一行（004 三）",
    purpose_en="Auto shows, test drives, owner-club events: one row per attendee",
    columns=(
        C("event_id", "活动编号", "Event ID", "id", required=True, width=10),
        _date("date", "日期", "Date", required=True),
        _enum("type", "活动类型", "Type", "event_type", required=True),
        C("title", "活动名称", "Title", width=20),
        _ref("customer_id", "客户编号", "Customer ID", "customers.customer_id", required=True),
        C("owner", "负责人", "Owner", width=10),
        _enum("result", "活动结果", "Result", "event_result"),
    ),
)

# -- synonyms: the names and headers trade teams really write (zh-CN and en; zh-TW matches them
# through OpenCC). Readers map a header by label or key first, then by these, then by a fuzzy guess
# (crm_xl.intake.matching). A synonym that is another column's label in the same sheet is ignored.
_OWNER = ("业务员", "负责业务员", "所属业务员", "跟进人", "跟单员", "销售", "销售员", "业务", "负责销售",
          "Sales rep", "Salesperson", "Sales person", "Sales", "Account manager", "Rep")
_CURRENCY = ("货币", "币别", "币制", "结算币种", "Curr", "Currency code")
SHEET_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customers": ("客户信息", "客户资料", "客户列表", "客户档案", "客户名单", "客户表", "客户管理", "客户信息表",
                  "客户清单", "Customer list", "Clients", "Client list", "Accounts", "Companies"),
    "contacts": ("联系人信息", "联系人列表", "联系人表", "联系人名单", "Contact list", "People"),
    "opportunities": ("商机", "商机跟进", "商机管理", "商机列表", "商机表", "销售漏斗", "项目跟进", "询盘跟进", "询盘",
                      "Leads", "Deals", "Deal list", "Pipeline", "Opportunity", "Sales pipeline"),
    "activities": ("跟进日志", "拜访记录", "联系记录", "沟通记录", "跟进明细", "Follow-ups", "Follow ups", "Activity log",
                   "Calls", "Contact log"),
    "orders": ("订单记录", "订单明细", "订单列表", "订单表", "销售订单", "订单管理", "出货记录", "Sales orders", "Order list",
               "PO list"),
    "tickets": ("投诉登记", "投诉记录", "客诉", "客诉记录", "售后记录", "售后服务", "投诉", "Complaints", "Tickets",
                "Support tickets", "Service"),
    "staff": ("人员", "业务员目标", "销售目标", "Team", "Targets", "Sales team"),
    "fx_rates": ("汇率表", "Exchange rates", "Rates"),
}
COLUMN_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("客户代码", "客户ID", "客户号", "客户编码", "Customer No", "Customer code", "Client ID", "Account ID"),
        "company_name": ("公司", "客户", "客户公司", "公司全称", "企业名称", "客户全称", "Company", "Client",
                         "Client name", "Account", "Account name", "Company name (full)"),
        "country": ("国家", "国家地区", "国别", "所在国家", "Country/Region", "Nation"),
        "address": ("公司地址", "详细地址", "Addr"),
        "industry": ("所属行业", "行业类别", "Sector"),
        "source_channel": ("客户来源", "来源", "渠道", "获客渠道", "Lead source", "Source", "Channel"),
        "owner": _OWNER,
        "first_contact_date": ("首次联系日期", "首次联系时间", "首次接触时间", "开发日期", "First contact", "First contacted"),
        "entered_date": ("录入时间", "建档日期", "建档时间", "登记日期", "创建日期", "Created", "Date added", "Created on"),
        "coop_start_date": ("合作时间", "首单日期", "合作日期", "Customer since"),
        "annual_purchase_amount": ("年采购额", "年采购金额", "年度采购金额", "年采购量", "Annual purchases", "Annual volume"),
        "currency": _CURRENCY,
        "payment_terms": ("付款条件", "付款条款", "结算方式", "Payment"),
        "incoterms": ("价格条款", "成交方式", "Trade terms"),
        "credit_rating": ("信用评级",),
        "important": ("是否重要", "重点客户", "VIP", "Key account"),
        "status": ("状态", "Customer status"),
        "notes": ("说明", "备注信息", "Remark", "Remarks", "Comment", "Comments", "Note"),
        "last_info_update": ("更新日期", "最后更新", "Last updated"),
    },
    "contacts": {
        "name": ("联系人", "联系人姓名", "Contact", "Contact name", "Contact person"),
        "title": ("职位", "Position", "Job title"),
        "decision_role": ("角色", "Role"),
        "phone": ("手机", "联系电话", "手机号", "手机号码", "电话号码", "Tel", "Telephone", "Mobile", "Phone number"),
        "email": ("邮箱", "电子邮件", "邮件", "邮箱地址", "Email", "Email address", "Mail"),
        "whatsapp": ("WhatsApp号", "WA"),
    },
    "opportunities": {
        "opportunity_id": ("商机编号", "商机ID", "机会ID", "询盘编号", "Deal ID", "Opp ID", "Lead ID"),
        "title": ("商机名称", "项目名称", "项目", "商机", "机会", "询盘", "Deal", "Deal name", "Opportunity", "Opportunity name"),
        "stage": ("阶段", "跟进阶段", "商机阶段", "Deal stage", "Pipeline stage", "Sales stage"),
        "probability": ("概率", "赢率", "成交率", "Win probability", "Win rate"),
        "amount": ("金额", "商机金额", "预估金额", "预计成交金额", "报价金额", "Deal value", "Value", "Deal amount",
                   "Expected revenue", "Amount (est.)"),
        "currency": _CURRENCY,
        "created_date": ("创建时间", "登记日期", "录入日期", "询盘日期", "Created on", "Created date"),
        "expected_close_date": ("预计成交", "预计成交时间", "预计签单日期", "预计签约日期", "Close date", "Expected close date"),
        "next_followup_date": ("下次跟进", "下次跟进时间", "下次联系日期", "Next follow-up date", "Next contact"),
        "owner": _OWNER,
        "status": ("商机状态", "Deal status"),
        "product": ("产品名称", "意向产品", "品名", "Product name"),
        "region": ("地区", "市场", "Market"),
        "source": ("商机来源", "来源渠道", "询盘来源", "Lead source"),
        "lost_reason": ("输单原因", "失败原因", "Reason lost"),
        "won_date": ("成交日期", "签单日期", "Won on"),
        "next_step": ("下一步计划", "Next action"),
    },
    "activities": {
        "date": ("跟进日期", "联系日期", "拜访日期", "Activity date"),
        "method": ("联系方式", "沟通方式", "Type", "Channel"),
        "summary": ("跟进内容", "沟通记录", "内容", "记录", "Notes", "Details"),
        "outcome": ("跟进结果", "Result"),
        "next_date": ("下次跟进", "下次跟进时间", "Next follow-up"),
        "owner": _OWNER,
    },
    "orders": {
        "order_id": ("订单号", "合同号", "PI号", "PO号", "订单编码", "Order No", "Order number", "PO", "PO number", "Contract no"),
        "order_date": ("订单日期", "下单时间", "签约日期", "合同日期", "Date ordered"),
        "product": ("产品名称", "品名", "货物名称", "Product name", "Item"),
        "spec": ("规格型号", "型号", "Model"),
        "quantity": ("订购数量", "Qty"),
        "unit_price": ("Price", "Unit cost"),
        "currency": _CURRENCY,
        "amount": ("订单金额", "合同金额", "总金额", "总价", "货值", "Total", "Order amount", "Order value"),
        "status": ("状态", "Order status"),
        "promised_delivery_date": ("交期", "交货日期", "约定交期", "Delivery date"),
        "ship_date": ("出货日期", "发货时间", "Shipped on"),
        "invoice_no": ("发票号码", "Invoice No", "Invoice number"),
        "invoiced_amount": ("发票金额",),
        "received_amount": ("已收金额", "回款金额", "已回款", "收款金额", "Paid", "Received", "Amount received"),
        "payment_due_date": ("应收日期", "收款期限", "付款到期日", "Due date", "Payment due date"),
        "paid_date": ("回款日期", "实际收款日期", "Paid on"),
        "owner": _OWNER,
    },
    "tickets": {
        "received_at": ("投诉日期", "投诉时间", "受理日期", "登记时间", "Date", "Received"),
        "description": ("投诉内容", "问题", "内容", "Issue", "Complaint"),
        "urgency": ("紧急度", "优先级", "Priority"),
        "status": ("状态", "处理进度", "Progress"),
        "assignee": ("负责人", "Handler"),
    },
    "staff": {
        "name": ("业务员", "Salesperson"),
        "sales_target": ("销售目标", "业绩目标", "Target"),
    },
}


# Columns many sheets share (references, owner, currency): the same synonyms wherever they appear.
SHARED_COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": COLUMN_SYNONYMS["customers"]["customer_id"],
    "contact_id": ("联系人ID", "联系人代码", "Contact No"),
    "opportunity_id": COLUMN_SYNONYMS["opportunities"]["opportunity_id"],
    "order_id": COLUMN_SYNONYMS["orders"]["order_id"],
    "owner": _OWNER,
    "currency": _CURRENCY,
}


def _with_synonyms(sheet: Sheet) -> Sheet:
    from dataclasses import replace

    cols = {k: v for k, v in SHARED_COLUMN_SYNONYMS.items() if sheet.has(k) and sheet.key not in ("staff",)}
    for k, v in COLUMN_SYNONYMS.get(sheet.key, {}).items():
        cols[k] = tuple(dict.fromkeys(cols.get(k, ()) + v))
    unknown = set(cols) - set(sheet.keys)
    if unknown:
        raise ValueError(f"synonyms for unknown columns of {sheet.key}: {sorted(unknown)}")
    columns = tuple(replace(c, aliases=tuple(dict.fromkeys(c.aliases + cols.get(c.key, ())))) for c in sheet.columns)
    return replace(sheet, columns=columns, aliases=sheet.aliases + SHEET_SYNONYMS.get(sheet.key, ()))


REGISTER_SHEETS: tuple[Sheet, ...] = tuple(_with_synonyms(s) for s in (
    CUSTOMERS, CONTACTS, OPPORTUNITIES, ACTIVITIES, ORDERS, TICKETS, SURVEYS, STAFF, CHANGELOG,
    SETTINGS, STAGES, FX_RATES, HOLIDAYS,
    INTELLIGENCE, PROJECTS, MILESTONES, PROJECT_CHANGES, TRAINING_SESSIONS, TRAINING_ATTENDANCE,
    VEHICLES, SERVICE_VISITS, EVENTS,
))
