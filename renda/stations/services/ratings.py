"""评价: the constituent rates the answer (tracking page, proving who they are with the 评价码
shown once at submission), or the station records the rating taken by telephone (回访).
Every rating records how the rater was authenticated; dissatisfied reopens the opinion."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.roles import Role, has_role
from renda.core.workflow import apply_transition
from renda.lib.richtext import strip_markup

from ..models import Opinion
from ..workflows import RATING_TRANSITIONS
from .intake import rating_code_matches
from .opinions import locked_opinion, refreshed

WRONG_RATING_CODE = "评价码不正确。评价码在提交意见时与查询码一起显示，请核对后重新输入。"


def rating_auth(actor: User | None, opinion: Opinion, rating_code: str) -> str:
    """How this rating is authenticated, or a ValidationError. The tracking code alone
    proves nothing (staff, SC members and the handling unit may have seen it): the public
    needs the 评价码; a logged-in rater must be station staff recording a 回访."""
    if actor is not None and actor.is_authenticated:
        if not has_role(actor, Role.STAFF):
            raise ValidationError("只有站点工作人员可以代录群众的回访评价。")
        return Opinion.RatingAuth.STAFF_ON_BEHALF
    if rating_code_matches(opinion, rating_code):
        return Opinion.RatingAuth.RATING_CODE
    raise ValidationError({"rating_code": WRONG_RATING_CODE})


@transaction.atomic
def rate_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    rating: str,
    comment: str = "",
    expected_state: str | None = None,
    rating_code: str = "",
) -> Opinion:
    """评价 by the constituent (tracking page, with the 评价码) or recorded by the station
    (回访). Dissatisfied reopens the opinion for re-handling."""
    transition = RATING_TRANSITIONS.get(rating)
    if transition is None:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意"})
    comment = strip_markup(comment or "").strip()[:500]
    if rating == Opinion.Rating.DISSATISFIED and not comment:
        raise ValidationError({"comment": "请简要说明不满意的原因，便于重新办理"})
    locked = locked_opinion(opinion)
    auth = rating_auth(actor, locked, rating_code)
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
    locked.rating_auth = auth
    fields = ["rating", "rating_comment", "rated_at", "rating_auth", "updated_at"]
    if rating == Opinion.Rating.DISSATISFIED:
        locked.reopen_count += 1
        fields.append("reopen_count")
    locked.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="opinion.rate",
        target=locked,
        details={"rating": rating, "auth": auth},
    )
    return refreshed(opinion, locked)
