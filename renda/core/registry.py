"""Services for the registry of administrative regions and organizations: the only code that
writes `Region` and `Organization` rows (docs/architecture.md §4.1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import Organization, Region
from .roles import Actor

# Which level may sit under which (GB/T 2260 and the 统计用区划代码 tree).
_PARENT_LEVELS: dict[str, set[str | None]] = {
    Region.Level.PREFECTURE: {None},
    Region.Level.COUNTY: {None, Region.Level.PREFECTURE},
    Region.Level.TOWNSHIP: {Region.Level.COUNTY},
    Region.Level.SUBDISTRICT: {Region.Level.COUNTY},
    Region.Level.VILLAGE: {Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT},
    Region.Level.COMMUNITY: {Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT},
}
_CODE_LENGTHS: dict[str, int] = {
    Region.Level.PREFECTURE: 6,
    Region.Level.COUNTY: 6,
    Region.Level.TOWNSHIP: 9,
    Region.Level.SUBDISTRICT: 9,
    Region.Level.VILLAGE: 12,
    Region.Level.COMMUNITY: 12,
}


def _check_region_tree(region: Region) -> None:
    parent_level = region.parent.level if region.parent else None
    if region.level in _PARENT_LEVELS and parent_level not in _PARENT_LEVELS[region.level]:
        raise ValidationError({"parent": "上级区划的层级与本区划不符"})
    expected = _CODE_LENGTHS.get(region.level)
    if expected and (len(region.code) != expected or not region.code.isdigit()):
        raise ValidationError({"code": f"该层级的区划代码应为 {expected} 位数字"})
    below_county = region.level not in {Region.Level.COUNTY, Region.Level.PREFECTURE}
    if region.parent and below_county and not region.code.startswith(region.parent.code):
        raise ValidationError({"code": "下级区划代码应以上级区划代码开头"})
    if (
        region.parent
        and region.level == Region.Level.COUNTY
        and region.code[:4] != region.parent.code[:4]
    ):
        raise ValidationError({"code": "县级区划代码的前四位应与所属地级区划一致"})


@transaction.atomic
def create_region(
    *, actor: Actor | None, code: str, name: str, level: str, parent: Region | None = None
) -> Region:
    region = Region(code=code.strip(), name=name.strip(), level=level, parent=parent)
    # The tree checks come first: they explain a bad code better than the DB constraint does.
    _check_region_tree(region)
    region.full_clean()
    region.save()
    audit.record(actor=actor, action="region.create", target=region, details={"code": region.code})
    return region


@transaction.atomic
def create_organization(
    *,
    actor: Actor | None,
    name: str,
    code: str,
    kind: str,
    region: Region,
    short_name: str = "",
    parent: Organization | None = None,
    is_handling_unit: bool = False,
) -> Organization:
    organization = Organization(
        name=name.strip(),
        code=code.strip(),
        kind=kind,
        region=region,
        short_name=short_name.strip(),
        parent=parent,
        is_handling_unit=is_handling_unit,
    )
    organization.full_clean()
    organization.save()
    audit.record(
        actor=actor,
        action="organization.create",
        target=organization,
        details={"code": organization.code, "kind": kind},
    )
    return organization
