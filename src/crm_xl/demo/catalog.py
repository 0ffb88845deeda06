"""What the demo exporter sells and the words its staff write in the register.

The demo company is a Zhongshan LED-lighting manufacturer that exports through two sales desks.
Everything here is flavour for `crm_xl.demo.trade`: products with FOB list prices, the staff, and the
short Chinese phrases that trade staff type into free-text columns. No policy values live here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    """One catalogue item: FOB list price in USD per piece, carton quantity and minimum order."""

    name: str
    usd: float
    step: int
    min_qty: int
    specs: tuple[str, ...]


PRODUCTS: tuple[Product, ...] = (
    Product("LED Panel 40W", 8.60, 20, 200, ("600×600mm 4000K UGR<19", "600×1200mm 5000K 背光式", "620×620mm 4000K DALI 调光")),
    Product("LED High Bay 150W", 31.50, 4, 40, ("UFO 150lm/W 5000K IP65", "UFO 1-10V 调光 90°透镜", "线性工矿灯 120°")),
    Product("LED Flood Light 100W", 16.80, 10, 100, ("IP66 6500K 灰色外壳", "IP66 4000K 带支架", "RGB 智能控制")),
    Product("LED Street Light 120W", 52.00, 2, 40, ("Type II 配光 5000K IP66", "Type III 3000K 光控", "模组式 Zhaga 插座")),
    Product("LED Tube T8 18W", 1.45, 25, 2000, ("1.2m G13 4000K 玻璃管", "1.2m G13 6500K 铝塑管", "1.2m G13 5000K 160lm/W")),
    Product("LED Bulb A60 9W", 0.52, 100, 5000, ("E27 2700K 806lm", "E27 6500K 磨砂", "B22 4000K 可调光")),
    Product("LED Downlight 12W", 2.65, 40, 1000, ("开孔 Ø150mm 4000K", "防眩深杯 3000K", "CCT 三色可调")),
    Product("Solar Street Light 60W", 46.00, 2, 40, ("一体化 LiFePO4 雷达感应", "分体式 100W 光伏板", "4G 远程智能控制")),
    Product("LED Strip 24V 5m", 4.10, 50, 500, ("2835 120颗/米 IP20", "COB 480颗/米 IP65", "RGBW 智能灯带")),
)

# Relative demand for each product (order as PRODUCTS) by sales region.
REGION_PRODUCT_MIX: dict[str, tuple[float, ...]] = {
    "北美": (2, 3, 2, 1, 1.5, 1, 1.5, 0.5, 1.5),
    "拉美": (1, 1, 2, 2, 2, 3, 1, 1.5, 1),
    "欧洲": (3, 1.5, 1, 0.5, 2, 1.5, 3, 0.3, 2),
    "独联体": (2, 2, 1.5, 1.5, 2, 2, 1.5, 0.3, 1),
    "中东": (1.5, 2, 2, 3, 1, 1, 1.5, 2, 1),
    "南亚": (1.5, 1.5, 2, 2, 2, 2, 1.5, 2, 1),
    "东亚": (2, 2, 1, 0.5, 1.5, 0.5, 2, 0.3, 2),
    "东南亚": (2, 1.5, 1.5, 1.5, 2, 2, 1.5, 1.5, 1.5),
    "大洋洲": (2, 2, 2, 1, 1.5, 1, 2, 1.5, 1.5),
    "非洲": (1, 1, 2, 2, 1.5, 3, 1, 4, 0.5),
    "国内": (2, 1.5, 1, 1, 1, 0.5, 2, 1, 3),
}

# Door-to-door transit after shipment, in days (sea freight; rail to Russia; truck in China).
REGION_TRANSIT_DAYS: dict[str, tuple[int, int]] = {
    "北美": (22, 35), "拉美": (30, 45), "欧洲": (30, 40), "独联体": (25, 40), "中东": (18, 28),
    "南亚": (15, 25), "东亚": (5, 10), "东南亚": (7, 14), "大洋洲": (15, 22), "非洲": (30, 45), "国内": (2, 5),
}

# staff_id, name, team, role; the first member of each team leads it and double-checks entries.
STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("S01", "张伟", "欧美组", "销售主管"), ("S02", "李娜", "欧美组", "业务员"), ("S03", "刘洋", "欧美组", "业务员"),
    ("S04", "陈静", "欧美组", "业务员"), ("S05", "王强", "亚非组", "销售主管"), ("S06", "赵敏", "亚非组", "业务员"),
    ("S07", "孙磊", "亚非组", "业务员"),
)
TEAM_MEMBERS: tuple[tuple[int, ...], ...] = (tuple(i for i, s in enumerate(STAFF) if s[2] == "欧美组"),
                                             tuple(i for i, s in enumerate(STAFF) if s[2] == "亚非组"))

# Orders per month relative to the average: quiet around Chinese New Year, busy before Christmas.
MONTH_SEASONALITY = (0.85, 0.55, 1.0, 1.1, 1.05, 0.95, 1.0, 1.2, 1.3, 1.15, 0.95, 0.8)

INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("照明分销商", "LED 照明产品进口与批发"), ("电气批发", "电气设备及照明器材批发"),
    ("工程承包商", "电气与照明工程设计安装"), ("零售连锁", "家居建材连锁零售"),
    ("电商卖家", "线上平台照明产品销售"), ("市政与公共工程", "道路与公共照明项目"),
    ("OEM品牌商", "自有品牌照明产品设计与销售"), ("太阳能系统集成", "离网太阳能系统集成与安装"),
    ("工业企业", "工厂与仓储设施运营"),
)

DECISION_PROCESSES = ("采购经理比价 → 技术部测试样品 → 总经理审批", "项目招标：技术标 + 商务标评审",
                      "老板直接决策", "采购委员会按季度评审供应商", "总部集中采购，分公司提需求",
                      "样品测试通过后试单，再签年度框架协议")
CUSTOMER_NOTES = ("广交会结识，关注新品", "需要 UL/DLC 认证产品", "偏好海运拼箱", "年底前有大项目",
                  "对价格敏感，常比价", "要求每批次验货报告", "节假日前需提前备货", "希望做独家代理")
CONTACT_PREFERENCES = ("偏好邮件沟通", "请在当地时间上午联系", "喜欢视频会议", "对价格敏感", "重视交期",
                       "需要详细技术参数", "喜欢中国茶叶", "周五下午不方便接电话")
LOST_REASONS = ("价格高于竞争对手", "交期无法满足", "客户项目取消", "缺少所需认证（UL/DLC）", "选择了本地供应商",
                "样品测试未通过", "客户预算削减", "长期无回复")
COMPETITORS = ("Opple", "NVC", "TCP", "Signify", "Ledvance", "Yankon", "本地经销商", "越南工厂", "土耳其供应商")
NEXT_STEPS = ("发送修改报价", "安排寄样", "视频会议确认技术参数", "提供 CE/RoHS 证书", "邀请客户来厂验厂",
              "确认 PI 并催付定金", "跟进样品测试结果", "展会后拜访客户")
EXECUTION_STEPS = ("跟进生产进度", "安排验货", "确认船期和单证", "跟进到货和安装反馈")
# What an opportunity is for, by product (order as PRODUCTS); every product also has generic purposes.
PURPOSES_BY_PRODUCT: tuple[tuple[str, ...], ...] = (
    ("办公楼照明升级", "超市连锁照明升级", "学校照明改造"),
    ("仓库照明改造", "工厂节能改造", "物流中心新建项目"),
    ("停车场照明改造", "体育场照明项目", "广告牌照明"),
    ("市政路灯项目", "道路照明改造", "工业园区道路照明"),
    ("办公楼照明升级", "停车场照明改造", "零售渠道补货"),
    ("零售渠道补货", "电商渠道备货", "超市自有品牌"),
    ("酒店照明项目", "商业综合体照明", "零售渠道补货"),
    ("太阳能路灯招标", "乡村道路照明项目", "离网照明项目"),
    ("电商渠道备货", "酒店照明项目", "商业综合体照明"),
)
GENERIC_PURPOSES = ("年度框架采购", "新品试单")

ACTIVITY_TEXT: dict[str, tuple[str, ...]] = {
    "email": ("邮件发送 {p} 报价单", "邮件回复 {p} 技术参数和 IES 文件", "邮件发送新版产品目录和 CE/RoHS 证书",
              "邮件确认订单唛头、包装和出货时间"),
    "phone": ("电话沟通 {p} 需求数量和目标价格", "电话跟进报价反馈", "电话确认大货交期和付款安排"),
    "visit": ("上门拜访客户，参观仓库和门店", "客户来厂验厂，参观 {p} 生产线", "陪同客户考察项目现场"),
    "video": ("视频会议讨论 {p} 技术方案", "视频验货，客户确认 {p} 大货样", "视频会议复盘上季度合作"),
    "im": ("即时通讯沟通 {p} 样品测试情况", "发送 {p} 实拍图和视频", "即时通讯确认船期和单证"),
    "trade_fair": ("广交会展位接待，客户关注 {p}", "法兰克福照明展会面，介绍新品 {p}", "中东能源展会面"),
    "other": ("寄送 {p} 样品 2 pcs（DHL）", "发送节日问候", "寄送产品手册和色温样板"),
}
ACTIVITY_OUTCOMES = ("客户要求降价 3%–5%", "客户确认样品测试通过", "客户需内部审批，下周答复", "客户暂无新需求",
                     "客户下单意向明确", "客户在比较其他供应商报价", "已回复，等待客户确认", "客户对交期满意",
                     "客户要求补充认证资料")
NEXT_ACTIONS = ("跟进报价反馈", "寄送样品", "发送 PI", "安排视频会议", "催收尾款", "节日问候", "季度回访",
                "提供认证文件", "确认船期")

TICKET_CATEGORY_MIX: dict[str, dict[str, float]] = {
    "complaint": {"quality": .40, "delivery": .20, "packaging": .12, "documents": .10, "price": .06, "service": .07, "other": .05},
    "inquiry": {"price": .35, "documents": .20, "delivery": .20, "quality": .10, "packaging": .05, "service": .03, "other": .07},
    "feedback": {"service": .35, "quality": .30, "packaging": .10, "delivery": .10, "price": .05, "documents": .02, "other": .08},
}
TICKET_TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "complaint": {
        "quality": ("{p} 到货后约 3% 不亮，客户要求补发", "{p} 使用 3 个月后光衰明显，客户要求检测", "{p} 驱动电源故障率偏高"),
        "delivery": ("货物比承诺交期晚两周出运，客户项目受影响", "船期延误，客户要求空运部分货物"),
        "packaging": ("外箱破损，部分 {p} 划伤", "唛头与客户要求不一致，客户仓库拒收"),
        "documents": ("原产地证信息有误，客户清关受阻", "发票金额与 PI 不一致"),
        "price": ("客户认为新报价涨幅过大", "同款 {p} 报价高于上次订单"),
        "service": ("业务员回复不及时，客户不满", "售后技术支持响应慢"),
        "other": ("官网资料与实物不符", "客户要求提供工厂审核报告"),
    },
    "inquiry": {
        "price": ("询问 {p} 阶梯价格和 MOQ", "询问 {p} 年度框架价格"),
        "documents": ("询问 {p} 的 UL/DLC 认证", "需要 {p} 的 IES 文件和检测报告"),
        "delivery": ("询问 {p} 现货和交期", "询问拼柜发货可行性"),
        "quality": ("询问 {p} 质保条款", "询问 {p} 光效和显色指数"),
        "packaging": ("询问 {p} 包装尺寸和装柜量",),
        "service": ("询问安装指导视频",),
        "other": ("询问 OEM 定制 logo 和彩盒", "索取新品目录"),
    },
    "feedback": {
        "service": ("客户表扬业务员响应及时", "客户建议每月发送生产进度"),
        "quality": ("客户反馈 {p} 光效稳定，终端反馈好", "客户建议改进 {p} 散热外观"),
        "packaging": ("客户建议使用更环保的包装",),
        "delivery": ("客户希望缩短 {p} 交期",),
        "price": ("客户希望年度订单给予返点",),
        "documents": ("客户建议提前发送单证草稿",),
        "other": ("客户建议增加多语言说明书",),
    },
}
EXPECTED_RESOLUTION = {"quality": "补发或退款", "delivery": "尽快出运并补偿部分运费", "packaging": "补发损坏产品",
                       "documents": "重新出具正确单证", "price": "维持原价", "service": "指定专人对接",
                       "other": "提供所需资料"}
ROOT_CAUSES = {"quality": ("驱动电源批次元件不良", "老化测试时间不足", "灯珠来料批次光衰偏大"),
               "delivery": ("芯片到料延迟", "订舱紧张，船期推迟", "生产排期冲突"),
               "packaging": ("外箱纸板克重不足", "唛头核对漏检"),
               "documents": ("单证员录入错误", "信息交接遗漏"),
               "price": ("原材料价格上涨", "汇率波动"),
               "service": ("业务员出差未及时交接", "售后人手不足"),
               "other": ("资料版本未同步", "客户需求说明不清")}
SOLUTIONS = {"quality": ("补发不良品并承担运费", "更换驱动电源供应商并加强 IQC", "下单给予 3% 折扣补偿"),
             "delivery": ("部分货物空运，运费双方分担", "调整排产，优先安排出货"),
             "packaging": ("补发损坏产品，改用五层瓦楞纸箱", "更新唛头核对清单"),
             "documents": ("重新出具正确单证并快递", "增加单证双人复核"),
             "price": ("解释成本构成，给予小幅优惠", "签订年度锁价协议"),
             "service": ("指定专人对接，24 小时内回复", "增加售后技术支持人员"),
             "other": ("更新官网资料", "提供第三方审核报告")}
DEPARTMENTS = {"quality": "质量部", "delivery": "生产计划部", "packaging": "仓储物流部", "documents": "单证部",
               "price": "销售部", "service": "客服部", "other": "客服部"}
SURVEY_COMMENTS = ("产品质量稳定，希望交期再快一些", "包装需要改进", "业务员响应及时，很满意", "价格偏高",
                   "Good quality and fast response", "物流信息更新不及时", "希望增加新品推荐", "售后处理很专业")
