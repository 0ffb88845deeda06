"""Seeded demo register of a car dealership in Suzhou (profile ``auto``, policy 004).

:func:`generate_auto` returns the same :class:`~crm_xl.demo.DemoData` as the trade generator:
one frame per sheet (canonical keys, enum codes, dates as ``datetime.date``, ``None`` for empty
text, ``NaN`` for empty numbers). About 150 individual customers: owners who bought one or two
cars (orders, vehicles with valid VINs, service visits with rising mileage, post-service
surveys) and prospects with a purchase intent level, budget, preferred model and expected
purchase date (opportunities, follow-up activities), events (auto shows, test drives, launches,
owner-club days) with attendees and results, a few service tickets, staff with targets and hire
dates, and the shared operations sheets (:mod:`crm_xl.demo.operations`).

The dealership's own habits (how often owners come in, how far they drive) are the demo's
assumptions, not policy; the engine reads only Settings. With ``with_mistakes=True`` three
realistic mistakes are planted and listed (:data:`AUTO_MISTAKE_KINDS`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crm_xl.demo.data import DemoData, Mistake
from crm_xl.demo.operations import AUTO, OPERATION_COLUMNS, activity_targets, operations_frames, records_frame
from crm_xl.vehicles import with_check_digit

__all__ = ["AUTO_MISTAKE_KINDS", "AUTO_SHEET_COLUMNS", "AUTO_STAFF", "MODELS", "generate_auto"]

AUTO_SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "company_name", "country", "address", "source_channel", "referrer", "owner",
                  "first_contact_date", "entered_date", "coop_start_date", "last_info_update", "status", "gender",
                  "age_band", "occupation", "city", "wechat", "purchase_intent", "budget_range", "model_preference",
                  "expected_purchase_date", "notes"),
    "contacts": ("contact_id", "customer_id", "name", "decision_role", "phone", "wechat", "birthday",
                 "preferred_language"),
    "opportunities": ("opportunity_id", "customer_id", "contact_id", "title", "source", "product", "region", "stage",
                      "amount", "currency", "quantity", "created_date", "expected_close_date", "competitors",
                      "next_step", "next_followup_date", "followup_method", "followup_goal", "owner", "status"),
    "activities": ("activity_id", "date", "customer_id", "opportunity_id", "contact_id", "method", "summary", "outcome",
                   "next_action", "next_date", "owner"),
    "orders": ("order_id", "customer_id", "order_date", "product", "spec", "quantity", "unit_price", "currency",
               "amount", "cost", "promised_delivery_date", "arrival_date", "status", "invoice_no", "invoiced_amount",
               "received_amount", "payment_due_date", "paid_date", "owner"),
    "vehicles": ("vin", "customer_id", "model", "engine_no", "plate", "purchase_date", "purchase_price", "mileage",
                 "mileage_date", "owner"),
    "service_visits": ("visit_id", "date", "vin", "customer_id", "mileage", "items", "parts", "cost", "advisor",
                       "satisfaction"),
    "events": ("event_id", "date", "type", "title", "customer_id", "owner", "result"),
    "tickets": ("ticket_id", "type", "received_at", "channel", "customer_id", "complainant", "contact_info", "product",
                "category", "description", "expected_resolution", "urgency", "responsible_dept", "assignee",
                "first_response_at", "status", "root_cause", "solution", "closed_at", "satisfaction", "reopened_count"),
    "surveys": ("survey_id", "customer_id", "date", "channel", "product_score", "service_score", "communication_score",
                "delivery_score", "overall_score", "nps", "comments"),
    "staff": ("staff_id", "name", "team", "role", "period", "sales_target", "quantity_target", "new_customer_target",
              "expense", "teamwork_score", "activity_target", "hire_date"),
    "fx_rates": ("currency", "rate", "valid_from"),
    **OPERATION_COLUMNS,
}
_NUMBER = {"amount", "quantity", "unit_price", "cost", "invoiced_amount", "received_amount", "purchase_price", "mileage",
           "satisfaction", "product_score", "service_score", "communication_score", "delivery_score", "overall_score",
           "nps", "sales_target", "quantity_target", "new_customer_target", "expense", "teamwork_score",
           "activity_target", "rate", "reopened_count"}

AUTO_MISTAKE_KINDS: dict[str, str] = {
    "vin_check_digit": "VIN typed with a wrong check digit (position 9)",
    "mileage_decreased": "service visit mileage lower than an earlier reading (a digit dropped)",
    "service_before_purchase": "service visit dated before the vehicle's purchase date (wrong year typed)",
}

# (name, VIN descriptor section, price range CNY, budget range label)
MODELS: tuple[tuple[str, str, float, float, str], ...] = (
    ("云途 1.5L 轿车", "A15L1", 105_000, 128_000, "10-15万"),
    ("云途 2.0T 轿车", "A20T2", 138_000, 162_000, "15-20万"),
    ("远航 SUV 2.0T", "S20T3", 176_000, 215_000, "15-25万"),
    ("远航 SUV 混动", "S2HE4", 228_000, 262_000, "20-30万"),
    ("极光 EV", "E0EV5", 189_000, 239_000, "20-25万"),
)
_MODEL_P = (0.3, 0.22, 0.22, 0.12, 0.14)
_YEAR_CODE = dict(zip(range(2010, 2031), "ABCDEFGHJKLMNPRSTVWXY"))
AUTO_STAFF: tuple[tuple[str, str, str, str, int | None], ...] = (
    # (staff_id, name, team, role, years before as_of of hiring — None: the new hire)
    ("A01", "刘建国", "销售部", "manager", 10), ("A02", "王芳", "销售部", "sales", 7), ("A03", "陈浩", "销售部", "sales", 5),
    ("A04", "周婷", "销售部", "sales", 3), ("A05", "孙悦", "销售部", "sales", None),
    ("A06", "吴军", "售后部", "manager", 9), ("A07", "赵敏", "售后部", "service", 8), ("A08", "黄磊", "售后部", "service", 6),
)
_NEW_HIRE_DAYS = 40   # the new consultant joined this many days before as_of
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟陆汪范金石廖顾")
_GIVEN_M = ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "辉", "鹏", "飞", "鑫", "波", "宇", "浩", "俊",
            "建国", "志强", "海峰", "文博", "子豪", "宇航", "家乐", "晨阳", "永刚", "国平")
_GIVEN_F = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "琳", "颖", "倩", "欣", "悦", "佳怡", "雨桐",
            "梦瑶", "诗涵", "思琪", "晓燕", "丽华", "秀英", "雅静")
_CITIES = (("苏州", "苏E", ("姑苏区", "工业园区", "吴中区", "相城区", "高新区")), ("昆山", "苏E", ("玉山镇", "花桥镇")),
           ("常熟", "苏E", ("虞山街道", "琴川街道")), ("无锡", "苏B", ("梁溪区", "新吴区")), ("上海", "沪A", ("嘉定区", "青浦区")))
_CITY_P = (0.58, 0.12, 0.1, 0.1, 0.1)
_ROADS = ("人民路", "干将路", "星湖街", "金鸡湖大道", "东环路", "长江路", "观前街", "现代大道", "狮山路", "南门路")
_OCCUPATIONS = ("企业职员", "教师", "医生", "工程师", "个体经营", "公务员", "销售经理", "IT工程师", "设计师", "财务",
                "企业主", "律师")
_AGES = ("18-25", "26-35", "36-45", "46-55", "56+")
_AGE_P = (0.08, 0.38, 0.31, 0.16, 0.07)
_AGE_YEARS = {"18-25": (18, 25), "26-35": (26, 35), "36-45": (36, 45), "46-55": (46, 55), "56+": (56, 68)}
_MOBILE = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
           "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189")
_COLORS = ("珍珠白", "曜石黑", "星空灰", "冰川蓝", "熔岩红")
_INTENT_DAYS = {"H": 7, "A": 15, "B": 30, "C": 90}   # the level's meaning (buys within), enum labels
_INTENT_STAGE = {"H": "negotiation", "A": "qualified", "B": "interested", "C": "lead"}
_INTENT_EVERY = {"H": 2, "A": 4, "B": 7, "C": 14}    # how often the demo's consultants call
_SERVICE_ITEMS = (("定期保养（机油、机滤）", "机油、机油滤清器", 480, 720), ("定期保养（机油、机滤、空滤、空调滤）",
                  "机油、机油滤清器、空气滤清器、空调滤芯", 860, 1200), ("更换刹车片", "前刹车片", 900, 1500),
                  ("更换轮胎（两条）", "轮胎 ×2", 1400, 2400), ("空调检修", "冷媒", 300, 600))
_EVENTS = (("auto_show", "苏州国际车展"), ("test_drive", "周末试驾会"), ("launch", "远航 SUV 混动上市发布会"),
           ("owner_club", "车主俱乐部自驾游"), ("test_drive", "极光 EV 试驾日"), ("auto_show", "金鸡湖车展"),
           ("owner_club", "车主保养知识讲座"), ("test_drive", "周末试驾会"), ("launch", "云途新款品鉴会"),
           ("test_drive", "夜间试驾体验"))


def _frame(sheet: str, rows: list[dict]) -> pd.DataFrame:
    return records_frame(rows, AUTO_SHEET_COLUMNS[sheet], _NUMBER)


class _AutoDemo:
    def __init__(self, seed: int, as_of: dt.date, n: int, with_mistakes: bool):
        self.seed, self.today, self.n, self.with_mistakes = seed, as_of, n, with_mistakes
        self.rng = np.random.default_rng([seed, 21])
        self.staff = [(sid, name, team, role, as_of - dt.timedelta(days=_NEW_HIRE_DAYS) if years is None
                       else dt.date(as_of.year - years, 1 + (int(sid[1:]) * 5) % 12, 6))
                      for sid, name, team, role, years in AUTO_STAFF]
        self.consultants = [s for s in self.staff if s[2] == "销售部" and s[4] <= as_of - dt.timedelta(days=365)]
        self.new_hire = next(s for s in self.staff if s[4] > as_of - dt.timedelta(days=365))
        self.advisors = [s[1] for s in self.staff if s[3] == "service"]
        self.rows: dict[str, list[dict]] = {k: [] for k in AUTO_SHEET_COLUMNS}
        self.serial = 0

    def day(self, lo: dt.date, hi: dt.date) -> dt.date:
        span = max((hi - lo).days, 0)
        return lo + dt.timedelta(days=int(self.rng.integers(0, span + 1)))

    def vin(self, model: int, year: int) -> str:
        self.serial += 1
        body = f"LVH{MODELS[model][1]}0{_YEAR_CODE[year]}S{(self.seed * 7919 + self.serial * 104729) % 900000 + 100000}"
        return with_check_digit(body)

    # ------------------------------------------------------------------------------ customers
    def build(self):
        today = self.today
        for i in range(self.n):
            self.customer(i)
        self.events()
        self.tickets()
        rows = self.rows
        frames = {k: _frame(k, v) for k, v in rows.items() if k in AUTO_SHEET_COLUMNS and k not in OPERATION_COLUMNS}
        frames["staff"] = self.staff_frame()
        frames["staff"]["activity_target"] = activity_targets(np.random.default_rng([self.seed, 26]), frames["staff"],
                                                              frames["activities"], today)
        frames["fx_rates"] = _frame("fx_rates", [{"currency": "CNY", "rate": 1.0}])
        ops = operations_frames(np.random.default_rng([self.seed, 24]), today, frames["customers"], frames["orders"],
                                self.staff, AUTO)
        att = ops["training_attendance"]
        ops["training_attendance"] = att[att["staff_id"] != self.new_hire[0]].reset_index(drop=True)
        frames.update(ops)
        target = frames if self.with_mistakes else {k: v.copy() for k, v in frames.items()}
        mistakes = self.plant(target, np.random.default_rng([self.seed, 25]))
        return DemoData(frames={k: frames[k] for k in AUTO_SHEET_COLUMNS}, mistakes=mistakes if self.with_mistakes else [],
                        seed=self.seed, as_of=today, profile="auto")

    def customer(self, i: int) -> None:
        rng, today = self.rng, self.today
        cid, pid = f"C{i + 1:04d}", f"P{i + 1:04d}"
        male = rng.random() < 0.62
        name = str(rng.choice(_SURNAMES)) + str(rng.choice(_GIVEN_M if male else _GIVEN_F))
        age = str(rng.choice(_AGES, p=_AGE_P))
        city_i = int(rng.choice(len(_CITIES), p=_CITY_P))
        city, plate_prefix, districts = _CITIES[city_i]
        kind = rng.choice(["owner", "prospect", "lost"], p=[0.58, 0.37, 0.05])
        source = str(rng.choice(["showroom", "test_drive", "auto_show", "online_platform", "referral"],
                                p=[0.36, 0.2, 0.16, 0.18, 0.1]))
        referrer = self.rows["customers"][int(rng.integers(0, i))]["company_name"] if source == "referral" and i else None
        if source == "referral" and referrer is None:
            source = "showroom"
        lo, hi = _AGE_YEARS[age]
        born = dt.date(today.year - int(rng.integers(lo, hi + 1)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        mobile = f"+86 {rng.choice(_MOBILE)} {rng.integers(1000, 10000)} {rng.integers(1000, 10000)}"
        wechat = f"wxid_{''.join(rng.choice(list('abcdefghjkmnpqrstuvwxyz23456789'), 10))}"
        model_i = int(rng.choice(len(MODELS), p=_MODEL_P))
        if kind == "owner":
            consultant = self.consultants[int(rng.integers(0, len(self.consultants)))]
            purchase = self.day(today - dt.timedelta(days=4 * 365), today - dt.timedelta(days=8))
            first = purchase - dt.timedelta(days=int(rng.integers(5, 60)))
            intent = "C" if rng.random() < 0.08 else None
            status, expected = "active", None
        else:
            recent = rng.random() < 0.25
            consultant = self.new_hire if recent else self.consultants[int(rng.integers(0, len(self.consultants)))]
            first = self.day(today - dt.timedelta(days=_NEW_HIRE_DAYS - 2 if recent else 150), today - dt.timedelta(days=2))
            intent = "N" if kind == "lost" else str(rng.choice(list("HABCN"), p=[0.12, 0.2, 0.3, 0.3, 0.08]))
            status = "lost" if kind == "lost" else "prospect"
            purchase = None
        owner = consultant[1]
        contacts = self.followups(cid, pid, owner, first, intent, kind, name, model_i)
        last_contact = max([first, *contacts])
        if intent in _INTENT_DAYS and kind != "owner":
            expected = last_contact + dt.timedelta(days=int(rng.integers(1, _INTENT_DAYS[intent] + 1)))
        elif intent == "C":
            expected = today + dt.timedelta(days=int(rng.integers(30, 90)))
        else:
            expected = None
        self.rows["customers"].append({
            "customer_id": cid, "company_name": name, "country": "CN",
            "address": f"{city}市{rng.choice(districts)}{rng.choice(_ROADS)}{rng.integers(1, 300)}号",
            "source_channel": source, "referrer": referrer, "owner": owner, "first_contact_date": first,
            "entered_date": first, "coop_start_date": purchase,
            "last_info_update": self.day(today - dt.timedelta(days=85), today) if rng.random() < 0.9 else first,
            "status": status, "gender": "male" if male else "female", "age_band": age,
            "occupation": str(rng.choice(_OCCUPATIONS)), "city": city, "wechat": wechat, "purchase_intent": intent,
            "budget_range": MODELS[model_i][4], "model_preference": MODELS[model_i][0], "expected_purchase_date": expected})
        self.rows["contacts"].append({"contact_id": pid, "customer_id": cid, "name": name,
                                      "decision_role": "decision_maker", "phone": mobile, "wechat": wechat,
                                      "birthday": born, "preferred_language": "zh"})
        if kind == "owner":
            self.purchase(cid, owner, purchase, model_i, plate_prefix)
            if rng.random() < 0.1:   # a second car for the family
                second = self.day(purchase + dt.timedelta(days=200), today - dt.timedelta(days=8))
                if second > purchase:
                    self.purchase(cid, owner, second, int(rng.choice(len(MODELS), p=_MODEL_P)), plate_prefix)
        elif intent in _INTENT_STAGE:
            self.opportunity(cid, pid, owner, name, first, last_contact, intent, model_i, source, city, expected)

    def followups(self, cid, pid, owner, first, intent, kind, name, model_i) -> list[dt.date]:
        """Follow-up activities; returns their dates."""
        rng, today = self.rng, self.today
        dates: list[dt.date] = []
        if kind == "owner":
            return dates
        every = _INTENT_EVERY.get(intent, 30)
        # most prospects are followed on time; about one in eight has been let slip
        slipped = rng.random() < 0.12 or kind == "lost"
        day = today - dt.timedelta(days=int(rng.integers(0, every + 1)) + (int(rng.integers(20, 60)) if slipped else 0))
        while day > first and len(dates) < 6:
            dates.append(day)
            day -= dt.timedelta(days=int(max(1, round(every * rng.uniform(1.0, 3.0)))))
        dates.reverse()
        for d in dates:
            k = len(self.rows["activities"]) + 1
            self.rows["activities"].append({
                "activity_id": f"A{k:05d}", "date": d, "customer_id": cid, "contact_id": pid,
                "opportunity_id": None if intent not in _INTENT_STAGE else f"O{cid[1:]}",
                "method": str(rng.choice(["phone", "im", "visit"], p=[0.55, 0.35, 0.1])),
                "summary": str(rng.choice([f"介绍{MODELS[model_i][0]}配置与优惠", "邀约到店试驾", "沟通金融方案与置换补贴",
                                           "了解家庭用车需求", "发送报价与提车时间"])),
                "outcome": str(rng.choice(["客户有兴趣，约下次详谈", "客户在比较竞品", "客户同意到店", "客户暂不考虑"])),
                "next_action": "继续跟进", "next_date": d + dt.timedelta(days=_INTENT_EVERY.get(intent, 30)),
                "owner": owner})
        return dates

    def opportunity(self, cid, pid, owner, name, first, last, intent, model_i, source, city, expected) -> None:
        model = MODELS[model_i]
        stage = _INTENT_STAGE[intent]
        self.rows["opportunities"].append({
            "opportunity_id": f"O{cid[1:]}", "customer_id": cid, "contact_id": pid, "title": f"{name} 购买{model[0]}",
            "source": source if source in ("referral", "online_platform", "showroom", "test_drive", "auto_show") else None,
            "product": model[0], "region": city, "stage": stage, "amount": round((model[2] + model[3]) / 2, -3),
            "currency": "CNY", "quantity": 1, "created_date": first, "expected_close_date": expected,
            "competitors": "同级合资品牌" if stage in ("negotiation", "qualified") else None,
            "next_step": "确认金融方案并约定提车" if stage == "negotiation" else None,
            "next_followup_date": last + dt.timedelta(days=_INTENT_EVERY[intent]), "followup_method": "phone",
            "followup_goal": "邀约到店/确认购车时间", "owner": owner, "status": "open"})

    # ------------------------------------------------------------------------------ vehicles and service
    def purchase(self, cid, owner, day: dt.date, model_i: int, plate_prefix: str) -> None:
        rng, today = self.rng, self.today
        model = MODELS[model_i]
        vin = self.vin(model_i, day.year if day.month < 9 else day.year + 1)
        price = round(float(rng.uniform(model[2], model[3])), -2)
        k = len(self.rows["orders"]) + 1
        self.rows["orders"].append({
            "order_id": f"SO{k:04d}", "customer_id": cid, "order_date": day - dt.timedelta(days=int(rng.integers(0, 10))),
            "product": model[0], "spec": str(rng.choice(_COLORS)), "quantity": 1, "unit_price": price, "currency": "CNY",
            "amount": price, "cost": round(price * rng.uniform(0.9, 0.95), 2), "promised_delivery_date": day,
            "arrival_date": day, "status": "closed", "invoice_no": f"FP{self.seed % 1000:03d}{k:05d}",
            "invoiced_amount": price, "received_amount": price, "payment_due_date": day, "paid_date": day, "owner": owner})
        rate = float(rng.uniform(15, 85))           # km per day this owner drives
        loyal = rng.random() < 0.8
        t, km, last_km, last_day = day, 0.0, 0.0, day
        visits = 0
        while True:
            wait = min(182, 5000 / rate) + float(rng.normal(8, 12))
            nxt = t + dt.timedelta(days=int(max(20, wait)))
            if nxt > today:
                break
            km += rate * (nxt - t).days * float(rng.uniform(0.9, 1.1))
            t = nxt
            if not loyal and visits >= 1 and rng.random() < 0.6:
                continue   # went elsewhere this time
            visits += 1
            item = _SERVICE_ITEMS[1] if visits % 3 == 0 else _SERVICE_ITEMS[0]
            extra = _SERVICE_ITEMS[int(rng.integers(2, 5))] if rng.random() < 0.15 else None
            cost = float(rng.uniform(item[2], item[3])) + (float(rng.uniform(extra[2], extra[3])) if extra else 0)
            recent = (today - t).days <= 3
            v = len(self.rows["service_visits"]) + 1
            self.rows["service_visits"].append({
                "visit_id": f"W{v:05d}", "date": t, "vin": vin, "customer_id": cid, "mileage": round(km),
                "items": item[0] + (f"；{extra[0]}" if extra else ""), "parts": item[1] + (f"、{extra[1]}" if extra else ""),
                "cost": round(cost, 2), "advisor": str(rng.choice(self.advisors)),
                "satisfaction": None if recent or rng.random() < 0.02 else float(rng.choice([3, 4, 5], p=[0.1, 0.35, 0.55]))})
            if not recent and rng.random() < 0.25:
                s = len(self.rows["surveys"]) + 1
                sc = [float(rng.choice([3, 4, 5], p=[0.15, 0.4, 0.45])) for _ in range(5)]
                self.rows["surveys"].append({"survey_id": f"S{s:04d}", "customer_id": cid,
                                             "date": t + dt.timedelta(days=3), "channel": "phone",
                                             "product_score": sc[0], "service_score": sc[1], "communication_score": sc[2],
                                             "delivery_score": sc[3], "overall_score": sc[4],
                                             "nps": float(rng.integers(6, 11)), "comments": str(rng.choice(
                                                 ["服务顾问讲解清楚", "等待时间有点长", "休息区环境好", "希望周末也能预约", ""])) or None})
            last_km, last_day = km, t
        reading = None
        if rng.random() < 0.4:   # the owner told us the odometer on a call
            when = self.day(last_day, today)
            reading = (round(last_km + rate * (when - last_day).days), when)
        self.rows["vehicles"].append({
            "vin": vin, "customer_id": cid, "model": model[0],
            "engine_no": f"{model[1][:3]}{int(rng.integers(100000, 1000000))}",
            "plate": f"{plate_prefix}{''.join(rng.choice(list('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'), 5))}",
            "purchase_date": day, "purchase_price": price, "mileage": reading[0] if reading else None,
            "mileage_date": reading[1] if reading else None, "owner": owner})

    def events(self) -> None:
        rng, today = self.rng, self.today
        customers = self.rows["customers"]
        vehicles = self.rows["vehicles"]
        for k, (kind, title) in enumerate(_EVENTS):
            day = today - dt.timedelta(days=int(350 - k * 34 + rng.integers(-6, 6)))
            while day.weekday() < 5:   # weekends
                day += dt.timedelta(days=1)
            if day > today:
                day -= dt.timedelta(days=7)
            eid = f"E{k + 1:02d}"
            host = self.consultants[k % len(self.consultants)][1]
            seen: set[str] = set()
            if kind == "owner_club":
                pool = [v for v in vehicles if v["purchase_date"] < day]
                for v in [pool[j] for j in rng.choice(len(pool), min(len(pool), 12), replace=False)] if pool else []:
                    if v["customer_id"] in seen:
                        continue
                    seen.add(v["customer_id"])
                    self.rows["events"].append({"event_id": eid, "date": day, "type": kind, "title": title,
                                                "customer_id": v["customer_id"], "owner": host,
                                                "result": "interested" if rng.random() < 0.15 else "none"})
                continue
            buyers = [v for v in vehicles if day <= v["purchase_date"] <= day + dt.timedelta(days=25)]
            for v in buyers:
                if rng.random() < 0.45 and v["customer_id"] not in seen:
                    seen.add(v["customer_id"])
                    self.rows["events"].append({"event_id": eid, "date": day, "type": kind, "title": title,
                                                "customer_id": v["customer_id"], "owner": v["owner"], "result": "ordered"})
            prospects = [c for c in customers if c["status"] == "prospect" and c["first_contact_date"] <= day]
            for c in [prospects[j] for j in rng.choice(len(prospects), min(len(prospects), 8), replace=False)] if prospects else []:
                if c["customer_id"] in seen:
                    continue
                seen.add(c["customer_id"])
                self.rows["events"].append({"event_id": eid, "date": day, "type": kind, "title": title,
                                            "customer_id": c["customer_id"], "owner": c["owner"],
                                            "result": str(rng.choice(["interested", "none"], p=[0.6, 0.4]))})

    def tickets(self) -> None:
        rng, today = self.rng, self.today
        visits = [v for v in self.rows["service_visits"] if (today - v["date"]).days < 200]
        picks = [visits[j] for j in rng.choice(len(visits), min(6, len(visits)), replace=False)] if visits else []
        names = {c["customer_id"]: c["company_name"] for c in self.rows["customers"]}
        phones = {c["customer_id"]: c["phone"] for c in self.rows["contacts"]}
        models = {v["vin"]: v["model"] for v in self.rows["vehicles"]}
        texts = (("complaint", "service", "保养后仪表盘保养提示未清零", "重新清零并致歉", "技师漏做复位步骤", "medium"),
                 ("complaint", "quality", "更换刹车片后仍有异响", "免费复检并更换", "刹车片批次问题", "high"),
                 ("inquiry", "service", "咨询下次保养时间和费用", "告知保养套餐价格", None, "low"),
                 ("complaint", "service", "预约后到店等待超过一小时", "赠送一次免费洗车", "预约排班不合理", "medium"),
                 ("feedback", "other", "建议增加周末夜间服务", "已转交售后经理评估", None, "low"),
                 ("inquiry", "other", "咨询置换新车补贴政策", "转销售顾问跟进", None, "low"))
        for k, (v, (typ, cat, desc, sol, cause, urg)) in enumerate(zip(picks, texts)):
            received = dt.datetime.combine(v["date"] + dt.timedelta(days=int(rng.integers(1, 6))), dt.time(10, 15))
            if received.date() > today:
                received = dt.datetime.combine(today, dt.time(9, 30))
            is_open = k == 0 and (today - received.date()).days < 3
            closed = received + dt.timedelta(days=int(rng.integers(1, 3)), hours=4)
            self.rows["tickets"].append({
                "ticket_id": f"T{k + 1:04d}", "type": typ, "received_at": received, "channel": "phone",
                "customer_id": v["customer_id"], "complainant": names[v["customer_id"]],
                "contact_info": phones[v["customer_id"]], "product": models.get(v["vin"]), "category": cat,
                "description": desc, "expected_resolution": sol if typ == "complaint" else None, "urgency": urg,
                "responsible_dept": "售后部", "assignee": v["advisor"], "first_response_at": received + dt.timedelta(hours=1),
                "status": "investigating" if is_open else "closed", "root_cause": cause, "solution": None if is_open else sol,
                "closed_at": None if is_open or closed.date() > today else closed,
                "satisfaction": None if is_open else float(rng.choice([4, 5])), "reopened_count": 0})
            if self.rows["tickets"][-1]["closed_at"] is None and not is_open:
                self.rows["tickets"][-1].update(status="implementing", satisfaction=None, solution=None)

    def staff_frame(self) -> pd.DataFrame:
        rng, today = np.random.default_rng([self.seed, 23]), self.today
        this_month = np.datetime64(today, "M")
        rows = []
        for sid, name, team, role, hired in self.staff:
            for m in np.arange(this_month - 12, this_month + 1):
                start = m.astype("datetime64[D]").astype(object)
                if hired > start + dt.timedelta(days=27):
                    continue
                sales = role in ("sales", "manager") and team == "销售部"
                rows.append({"staff_id": sid, "name": name, "team": team, "role": role, "period": str(m),
                             "sales_target": round(float(rng.uniform(4, 7)) * 170_000, -4) if sales else None,
                             "quantity_target": float(rng.integers(4, 8)) if sales else None,
                             "new_customer_target": float(rng.integers(5, 10)) if sales else None,
                             "expense": round(float(rng.uniform(2000, 6000)), 2),
                             "teamwork_score": float(np.clip(round(rng.normal(84, 6)), 60, 99)),
                             "activity_target": None,   # set from the activities' run rate in build()
                             "hire_date": hired})
        return _frame("staff", rows)

    # ------------------------------------------------------------------------------ mistakes
    def plant(self, frames: dict[str, pd.DataFrame], rng: np.random.Generator):
        out = []
        veh, vis = frames["vehicles"], frames["service_visits"]
        counts = vis.groupby("vin").size()
        multi = [v for v in veh["vin"] if counts.get(v, 0) >= 3]
        if len(multi) >= 3:
            a, b, c = (multi[j] for j in rng.choice(len(multi), 3, replace=False))
            # 1. a VIN typed with a wrong check digit, everywhere it is used
            wrong_digit = "0123456789X"[(("0123456789X".index(a[8]) + 1 + int(rng.integers(0, 9))) % 11)]
            wrong = a[:8] + wrong_digit + a[9:]
            veh.loc[veh["vin"] == a, "vin"] = wrong
            vis.loc[vis["vin"] == a, "vin"] = wrong
            out.append(Mistake("vehicles", wrong, "vin", "vin_check_digit",
                               f"check digit {wrong_digit} typed instead of {a[8]}"))
            # 2. a later visit's mileage loses its last digit
            i = vis.index[vis["vin"] == b].tolist()[-1]
            old = vis.at[i, "mileage"]
            vis.at[i, "mileage"] = float(int(old) // 10)
            out.append(Mistake("service_visits", vis.at[i, "visit_id"], "mileage", "mileage_decreased",
                               f"{int(old)} km entered as {int(vis.at[i, 'mileage'])} km"))
            # 3. the first visit of a car dated a year early, before the purchase
            first = vis.index[vis["vin"] == c][0]
            bought = veh.loc[veh["vin"] == c, "purchase_date"].iloc[0]
            d = vis.at[first, "date"]
            vis.at[first, "date"] = d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else d - dt.timedelta(days=365)
            if vis.at[first, "date"] >= bought:
                vis.at[first, "date"] = bought - dt.timedelta(days=30)
            out.append(Mistake("service_visits", vis.at[first, "visit_id"], "date", "service_before_purchase",
                               f"visit dated {vis.at[first, 'date']} instead of {d}; the car was bought {bought}"))
        return out


def generate_auto(seed: int = 20261123, as_of: dt.date = dt.date(2026, 11, 23), n_customers: int = 150,
                  with_mistakes: bool = True):
    """The auto dealer demo register (see the module docstring); returns ``crm_xl.demo.DemoData``."""
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    return _AutoDemo(seed, as_of, n_customers, with_mistakes).build()
