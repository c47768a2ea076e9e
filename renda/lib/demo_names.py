"""Synthetic people for the demo data set: plausible Chinese names, valid ID numbers, mobile
numbers and personal attributes, all drawn from a seeded random generator.

The same seed always yields the same people in the same order, which is what makes
`manage.py seed_demo` idempotent: a second run regenerates identical ID numbers and finds
them already registered. Every person is invented; any likeness to a real one is chance.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from renda.lib.idcard import id_check_digit

# Surnames common in Loudi and central Hunan, weighted roughly by frequency.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("李", 40),
    ("刘", 38),
    ("王", 30),
    ("陈", 30),
    ("曾", 26),
    ("张", 24),
    ("谢", 20),
    ("罗", 20),
    ("杨", 18),
    ("周", 18),
    ("彭", 16),
    ("邓", 16),
    ("苏", 14),
    ("肖", 14),
    ("袁", 12),
    ("伍", 12),
    ("吴", 12),
    ("唐", 12),
    ("胡", 12),
    ("康", 10),
    ("龙", 10),
    ("蒋", 10),
    ("戴", 9),
    ("颜", 9),
    ("段", 8),
    ("黄", 8),
    ("梁", 7),
    ("朱", 7),
    ("贺", 7),
    ("廖", 7),
    ("匡", 6),
    ("阳", 6),
    ("聂", 6),
    ("易", 6),
    ("许", 5),
    ("欧阳", 3),
    ("孙", 5),
    ("向", 5),
    ("潘", 5),
    ("石", 5),
    ("雷", 4),
    ("方", 4),
    ("姜", 4),
    ("邹", 4),
    ("晏", 3),
)

# Given-name characters. Each generation has its fashions; mixing them across birth years
# would look odd to a Chinese reader, so the older and younger pools are kept apart.
_MALE_OLDER = "建国华平军明伟强勇德忠志海新林春生福文武红卫兵国庆利荣贵清富"
_MALE_YOUNGER = "浩宇涛磊鹏斌杰俊辉峰波超亮洋帅凯博文轩晨阳鑫松健锋飞剑"
_FEMALE_OLDER = "秀英兰芳桂珍凤华玉梅红莲翠娥淑琴丽霞美春艳金云素"
_FEMALE_YOUNGER = "静婷丽娟敏燕霞洁琳颖雪倩慧佳欣怡璐瑶蓉莉萍晶丹"
_MIDDLE_MALE = "志建国立永光小文家子明海德新晓红春宏"
_MIDDLE_FEMALE = "小晓秀丽美玉春雪慧文海红金淑"

ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("汉族", 955),
    ("苗族", 12),
    ("瑶族", 10),
    ("土家族", 13),
    ("侗族", 6),
    ("回族", 4),
)

PARTIES_CITY: tuple[tuple[str, int], ...] = (
    ("中共党员", 68),
    ("群众", 16),
    ("无党派人士", 4),
    ("民盟盟员", 3),
    ("民进会员", 3),
    ("农工党党员", 2),
    ("九三学社社员", 2),
    ("致公党党员", 1),
    ("共青团员", 1),
)
PARTIES_TOWNSHIP: tuple[tuple[str, int], ...] = (
    ("中共党员", 62),
    ("群众", 33),
    ("共青团员", 3),
    ("无党派人士", 2),
)
EDUCATION: tuple[tuple[str, int], ...] = (
    ("研究生", 6),
    ("大学本科", 38),
    ("大专", 26),
    ("高中（中专）", 20),
    ("初中", 10),
)

# Mobile number prefixes of the three operators as seen in Hunan.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "M" or "F", as in Deputy.Gender
    birth_date: dt.date
    id_number: str
    mobile: str
    ethnicity: str
    education: str


def weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class PeopleFactory:
    """Makes distinct people: no two share a name, an ID number or a mobile number."""

    def __init__(self, seed: int, *, address_code: str = "431381") -> None:
        if len(address_code) != 6 or not address_code.isdigit():
            raise ValueError("address_code must be a 6-digit GB/T 2260 code")
        self.rng = random.Random(seed)
        self.address_code = address_code
        self._names: set[str] = set()
        self._ids: set[str] = set()
        self._mobiles: set[str] = set()

    def name(self, gender: str, birth_year: int) -> str:
        younger = birth_year >= 1975
        if gender == "M":
            pool, middle = (_MALE_YOUNGER if younger else _MALE_OLDER), _MIDDLE_MALE
        else:
            pool, middle = (_FEMALE_YOUNGER if younger else _FEMALE_OLDER), _MIDDLE_FEMALE
        for _ in range(200):
            surname = weighted(self.rng, SURNAMES)
            # About one in five people of the younger generation has a one-character given name.
            if younger and self.rng.random() < 0.2:
                given = self.rng.choice(pool)
            else:
                given = self.rng.choice(middle) + self.rng.choice(pool)
            if given[0] == given[-1] and len(given) == 2 and self.rng.random() < 0.8:
                continue  # 叠字 names are rarer than chance makes them
            name = surname + given
            if name not in self._names:
                self._names.add(name)
                return name
        raise RuntimeError("ran out of distinct names")

    def id_number(self, gender: str, birth_date: dt.date) -> str:
        """GB 11643: address code, birth date, a 3-digit sequence (odd for men), check digit."""
        for _ in range(1000):
            sequence = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{self.address_code}{birth_date:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number
        raise RuntimeError("ran out of distinct ID numbers")

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def birth_date(self, first_year: int, last_year: int) -> dt.date:
        start = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def person(
        self, *, female_share: float = 0.3, first_year: int = 1955, last_year: int = 1995
    ) -> Person:
        gender = "F" if self.rng.random() < female_share else "M"
        birth_date = self.birth_date(first_year, last_year)
        return Person(
            name=self.name(gender, birth_date.year),
            gender=gender,
            birth_date=birth_date,
            id_number=self.id_number(gender, birth_date),
            mobile=self.mobile(),
            ethnicity=weighted(self.rng, ETHNICITIES),
            education=weighted(self.rng, EDUCATION),
        )
