"""What the demo deputies write about, and which unit answers each topic (the demo's
declarative tables; `demo.py` runs the year).

Each topic names the unit that handles it in 冷水江 (主办), the units that help (协办), and
where a mis-assignment is likely the unit that first receives it by mistake and returns it.
Places come from the region registry (core.demo_data.TOWNSHIPS): "town" topics are about a
镇/乡, "urban" ones about a 街道.
"""

from __future__ import annotations

from dataclasses import dataclass

from renda.core import demo_data


@dataclass(frozen=True)
class Topic:
    field: str
    title: str  # "{place}" is replaced by a township's name
    content: str
    lead: str  # organization code of the 主办 unit
    co: tuple[str, ...] = ()
    wrong: str = ""  # the unit a hurried 交办 might pick instead (it returns the item)
    places: str = "any"  # "town", "urban" or "any"


TOPICS: tuple[Topic, ...] = (
    Topic(
        "urban",
        "关于改造{place}老旧小区排水管网的建议",
        "{place}多个老旧小区排水管网建于上世纪九十年代，管径偏小、破损严重，雨季积水，群众出行困难。建议列入城市更新计划，分批改造。",
        "ZF-ZJJ",
        ("SJ-CZJ",),
        "ZF-CGJ",
        "urban",
    ),
    Topic(
        "urban",
        "关于在{place}增设公共停车位的建议",
        "{place}商业区停车位严重不足，车辆占道停放，影响通行和消防安全。建议利用闲置地块建设公共停车场。",
        "ZF-ZJJ",
        ("ZF-ZRZYJ", "ZF-GAJ"),
        "ZF-CGJ",
        "urban",
    ),
    Topic(
        "transport",
        "关于修缮{place}通村公路的建议",
        "{place}部分通村公路路面破损、坑洼不平，雨天泥泞，群众出行和农产品运输不便。建议安排资金修缮。",
        "ZF-JTJ",
        ("SJ-CZJ",),
        "ZF-GLZX",
        "town",
    ),
    Topic(
        "transport",
        "关于增开{place}至市区公交班次的建议",
        "{place}到市区的公交班次少、末班车早，学生和务工人员出行不便。建议增开班次、延长运营时间。",
        "ZF-JTJ",
        places="town",
    ),
    Topic(
        "education",
        "关于改善{place}中小学校园周边交通安全的建议",
        "{place}学校门口上下学时段车流量大，缺少信号灯和护学岗，存在安全隐患。建议增设交通设施。",
        "ZF-GAJ",
        ("ZF-JYJ",),
        "ZF-JYJ",
    ),
    Topic(
        "education",
        "关于解决{place}农村学校教师不足的建议",
        "{place}农村学校教师年龄老化，音体美教师紧缺。建议加大招聘和轮岗交流力度。",
        "ZF-JYJ",
        ("ZF-RSJ",),
        places="town",
    ),
    Topic(
        "health",
        "关于提升{place}卫生院服务能力的建议",
        "{place}卫生院设备陈旧、专业人员少，群众小病也要往市区跑。建议更新设备、引进人才。",
        "ZF-WJJ",
        ("ZF-YBJ",),
        places="town",
    ),
    Topic(
        "health",
        "关于方便{place}群众医保报销的建议",
        "{place}不少老人异地就医后要回市里窗口报销，来回奔波。建议开通网上办理，在镇便民服务中心设代办点。",
        "ZF-YBJ",
        wrong="ZF-WJJ",
    ),
    Topic(
        "agriculture",
        "关于加强{place}高标准农田和山塘渠道建设的建议",
        "{place}部分山塘渠道淤塞、年久失修，灌溉困难。建议纳入高标准农田建设项目。",
        "ZF-NYNCJ",
        ("ZF-SLJ",),
        "ZF-SLJ",
        "town",
    ),
    Topic(
        "agriculture",
        "关于加快{place}农村饮水安全巩固提升的建议",
        "{place}部分村组仍饮用山泉水，旱季缺水、水质不稳定。建议延伸城乡供水管网，实施饮水安全巩固提升工程。",
        "ZF-SLJ",
        ("QY-ZLS",),
        places="town",
    ),
    Topic(
        "environment",
        "关于治理{place}河道污染的建议",
        "{place}河段有生活污水直排和垃圾堆放，水质变差。建议加强截污和日常保洁，落实河长制。",
        "ZF-STHJ",
        ("ZF-SLJ", "ZF-ZJJ"),
        "ZF-SLJ",
    ),
    Topic(
        "environment",
        "关于加快{place}锑矿区历史遗留废渣治理的建议",
        "{place}矿区周边仍有历史遗留废渣堆存，雨后渗滤液流入溪沟。建议争取专项资金，加快治理和生态修复。",
        "ZF-STHJ",
        ("ZF-ZRZYJ",),
        "ZF-ZRZYJ",
        "urban",
    ),
    Topic(
        "social",
        "关于完善{place}居家养老服务的建议",
        "{place}老年人口多，日间照料中心服务内容少。建议引入专业机构，增加助餐、助医服务。",
        "ZF-MZJ",
        ("ZF-WJJ",),
    ),
    Topic(
        "social",
        "关于加强{place}退役军人就业创业服务的建议",
        "{place}退役军人返乡后就业渠道窄。建议开展技能培训，落实创业扶持政策。",
        "ZF-TYJRJ",
        ("ZF-RSJ",),
        "ZF-RSJ",
    ),
    Topic(
        "economy",
        "关于支持{place}特色农产品品牌建设的建议",
        "{place}特色农产品品质好但知名度低。建议扶持品牌创建和电商销售。",
        "ZF-NYNCJ",
        ("ZF-SWJ",),
        "ZF-SWJ",
        "town",
    ),
    Topic(
        "economy",
        "关于解决{place}农网电压不稳的建议",
        "{place}部分村组用电高峰电压偏低，农产品加工设备无法正常运转。建议改造农网线路、增设变压器。",
        "QY-GDGS",
        places="town",
    ),
    Topic(
        "law",
        "关于加强{place}电信诈骗防范宣传的建议",
        "{place}近年电信诈骗案件多发，老年人受骗较多。建议进村入户开展宣传。",
        "ZF-GAJ",
    ),
    Topic(
        "law",
        "关于加强{place}地质灾害隐患点治理的建议",
        "{place}有多处采空区和滑坡隐患点，汛期群众担心。建议开展排查，实施搬迁避让和工程治理。",
        "ZF-ZRZYJ",
        ("ZF-YJJ",),
        "ZF-YJJ",
    ),
    Topic(
        "urban",
        "关于整治{place}占道经营的建议",
        "{place}主街早晚市摊贩占道经营，垃圾遍地，交通拥堵。建议规划临时便民市场，加强日常管理。",
        "ZF-CGJ",
        ("ZF-SCJGJ",),
        "ZF-SCJGJ",
        "urban",
    ),
    Topic(
        "health",
        "关于加强{place}校园周边食品安全监管的建议",
        "{place}学校周边小卖部售卖“三无”零食，学生健康受影响。建议开展专项整治。",
        "ZF-SCJGJ",
        ("ZF-JYJ",),
    ),
)

# The motions of the sitting (议案): title, cause, the presidium's decision, and for a motion
# converted into a suggestion the topic-like units that then handle it.
MOTIONS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "关于制定冷水江市城区扬尘污染防治若干规定的议案",
        "城区建筑工地、渣土运输扬尘问题群众反映强烈，影响空气质量和群众健康。",
        "place_on_agenda",
        "",
        (),
    ),
    (
        "关于加强资江饮用水水源地保护的议案",
        "资江冷水江段是城区主要饮用水水源，保护区内仍有养殖和生活污水排放。",
        "convert",
        "ZF-STHJ",
        ("ZF-SLJ",),
    ),
    (
        "关于规范农村村民住房建设管理的议案",
        "农村建房未批先建、超面积建设问题突出，存在安全隐患和耕地占用。",
        "convert",
        "ZF-ZRZYJ",
        ("ZF-ZJJ", "ZF-NYNCJ"),
    ),
    (
        "关于设立冷水江市民营企业发展专项资金的议案",
        "民营企业融资难、融资贵，建议设立专项资金支持发展。",
        "refuse",
        "",
        (),
    ),
)
MOTION_REFUSAL = (
    "设立专项资金属于政府预算安排事项，不属于本次会议议案范围，建议作为代表建议交有关部门研究办理。"
)


def places(kind: str) -> tuple[str, ...]:
    """Township names from the region registry for a topic's kind of place."""
    towns = demo_data.TOWNSHIPS
    if kind == "town":
        return tuple(t.name for t in towns if t.is_town)
    if kind == "urban":
        return tuple(t.name for t in towns if not t.is_town)
    return tuple(t.name for t in towns)


def topic_of(title: str) -> Topic | None:
    """The topic a demo suggestion's title was written from."""
    for topic in TOPICS:
        head, _, tail = topic.title.partition("{place}")
        if title.startswith(head) and title.endswith(tail):
            return topic
    return None


def lead_units_for(title: str) -> tuple[str, ...]:
    """The codes of the units that may lead a demo item with this title (the test of the
    demo's own invariants reads this)."""
    topic = topic_of(title)
    if topic is not None:
        return (topic.lead,)
    for motion_title, _, _, lead, _ in MOTIONS:
        if motion_title == title and lead:
            return (lead,)
    return ()


HANDLING_UNITS = tuple(
    sorted(
        {t.lead for t in TOPICS}
        | {c for t in TOPICS for c in t.co}
        | {t.wrong for t in TOPICS if t.wrong}
        | {m[3] for m in MOTIONS if m[3]}
        | {c for m in MOTIONS for c in m[4]}
    )
)
