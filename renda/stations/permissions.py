"""Who may see and do what in the stations module (docs/architecture.md §4.3). Scoping happens in the
querysets here, never in templates.

- County staff (STAFF with no station assignment): every station, every opinion.
- Station clerks (STAFF with a ``StationClerk`` assignment): only their stations and the
  opinions, receptions and rosters of those stations. Another station's objects are 404.
- Standing-committee members: read every station and opinion; change nothing.
- Handling-unit officers: only the opinions assigned to their own unit (404 otherwise), and
  only the steps of the unit (reply, return). They never see the constituent's contact data.
- Deputies: their own duties (check in, check out), their own 双联 constituents and contacts.
- 双联: staff maintain every link and list; an SC member sees only their own links.
- The public: the portal pages, the form and the tracking page (tracking code as the key).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from renda.accounts.models import User
from renda.core.roles import Duty, Role, has_duty, has_role
from renda.deputies.models import Deputy

from .models import (
    Constituent,
    DutyAssignment,
    DutySlot,
    LiaisonContact,
    Opinion,
    Reception,
    SCLiaison,
    Station,
    StationClerk,
)

READ_ROLES = (Role.STAFF, Role.SC_MEMBER)


def clerk_station_ids(user: User) -> list[int] | None:
    """The stations a STAFF user is confined to, or None for county staff (all stations).
    Cached on the user object for the request."""
    cached: list[int] | None | str = getattr(user, "_station_ids", "unset")
    if not isinstance(cached, str):
        return cached
    ids = list(
        StationClerk.objects.filter(user=user, is_active=True).values_list("station_id", flat=True)
    )
    result = ids or None
    setattr(user, "_station_ids", result)  # noqa: B010 (a per-request cache on the object)
    return result


def is_county_staff(user: User) -> bool:
    return has_role(user, Role.STAFF) and clerk_station_ids(user) is None


def is_clerk(user: User) -> bool:
    return has_role(user, Role.STAFF) and clerk_station_ids(user) is not None


def is_officer_of_unit(user: User, unit_id: int | None) -> bool:
    return (
        unit_id is not None
        and has_role(user, Role.HANDLING_OFFICER)
        and user.organization_id == unit_id
    )


# --- capabilities -------------------------------------------------------------------------


def can_view_stations(user: User) -> bool:
    return has_role(user, *READ_ROLES)


def can_manage_stations(user: User) -> bool:
    """Create stations, assign clerks and deputies: the county office with the stations
    duty only."""
    return is_county_staff(user) and has_duty(user, Duty.STATIONS)


def can_work_on_station(user: User, station: Station | None) -> bool:
    """Edit a station's checklist, plan, rosters, receptions and opinions."""
    if not has_role(user, Role.STAFF):
        return False
    ids = clerk_station_ids(user)
    if ids is None:  # county staff: the liaison office's duty; a clerk: their own stations
        return has_duty(user, Duty.STATIONS)
    return station is not None and station.pk in ids


def can_work_on_opinion(user: User, opinion: Opinion) -> bool:
    if not has_role(user, Role.STAFF):
        return False
    ids = clerk_station_ids(user)
    if ids is None:
        return has_duty(user, Duty.STATIONS)
    return opinion.station_id is not None and opinion.station_id in ids


def require_station_worker(actor: User | None, station: Station | None) -> None:
    """For services: refuse an actor who may not work on the station (None is a background
    job or the demo loader acting for the system)."""
    if actor is not None and not can_work_on_station(actor, station):
        raise PermissionDenied("您无权处理该站点的事务。")


def can_see_contact(user: User, obj: Opinion | Reception) -> bool:
    """Contact data of a constituent: the station staff who call back, nobody else."""
    station = obj.station if obj.station_id else None
    return can_work_on_station(user, station)


# --- scoped querysets ---------------------------------------------------------------------


def stations_for(user: User) -> QuerySet[Station]:
    if not has_role(user, *READ_ROLES):
        return Station.objects.none()
    qs = Station.objects.select_related("region")
    ids = clerk_station_ids(user) if has_role(user, Role.STAFF) else None
    return qs.filter(pk__in=ids) if ids is not None else qs


def opinions_for(user: User) -> QuerySet[Opinion]:
    qs = Opinion.objects.all()
    if has_role(user, Role.HANDLING_OFFICER):
        if user.organization_id is None:
            return qs.none()
        return qs.filter(unit_id=user.organization_id)
    if has_role(user, Role.SC_MEMBER):
        return qs
    if has_role(user, Role.STAFF):
        ids = clerk_station_ids(user)
        return qs if ids is None else qs.filter(station_id__in=ids)
    return qs.none()


def receptions_for(user: User) -> QuerySet[Reception]:
    return Reception.objects.filter(station__in=stations_for(user))


# --- permission-checked fetches (404 for what the user may not know exists) ----------------


def get_station_for_user(user: User, pk: int, *, write: bool = False) -> Station:
    if not has_role(user, *READ_ROLES):
        raise PermissionDenied("您的角色无权访问代表工作站点。")
    station = get_object_or_404(stations_for(user), pk=pk)
    if write and not can_work_on_station(user, station):
        raise PermissionDenied("您无权修改该站点。")
    return station


def get_opinion_for_user(user: User, pk: int) -> Opinion:
    if not has_role(user, Role.STAFF, Role.SC_MEMBER, Role.HANDLING_OFFICER):
        raise PermissionDenied("您的角色无权查看社情民意。")
    return get_object_or_404(
        opinions_for(user).select_related("station", "unit", "converted_deputy", "reception"),
        pk=pk,
    )


def get_reception_for_user(user: User, pk: int) -> Reception:
    if not has_role(user, *READ_ROLES):
        raise PermissionDenied("您的角色无权查看接待登记。")
    return get_object_or_404(
        receptions_for(user).select_related("station", "deputy", "slot"), pk=pk
    )


def get_slot_for_user(user: User, pk: int, *, write: bool = False) -> DutySlot:
    if not has_role(user, *READ_ROLES):
        raise PermissionDenied("您的角色无权查看进站安排。")
    slot = get_object_or_404(
        DutySlot.objects.filter(station__in=stations_for(user)).select_related("station"), pk=pk
    )
    if write and not can_work_on_station(user, slot.station):
        raise PermissionDenied("您无权修改该进站安排。")
    return slot


def get_own_assignment(user: User, pk: int) -> DutyAssignment:
    """A deputy's own duty: check-in and check-out are theirs alone."""
    if not has_role(user, Role.DEPUTY):
        raise PermissionDenied("只有值班代表本人可以签到、签退。")
    deputy_id = getattr(getattr(user, "deputy", None), "pk", None)
    if deputy_id is None:
        raise Http404("您的账号尚未关联代表档案")
    return get_object_or_404(
        DutyAssignment.objects.select_related("slot", "slot__station", "deputy"),
        pk=pk,
        deputy_id=deputy_id,
    )


def opinions_to_draft(user: User) -> QuerySet[Opinion]:
    """Opinions a station converted to this deputy that are not yet a suggestion."""
    from renda.core.sources import has_target
    from renda.suggestions.models import Suggestion

    return (
        Opinion.objects.filter(state="converted", converted_deputy__user=user)
        .annotate(drafted=has_target(Opinion, Suggestion))
        .filter(drafted=False)
        .select_related("station")
        .order_by("-created_at")
    )


def get_opinion_to_draft(user: User, pk: int) -> Opinion:
    """An opinion converted to this deputy, to draft a suggestion from (404 otherwise)."""
    if not has_role(user, Role.DEPUTY):
        raise PermissionDenied("只有转交的代表本人可以据此起草建议。")
    return get_object_or_404(opinions_to_draft(user), pk=pk)


def public_stations() -> QuerySet[Station]:
    return Station.objects.filter(is_active=True).select_related("region")


def clerk_filter(user: User) -> Q:
    ids = clerk_station_ids(user)
    return Q() if ids is None else Q(station_id__in=ids)


# --- 双联 (liaison, issue 15 item 3) ---------------------------------------------------------
# Staff see and maintain every list; a standing-committee member sees their own links and
# the contacts logged on them; a deputy sees their own constituents and contacts. Anything
# else is 404 (ids give nothing away).


def _own_deputy_id(user: User) -> int | None:
    if not has_role(user, Role.DEPUTY):
        return None
    return getattr(getattr(user, "deputy", None), "pk", None)


def can_manage_liaison(user: User) -> bool:
    """Link standing-committee members to deputies, set the minimum, see coverage."""
    return has_duty(user, Duty.STATIONS)


def can_keep_constituents(user: User | None, deputy_id: int) -> bool:
    """The deputy's own list of constituents: the deputy, or staff on the deputy's behalf
    (None is the system: the demo loader)."""
    if user is None:
        return True
    return has_duty(user, Duty.STATIONS) or _own_deputy_id(user) == deputy_id


def can_log_on_link(user: User | None, link: SCLiaison) -> bool:
    if user is None:
        return True
    return has_role(user, Role.STAFF) or (
        has_role(user, Role.SC_MEMBER) and link.member_id == user.pk
    )


def can_work_on_contact(user: User | None, contact: LiaisonContact) -> bool:
    """Turn what was raised into an opinion: whoever may log such a contact."""
    if contact.sc_liaison_id is not None and contact.sc_liaison is not None:
        return can_log_on_link(user, contact.sc_liaison)
    return can_keep_constituents(user, contact.deputy_id)


def can_draft_from_contact(user: User | None, contact: LiaisonContact) -> bool:
    """Draft a suggestion from what was raised: only the contact's own deputy, who will be
    its author."""
    return (
        user is not None
        and contact.deputy.user_id is not None
        and (contact.deputy.user_id == user.pk)
    )


def sc_links_for(user: User) -> QuerySet[SCLiaison]:
    qs = SCLiaison.objects.filter(is_active=True).select_related("member", "deputy")
    if has_role(user, Role.STAFF):
        return qs
    if has_role(user, Role.SC_MEMBER):
        return qs.filter(member=user)
    return qs.none()


def constituents_for(user: User) -> QuerySet[Constituent]:
    qs = Constituent.objects.filter(is_active=True)
    if has_role(user, Role.STAFF):
        return qs
    deputy_id = _own_deputy_id(user)
    return qs.filter(deputy_id=deputy_id) if deputy_id else qs.none()


def contacts_for(user: User) -> QuerySet[LiaisonContact]:
    qs = LiaisonContact.objects.select_related("deputy", "sc_liaison", "sc_liaison__member")
    if has_role(user, Role.STAFF):
        return qs
    if has_role(user, Role.SC_MEMBER):
        return qs.filter(sc_liaison__member=user)
    deputy_id = _own_deputy_id(user)
    return qs.filter(deputy_id=deputy_id) if deputy_id else qs.none()


def get_link_for_user(user: User, pk: int, *, write: bool = False) -> SCLiaison:
    """A link: staff (all), its own member; writing the link itself is staff's."""
    if not has_role(user, Role.STAFF, Role.SC_MEMBER):
        raise PermissionDenied("您的角色无权查看常委会组成人员联系代表。")
    link = get_object_or_404(sc_links_for(user), pk=pk)
    if write and not can_manage_liaison(user):
        raise PermissionDenied("只有人大机关工作人员可以调整联系代表。")
    return link


def get_constituent_for_user(user: User, pk: int) -> Constituent:
    if not has_role(user, Role.STAFF, Role.DEPUTY):
        raise PermissionDenied("您的角色无权查看代表联系群众名单。")
    return get_object_or_404(constituents_for(user).select_related("deputy"), pk=pk)


def get_contact_for_user(user: User, pk: int) -> LiaisonContact:
    if not has_role(user, Role.STAFF, Role.SC_MEMBER, Role.DEPUTY):
        raise PermissionDenied("您的角色无权查看双联联系记录。")
    return get_object_or_404(contacts_for(user), pk=pk)


def get_liaison_deputy_for_user(user: User, pk: int) -> Deputy:
    """The deputy whose constituents are kept: staff (any deputy), the deputy themself (404
    for another's)."""
    if not has_role(user, Role.STAFF, Role.DEPUTY):
        raise PermissionDenied("您的角色无权维护代表联系群众名单。")
    qs = Deputy.objects.select_related("region", "term")
    if has_role(user, Role.STAFF):
        return get_object_or_404(qs, pk=pk)
    return get_object_or_404(qs, pk=pk, user=user)
