"""征集: the yearly call, proposals from the public (人大之家, no account), deputies (their
phones), departments, townships and village committees (entered by staff), conversions of a
constituent opinion or a deputy's suggestion (linked through core.sources: the proposal
names its source; the source finds the proposal with `targets_of`), merging duplicates, and
the reserve (储备库) carried into a later year's call.

The public submission is handled as the opinion form is (stations.services.intake): markup
stripped, lengths limited, a one-time form token (a double click makes one proposal), an
unguessable tracking code, contact optional and encrypted. The view rate-limits per address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from renda.core import audit
from renda.core.models import Region
from renda.core.sources import Source, link_source, targets_of
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy
from renda.lib.richtext import strip_markup
from renda.meetings.permissions import deputy_of
from renda.stations.models import Opinion
from renda.stations.services.intake import clean_contact, new_tracking_code
from renda.stations.services.suggestions import opinion_source
from renda.suggestions.models import Suggestion

from ..models import Call, Proposal, ProposerKind
from ..permissions import can_propose_as_deputy, require_manager
from ..rules import collection_rules

NOT_OPEN = "本次征集未开放或已截止，不能再提交项目建议。"


def _by(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- calls -------------------------------------------------------------------------------


@transaction.atomic
def create_call(
    *,
    actor: Any,
    year: int,
    level: str,
    region: Region,
    title: str,
    text: str,
    opens_on: dt.date,
    closes_on: dt.date,
) -> Call:
    require_manager(actor)
    if Call.objects.filter(year=year, level=level, region=region).exists():
        raise ValidationError({"year": f"{region.name}{year}年度的征集公告已经存在。"})
    call = Call(
        year=year,
        level=level,
        region=region,
        title=strip_markup(title).strip(),
        text=strip_markup(text).strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=_by(actor),
    )
    call.full_clean()
    call.save()
    audit.record(actor=actor, action="livelihood.call_create", target=call, details={"year": year})
    return call


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def publish_call(*, actor: Any, call: Call) -> Call:
    require_manager(actor)
    locked = _locked_call(call)
    if locked.state != Call.State.DRAFT:
        raise ValidationError("该征集公告已经发布。")
    locked.state = Call.State.OPEN
    locked.published_at = timezone.now()
    locked.save(update_fields=["state", "published_at", "updated_at"])
    audit.record(actor=actor, action="livelihood.call_publish", target=locked)
    return locked


@transaction.atomic
def close_call(*, actor: Any, call: Call) -> Call:
    require_manager(actor)
    locked = _locked_call(call)
    if locked.state != Call.State.OPEN:
        raise ValidationError("只有征集中的公告可以结束征集。")
    locked.state = Call.State.CLOSED
    locked.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, action="livelihood.call_close", target=locked)
    return locked


# --- proposals ---------------------------------------------------------------------------


def clean_title(text: str) -> str:
    title = strip_markup(text or "").strip()
    limit = collection_rules().max_title_chars
    if not title:
        raise ValidationError({"title": "请填写项目名称"})
    if len(title) > limit:
        raise ValidationError({"title": f"项目名称不能超过 {limit} 个字"})
    return title


def clean_description(text: str) -> str:
    r = collection_rules()
    body = strip_markup(text or "").strip()
    if len(body) < r.min_description_chars:
        raise ValidationError(
            {"description": f"请把项目内容和理由写清楚一些（至少 {r.min_description_chars} 个字）"}
        )
    if len(body) > r.max_description_chars:
        raise ValidationError(
            {"description": f"内容不能超过 {r.max_description_chars} 个字（现有 {len(body)} 字）"}
        )
    return body


def _new(
    *,
    actor: Any,
    call: Call,
    kind: str,
    title: str,
    description: str,
    place: str = "",
    township: Region | None = None,
    proposer_name: str = "",
    deputy: Deputy | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    form_token: str | None = None,
) -> Proposal:
    if kind not in ProposerKind.values:
        raise ValidationError({"proposer_kind": "请选择建议人类别"})
    name, phone = clean_contact(contact_name, contact_phone)
    proposal = Proposal(
        call=call,
        first_call=call,
        title=clean_title(title),
        description=clean_description(description),
        place=strip_markup(place or "").strip()[:200],
        township=township,
        proposer_kind=kind,
        proposer_name=strip_markup(proposer_name or "").strip()[:100],
        deputy=deputy,
        contact_name=name,
        contact_phone=phone,
        tracking_code=new_tracking_code(),
        form_token=form_token or None,
        created_by=_by(actor),
    )
    proposal.full_clean(exclude=["form_token"])
    return proposal


def _record(actor: Any, proposal: Proposal, how: str) -> None:
    audit.record(
        actor=actor,
        action="livelihood.proposal_submit",
        target=proposal,
        details={"call": proposal.call_id, "kind": proposal.proposer_kind, "via": how},
    )


@transaction.atomic
def submit_public_proposal(
    *,
    call: Call,
    title: str,
    description: str,
    place: str = "",
    township: Region | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    form_token: str | None = None,
) -> tuple[Proposal, bool]:
    """A member of the public proposes on 人大之家 (no account). Idempotent by `form_token`:
    the same form posted twice returns the first proposal. Acknowledge only after this
    returns (the row is committed)."""
    if form_token:
        existing = Proposal.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    if not call.accepting(timezone.localdate()):
        raise ValidationError(NOT_OPEN)
    proposal = _new(
        actor=None,
        call=call,
        kind=ProposerKind.PUBLIC,
        title=title,
        description=description,
        place=place,
        township=township,
        contact_name=contact_name,
        contact_phone=contact_phone,
        form_token=form_token,
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent post of the same form may win
            proposal.save()
    except IntegrityError:
        existing = Proposal.objects.filter(form_token=form_token).first() if form_token else None
        if existing is None:
            raise
        return existing, False
    _record(None, proposal, "public")
    return proposal, True


@transaction.atomic
def propose_as_deputy(
    *,
    actor: Any,
    call: Call,
    title: str,
    description: str,
    place: str = "",
    township: Region | None = None,
) -> Proposal:
    """A deputy proposes from their phone while the call is open."""
    if not can_propose_as_deputy(actor):
        raise PermissionDenied("只有人大代表可以以代表身份提出项目建议。")
    if not call.accepting(timezone.localdate()):
        raise ValidationError(NOT_OPEN)
    deputy = deputy_of(actor)
    proposal = _new(
        actor=actor,
        call=call,
        kind=ProposerKind.DEPUTY,
        title=title,
        description=description,
        place=place,
        township=township,
        deputy=deputy,
    )
    proposal.save()
    _record(actor, proposal, "deputy")
    return proposal


@transaction.atomic
def register_proposal(
    *,
    actor: Any,
    call: Call,
    proposer_kind: str,
    title: str,
    description: str,
    proposer_name: str = "",
    place: str = "",
    township: Region | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Proposal:
    """Staff enter a proposal that came in by letter or from a department, a township or a
    village committee (also a public one on paper). Staff may do so after the call closed."""
    require_manager(actor)
    if call.state == Call.State.DRAFT:
        raise ValidationError("征集公告尚未发布。")
    units = (ProposerKind.DEPARTMENT, ProposerKind.TOWNSHIP, ProposerKind.VILLAGE)
    if proposer_kind in units and not strip_markup(proposer_name or "").strip():
        raise ValidationError({"proposer_name": "请填写提出建议的单位"})
    if proposer_kind == ProposerKind.DEPUTY:
        raise ValidationError({"proposer_kind": "代表的建议请由代表本人提出，或从代表建议转入"})
    proposal = _new(
        actor=actor,
        call=call,
        kind=proposer_kind,
        title=title,
        description=description,
        place=place,
        township=township,
        proposer_name=proposer_name,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    proposal.save()
    _record(actor, proposal, "staff")
    return proposal


def proposals_from(source: Any) -> list[int]:
    """The proposals an opinion or a suggestion became (the other way of the source link)."""
    return targets_of(source, Proposal)


def suggestion_source(suggestion: Suggestion) -> Source:
    return Source(
        obj=suggestion,
        label=f"代表建议（{suggestion.code or '未编号'}：{suggestion.title}）"[:200],
        url=reverse("suggestions:detail", args=[suggestion.pk]),
    )


def _convertible(call: Call) -> None:
    if call.state == Call.State.DRAFT:
        raise ValidationError({"call": "征集公告尚未发布。"})


@transaction.atomic
def convert_opinion(
    *, actor: Any, opinion: Opinion, call: Call, title: str, description: str = ""
) -> Proposal:
    """群众意见转为民生实事项目建议. The opinion is only read (stations' rows are written by
    stations alone); its contact stays with the opinion, where staff may see it."""
    require_manager(actor)
    _convertible(call)
    if proposals_from(opinion):
        raise ValidationError("这条群众意见已经转为民生实事项目建议。")
    station = opinion.station
    proposal = _new(
        actor=actor,
        call=call,
        kind=ProposerKind.PUBLIC,
        title=title,
        description=description or opinion.content,
        place=opinion.location,
        township=station.region if station is not None else None,
    )
    proposal.save()
    link_source(actor=actor, source=opinion_source(opinion), target=proposal)
    _record(actor, proposal, "opinion")
    return proposal


@transaction.atomic
def convert_suggestion(
    *, actor: Any, suggestion: Suggestion, call: Call, title: str = "", description: str = ""
) -> Proposal:
    """代表建议转为民生实事项目建议 (civic.md §4.2: two-way conversion is required); the lead
    deputy is the proposer."""
    require_manager(actor)
    _convertible(call)
    if suggestion.state == "draft":
        raise ValidationError("草稿状态的代表建议不能转入。")
    if proposals_from(suggestion):
        raise ValidationError("这件代表建议已经转为民生实事项目建议。")
    proposal = _new(
        actor=actor,
        call=call,
        kind=ProposerKind.DEPUTY,
        title=title or suggestion.title[:100],
        description=description or suggestion.content,
        deputy=suggestion.lead_deputy,
    )
    proposal.save()
    link_source(actor=actor, source=suggestion_source(suggestion), target=proposal)
    _record(actor, proposal, "suggestion")
    return proposal


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def merge_proposals(*, actor: Any, proposal: Proposal, into: Proposal, note: str = "") -> Proposal:
    """Merge a duplicate into the proposal kept: the duplicate points at it, the kept one
    counts the duplicate's supporters (and those merged into the duplicate before)."""
    require_manager(actor)
    if proposal.pk == into.pk:
        raise ValidationError({"into": "不能合并到自身。"})
    # Lock both rows in id order, so two merges in opposite directions cannot deadlock.
    first, second = sorted([proposal.pk, into.pk])
    rows = {p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[first, second])}
    dup, kept = rows[proposal.pk], rows[into.pk]
    if dup.call_id != kept.call_id:
        raise ValidationError({"into": "只能合并同一次征集中的项目建议。"})
    if kept.state in ("merged", "rejected"):
        raise ValidationError(
            {"into": f"“{kept.title}”{kept.get_state_display()}，不能作为保留的建议。"}
        )
    added = dup.supporters
    dup.merged_into = kept
    dup.save(update_fields=["merged_into", "updated_at"])
    apply_transition(
        actor=actor, obj=dup, transition="merge", note=note or f"与“{kept.title}”重复，合并"
    )
    Proposal.objects.filter(merged_into=dup).update(merged_into=kept)
    kept.supporters += added
    kept.save(update_fields=["supporters", "updated_at"])
    audit.record(
        actor=actor,
        action="livelihood.proposal_merge",
        target=kept,
        details={"merged": dup.pk, "added": added, "supporters": kept.supporters},
    )
    return kept


@transaction.atomic
def carry_reserved(*, actor: Any, proposal: Proposal, call: Call) -> Proposal:
    """储备库 → a later year's call: the proposal is considered again there (a new review;
    its earlier one stays on record), keeping the year it was first proposed."""
    require_manager(actor)
    locked = _locked(proposal)
    if locked.state != "reserved":
        raise ValidationError("只有储备库中的项目建议可以转入新的征集。")
    if call.state == Call.State.DRAFT:
        raise ValidationError({"call": "征集公告尚未发布。"})
    current = Call.objects.get(pk=locked.call_id)
    if call.year <= current.year or call.level != current.level:
        raise ValidationError({"call": "请选择同一层级以后年度的征集公告。"})
    locked.call = call
    locked.project = None  # a new year's candidate list makes a new project of it
    locked.save(update_fields=["call", "project", "updated_at"])
    apply_transition(actor=actor, obj=locked, transition="carry", note=f"转入{call.year}年度征集")
    audit.record(
        actor=actor,
        action="livelihood.proposal_carry",
        target=locked,
        details={"from": current.pk, "to": call.pk},
    )
    proposal.refresh_from_db()
    return locked
