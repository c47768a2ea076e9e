"""转为代表建议: an opinion taken up by a deputy, and the suggestion the deputy drafts from it.
Stations owns this link: it creates the draft through the suggestions services and names the
opinion as its source (core.sources), so suggestions never imports stations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core.sources import Source, link_source, targets_of
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy
from renda.suggestions.models import Suggestion
from renda.suggestions.services import create_suggestion

from ..models import Opinion
from .opinions import locked_opinion, refreshed, require_opinion_worker


def opinion_source(opinion: Opinion) -> Source:
    """How a suggestion names the opinion it came from. Internal pages never show the
    tracking code (it is the constituent's key), so the label gives station and date."""
    station = opinion.station.name if opinion.station_id and opinion.station else "市人大常委会"
    return Source(
        obj=opinion,
        label=f"群众意见（{station}，{timezone.localtime(opinion.created_at):%Y-%m-%d}）",
        url=reverse("stations:opinion_detail", args=[opinion.pk]),
    )


def suggestion_of(opinion: Opinion) -> int | None:
    """The suggestion the opinion became, if any."""
    found = targets_of(opinion, Suggestion)
    return found[0] if found else None


@transaction.atomic
def convert_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    deputy: Deputy,
    suggestion: Suggestion | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """转为代表建议: a deputy takes the opinion up as a suggestion (建议). The deputy drafts it
    from the opinion (``draft_suggestion``); a suggestion already made is linked at once."""
    require_opinion_worker(actor, opinion)
    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})
    locked = locked_opinion(opinion)
    locked.converted_deputy = deputy
    locked.save(update_fields=["converted_deputy", "updated_at"])
    apply_transition(
        actor=actor,
        obj=locked,
        transition="convert",
        note=note or f"由{deputy.name}代表转为建议",
        expected_state=expected_state,
    )
    if suggestion is not None:
        link_source(actor=actor, source=opinion_source(locked), target=suggestion)
    return refreshed(opinion, locked)


@transaction.atomic
def link_suggestion(*, actor: User | None, opinion: Opinion, suggestion: Suggestion) -> Opinion:
    """Record the suggestion an opinion became, when staff know it (made on paper, say)."""
    if opinion.state != "converted":
        raise ValidationError("只有已转为代表建议的意见可以关联建议")
    link_source(actor=actor, source=opinion_source(opinion), target=suggestion)
    return opinion


@transaction.atomic
def draft_suggestion(
    *, actor: User, opinion: Opinion, title: str, content: str, allow_public: bool = True
) -> Suggestion:
    """The deputy the opinion was converted to drafts a suggestion from it, once: the opinion
    row is locked, and a second draft from the same opinion is refused."""
    locked = locked_opinion(opinion)
    deputy = Deputy.objects.filter(user=actor).first()
    if (
        deputy is None
        or locked.converted_deputy_id != deputy.pk
        or locked.state != "converted"
        or suggestion_of(locked) is not None
    ):
        raise ValidationError("这条群众意见没有转给您，或已据此提出过建议。")
    return create_suggestion(
        actor=actor,
        deputy=deputy,
        title=title,
        content=content,
        allow_public=allow_public,
        source=opinion_source(locked),
    )
