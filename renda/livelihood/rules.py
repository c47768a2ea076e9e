"""The counting rules of a 票决 as data, and the count itself as pure functions
(../shared/reference/civic.md §4.4): who the pass base is, the quorum to open, what makes a
ballot void, who passes, who is chosen, and when the tied go to a re-vote.

A candidate passes with 赞成 MORE than half of the base (strict: exactly half does not pass);
the passing candidates are ranked by 赞成 and the top `seats` are chosen; candidates tied on
赞成 across the cut-off go to a re-vote among themselves for the seats that are left; fewer
passing than seats is reported for the presidium (另行选举 is its decision, not ours).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from django.conf import settings
from django.db import models


class PassBase(models.TextChoices):
    ALL = "all", "全体代表"
    PRESENT = "present", "出席（已签到）代表"
    VALID = "valid", "有效票"


class VoteKind(models.TextChoices):
    """What a vote decides: 票决 chooses projects from a candidate list; 满意度测评 grades
    the chosen projects after the year (civic.md §4.6). Both use the same secret ballot box
    (participation and ballot apart, trackers, hash chain, frozen rounds)."""

    SELECTION = "selection", "票决"
    SATISFACTION = "satisfaction", "满意度测评"


class Choice(models.TextChoices):
    YES = "yes", "赞成"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


CHOICES = tuple(Choice.values)


class SatisfactionChoice(models.TextChoices):
    """The marks of a 测评票, and the grade a project gets from them."""

    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


# An item left unmarked on a 测评票 is stored as 弃权 ("abstain"): the voter counts in the
# base, the item gets neither 满意 nor 基本满意 from them.
SATISFACTION_MARKS = (*SatisfactionChoice.values, str(Choice.ABSTAIN.value))


def marks_of(kind: str) -> tuple[str, ...]:
    return SATISFACTION_MARKS if kind == VoteKind.SATISFACTION else CHOICES


def normalise(
    marks: dict[int, str], candidate_ids: list[int], kind: str = VoteKind.SELECTION
) -> dict[int, str]:
    """Every candidate of the round gets a mark; an unmarked one (or a mark that is not one of
    the kind's marks) is 弃权, as a paper ballot with no mark is."""
    allowed = marks_of(kind)
    return {cid: _mark(marks.get(cid), allowed) for cid in candidate_ids}


def _mark(value: str | None, allowed: tuple[str, ...] = CHOICES) -> str:
    return value if value is not None and value in allowed else str(Choice.ABSTAIN.value)


def pack(marks: dict[int, str], candidate_ids: list[int], kind: str = VoteKind.SELECTION) -> str:
    """A normalised ballot as one character per candidate, in the round's order: the digit
    is the mark's place among the kind's marks. What the open ballot box keeps (a few bytes a
    ballot instead of its canonical text: the box row is rewritten by every cast)."""
    allowed = marks_of(kind)
    return "".join(str(allowed.index(marks[cid])) for cid in candidate_ids)


def unpack(packed: str, candidate_ids: list[int], kind: str = VoteKind.SELECTION) -> dict[int, str]:
    allowed = marks_of(kind)
    if len(packed) != len(candidate_ids):
        raise ValueError("packed ballot does not fit the round's candidates")
    return {cid: allowed[int(digit)] for cid, digit in zip(candidate_ids, packed, strict=True)}


def is_valid(marks: dict[int, str], seats: int, kind: str = VoteKind.SELECTION) -> bool:
    """More 赞成 than seats makes a 票决 ballot void (废票); equal or fewer is valid. A 测评票
    has no such limit: every project may be 满意, so every ballot is valid."""
    if kind == VoteKind.SATISFACTION:
        return True
    return sum(1 for m in marks.values() if m == Choice.YES) <= seats


@dataclass(frozen=True)
class Tally:
    candidate_id: int
    yes: int = 0
    no: int = 0
    abstain: int = 0


def tally(ballots: list[tuple[dict[int, str], bool]], candidate_ids: list[int]) -> list[Tally]:
    """Counts per candidate over the VALID ballots only: a void ballot counts for nobody."""
    counts = {cid: dict.fromkeys(CHOICES, 0) for cid in candidate_ids}
    for marks, valid in ballots:
        if not valid:
            continue
        for cid in candidate_ids:
            counts[cid][marks.get(cid, Choice.ABSTAIN)] += 1
    return [Tally(cid, c["yes"], c["no"], c["abstain"]) for cid, c in counts.items()]


@dataclass(frozen=True)
class Decision:
    base: int
    needed: int  # the fewest 赞成 that pass (more than half of the base)
    passing: list[int]  # in rank order
    chosen: list[int]
    tied: list[int] = field(default_factory=list)  # go to a re-vote among themselves
    revote_seats: int = 0
    shortfall: int = 0  # seats left empty for the presidium to decide


def passes(yes: int, base: int) -> bool:
    return yes * 2 > base


def decide(tallies: list[Tally], *, seats: int, base: int) -> Decision:
    """Rank by 赞成 (ties keep the candidate order, which only matters for display)."""
    needed = base // 2 + 1
    ranked = sorted((t for t in tallies if passes(t.yes, base)), key=lambda t: -t.yes)
    passing = [t.candidate_id for t in ranked]
    if len(ranked) <= seats:
        return Decision(base, needed, passing, passing, shortfall=seats - len(ranked))
    cut = ranked[seats - 1].yes
    if ranked[seats].yes != cut:
        return Decision(base, needed, passing, passing[:seats])
    above = [t.candidate_id for t in ranked if t.yes > cut]
    tied = [t.candidate_id for t in ranked if t.yes == cut]
    return Decision(base, needed, passing, above, tied=tied, revote_seats=seats - len(above))


# --- 满意度测评 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionTally:
    candidate_id: int
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0
    abstain: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            SatisfactionChoice.SATISFIED: self.satisfied,
            SatisfactionChoice.BASIC: self.basic,
            SatisfactionChoice.DISSATISFIED: self.dissatisfied,
        }


def satisfaction_tally(
    ballots: list[tuple[dict[int, str], bool]], candidate_ids: list[int]
) -> list[SatisfactionTally]:
    """Counts per project over the valid ballots (a 测评票 is always valid; the flag is kept so
    that a ballot marked invalid by tampering still counts for nobody)."""
    counts = {cid: dict.fromkeys(SATISFACTION_MARKS, 0) for cid in candidate_ids}
    for marks, valid in ballots:
        if not valid:
            continue
        for cid in candidate_ids:
            counts[cid][_mark(marks.get(cid), SATISFACTION_MARKS)] += 1
    return [
        SatisfactionTally(cid, c["satisfied"], c["basic"], c["dissatisfied"], c["abstain"])
        for cid, c in counts.items()
    ]


def satisfaction_result(counts: Mapping[str, int], voters: int) -> str:
    """The grade of one project (civic.md §4.6, 镇海 rule), with STRICT "more than half":

    - 满意 if 满意 > half of all voters;
    - else 基本满意 if 满意 + 基本满意 > half of all voters;
    - else 不满意 (满意 + 基本满意 ≤ half: exactly half is 不满意, "不足半数的(含半数)").

    `voters` is the base "all voters" (全体参加测评人员). By default (the vote's pass base
    有效票, see services/satisfaction.py) it is the number of valid ballots cast: everyone who
    returned a 测评票, including those who left this project unmarked (they count in the base
    but for neither 满意 nor 基本满意) — in 镇海's published table 满意 + 基本满意 + 不满意 per
    project equals the members who voted. A vote may set the base to the members checked in
    when voting opened (出席) or to all members instead, as the county's 测评办法 says; the
    roster is never the default, since a member who is present but does not vote is no voter.
    Zero voters gives 不满意 (0 is not more than half of 0)."""
    satisfied = counts.get(SatisfactionChoice.SATISFIED, 0)
    basic = counts.get(SatisfactionChoice.BASIC, 0)
    if satisfied * 2 > voters:
        return str(SatisfactionChoice.SATISFIED.value)
    if (satisfied + basic) * 2 > voters:
        return str(SatisfactionChoice.BASIC.value)
    return str(SatisfactionChoice.DISSATISFIED.value)


def satisfaction_rate(counts: Mapping[str, int], voters: int) -> float | None:
    """满意+基本满意率 = (满意 + 基本满意) / voters, the aggregate the reports publish."""
    if voters <= 0:
        return None
    ok = counts.get(SatisfactionChoice.SATISFIED, 0) + counts.get(SatisfactionChoice.BASIC, 0)
    return ok / voters


@dataclass(frozen=True)
class SatisfactionRules:
    """Settings of the 测评 that differ by county, each overridable as ``LIVELIHOOD_<NAME>``:
    the working days a lead unit has to rectify a project graded 不满意 (整改期限)."""

    rectification_workdays: int = 60


def satisfaction_rules() -> SatisfactionRules:
    overrides = {
        f.name: getattr(settings, f"LIVELIHOOD_{f.name.upper()}")
        for f in fields(SatisfactionRules)
        if hasattr(settings, f"LIVELIHOOD_{f.name.upper()}")
    }
    return SatisfactionRules(**overrides)


@dataclass(frozen=True)
class CollectionRules:
    """Collection and screening settings that differ from county to county; each can be
    overridden in settings as ``LIVELIHOOD_<NAME>`` (read at call time, so tests can use
    ``override_settings``). The public form's limits are the opinion form's (stations)."""

    # 差额: candidates = seats + extra; N + 2 is the usual county practice (civic.md §4.3).
    extra_candidates: int = 2
    min_description_chars: int = 10
    max_description_chars: int = 2000
    max_title_chars: int = 100
    # Per-client limits on the public pages (count per window in seconds).
    submit_limit: int = 5
    submit_window: int = 600
    track_limit: int = 30
    track_window: int = 600


def collection_rules() -> CollectionRules:
    overrides = {
        f.name: getattr(settings, f"LIVELIHOOD_{f.name.upper()}")
        for f in fields(CollectionRules)
        if hasattr(settings, f"LIVELIHOOD_{f.name.upper()}")
    }
    return CollectionRules(**overrides)
