"""双联 (issue 15 item 3): the only code that writes the links of standing-committee members to
deputies, the deputies' lists of constituents, the contacts logged, the local minimum, and
turns what was raised in a contact into a constituent opinion or a suggestion draft.

Each service takes an explicit ``actor`` (None is the system: the demo loader), runs in one
transaction, validates, writes and records an audit event. An opinion is made through this
app's intake service and a suggestion through suggestions' ``create_suggestion``; both name
the contact as their source (core.sources), so each side shows where it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.fields import make_blind_index
from renda.core.roles import Role, has_role
from renda.core.sources import Source, link_source, targets_of
from renda.deputies.models import Deputy
from renda.lib.richtext import strip_markup
from renda.suggestions.models import Suggestion
from renda.suggestions.services import create_suggestion

from ..models import Category, Opinion, StationMember
from ..models.liaison import (
    DEFAULT_MIN_CONSTITUENTS,
    Constituent,
    LiaisonContact,
    LiaisonRule,
    SCLiaison,
)
from ..permissions import (
    can_keep_constituents,
    can_log_on_link,
    can_manage_liaison,
    can_work_on_contact,
)
from .intake import clean_contact, submit_opinion

# A contact typed in later is fine; one older than this is a typing mistake.
MAX_BACKDATE_DAYS = 366


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_staff(actor: User | None) -> None:
    if actor is not None and not can_manage_liaison(actor):
        raise PermissionDenied("只有人大机关工作人员可以调整双联安排。")


# --- the local minimum ------------------------------------------------------------------


def min_constituents(on: dt.date | None = None) -> int:
    """The minimum of constituents per deputy valid on `on` (today by default)."""
    day = on or timezone.localdate()
    rule = LiaisonRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return rule.min_constituents if rule else DEFAULT_MIN_CONSTITUENTS


@transaction.atomic
def set_min_constituents(
    *, actor: User | None, min_constituents: int, valid_from: dt.date, note: str = ""
) -> LiaisonRule:
    """A new version of the rule, valid from a date (rules are never edited)."""
    _require_staff(actor)
    if LiaisonRule.objects.filter(valid_from=valid_from).exists():
        raise ValidationError({"valid_from": "这一天已有一条规则，请换一个生效日期"})
    rule = LiaisonRule(
        min_constituents=min_constituents,
        valid_from=valid_from,
        note=strip_markup(note or "").strip()[:200],
        created_by=_user(actor),
    )
    rule.full_clean()
    rule.save()
    audit.record(
        actor=actor,
        action="liaison.rule",
        target=rule,
        details={"count": min_constituents, "from": str(valid_from)},
    )
    return rule


# --- 常委会组成人员联系代表 -------------------------------------------------------------------


@transaction.atomic
def link_deputies(
    *, actor: User | None, member: User, deputies: Iterable[Deputy]
) -> list[SCLiaison]:
    """Link a standing-committee member to deputies (one, or a whole delegation or region at
    once). Deputies already linked to the member are left as they are; returns the new links.
    """
    _require_staff(actor)
    if not has_role(member, Role.SC_MEMBER):
        raise ValidationError({"member": f"{member} 不是常委会组成人员"})
    wanted = {d.pk: d for d in deputies}
    if not wanted:
        raise ValidationError({"deputies": "没有可安排的代表"})
    inactive = [d.name for d in wanted.values() if d.status != Deputy.Status.ACTIVE]
    if inactive:
        raise ValidationError({"deputies": f"不是在任代表：{'、'.join(inactive[:10])}"})
    # Lock the member's links so two staff assigning at once cannot link a pair twice.
    User.objects.select_for_update().filter(pk=member.pk).first()
    existing = set(
        SCLiaison.objects.filter(member=member, is_active=True, deputy_id__in=wanted).values_list(
            "deputy_id", flat=True
        )
    )
    created = [
        SCLiaison.objects.create(member=member, deputy=d, created_by=_user(actor))
        for pk, d in sorted(wanted.items())
        if pk not in existing
    ]
    if created:
        audit.record(
            actor=actor,
            action="liaison.link",
            target=member,
            details={"count": len(created), "deputies": [link.deputy_id for link in created]},
        )
    return created


@transaction.atomic
def unlink_deputy(*, actor: User | None, link: SCLiaison) -> SCLiaison:
    """End a link; the contacts logged on it stay."""
    _require_staff(actor)
    locked = SCLiaison.objects.select_for_update().get(pk=link.pk)
    if not locked.is_active:
        raise ValidationError("该联系关系已解除")
    locked.is_active = False
    locked.ended_at = timezone.now()
    locked.save(update_fields=["is_active", "ended_at", "updated_at"])
    audit.record(
        actor=actor,
        action="liaison.unlink",
        target=locked,
        details={"member": locked.member_id, "deputy": locked.deputy_id},
    )
    return locked


# --- 代表联系群众 ----------------------------------------------------------------------------


def _clean_constituent(name: str, phone: str, community: str, note: str) -> dict[str, str]:
    name, phone = clean_contact(name, phone)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写姓名"
    community = strip_markup(community or "").strip()[:100]
    if not community:
        errors["community"] = "请填写所在村（社区）"
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "phone": phone,
        "community": community,
        "note": strip_markup(note or "").strip()[:200],
    }


def _check_phone_free(deputy: Deputy, phone: str, exclude: int | None = None) -> None:
    if not phone:
        return
    taken = Constituent.objects.filter(
        deputy=deputy, is_active=True, phone_index=make_blind_index(phone)
    )
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"phone": "联系名单里已有这个电话号码"})


@transaction.atomic
def add_constituent(
    *,
    actor: User | None,
    deputy: Deputy,
    name: str,
    community: str,
    phone: str = "",
    note: str = "",
) -> Constituent:
    if not can_keep_constituents(actor, deputy.pk):
        raise PermissionDenied("只能维护本人的联系群众名单。")
    data = _clean_constituent(name, phone, community, note)
    Deputy.objects.select_for_update().filter(pk=deputy.pk).first()
    _check_phone_free(deputy, data["phone"])
    constituent = Constituent(deputy=deputy, created_by=_user(actor), **data)
    constituent.full_clean(exclude=["phone_index"])
    constituent.save()
    audit.record(actor=actor, action="liaison.constituent_add", target=constituent)
    return constituent


@transaction.atomic
def update_constituent(
    *,
    actor: User | None,
    constituent: Constituent,
    name: str,
    community: str,
    phone: str = "",
    note: str = "",
) -> Constituent:
    if not can_keep_constituents(actor, constituent.deputy_id):
        raise PermissionDenied("只能维护本人的联系群众名单。")
    data = _clean_constituent(name, phone, community, note)
    locked = Constituent.objects.select_for_update().get(pk=constituent.pk)
    if not locked.is_active:
        raise ValidationError("该群众已移出联系名单")
    _check_phone_free(locked.deputy, data["phone"], exclude=locked.pk)
    for key, value in data.items():
        setattr(locked, key, value)
    locked.full_clean(exclude=["phone_index"])
    locked.save()
    audit.record(actor=actor, action="liaison.constituent_update", target=locked)
    return locked


@transaction.atomic
def remove_constituent(*, actor: User | None, constituent: Constituent) -> Constituent:
    """Take a constituent off the list; the contacts logged with them stay."""
    if not can_keep_constituents(actor, constituent.deputy_id):
        raise PermissionDenied("只能维护本人的联系群众名单。")
    locked = Constituent.objects.select_for_update().get(pk=constituent.pk)
    if not locked.is_active:
        raise ValidationError("该群众已移出联系名单")
    locked.is_active = False
    locked.ended_at = timezone.now()
    locked.save(update_fields=["is_active", "ended_at", "updated_at"])
    audit.record(actor=actor, action="liaison.constituent_remove", target=locked)
    return locked


# --- contacts ---------------------------------------------------------------------------


def _clean_contact_fields(
    contacted_on: dt.date, way: str, people: str, people_count: int | None, raised: str
) -> dict[str, object]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if contacted_on > today:
        errors["contacted_on"] = "联系日期不能晚于今天"
    elif contacted_on < today - dt.timedelta(days=MAX_BACKDATE_DAYS):
        errors["contacted_on"] = "只能登记一年以内的联系"
    if way not in LiaisonContact.Way.values:
        errors["way"] = "请选择联系方式"
    if people_count is not None and not 1 <= people_count <= 10000:
        errors["people_count"] = "人数应在 1 到 10000 之间"
    raised = strip_markup(raised or "").strip()
    if len(raised) > 2000:
        errors["raised"] = f"不能超过 2000 个字（现有 {len(raised)} 字）"
    if errors:
        raise ValidationError(errors)
    return {
        "contacted_on": contacted_on,
        "way": way,
        "people": strip_markup(people or "").strip()[:200],
        "raised": raised,
    }


@transaction.atomic
def log_constituent_contact(
    *,
    actor: User | None,
    deputy: Deputy,
    contacted_on: dt.date,
    way: str,
    constituents: Sequence[Constituent] = (),
    people: str = "",
    people_count: int | None = None,
    raised: str = "",
) -> LiaisonContact:
    """代表联系群众: a deputy (or staff for them) logs a contact with constituents of the
    deputy's list, or with others named in `people`."""
    if not can_keep_constituents(actor, deputy.pk):
        raise PermissionDenied("只能登记本人联系群众的情况。")
    data = _clean_contact_fields(contacted_on, way, people, people_count, raised)
    chosen = list(constituents)
    wrong = [c for c in chosen if c.deputy_id != deputy.pk or not c.is_active]
    if wrong:
        raise ValidationError({"constituents": "只能选择本人联系名单里的群众"})
    if not chosen and not data["people"]:
        raise ValidationError({"constituents": "请选择联系的群众，或填写参加人员"})
    contact = LiaisonContact(
        kind=LiaisonContact.Kind.DEPUTY_CONSTITUENT,
        deputy=deputy,
        people_count=people_count or max(1, len(chosen)),
        recorded_by=_user(actor),
        **data,  # type: ignore[arg-type]
    )
    contact.full_clean()
    contact.save()
    contact.constituents.set(chosen)
    audit.record(
        actor=actor,
        action="liaison.contact",
        target=contact,
        details={"kind": contact.kind, "count": len(chosen)},
    )
    return contact


@transaction.atomic
def log_sc_contact(
    *,
    actor: User | None,
    link: SCLiaison,
    contacted_on: dt.date,
    way: str,
    people: str = "",
    people_count: int | None = None,
    raised: str = "",
) -> LiaisonContact:
    """常委会组成人员联系代表: the member (or staff for them) logs a contact with a linked
    deputy."""
    if not can_log_on_link(actor, link):
        raise PermissionDenied("只能登记本人联系代表的情况。")
    # The row as it is now (the page that posted may be older than an unlink).
    link = (
        SCLiaison.objects.select_for_update(of=("self",)).select_related("deputy").get(pk=link.pk)
    )
    if not link.is_active:
        raise ValidationError("该联系关系已解除")
    data = _clean_contact_fields(contacted_on, way, people, people_count, raised)
    contact = LiaisonContact(
        kind=LiaisonContact.Kind.SC_DEPUTY,
        sc_liaison=link,
        deputy=link.deputy,
        people_count=people_count or 1,
        recorded_by=_user(actor),
        **data,  # type: ignore[arg-type]
    )
    contact.full_clean()
    contact.save()
    audit.record(
        actor=actor, action="liaison.contact", target=contact, details={"kind": contact.kind}
    )
    return contact


# --- what was raised becomes an opinion or a suggestion draft ---------------------------


def contact_source(contact: LiaisonContact) -> Source:
    """How an opinion or a suggestion names the contact it came from (no personal data)."""
    who = (
        f"{contact.sc_liaison.member}联系{contact.deputy.name}代表"
        if contact.sc_liaison_id and contact.sc_liaison
        else f"{contact.deputy.name}代表联系群众"
    )
    return Source(
        obj=contact,
        label=f"双联联系记录（{who}，{contact.contacted_on:%Y-%m-%d}，{contact.get_way_display()}）",
        url=reverse("stations:liaison_contact", args=[contact.pk]),
    )


def opinion_of(contact: LiaisonContact) -> int | None:
    found = targets_of(contact, Opinion)
    return found[0] if found else None


def suggestion_of(contact: LiaisonContact) -> int | None:
    found = targets_of(contact, Suggestion)
    return found[0] if found else None


def _locked_contact(contact: LiaisonContact) -> LiaisonContact:
    return (
        LiaisonContact.objects.select_for_update(of=("self",))
        .select_related("deputy", "sc_liaison", "sc_liaison__member")
        .get(pk=contact.pk)
    )


@transaction.atomic
def contact_to_opinion(
    *,
    actor: User | None,
    contact: LiaisonContact,
    category: str,
    constituent: Constituent | None = None,
) -> Opinion:
    """What was raised becomes a constituent opinion (社情民意), once, at the deputy's
    station; `constituent` (one of the contact's) is its contact person, who then gets the
    tracking code by text message as any constituent does."""
    locked = _locked_contact(contact)
    if not can_work_on_contact(actor, locked):
        raise PermissionDenied("您无权处理这条联系记录。")
    if not locked.raised:
        raise ValidationError("这次联系没有登记反映的问题，无法转为群众意见")
    if opinion_of(locked) is not None:
        raise ValidationError("这条联系记录已转为群众意见")
    if category not in Category.values:
        raise ValidationError({"category": "请选择类别"})
    if constituent is not None and not locked.constituents.filter(pk=constituent.pk).exists():
        raise ValidationError({"constituent": "联系人须是这次联系的群众"})
    member = StationMember.objects.select_related("station").filter(deputy=locked.deputy).first()
    station = member.station if member and member.station.is_active else None
    try:
        opinion, _ = submit_opinion(
            actor=actor,
            station=station,
            source=Opinion.Source.LIAISON,
            category=category,
            content=locked.raised,
            location=constituent.community if constituent else "",
            contact_name=constituent.name if constituent else "",
            contact_phone=constituent.phone if constituent else "",
        )
    except ValidationError as error:
        # The opinion's own rules (length…) speak of "content": here it is "raised".
        if hasattr(error, "error_dict") and "content" in error.error_dict:
            raise ValidationError({"raised": error.error_dict["content"]}) from error
        raise
    link_source(actor=actor, source=contact_source(locked), target=opinion)
    audit.record(
        actor=actor, action="liaison.to_opinion", target=locked, details={"opinion": opinion.pk}
    )
    return opinion


@transaction.atomic
def contact_to_suggestion(
    *, actor: User, contact: LiaisonContact, title: str, content: str, allow_public: bool = True
) -> Suggestion:
    """The contact's deputy drafts a suggestion (建议) from what was raised, once."""
    locked = _locked_contact(contact)
    if locked.deputy.user_id is None or locked.deputy.user_id != actor.pk:
        raise PermissionDenied("只有这次联系的代表本人可以据此起草建议。")
    if suggestion_of(locked) is not None:
        raise ValidationError("这条联系记录已据此起草过建议")
    suggestion = create_suggestion(
        actor=actor,
        deputy=locked.deputy,
        title=title,
        content=content,
        allow_public=allow_public,
        source=contact_source(locked),
    )
    audit.record(
        actor=actor,
        action="liaison.to_suggestion",
        target=locked,
        details={"suggestion": suggestion.pk},
    )
    return suggestion
