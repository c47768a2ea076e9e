"""Similar earlier items for triage (并案), by character bigrams.

Chinese has no spaces, and no segmenter (jieba) is installed. Overlapping two-character
shingles are the standard segmentation-free substitute: "老旧小区改造" → 老旧 旧小 小区 区改 改造,
so two texts about the same street, school or road share many shingles whatever words a
segmenter would have cut. Runs of Latin letters or digits count as one token each.

Similarity is the Dice coefficient 2·|A∩B| / (|A|+|B|) of the two shingle sets: 1.0 for the
same text, about 0.3 or more for the same matter in other words. It is computed in Python
from the shingles stored on each item at submission, so it gives the same answer on SQLite
and PostgreSQL and is easy to explain to staff ("这两件有 62% 的词语相同").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CJK = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"[a-z0-9]+")
# Shingles every suggestion shares: they say nothing about the matter.
STOP = frozenset(
    [
        "建议",
        "关于",
        "问题",
        "加强",
        "进一步",
        "一步",
        "的问",
        "题的",
        "希望",
        "有关",
        "部门",
        "相关",
        "进行",
        "我市",
        "市的",
        "以及",
        "目前",
        "存在",
        "工作",
        "解决",
        "尽快",
        "加快",
        "提高",
        "推进",
        "情况",
        "群众",
        "代表",
        "请求",
        "要求",
        "应当",
        "没有",
        "不能",
        "一些",
        "这个",
        "我们",
        "他们",
        "由于",
        "因为",
        "所以",
        "但是",
        "同时",
        "已经",
        "还是",
        "可以",
    ]
)
MAX_CONTENT = 1500  # characters of the content taken into account
DEFAULT_THRESHOLD = 0.25


def shingle_set(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", text or "").lower()
    grams: set[str] = set()
    for run in CJK.findall(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(w for w in WORD.findall(text) if len(w) > 1)
    return grams - STOP


def shingles_for(title: str, content: str) -> str:
    """What `Suggestion.shingles` stores: the sorted set, space separated."""
    return " ".join(sorted(shingle_set(f"{title} {title} {content[:MAX_CONTENT]}")))


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class Match:
    item: Any
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def rank(
    target: str, candidates: Iterable[Any], *, limit: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """`candidates` are objects with a `shingles` string; best first, at most `limit`."""
    wanted = set(target.split())
    found = []
    for item in candidates:
        score = dice(wanted, set(item.shingles.split()))
        if score >= threshold:
            found.append(Match(item, score))
    found.sort(key=lambda m: (-m.score, -m.item.pk))
    return found[:limit]
