"""双联 coverage (issue 15 item 3): which links have had no contact in a quarter, counted per
standing-committee member and per deputy. Set-based: one query per table, whatever the number
of deputies (a subquery per count, never a query per row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from renda.accounts.models import User
from renda.core.roles import Role
from renda.deputies.models import Deputy

from ..models import Constituent, LiaisonContact, SCLiaison


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )


def _in(quarter: Quarter) -> Q:
    return Q(contacted_on__gte=quarter.start, contacted_on__lte=quarter.end)


def _count(qs: QuerySet[Any], key: str) -> Coalesce:
    """The number of rows of `qs` per outer row (`key` names the column matched to it)."""
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def links_with_contacts(quarter: Quarter, links: QuerySet[SCLiaison]) -> QuerySet[SCLiaison]:
    """Active links annotated with this quarter's contacts and the last contact ever."""
    contacts = LiaisonContact.objects.filter(_in(quarter), sc_liaison=OuterRef("pk"))
    return links.annotate(
        quarter_contacts=_count(contacts, "sc_liaison"),
        last_contact=Max("contacts__contacted_on"),
    ).order_by("member__name", "deputy__name", "pk")


def constituents_with_contacts(
    quarter: Quarter, constituents: QuerySet[Constituent]
) -> QuerySet[Constituent]:
    through = LiaisonContact.constituents.through
    in_quarter = through.objects.filter(
        constituent_id=OuterRef("pk"),
        liaisoncontact__contacted_on__gte=quarter.start,
        liaisoncontact__contacted_on__lte=quarter.end,
    )
    return constituents.annotate(
        quarter_contacts=_count(in_quarter, "constituent_id"),
        last_contact=Max("contacts__contacted_on"),
    )


@dataclass
class MemberCoverage:
    member: User
    links: int = 0
    contacted: int = 0
    uncontacted: list[SCLiaison] = field(default_factory=list)


def member_coverage(quarter: Quarter) -> list[MemberCoverage]:
    """Per standing-committee member (every active one, linked or not): links, links contacted
    this quarter and the links not contacted."""
    rows = {
        m.pk: MemberCoverage(m)
        for m in User.objects.filter(role=Role.SC_MEMBER, is_active=True).order_by("name", "pk")
    }
    links = links_with_contacts(
        quarter, SCLiaison.objects.filter(is_active=True).select_related("member", "deputy")
    )
    for link in links:
        row = rows.setdefault(link.member_id, MemberCoverage(link.member))
        row.links += 1
        if link.quarter_contacts:  # type: ignore[attr-defined]
            row.contacted += 1
        else:
            row.uncontacted.append(link)
    return list(rows.values())


def deputy_coverage(quarter: Quarter, minimum: int, *, only_gaps: bool = False) -> QuerySet[Deputy]:
    """Active deputies of the current terms with: constituents on the list, constituents
    contacted this quarter, contacts logged this quarter. `only_gaps`: those below the
    minimum or with a constituent not contacted."""
    active = Constituent.objects.filter(deputy=OuterRef("pk"), is_active=True)
    through = LiaisonContact.constituents.through
    contacted = active.filter(
        Exists(
            through.objects.filter(
                constituent_id=OuterRef("pk"),
                liaisoncontact__contacted_on__gte=quarter.start,
                liaisoncontact__contacted_on__lte=quarter.end,
            )
        )
    )
    contacts = LiaisonContact.objects.filter(
        _in(quarter), deputy=OuterRef("pk"), kind=LiaisonContact.Kind.DEPUTY_CONSTITUENT
    )
    qs = (
        Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        .select_related("region", "delegation", "term")
        .annotate(
            n_constituents=_count(active, "deputy"),
            n_contacted=_count(contacted, "deputy"),
            n_contacts=_count(contacts, "deputy"),
        )
        .annotate(n_uncontacted=F("n_constituents") - F("n_contacted"))
        .order_by("region__code", "name", "pk")
    )
    if only_gaps:
        qs = qs.filter(Q(n_constituents__lt=minimum) | Q(n_contacted__lt=F("n_constituents")))
    return qs


def uncontacted_constituents(quarter: Quarter) -> QuerySet[Constituent]:
    """Every constituent on a list with no contact this quarter (for the export)."""
    through = LiaisonContact.constituents.through
    return (
        Constituent.objects.filter(is_active=True, deputy__status=Deputy.Status.ACTIVE)
        .exclude(
            Exists(
                through.objects.filter(
                    constituent_id=OuterRef("pk"),
                    liaisoncontact__contacted_on__gte=quarter.start,
                    liaisoncontact__contacted_on__lte=quarter.end,
                )
            )
        )
        .select_related("deputy")
        .annotate(last_contact=Max("contacts__contacted_on"))
        .order_by("deputy__region__code", "deputy__name", "community", "pk")
    )


def uncontacted_links(quarter: Quarter) -> QuerySet[SCLiaison]:
    contacts = LiaisonContact.objects.filter(_in(quarter), sc_liaison=OuterRef("pk"))
    return (
        SCLiaison.objects.filter(is_active=True)
        .exclude(Exists(contacts))
        .select_related("member", "deputy")
        .annotate(last_contact=Max("contacts__contacted_on"))
        .order_by("member__name", "deputy__name", "pk")
    )
