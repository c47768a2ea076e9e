"""满意度测评 (civic.md §4.6): the year-end satisfaction vote on the chosen projects, by the
standing committee (a 常委会会议, its members checked in) or by all deputies at the next
congress session, in secret, with the 票决's own machinery: a `Vote` of kind satisfaction with
rounds, a frozen manifest and roster, participation and ballot apart, trackers and the hash
chain (services/votes.py, casting.py, counting.py). Only the marks and the count differ:

- each project gets 满意 / 基本满意 / 不满意 (unmarked = 弃权, counted in the base);
- the grade is rules.satisfaction_result(counts, voters) with strict "more than half";
- "voters" is the vote's pass base, 有效票 by default: every valid 测评票 returned (a 测评票
  is always valid), i.e. everyone who took part, not the roster of those checked in.

A project graded 不满意 opens a `Rectification` (整改) for its lead unit with a deadline in
working days (rules.satisfaction_rules); the unit reports; a later satisfaction vote on the
project is its re-evaluation (再测评), linked both ways, and its count closes it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit, calendar, notifications
from renda.core.roles import Role
from renda.core.sources import Source
from renda.livelihood.permissions import can_reply_rectification as can_reply
from renda.meetings import services as meeting_services
from renda.meetings.models import AgendaItem, Meeting

from .. import rules
from ..models import (
    Ballot,
    Candidate,
    CandidateList,
    Project,
    Rectification,
    Round,
    SatisfactionPaperTally,
    Vote,
)
from ..permissions import require_manager
from ..rules import PassBase, SatisfactionChoice, VoteKind
from .candidates import _by

EVALUATING_MEETINGS = (Meeting.Kind.CONGRESS, Meeting.Kind.STANDING)


def chosen_of(vote: Vote) -> list[Project]:
    """The projects a fully counted 票决 chose, in the order they were chosen."""
    if vote.kind != VoteKind.SELECTION:
        raise ValidationError("只能对票决选出的项目进行满意度测评。")
    rounds = list(vote.rounds.order_by("number"))
    if not rounds or any(r.state != Round.State.COUNTED for r in rounds):
        raise ValidationError("这项票决尚未全部计票，不能测评其项目。")
    ids: list[int] = []
    for r in rounds:
        ids += (r.result or {}).get("chosen", [])
    by_id = {
        c.pk: c.project for c in Candidate.objects.filter(pk__in=ids).select_related("project")
    }
    return [by_id[i] for i in ids]


@transaction.atomic
def create_satisfaction_vote(
    *,
    actor: Any,
    meeting: Meeting,
    evaluates: Vote | None = None,
    projects: list[Project] | None = None,
    title: str = "",
) -> Vote:
    """满意度测评 of `projects` (by default every project `evaluates` chose) at `meeting`, put
    on its agenda with its first round waiting to be opened. Rectifications of these projects
    whose unit has reported are linked to it as their re-evaluation."""
    require_manager(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.kind not in EVALUATING_MEETINGS:
        raise ValidationError("满意度测评由常委会会议或人民代表大会会议进行。")
    if meeting.state in ("closed", "cancelled"):
        raise ValidationError("这次会议已经结束，不能再安排测评。")
    chosen = chosen_of(evaluates) if evaluates is not None else []
    items = list(projects) if projects is not None else chosen
    if evaluates is not None and projects is not None:
        outside = [p.title for p in items if p not in chosen]
        if outside:
            raise ValidationError(f"这些项目不是该票决选出的项目：{'、'.join(outside)}。")
    if not items:
        raise ValidationError("请选择要测评的项目。")
    if len({p.pk for p in items}) != len(items):
        raise ValidationError("同一项目不能重复测评。")
    year = max(p.year for p in items)
    name = (title.strip() or f"{year}年度民生实事项目满意度测评")[:200]
    now = timezone.now()
    lst = CandidateList(
        meeting=meeting,
        title=f"{name}项目",
        seats=len(items),
        confirmed_at=now,
        confirmed_by=_by(actor),
        decision="测评项目由票决结果确定" if evaluates is not None else "整改项目再测评",
        created_by=_by(actor),
    )
    lst.full_clean()
    lst.save()
    Candidate.objects.bulk_create(
        [Candidate(candidate_list=lst, project=p, order=i) for i, p in enumerate(items, 1)]
    )
    vote = Vote(
        kind=VoteKind.SATISFACTION,
        evaluates=evaluates,
        candidate_list=lst,
        meeting=meeting,
        title=name,
        seats=len(items),
        pass_base=PassBase.VALID,
        quorum=meeting.quorum,
        created_by=_by(actor),
    )
    vote.full_clean()
    vote.save()
    vote.agenda_item = meeting_services.put_on_agenda(
        actor=actor,
        meeting=meeting,
        title=vote.title,
        source=Source(vote, f"民生实事满意度测评：{vote.title}", f"/livelihood/votes/{vote.pk}/"),
        kind=AgendaItem.Kind.VOTE,
    )
    vote.save(update_fields=["agenda_item"])
    Round.objects.create(
        vote=vote,
        number=1,
        seats=len(items),
        candidate_ids=list(lst.candidates.order_by("order").values_list("pk", flat=True)),
    )
    linked = list(
        Rectification.objects.select_for_update().filter(
            project__in=items, state=Rectification.State.REPLIED
        )
    )
    for r in linked:
        r.state, r.reevaluation = Rectification.State.REEVALUATING, vote
        r.save(update_fields=["state", "reevaluation", "updated_at"])
    audit.record(
        actor=actor,
        action="livelihood.satisfaction_create",
        target=vote,
        details={
            "meeting": meeting.pk,
            "evaluates": evaluates.pk if evaluates else None,
            "projects": [p.pk for p in items],
            "reevaluates": [r.pk for r in linked],
        },
    )
    return vote


def electronic_ballots(round_: Round) -> list[tuple[dict[int, str], bool]]:
    """The sealed electronic 测评票 of a round, as (marks, valid) pairs."""
    return [
        ({int(k): v for k, v in json.loads(c).items()}, v)
        for c, v in Ballot.objects.filter(round=round_).values_list("choices", "valid")
    ]


def compute_satisfaction_result(round_: Round, ballots: list[tuple[dict[int, str], bool]]) -> Any:
    """The stored result of a sealed satisfaction round (a pure read; counting.compute_result
    calls it with the round's electronic ballots). A paper count entered for the round
    (services/paper.py) is added: its ballots count as returned, its valid ones in the base,
    its marks per project, its unmarked as 弃权; the grade is taken on the combined count."""
    from .votes import _base

    ids = [int(i) for i in round_.candidate_ids]
    roster = round_.roster_size or 0
    tallies = {t.candidate_id: t for t in rules.satisfaction_tally(ballots, ids)}
    electronic_cast = len(ballots)
    electronic_valid = sum(1 for _, v in ballots if v)
    paper = SatisfactionPaperTally.objects.filter(round=round_).first()
    marks: dict[int, tuple[int, int, int]] = {}
    if paper is not None:
        marks = {c.candidate_id: (c.satisfied, c.basic, c.dissatisfied) for c in paper.counts.all()}
    paper_cast = paper.returned if paper else 0
    paper_valid = paper.valid if paper else 0
    cast = electronic_cast + paper_cast
    valid = electronic_valid + paper_valid
    base = _base(round_, valid)
    void = cast > roster
    rows = []
    for cid in ids:
        t = tallies[cid]
        s, b, d = marks.get(cid, (0, 0, 0))
        counts: dict[str, int] = {
            SatisfactionChoice.SATISFIED: t.satisfied + s,
            SatisfactionChoice.BASIC: t.basic + b,
            SatisfactionChoice.DISSATISFIED: t.dissatisfied + d,
        }
        rows.append(
            {
                "candidate": cid,
                "satisfied": counts[SatisfactionChoice.SATISFIED],
                "basic": counts[SatisfactionChoice.BASIC],
                "dissatisfied": counts[SatisfactionChoice.DISSATISFIED],
                "abstain": t.abstain + (paper_valid - s - b - d if paper else 0),
                "grade": "" if void else rules.satisfaction_result(counts, base),
            }
        )
    return {
        "kind": VoteKind.SATISFACTION.value,
        "ballots": cast,
        "valid": valid,
        "invalid": cast - valid,
        "roster": roster,
        "members_total": round_.members_total,
        "void": void,
        "base": base,
        "needed": base // 2 + 1,
        "tallies": rows,
        "electronic": {"ballots": electronic_cast, "valid": electronic_valid},
        "paper": (
            {
                "issued": paper.issued,
                "returned": paper.returned,
                "invalid": paper.invalid,
                "valid": paper_valid,
            }
            if paper
            else None
        ),
        # A satisfaction vote chooses nothing and never goes to a re-vote of the tied.
        "chosen": [],
        "tied": [],
        "revote_seats": 0,
        "shortfall": 0,
    }


def satisfaction_outcome_text(round_: Round, result: dict[str, Any]) -> str:
    names = dict(
        Candidate.objects.filter(pk__in=round_.candidate_ids).values_list("pk", "project__title")
    )
    if result["void"]:
        return f"收回票数 {result['ballots']} 张多于发出票数 {result['roster']} 张，本轮测评无效，须重新测评。"
    labels = dict(SatisfactionChoice.choices)
    parts = [f"{names[t['candidate']]}：{labels[t['grade']]}" for t in result["tallies"]]
    paper = result.get("paper")
    how = (
        f"（电子票 {result['electronic']['ballots']} 张，纸质票 {paper['returned']} 张）"
        if paper
        else ""
    )
    return (
        f"满意度测评：发出 {result['roster']} 张，收回 {result['ballots']} 张{how}；"
        + "；".join(parts)
        + "。"
    )


def deadline_from(day: dt.date) -> dt.date:
    return calendar.add_workdays(day, rules.satisfaction_rules().rectification_workdays)


def after_count(*, actor: Any, round_: Round, result: dict[str, Any]) -> list[Rectification]:
    """Called by count_round inside its transaction: close the rectifications this vote
    re-evaluated with their project's new grade, and open one for every project graded
    不满意 (linked to the one it follows, if any). Returns the rectifications opened."""
    if result["void"]:
        return []
    vote = round_.vote
    grades = {t["candidate"]: t for t in result["tallies"]}
    candidates = {
        c.pk: c
        for c in Candidate.objects.filter(pk__in=round_.candidate_ids).select_related("project")
    }
    by_project = {candidates[cid].project_id: row for cid, row in grades.items()}
    now = timezone.now()
    previous: dict[int, Rectification] = {}
    for r in Rectification.objects.select_for_update().filter(
        reevaluation=vote, state=Rectification.State.REEVALUATING
    ):
        r.outcome = by_project[r.project_id]["grade"]
        r.state, r.closed_at = Rectification.State.CLOSED, now
        r.save(update_fields=["outcome", "state", "closed_at", "updated_at"])
        previous[r.project_id] = r
    opened = []
    deadline = deadline_from(timezone.localdate(now))
    for cid in round_.candidate_ids:
        row = grades[int(cid)]
        if row["grade"] != SatisfactionChoice.DISSATISFIED:
            continue
        project = candidates[int(cid)].project
        rect = Rectification(
            project=project,
            vote=vote,
            lead_unit_id=project.lead_unit_id,
            previous=previous.get(project.pk),
            tally={k: row[k] for k in ("satisfied", "basic", "dissatisfied", "abstain")}
            | {"voters": result["base"]},
            deadline=deadline,
        )
        rect.full_clean()
        rect.save()
        opened.append(rect)
        audit.record(
            actor=actor,
            action="livelihood.rectification_open",
            target=rect,
            details={"vote": vote.pk, "project": project.pk, "deadline": deadline.isoformat()},
        )
        notifications.notify(
            actor=actor,
            recipients=User.objects.filter(
                role=Role.HANDLING_OFFICER, organization_id=project.lead_unit_id, is_active=True
            ),
            title=f"民生实事项目“{project.title}”满意度测评为不满意，请于{deadline:%Y年%m月%d日}前整改",
            body="请落实整改并报送整改情况，常委会将组织再测评。",
            url=reverse("livelihood:rectification_detail", args=[rect.pk]),
        )
    return opened


@transaction.atomic
def reply_rectification(*, actor: Any, rectification: Rectification, reply: str) -> Rectification:
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if not can_reply(actor, locked):
        raise PermissionDenied("只有整改单位可以报送整改情况。")
    if locked.state not in (Rectification.State.OPEN, Rectification.State.REPLIED):
        raise ValidationError("已安排再测评，不能再修改整改情况报告。")
    text = reply.strip()
    if len(text) < 10:
        raise ValidationError({"reply": "请写明整改措施和完成情况（至少10个字）。"})
    locked.reply = text[:5000]
    locked.replied_at = timezone.now()
    locked.replied_by = _by(actor)
    locked.state = Rectification.State.REPLIED
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="livelihood.rectification_reply",
        target=locked,
        details={"late": timezone.localdate(locked.replied_at) > locked.deadline},
    )
    return locked


@transaction.atomic
def set_rectification_deadline(
    *, actor: Any, rectification: Rectification, deadline: dt.date, reason: str
) -> Rectification:
    require_manager(actor)
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if locked.state != Rectification.State.OPEN:
        raise ValidationError("整改单位已报送整改情况，不能再改期限。")
    if not reason.strip():
        raise ValidationError({"reason": "请写明调整期限的理由。"})
    old = locked.deadline
    locked.deadline = deadline
    locked.save(update_fields=["deadline", "updated_at"])
    audit.record(
        actor=actor,
        action="livelihood.rectification_deadline",
        target=locked,
        details={"from": old.isoformat(), "to": deadline.isoformat(), "reason": reason.strip()},
    )
    return locked


def reevaluate(*, actor: Any, rectification: Rectification, meeting: Meeting) -> Vote:
    """再测评: a satisfaction vote on the rectified project alone, at `meeting`."""
    if rectification.state != Rectification.State.REPLIED:
        raise ValidationError("整改单位报送整改情况后才能安排再测评。")
    project = rectification.project
    return create_satisfaction_vote(
        actor=actor,
        meeting=meeting,
        projects=[project],
        title=f"{project.title}整改情况再测评",
    )


def is_overdue(rect: Rectification, today: dt.date | None = None) -> bool:
    return (
        rect.state == Rectification.State.OPEN and (today or timezone.localdate()) > rect.deadline
    )


__all__ = [
    "after_count",
    "can_reply",
    "chosen_of",
    "compute_satisfaction_result",
    "create_satisfaction_vote",
    "electronic_ballots",
    "reevaluate",
    "reply_rectification",
    "satisfaction_outcome_text",
    "set_rectification_deadline",
]
