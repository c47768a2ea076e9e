"""The rules of meetings as data: the kinds of meeting, who their members are, and the quorum
rules (docs/architecture.md §4.4). The quorum of every kind is more than half of all members
(地方组织法: 常委会会议、人民代表大会会议须有全体组成人员/代表过半数出席方能举行); a kind's
rule is stored on each meeting, so a later change of rule leaves past meetings as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    CONGRESS = "congress", "人民代表大会会议"
    STANDING = "standing", "常委会会议"
    CHAIRPERSONS = "chairpersons", "主任会议"


class Quorum(models.TextChoices):
    MAJORITY = "majority", "全体组成人员过半数"
    TWO_THIRDS = "two_thirds", "全体组成人员三分之二以上"


@dataclass(frozen=True)
class QuorumRule:
    """Present members must be MORE than `numerator/denominator` of all members
    (`strict`), or at least that share (not strict)."""

    numerator: int
    denominator: int
    strict: bool

    def needed(self, total: int) -> int:
        """The smallest number present that meets the rule."""
        share, rest = divmod(total * self.numerator, self.denominator)
        if self.strict:
            return share + 1
        return share + (1 if rest else 0)


QUORUM_RULES: dict[str, QuorumRule] = {
    Quorum.MAJORITY: QuorumRule(1, 2, strict=True),
    Quorum.TWO_THIRDS: QuorumRule(2, 3, strict=False),
}


@dataclass(frozen=True)
class KindRule:
    quorum: str
    # Who must attend (出席): "deputies" = every serving deputy of the term; "standing" = the
    # standing committee's members on the meeting day; "chairs" = its 主任、副主任、秘书长.
    members: str
    city_only: bool  # township congresses have no standing committee
    checkin_before: dt.timedelta = dt.timedelta(minutes=60)
    checkin_after: dt.timedelta = dt.timedelta(minutes=30)


KIND_RULES: dict[str, KindRule] = {
    Kind.CONGRESS: KindRule(Quorum.MAJORITY, "deputies", city_only=False),
    Kind.STANDING: KindRule(Quorum.MAJORITY, "standing", city_only=True),
    Kind.CHAIRPERSONS: KindRule(Quorum.MAJORITY, "chairs", city_only=True),
}

# The standing-committee roles that sit on the 主任会议 (地方组织法: 主任、副主任和秘书长).
CHAIR_ROLES = ("主任", "副主任", "秘书长")

# A venue check-in code is shown for CODE_ROTATE_SECONDS and accepted for CODE_TTL_SECONDS
# after it was made (a member who scanned just before it changed still gets in).
CODE_ROTATE_SECONDS = 300
CODE_TTL_SECONDS = 600
