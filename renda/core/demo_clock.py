"""The simulated clock of the demo data set (`seed_demo`).

A demo year is written through the services, each step at the moment it "happened": inside
`simulated_clock()` the process clock (``timezone.now()``, ``date.today()`` and the ``auto_now``
fields that read them) is moved with time-machine to each step's moment, so deadlines, overdue
flags, reply times and the workflow timelines look like a real year.

Two things keep the real time: the audit log (it says when rows were written and must not be
back-dated) and text messages (a past year is not news: none is queued while loading it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import time_machine
from django.utils import timezone

from . import audit, sms


class _RealTime:
    """Stands in for ``django.utils.timezone`` in the audit module: the real time."""

    def now(self) -> dt.datetime:
        return real_now()

    def __getattr__(self, name: str) -> Any:
        return getattr(timezone, name)


def _no_sms(**kwargs: Any) -> None:
    return None


class Clock:
    def __init__(self, traveller: time_machine.Traveller) -> None:
        self._traveller = traveller

    def move_to(self, moment: dt.datetime) -> None:
        self._traveller.move_to(moment)


@contextlib.contextmanager
def simulated_clock(start: dt.datetime) -> Iterator[Clock]:
    """Stop the clock at `start`; `clock.move_to(moment)` before each step."""
    with (
        time_machine.travel(start, tick=False) as traveller,
        mock.patch.object(audit, "timezone", _RealTime()),
        mock.patch.object(sms, "queue", _no_sms),
    ):
        yield Clock(traveller)


def real_now() -> dt.datetime:
    """The real time, also inside `simulated_clock()`."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.datetime.datetime.now(dt.UTC)
    return dt.datetime.now(dt.UTC)
