"""What the livelihood demo holds: last year's 17 candidates (15 chosen) and this year's
proposals, with their townships, units, costs and sub-items; the public's contacts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import ProposerKind

TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no summer time
COUNTY_CODE = "431381"
SEATS = 15
PARKING = "城区公共停车场建设"
ROAD = "金竹山镇坪石公路提质改造"


@dataclass(frozen=True)
class Idea:
    title: str
    township: str  # a region name, "" for the whole county
    kind: str  # ProposerKind
    proposer: str  # the unit, or "" (public, deputy)
    lead: str  # lead unit code
    cost: int  # 元
    items: tuple[tuple[str, str, int], ...] = ()  # sub-item, owner unit code, share in %
    text: str = ""


def _idea(
    title: str, township: str, kind: str, proposer: str, lead: str, cost: int, *items: str
) -> Idea:
    rows = []
    for spec in items:
        name, unit, share = spec.split("|")
        rows.append((name, unit, int(share)))
    return Idea(title, township, kind, proposer, lead, cost, tuple(rows))


# Last year's 17 candidates, the first 15 chosen. Sub-items: "名称|责任单位|预算占比%".
LAST_YEAR = (
    _idea(
        ROAD,
        "金竹山镇",
        ProposerKind.TOWNSHIP,
        "金竹山镇人民政府",
        "ZF-JTJ",
        18_600_000,
        "坪石至金星村段路基拓宽|ZF-JTJ|45",
        "沥青路面铺设|ZF-GLZX|40",
        "安全防护和标志标线|ZF-GLZX|15",
    ),
    _idea(
        "城区老旧小区改造（二期）",
        "冷水江街道",
        ProposerKind.PUBLIC,
        "",
        "ZF-ZJJ",
        32_000_000,
        "雨污分流和管网改造|ZF-ZJJ|50",
        "外立面和屋面防水|ZF-ZJJ|30",
        "加装电梯和适老化改造|ZF-ZJJ|20",
    ),
    _idea(
        "锡矿山街道饮水安全巩固提升",
        "锡矿山街道",
        ProposerKind.DEPUTY,
        "",
        "ZF-SLJ",
        9_800_000,
        "新建加压泵站|QY-ZLS|40",
        "供水主管网更换|QY-ZLS|60",
    ),
    _idea(
        "农村义务教育学校食堂提质改造",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市教育局",
        "ZF-JYJ",
        7_500_000,
        "12所学校食堂改造|ZF-JYJ|80",
        "明厨亮灶监控接入|ZF-SCJGJ|20",
    ),
    _idea(
        "乡镇卫生院发热门诊标准化建设",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市卫生健康局",
        "ZF-WJJ",
        6_200_000,
        "6所卫生院发热门诊改造|ZF-WJJ|70",
        "检验设备购置|ZF-WJJ|30",
    ),
    _idea(
        PARKING,
        "布溪街道",
        ProposerKind.PUBLIC,
        "",
        "ZF-ZJJ",
        15_000_000,
        "布溪街道立体停车场|ZF-ZJJ|60",
        "冷水江街道路内泊位施划|ZF-CGJ|15",
        "智慧停车管理平台|ZF-ZJJ|25",
    ),
    _idea(
        "沙塘湾街道农贸市场提质改造",
        "沙塘湾街道",
        ProposerKind.TOWNSHIP,
        "沙塘湾街道办事处",
        "ZF-SWJ",
        4_600_000,
        "市场主体改造|ZF-SWJ|75",
        "食品安全快检室|ZF-SCJGJ|25",
    ),
    _idea(
        "农村危桥改造",
        "",
        ProposerKind.DEPUTY,
        "",
        "ZF-JTJ",
        8_400_000,
        "三尖镇、铎山镇危桥改造7座|ZF-JTJ|55",
        "中连乡、渣渡镇危桥改造5座|ZF-JTJ|45",
    ),
    _idea(
        "中小学校园安全监控全覆盖",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市公安局",
        "ZF-JYJ",
        3_200_000,
        "校园视频监控建设|ZF-JYJ|70",
        "一键报警接入公安平台|ZF-GAJ|30",
    ),
    _idea(
        "城乡公交一体化",
        "",
        ProposerKind.PUBLIC,
        "",
        "ZF-JTJ",
        12_000_000,
        "新购新能源公交车20台|ZF-JTJ|70",
        "农村候车亭建设|ZF-JTJ|30",
    ),
    _idea(
        "渣渡镇集镇供水管网改造",
        "渣渡镇",
        ProposerKind.VILLAGE,
        "渣渡镇团结村村民委员会",
        "ZF-SLJ",
        5_600_000,
        "集镇主管网改造|QY-ZLS|70",
        "入户管改造|QY-ZLS|30",
    ),
    _idea(
        "居家养老服务中心建设",
        "",
        ProposerKind.DEPUTY,
        "",
        "ZF-MZJ",
        4_800_000,
        "街道居家养老服务中心4个|ZF-MZJ|65",
        "老年助餐点20个|ZF-MZJ|35",
    ),
    _idea(
        "城区背街小巷路灯亮化",
        "冷水江街道",
        ProposerKind.PUBLIC,
        "",
        "ZF-CGJ",
        2_600_000,
        "背街小巷路灯安装|ZF-CGJ|80",
        "智能照明控制|QY-GDGS|20",
    ),
    _idea(
        "农村生活垃圾分类处理",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市农业农村局",
        "ZF-NYNCJ",
        3_900_000,
        "分类收集设施配置|ZF-NYNCJ|60",
        "乡镇转运站改造|ZF-CGJ|40",
    ),
    _idea(
        "禾青镇防洪堤加固",
        "禾青镇",
        ProposerKind.TOWNSHIP,
        "禾青镇人民政府",
        "ZF-SLJ",
        11_300_000,
        "资江禾青段堤防加固|ZF-SLJ|85",
        "穿堤涵闸改造|ZF-SLJ|15",
    ),
    # Not chosen: they go to the reserve.
    _idea("资江风光带健身步道", "沙塘湾街道", ProposerKind.PUBLIC, "", "ZF-WLGTJ", 6_800_000),
    _idea(
        "残疾人康复服务中心建设",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市残疾人联合会",
        "TT-CL",
        5_200_000,
    ),
)
# Last year's duplicate (merged) and the proposal rejected on the negative list.
LAST_DUPLICATE = ("城区停车难问题建议建停车场", "布溪街道")
LAST_REJECTED = (
    "铎山镇红旗村产业园道路硬化",
    "铎山镇",
    "项目所需资金拟由沿线农户和企业按受益分摊，增加群众和企业负担，不符合民生实事项目负面清单要求。",
)

THIS_YEAR = (
    # (title, township, kind, proposer, lead, cost, what happens: accept/reject/reserve/screen/-)
    ("中连乡向阳村饮水工程", "中连乡", ProposerKind.PUBLIC, "", "ZF-SLJ", 2_800_000, "accept"),
    (
        "城区学校周边交通安全设施",
        "冷水江街道",
        ProposerKind.PUBLIC,
        "",
        "ZF-GAJ",
        1_900_000,
        "accept",
    ),
    ("铎山镇卫生院住院楼改造", "铎山镇", ProposerKind.DEPUTY, "", "ZF-WJJ", 6_500_000, "accept"),
    (
        "农村公路安全生命防护工程",
        "",
        ProposerKind.DEPARTMENT,
        "冷水江市交通运输局",
        "ZF-JTJ",
        7_200_000,
        "accept",
    ),
    (
        "三尖镇龙山村至集镇公路拓宽",
        "三尖镇",
        ProposerKind.TOWNSHIP,
        "三尖镇人民政府",
        "ZF-JTJ",
        9_600_000,
        "screen",
    ),
    (
        "锡矿山街道棚户区道路改造",
        "锡矿山街道",
        ProposerKind.TOWNSHIP,
        "锡矿山街道办事处",
        "ZF-ZJJ",
        4_400_000,
        "reserve",
    ),
    (
        "金竹山镇金星村文化广场",
        "金竹山镇",
        ProposerKind.VILLAGE,
        "金竹山镇金星村村民委员会",
        "ZF-WLGTJ",
        1_200_000,
        "reject",
    ),
    ("城区农贸市场冷链设施", "布溪街道", ProposerKind.PUBLIC, "", "ZF-SWJ", 2_100_000, "-"),
    ("禾青镇石桥村河道清淤", "禾青镇", ProposerKind.PUBLIC, "", "ZF-SLJ", 1_600_000, "-"),
    ("社区嵌入式托育服务点", "布溪街道", ProposerKind.DEPUTY, "", "ZF-WJJ", 3_000_000, "-"),
    ("城区公共厕所提质改造", "沙塘湾街道", ProposerKind.PUBLIC, "", "ZF-CGJ", 1_800_000, "-"),
)
THIS_REJECTED_REASON = (
    "经核查，该项目拟向村民按户收取建设费用，增加群众负担，不符合民生实事项目负面清单要求；"
    "建议由村级公益事业一事一议财政奖补渠道解决。"
)
CONTACTS = (
    ("王女士", "13807380101"),
    ("刘先生", "13907380202"),
    ("", ""),
    ("赵先生", "15173800303"),
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _description(idea_title: str, township: str) -> str:
    place = township or "全市"
    return (
        f"建议实施“{idea_title}”。{place}群众反映这方面问题由来已久，涉及面广、受益群众多，"
        "属于普惠性、公益性的民生事项，建议纳入年度重大民生实事项目，当年实施、当年见效。"
    )
