"""评价: the constituent rates the answer (tracking page), or the station records the rating
taken by telephone (回访). Dissatisfied reopens the opinion."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core.workflow import apply_transition
from renda.lib.richtext import strip_markup

from ..models import Opinion
from ..workflows import RATING_TRANSITIONS
from .opinions import locked_opinion, refreshed


@transaction.atomic
def rate_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    rating: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """评价 by the constituent (tracking page) or recorded by the station (回访). Dissatisfied
    reopens the opinion for re-handling."""
    transition = RATING_TRANSITIONS.get(rating)
    if transition is None:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意"})
    comment = strip_markup(comment or "").strip()[:500]
    if rating == Opinion.Rating.DISSATISFIED and not comment:
        raise ValidationError({"comment": "请简要说明不满意的原因，便于重新办理"})
    locked = locked_opinion(opinion)
    apply_transition(
        actor=actor,
        obj=locked,
        transition=transition,
        note=comment,
        expected_state=expected_state,
    )
    locked.rating = rating
    locked.rating_comment = comment
    locked.rated_at = timezone.now()
    fields = ["rating", "rating_comment", "rated_at", "updated_at"]
    if rating == Opinion.Rating.DISSATISFIED:
        locked.reopen_count += 1
        fields.append("reopen_count")
    locked.save(update_fields=fields)
    return refreshed(opinion, locked)
