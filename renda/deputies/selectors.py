from __future__ import annotations

from django.db.models import QuerySet

from .models import Deputy

# Fields safe to show to anybody; contact data and ID numbers are never among them.
PUBLIC_FIELDS = (
    "id", "name", "gender", "ethnicity", "party", "occupation", "employer", "category",
    "region__name", "delegation__name", "station__name", "term__level", "term__number",
)


def public_deputies() -> QuerySet[Deputy]:
    """Deputies the public may see: serving in a current term. `.only()` keeps encrypted
    columns out of the query altogether."""
    return (
        Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        .select_related("region", "delegation", "station", "term", "term__congress")
        .only(
            "name", "gender", "ethnicity", "party", "occupation", "employer", "category", "bio",
            "region__name", "region__code", "delegation__name", "station__name", "term__level",
            "term__number", "term__congress__name",
        )
    )


def staff_deputies() -> QuerySet[Deputy]:
    return Deputy.objects.select_related("region", "delegation", "station", "term", "term__congress").defer(
        "id_number", "mobile", "bio"
    )
