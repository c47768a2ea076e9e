"""Projects and the candidate list (候选项目名单) the presidium confirms. Collection and
screening (issue 17 items 1–2) will create projects through `create_project`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renda.core import audit
from renda.core.models import Organization, Region
from renda.meetings.models import Meeting
from renda.meetings.rules import Kind

from ..models import Candidate, CandidateList, Project, Round
from ..permissions import require_manager

FROZEN = "票决已开始，候选项目、应选数和计票规则不能再修改。"


def _by(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def create_project(
    *,
    actor: Any,
    title: str,
    level: str,
    region: Region,
    year: int,
    estimated_cost: Decimal,
    lead_unit: Organization,
    summary: str = "",
) -> Project:
    require_manager(actor)
    project = Project(
        title=title.strip(),
        level=level,
        region=region,
        year=year,
        estimated_cost=estimated_cost,
        lead_unit=lead_unit,
        summary=summary.strip(),
        created_by=_by(actor),
    )
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="livelihood.project_create", target=project)
    return project


def is_frozen(candidate_list: CandidateList) -> bool:
    """Once any round of its vote has opened, the list and the rules are frozen."""
    return Round.objects.filter(vote__candidate_list=candidate_list, manifest_hash__gt="").exists()


def _editable(candidate_list: CandidateList) -> CandidateList:
    locked = CandidateList.objects.select_for_update().get(pk=candidate_list.pk)
    if is_frozen(locked):
        raise ValidationError(FROZEN)
    if locked.confirmed_at is not None:
        raise ValidationError("主席团已确认候选项目名单，不能再修改。")
    return locked


@transaction.atomic
def create_candidate_list(*, actor: Any, meeting: Meeting, title: str, seats: int) -> CandidateList:
    require_manager(actor)
    if meeting.kind != Kind.CONGRESS:
        raise ValidationError({"meeting": "民生实事项目由人民代表大会会议票决。"})
    if seats < 1:
        raise ValidationError({"seats": "应选数至少为 1。"})
    row = CandidateList(meeting=meeting, title=title.strip(), seats=seats, created_by=_by(actor))
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="livelihood.list_create", target=row, details={"seats": seats})
    return row


@transaction.atomic
def add_candidate(*, actor: Any, candidate_list: CandidateList, project: Project) -> Candidate:
    require_manager(actor)
    locked = _editable(candidate_list)
    if locked.candidates.filter(project=project).exists():
        raise ValidationError({"project": f"“{project.title}”已在候选名单中。"})
    last = locked.candidates.aggregate(m=Max("order"))["m"] or 0
    row = Candidate(candidate_list=locked, project=project, order=last + 1)
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action="livelihood.candidate_add",
        target=locked,
        details={"project": project.pk},
    )
    return row


@transaction.atomic
def remove_candidate(*, actor: Any, candidate: Candidate) -> None:
    require_manager(actor)
    locked = _editable(candidate.candidate_list)
    project = candidate.project_id
    Candidate.objects.filter(pk=candidate.pk).delete()
    audit.record(
        actor=actor,
        action="livelihood.candidate_remove",
        target=locked,
        details={"project": project},
    )


@transaction.atomic
def set_seats(*, actor: Any, candidate_list: CandidateList, seats: int) -> CandidateList:
    require_manager(actor)
    locked = _editable(candidate_list)
    if seats < 1:
        raise ValidationError({"seats": "应选数至少为 1。"})
    locked.seats = seats
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor, action="livelihood.list_seats", target=locked, details={"seats": seats}
    )
    return locked


@transaction.atomic
def confirm_candidate_list(
    *, actor: Any, candidate_list: CandidateList, decision: str
) -> CandidateList:
    """主席团确认: the list needs more candidates than seats (差额票决); the decision (e.g.
    “主席团第二次会议通过”) is recorded with who entered it and when."""
    require_manager(actor)
    locked = _editable(candidate_list)
    count = locked.candidates.count()
    if count <= locked.seats:
        raise ValidationError(
            f"差额票决：候选项目须多于应选数（应选 {locked.seats} 个，现有 {count} 个）。"
        )
    if not decision.strip():
        raise ValidationError({"decision": "请填写主席团的决定，如“主席团第二次会议通过”。"})
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = _by(actor)
    locked.decision = decision.strip()[:200]
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="livelihood.list_confirm",
        target=locked,
        details={"candidates": count, "seats": locked.seats, "decision": locked.decision},
    )
    return locked
