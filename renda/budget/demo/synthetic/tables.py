"""The generator's declarative tables: the three scales, the departments and their units,
names, trades, purposes, economic classes, payment sizes and caps, the seasons, and the small
number helpers the other modules share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from renda.core import demo_data

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scale:
    name: str
    region_code: str
    region_name: str
    units: int
    payments: int
    projects: int
    enterprises: int
    towns: tuple[str, ...]


# The county's townships, from the one list the whole demo uses (the region registry).
LENGSHUIJIANG_TOWNS = tuple(t.name for t in demo_data.TOWNSHIPS)
GENERIC_TOWNS = tuple(
    f"{a}{b}"
    for a in ("东山", "西湖", "南岭", "北塘", "金石", "清溪", "白马", "青山", "桃花", "龙泉")
    for b in ("镇", "乡", "街道")
)

SCALES = {
    "county": Scale("county", "431381", "冷水江市", 300, 100_000, 12, 6, LENGSHUIJIANG_TOWNS),
    "city": Scale("city", "431300", "娄底市", 900, 1_000_000, 30, 15, GENERIC_TOWNS[:12]),
    "province": Scale("province", "430000", "湖南省", 3000, 10_000_000, 80, 40, ()),
}

# (name, functional class 项, subordinate units; "{n}" numbers them, "{town}" names a town)
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("人大常委会办公室", "2010101", ()),
    ("政协委员会办公室", "2010201", ()),
    ("人民政府办公室", "2010301", ("政务服务中心", "机关事务服务中心")),
    ("发展和改革局", "2010401", ("粮食和物资储备中心",)),
    ("统计局", "2010501", ("普查中心",)),
    ("财政局", "2010601", ("国库集中支付中心", "财政事务中心", "{town}财政所")),
    ("审计局", "2010801", ("政府投资审计中心",)),
    ("市场监督管理局", "2013801", ("{town}市场监管所", "检验检测中心")),
    ("公安局", "2040201", ("{town}派出所", "交通警察大队", "看守所")),
    ("人民法院", "2040501", ("{town}人民法庭",)),
    ("人民检察院", "2040401", ()),
    ("司法局", "2040601", ("{town}司法所", "公证处")),
    (
        "教育局",
        "2050101",
        (
            "第{n}中学",
            "第{n}完全小学",
            "{town}中心学校",
            "{town}中心幼儿园",
            "第{n}幼儿园",
            "职业中专学校",
        ),
    ),
    ("科学技术局", "2060101", ("科技情报所",)),
    (
        "文化旅游广电体育局",
        "2070101",
        ("图书馆", "文化馆", "博物馆", "体育中心", "{town}综合文化站"),
    ),
    (
        "人力资源和社会保障局",
        "2080101",
        ("就业服务中心", "社会保险服务中心", "劳动人事争议仲裁院", "{town}劳动保障服务站"),
    ),
    ("民政局", "2080201", ("社会福利院", "救助管理站", "{town}敬老院")),
    ("退役军人事务局", "2082801", ("退役军人服务中心",)),
    (
        "卫生健康局",
        "2100101",
        (
            "人民医院",
            "中医医院",
            "疾病预防控制中心",
            "妇幼保健院",
            "{town}卫生院",
            "{town}社区卫生服务中心",
        ),
    ),
    ("医疗保障局", "2101501", ("医疗保障事务中心",)),
    ("生态环境分局", "2110101", ("环境监测站",)),
    (
        "住房和城乡建设局",
        "2120101",
        ("城市建设服务中心", "住房保障服务中心", "园林绿化中心", "{town}村镇建设管理站"),
    ),
    ("城市管理和综合执法局", "2120201", ("环境卫生服务中心",)),
    (
        "农业农村局",
        "2130101",
        ("农业技术推广中心", "畜牧水产事务中心", "{town}农业综合服务中心", "{town}动物防疫站"),
    ),
    ("林业局", "2130201", ("{town}林业站",)),
    ("水利局", "2130301", ("水库管理所", "水利工程建设中心", "{town}水利站")),
    ("交通运输局", "2140101", ("公路建设养护中心", "道路运输服务中心", "{town}交通管理站")),
    ("工业和信息化局", "2150501", ("中小企业服务中心",)),
    ("商务局", "2160201", ("招商服务中心",)),
    ("自然资源局", "2200101", ("不动产登记中心", "{town}自然资源所")),
    ("应急管理局", "2240101", ("应急救援指挥中心",)),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌辉鹏飞宇浩然子轩梓涵欣怡思远晓东海燕春梅秋菊冬青立新德胜永福"
TRADE_NAMES = (
    "锡都",
    "华湘",
    "金石",
    "恒泰",
    "鑫源",
    "宏达",
    "志远",
    "博创",
    "中湘",
    "天成",
    "资江",
    "梅山",
    "湘中",
    "鼎盛",
    "瑞丰",
    "长兴",
    "兴业",
    "景泰",
    "润泽",
    "广源",
    "新锐",
    "汇通",
    "永昌",
    "银河",
)
PLACES = ("湖南", "娄底", "冷水江", "长沙", "湘中", "新化", "涟源")
# Clean payee trades never contain the words rule B16 looks for (超市/商场/商贸/百货).
TRADES = {
    "goods": (
        "办公设备",
        "信息技术",
        "印刷",
        "物业管理",
        "保安服务",
        "电子科技",
        "文化传媒",
        "环保科技",
        "园林绿化",
        "家具制造",
        "医疗器械",
        "教学设备",
        "电力工程",
        "通信技术",
        "劳务派遣",
    ),
    "capital": (
        "建设工程",
        "建筑工程",
        "市政工程",
        "路桥工程",
        "水利水电工程",
        "装饰工程",
        "建设集团",
    ),
    "reception": ("宾馆", "酒店管理", "餐饮管理"),
    "vehicle": ("汽车维修服务", "汽车服务", "石油化工销售"),
}
PURPOSES = {
    "pension": (("30305", "城乡居民基本养老保险待遇代发"),),
    "wages": (("30101", "基本工资"), ("30102", "津贴补贴"), ("30107", "绩效工资")),
    "goods": (
        ("30201", "办公费"),
        ("30201", "办公用品采购"),
        ("30205", "水费"),
        ("30206", "电费"),
        ("30207", "邮电费"),
        ("30209", "物业管理费"),
        ("30211", "差旅费"),
        ("30213", "维修（护）费"),
        ("30215", "会议费"),
        ("30216", "培训费"),
        ("30227", "委托业务费"),
        ("30218", "专用材料费"),
    ),
    "labour": (("30226", "劳务费"),),
    "subsidy": (
        ("30305", "生活补助"),
        ("30302", "退休费"),
        ("30309", "奖励金"),
        ("30399", "困难群众救助"),
    ),
    "capital": (
        ("31005", "基础设施建设工程进度款"),
        ("31002", "办公设备购置"),
        ("30905", "基础设施建设"),
        ("31003", "专用设备购置"),
    ),
    "reception": (("30217", "公务接待费"),),
    "vehicle": (
        ("30231", "公务用车运行维护费"),
        ("30231", "公务用车加油费"),
        ("30231", "公务用车维修费"),
    ),
}
GOV_ECO = {
    "pension": "50901",
    "wages": "50101",
    "goods": "50201",
    "labour": "50201",
    "subsidy": "50901",
    "capital": "50302",
    "reception": "50206",
    "vehicle": "50208",
}
DEP_ECO_INDICATOR = {
    "pension": "30305",
    "wages": "30101",
    "goods": "30201",
    "labour": "30226",
    "subsidy": "30305",
    "capital": "31005",
    "reception": "30217",
    "vehicle": "30231",
}
# Median payment size per category (元) and the cap for clean payments.
# Each spending category's share of a unit's budget.
SHARES = {
    "wages": 0.42,
    "goods": 0.22,
    "labour": 0.03,
    "subsidy": 0.10,
    "capital": 0.30,
    "reception": 0.004,
    "vehicle": 0.008,
}
SIZE = {
    "pension": 2_500_000,
    "wages": 6500,
    "goods": 9000,
    "labour": 3000,
    "subsidy": 1800,
    "capital": 60000,
    "reception": 2300,
    "vehicle": 1600,
}
CAP = {
    "pension": 4_800_000,
    "wages": 30000,
    "goods": 150000,
    "labour": 9500,
    "subsidy": 9000,
    "capital": 150000,
    "reception": 9000,
    "vehicle": 9000,
}
LARGE_CAPITAL = (Decimal(1_000_000), Decimal(4_800_000))
SEASON = (0.055, 0.055, 0.08, 0.075, 0.075, 0.09, 0.075, 0.075, 0.09, 0.07, 0.09, 0.17)
RUSH = (
    0.03,
    0.03,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.2,
    0.4,
)  # B04's planted unit
SUSPICIOUS = ("礼品", "购物卡", "烟酒", "宴请", "旅游", "会员卡", "红包")

# What every town government runs itself (one each).
TOWN_UNITS = ("{town}社会事务综合服务中心", "{town}综合行政执法大队", "{town}退役军人服务站")


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def money(value: float | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split_counts(total: int, weights: tuple[float, ...]) -> list[int]:
    """`total` split by `weights` with the largest-remainder method (the parts add up)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[index] += 1
    return counts


# Major projects (rule B15), numbered 二期, 三期… when a scale has more.
PROJECT_NAMES = (
    "城区污水管网改造工程",
    "资江风光带建设工程",
    "老旧小区改造工程",
    "人民医院门诊楼建设项目",
    "第一中学教学楼建设项目",
    "城乡供水一体化工程",
    "工业园区标准厂房建设",
    "国省道改扩建工程",
    "农村公路提质改造工程",
    "垃圾焚烧发电项目",
    "保障性租赁住房建设项目",
    "智慧城市建设项目",
    "高标准农田建设项目",
    "体育中心建设项目",
    "殡仪馆迁建项目",
    "城市燃气管网改造工程",
)

# Who receives the payments of the other two budgets: 国有资本经营预算 injects capital into the
# county's own enterprises; 社会保险基金预算 pays pensions through the banks that pay them out.
STATE_ENTERPRISES = ("城市建设投资集团有限公司", "国有资产经营有限公司", "交通建设投资有限公司")
PENSION_BANKS = (
    "中国邮政储蓄银行股份有限公司{county}支行",
    "湖南{county}农村商业银行股份有限公司",
    "中国农业银行股份有限公司{county}支行",
    "中国建设银行股份有限公司{county}支行",
    "中国工商银行股份有限公司{county}支行",
    "中国银行股份有限公司{county}支行",
)
