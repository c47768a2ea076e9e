"""The counting rules of a 票决 as data, and the count itself as pure functions
(../shared/reference/civic.md §4.4): who the pass base is, the quorum to open, what makes a
ballot void, who passes, who is chosen, and when the tied go to a re-vote.

A candidate passes with 赞成 MORE than half of the base (strict: exactly half does not pass);
the passing candidates are ranked by 赞成 and the top `seats` are chosen; candidates tied on
赞成 across the cut-off go to a re-vote among themselves for the seats that are left; fewer
passing than seats is reported for the presidium (另行选举 is its decision, not ours).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.conf import settings
from django.db import models


class PassBase(models.TextChoices):
    ALL = "all", "全体代表"
    PRESENT = "present", "出席（已签到）代表"
    VALID = "valid", "有效票"


class Choice(models.TextChoices):
    YES = "yes", "赞成"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


CHOICES = tuple(Choice.values)


def normalise(marks: dict[int, str], candidate_ids: list[int]) -> dict[int, str]:
    """Every candidate of the round gets a mark; an unmarked one (or a mark that is not one of
    the three) is 弃权, as a paper ballot with no mark is."""
    return {cid: _mark(marks.get(cid)) for cid in candidate_ids}


def _mark(value: str | None) -> str:
    return value if value is not None and value in CHOICES else str(Choice.ABSTAIN.value)


def is_valid(marks: dict[int, str], seats: int) -> bool:
    """More 赞成 than seats makes the ballot void (废票); equal or fewer is valid."""
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
