"""The demo county's 民生实事票决 (seed_demo): two years of the module as 冷水江市's staff would
have it in front of them, written through the services only, each step at the moment it
happened (core.demo_clock).

Last year (the year before the demo year, renda.suggestions.demo.demo_year):
- the call (征集公告) of the autumn before, proposals from the public (tracking codes),
  deputies, departments, townships and a village committee, one duplicate merged, one
  rejected on the negative list; 17 reviewed and accepted;
- the candidate list (15 seats + 2) confirmed by the presidium of the January congress
  session, the deputies checked in on the paper sheet, the vote opened, every present deputy's
  ballot cast through casting.cast_ballot (one void ballot with too many 赞成), closed (hash
  chain and fingerprint), counted: 15 projects chosen, among them 金竹山镇坪石公路提质改造;
  the two others go to the reserve (储备库);
- an implementation plan per chosen project (sub-items with owner units and budgets,
  milestones, the units' dated progress reports, supervising deputies and one 视察); fourteen
  completed, the city car parks behind schedule;
- the year-end satisfaction vote (满意度测评) at a 常委会会议, counted: the car parks graded
  不满意, which opened a rectification (整改) for 住建局, who has reported on it since.

This year: the call for next year's projects is open, with proposals of every kind (one
carried from the reserve), some reviewed (feasibility and the three negative-list checks),
some accepted, one rejected with its reason, one sent to the reserve.

Deputies who have no account cast at the hall's voting terminal (表决器): `_Terminal` stands
for the deputy there, so the casting service checks the roster and writes participation and
ballot exactly as for a deputy on a phone. Idempotent: each year is skipped once its call
exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from renda.core.demo_clock import simulated_clock
from renda.core.models import Region
from renda.deputies.models import Level, Term

from ..models import Call
from .data import COUNTY_CODE, PARKING, ROAD, SEATS, _at
from .loader import _Loader

__all__ = ["PARKING", "ROAD", "SEATS", "load_demo_livelihood"]


def load_demo_livelihood(*, actor: Any) -> dict[str, int]:
    """Load the module's demo years once (see the module docstring); returns counts."""
    if not Term.objects.filter(level=Level.CITY, is_current=True).exists():
        return {}
    if not Region.objects.filter(code=COUNTY_CODE).exists():
        return {}
    loader = _Loader(actor)
    calls = Call.objects.filter(level=Level.CITY, region=loader.county)
    with transaction.atomic(), simulated_clock(_at(dt.date(loader.year - 2, 9, 1), 9)) as clock:
        if not calls.filter(year=loader.year - 1).exists():
            loader.last_year(clock)
        if not calls.filter(year=loader.year + 1).exists():
            loader.this_year(clock)
    return dict(loader.created)
