"""The demo data set loaded by `manage.py seed_demo`: 冷水江市 at its real scale (docs/architecture.md §1).

Plain data, no Django imports, so that tests, the browser tests and the README can share the
demo password and TOTP secret. Region names are real; the 9-digit township codes follow the
统计用区划代码 pattern (街道 001–099, 镇 100–199, 乡 200–399) and are demo values. People,
stations' addresses and companies are invented.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

# Every demo account logs in with this password (it meets the complexity rules: upper, lower,
# digit, symbol). Never use the demo data set on a real system: `seed_demo` refuses unless
# DEBUG is on or --force is given.
DEMO_PASSWORD = "Renda@2026"

# One TOTP secret shared by all demo accounts that need two-factor log in. Add it once to an
# authenticator app (base32, SHA-1, 6 digits, 30 s) or run `manage.py demo_totp <username>`.
DEMO_TOTP_KEY = b"renda-demo-totp-2026"
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode()  # OJSW4ZDBFVSGK3LPFV2G65DQFUZDAMRW
DEMO_TOTP_KEY_HEX = DEMO_TOTP_KEY.hex()
DEMO_TOTP_DEVICE_NAME = "演示验证器"

# The fixed seed of the synthetic people: the same seed gives the same people on every run.
PEOPLE_SEED = 431381

PREFECTURE = ("431300", "娄底市")
COUNTY = ("431381", "冷水江市")


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    level: str  # "subdistrict" or "township" (Region.Level)
    city_deputies: int  # seats of 市人大代表 elected here
    township_deputies: int  # seats of the 乡镇人大 (subdistricts have no congress of their own)
    village: str  # where the liaison point sits (invented)

    @property
    def is_town(self) -> bool:
        return self.level == "township"


# 205 city deputies and 392 township deputies in all. 街道 have no people's congress of their
# own (地方组织法: 乡、民族乡、镇设人民代表大会); their 人大工委 is an arm of the city's
# standing committee, so the 392 township deputies sit in the six 镇/乡 congresses.
TOWNSHIPS: tuple[Township, ...] = (
    Township("431381001", "冷水江街道", "subdistrict", 32, 0, "新华社区"),
    Township("431381002", "布溪街道", "subdistrict", 24, 0, "光明社区"),
    Township("431381003", "锡矿山街道", "subdistrict", 22, 0, "矿山社区"),
    Township("431381004", "沙塘湾街道", "subdistrict", 20, 0, "资江社区"),
    Township("431381100", "禾青镇", "township", 20, 72, "石桥村"),
    Township("431381101", "三尖镇", "township", 16, 60, "龙山村"),
    Township("431381102", "铎山镇", "township", 20, 70, "红旗村"),
    Township("431381103", "金竹山镇", "township", 18, 66, "金星村"),
    Township("431381104", "渣渡镇", "township", 18, 68, "团结村"),
    Township("431381200", "中连乡", "township", 15, 56, "向阳村"),
)

CITY_TERM_NUMBER = 18
CITY_TERM_START = dt.date(2021, 12, 20)
# Township congress numbering differs from town to town; 18 is a demo value.
TOWNSHIP_TERM_NUMBER = 18
TOWNSHIP_TERM_START = dt.date(2021, 12, 5)
ELECTION_DAY = dt.date(2021, 11, 26)  # both levels are elected directly on the same day
TOWNSHIP_GROUPS = ("第一代表小组", "第二代表小组", "第三代表小组")


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    short_name: str
    kind: str  # Organization.Kind value
    parent: str = ""  # parent's code
    handling: bool = False


CONGRESS = Org("RD", "冷水江市人民代表大会", "市人大", "congress")
STANDING_COMMITTEE = Org(
    "RD-CWH", "冷水江市人民代表大会常务委员会", "市人大常委会", "standing_committee", "RD"
)

SPECIAL_COMMITTEES: tuple[Org, ...] = tuple(
    Org(code, f"冷水江市人民代表大会{name}", short, "special_committee", "RD")
    for code, name, short in (
        ("RD-FZW", "法制委员会", "法制委"),
        ("RD-CJW", "财政经济委员会", "财经委"),
        ("RD-JKWW", "教育科学文化卫生委员会", "教科文卫委"),
        ("RD-NNW", "农业农村委员会", "农业农村委"),
        ("RD-SJW", "社会建设委员会", "社会委"),
        ("RD-HZW", "环境与资源保护委员会", "环资委"),
        ("RD-JSW", "监察和司法委员会", "监察司法委"),
    )
)

OFFICES: tuple[Org, ...] = tuple(
    Org(code, f"冷水江市人大常委会{name}", short, "office", "RD-CWH")
    for code, name, short in (
        ("RD-BGS", "办公室", "办公室"),
        ("RD-YJS", "研究室", "研究室"),
        ("RD-RXW", "人事代表选举工作委员会", "人代选工委"),
        ("RD-YGW", "预算工作委员会", "预工委"),
    )
)

# Government departments and public bodies that handle deputies' suggestions (承办单位).
_DEPARTMENTS = (
    ("ZF-FGJ", "冷水江市发展和改革局", "发改局"),
    ("ZF-JYJ", "冷水江市教育局", "教育局"),
    ("ZF-KJJ", "冷水江市科学技术局", "科技局"),
    ("ZF-GXJ", "冷水江市工业和信息化局", "工信局"),
    ("ZF-GAJ", "冷水江市公安局", "公安局"),
    ("ZF-MZJ", "冷水江市民政局", "民政局"),
    ("ZF-SFJ", "冷水江市司法局", "司法局"),
    ("ZF-RSJ", "冷水江市人力资源和社会保障局", "人社局"),
    ("ZF-ZRZYJ", "冷水江市自然资源局", "自然资源局"),
    ("ZF-STHJ", "娄底市生态环境局冷水江分局", "生态环境分局"),
    ("ZF-ZJJ", "冷水江市住房和城乡建设局", "住建局"),
    ("ZF-JTJ", "冷水江市交通运输局", "交通运输局"),
    ("ZF-SLJ", "冷水江市水利局", "水利局"),
    ("ZF-NYNCJ", "冷水江市农业农村局", "农业农村局"),
    ("ZF-SWJ", "冷水江市商务局", "商务局"),
    ("ZF-WLGTJ", "冷水江市文化旅游广电体育局", "文旅广体局"),
    ("ZF-WJJ", "冷水江市卫生健康局", "卫健局"),
    ("ZF-TYJRJ", "冷水江市退役军人事务局", "退役军人局"),
    ("ZF-YJJ", "冷水江市应急管理局", "应急局"),
    ("ZF-SCJGJ", "冷水江市市场监督管理局", "市场监管局"),
    ("ZF-YBJ", "冷水江市医疗保障局", "医保局"),
    ("ZF-CGJ", "冷水江市城市管理和综合执法局", "城管执法局"),
    ("ZF-LYJ", "冷水江市林业局", "林业局"),
    ("ZF-XFJ", "冷水江市信访局", "信访局"),
    ("ZF-XZSPJ", "冷水江市行政审批服务局", "行政审批局"),
    ("ZF-JGSW", "冷水江市机关事务服务中心", "机关事务中心"),
    ("ZF-GJJ", "娄底市住房公积金管理中心冷水江管理部", "公积金管理部"),
    ("ZF-XFJY", "冷水江市消防救援大队", "消防大队"),
    ("ZF-GLZX", "冷水江市公路建设养护中心", "公路中心"),
    ("ZF-QXJ", "冷水江市气象局", "气象局"),
    ("ZF-KFQ", "冷水江经济开发区管理委员会", "经开区管委会"),
)
# Public utilities and people's organisations also answer suggestions.
_OTHER_HANDLERS = (
    ("QY-GDGS", "国网冷水江市供电公司", "供电公司"),
    ("QY-ZLS", "冷水江市自来水有限责任公司", "自来水公司"),
    ("QY-YD", "中国移动通信集团湖南有限公司冷水江分公司", "移动公司"),
    ("TT-GH", "冷水江市总工会", "总工会"),
    ("TT-FL", "冷水江市妇女联合会", "妇联"),
    ("TT-CL", "冷水江市残疾人联合会", "残联"),
)
# Bodies that send budget-supervision data (预算联网监督); all but the state-asset centre
# also handle suggestions.
_DATA_PROVIDERS = (
    ("SJ-CZJ", "冷水江市财政局", "财政局", True),
    ("SJ-SWJ", "国家税务总局冷水江市税务局", "税务局", True),
    ("SJ-TJJ", "冷水江市统计局", "统计局", True),
    ("SJ-SJJ", "冷水江市审计局", "审计局", True),
    ("SJ-GZZX", "冷水江市国有资产事务中心", "国资中心", False),
)

DEPARTMENTS: tuple[Org, ...] = (
    *(Org(c, n, s, "government_department", handling=True) for c, n, s in _DEPARTMENTS),
    *(Org(c, n, s, "other", handling=True) for c, n, s in _OTHER_HANDLERS),
    *(Org(c, n, s, "data_provider", handling=h) for c, n, s, h in _DATA_PROVIDERS),
)


def township_congress(township: Township) -> Org:
    """镇/乡 have a people's congress (its presidium works between sessions); a 街道 has the
    人大工作委员会 of the city's standing committee instead."""
    if township.is_town:
        return Org(
            f"XRD-{township.code}",
            f"{township.name}人民代表大会",
            f"{township.name}人大",
            "township_congress",
            "RD",
        )
    return Org(
        f"XRD-{township.code}",
        f"{township.name}人大工作委员会",
        f"{township.name}人大工委",
        "township_congress",
        "RD-CWH",
    )


STATION_HOURS = "每月15日 9:00—12:00 代表接待日；工作日 8:30—12:00、14:30—17:30"
POINT_HOURS = "每月第一个星期五 9:00—11:30 代表接待日"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # accounts.models.Role value
    name: str
    organization: str = ""  # organization code
    note: str = ""


# One account per role (README lists them). The deputy account is linked to the first city
# deputy of 冷水江街道 and takes that deputy's name.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("staff", "staff", "李文静", "RD-BGS", "人大机关工作人员（办公室）"),
    DemoAccount("sc_member", "sc_member", "曾国平", "RD-CWH", "常委会组成人员"),
    DemoAccount("deputy", "deputy", "", "", "市人大代表（冷水江街道代表团）"),
    DemoAccount("handling_officer", "handling_officer", "陈建华", "ZF-ZJJ", "承办单位（住建局）"),
    DemoAccount("data_provider", "data_provider", "周丽娟", "SJ-CZJ", "数据报送（财政局）"),
    DemoAccount("nominee", "nominee", "彭志刚", "", "拟任命人员"),
    DemoAccount("system_admin", "system_admin", "袁立新", "RD-BGS", "系统管理员"),
    DemoAccount("security_admin", "security_admin", "苏海燕", "RD-BGS", "安全管理员"),
    DemoAccount("audit_admin", "audit_admin", "罗志明", "RD-BGS", "审计管理员"),
)

# Who writes in which module (core.roles.Duty values; least privilege inside the staff role).
# Every member of staff reads across committees; these are the offices that act.
OFFICE_DUTIES: dict[str, tuple[str, ...]] = {
    "RD-BGS": ("meetings", "livelihood"),  # 办公室: meetings, documents, the 票决's organisation
    "RD-RXW": ("suggestions", "stations", "exams"),  # 人代选工委: deputies, liaison, 任免
    "RD-YGW": ("budget", "livelihood"),  # 预算工委: budget supervision, livelihood screening
    "RD-CJW": ("budget",),  # 财经委
}
# The demo `staff` account (办公室) walks every module in the demo, so it also holds the other
# duties as personal grants, with this reason shown on the security administrator's page.
DEMO_STAFF_GRANT_REASON = "演示账号：走查各模块的办理流程"

# The other 24 members of staff (25 with the demo staff account), by office or committee.
STAFF_POSTS: tuple[tuple[str, int], ...] = (
    ("RD-BGS", 7),
    ("RD-YJS", 3),
    ("RD-RXW", 4),
    ("RD-YGW", 3),
    ("RD-FZW", 1),
    ("RD-CJW", 1),
    ("RD-JKWW", 1),
    ("RD-NNW", 1),
    ("RD-SJW", 1),
    ("RD-HZW", 1),
    ("RD-JSW", 1),
)

# Deputy composition (代表构成) weights per level, and what people of each kind do.
CITY_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("cadre", 24),
    ("worker", 14),
    ("farmer", 18),
    ("professional", 18),
    ("enterprise", 17),
    ("military", 1),
    ("other", 8),
)
TOWNSHIP_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("cadre", 18),
    ("worker", 14),
    ("farmer", 38),
    ("professional", 12),
    ("enterprise", 10),
    ("other", 8),
)
ENTERPRISES = (
    "冷水江市资江建材有限公司",
    "冷水江市锑都矿业有限公司",
    "冷水江市湘中机械制造有限公司",
    "冷水江市紫鹊农业开发有限公司",
    "冷水江市鑫源新材料有限公司",
    "冷水江市恒通物流有限公司",
    "冷水江市华兴电子科技有限公司",
    "冷水江市梅山食品有限公司",
    "冷水江市天成陶瓷有限公司",
    "冷水江市绿源生态农业合作社",
    "冷水江市金穗米业有限公司",
    "冷水江市博远建筑工程有限公司",
)
INSTITUTIONS = (
    ("冷水江市第一中学", ("教师", "副校长", "教研组长")),
    ("冷水江市人民医院", ("主治医师", "副主任医师", "护士长")),
    ("冷水江市中医医院", ("主治医师", "药剂师")),
    ("冷水江市职业中专", ("教师", "实训处主任")),
    ("冷水江市妇幼保健计划生育服务中心", ("医师",)),
    ("湖南资江律师事务所", ("律师", "合伙人")),
)
# Invented village and community names (generic ones found all over China).
VILLAGES = (
    "新华",
    "红旗",
    "光明",
    "和平",
    "东风",
    "胜利",
    "群力",
    "向阳",
    "长青",
    "石桥",
    "新塘",
    "龙山",
    "金星",
    "团结",
    "民主",
    "联合",
    "大坪",
    "茶园",
    "枫树",
    "桥头",
)
OTHER_JOBS = (
    ("{village}居民委员会", ("主任", "网格员")),
    ("个体工商户", ("经营者",)),
    ("冷水江市退休干部", ("退休干部",)),
)
