from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from renda.core.models import AuditEvent, Organization, Region
from renda.core.registry import create_organization, create_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> Region:
    return create_region(actor=None, code="431381", name="冷水江市", level=Region.Level.COUNTY)


def test_it_creates_a_township_under_its_county_and_audits_it(county: Region) -> None:
    town = create_region(
        actor=None, code="431381100", name="禾青镇", level=Region.Level.TOWNSHIP, parent=county
    )
    assert town.parent == county and town.is_township_level
    event = AuditEvent.objects.get(action="region.create", target_id=str(town.pk))
    assert event.details == {"code": "431381100"}


@pytest.mark.parametrize(
    ("code", "level", "message"),
    [
        ("431382100", Region.Level.TOWNSHIP, "以上级区划代码开头"),
        ("4313811", Region.Level.TOWNSHIP, "区划代码"),
        ("431381100001", Region.Level.TOWNSHIP, "9 位"),
        ("431381100", Region.Level.VILLAGE, "上级区划的层级"),
    ],
)
def test_it_rejects_a_region_that_does_not_fit_the_tree(
    county: Region, code: str, level: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        create_region(actor=None, code=code, name="某镇", level=level, parent=county)
    assert Region.objects.count() == 1
    assert not AuditEvent.objects.filter(action="region.create", details__code=code).exists()


def test_it_creates_a_handling_unit_and_refuses_a_duplicate_name(county: Region) -> None:
    unit = create_organization(
        actor=None,
        name="冷水江市水利局",
        code="ZF-SLJ",
        kind=Organization.Kind.GOVERNMENT_DEPARTMENT,
        region=county,
        short_name="水利局",
        is_handling_unit=True,
    )
    assert unit.is_handling_unit
    assert AuditEvent.objects.filter(action="organization.create", target_id=str(unit.pk)).exists()
    with pytest.raises(ValidationError):
        create_organization(
            actor=None,
            name="冷水江市水利局",
            code="ZF-SLJ2",
            kind="government_department",
            region=county,
        )
    assert Organization.objects.count() == 1
