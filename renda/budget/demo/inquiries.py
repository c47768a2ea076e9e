"""Inquiry letters of the demo year (issue 14 item 15): after the year-end rules run, staff
send the finance bureau five letters about ten open alerts of five units, and the bureau's
officer answers each alert. Three letters are settled (one of them returned once for one
alert and answered again), one is still within its answer period and one is overdue. Every
step goes through services/inquiries.py at the simulated moment it happened
(core.demo_clock); the alerts then show 已办结 / 经核实无问题 / 已发问询函."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from renda.accounts.models import User
from renda.budget.models import Alert, Inquiry
from renda.budget.services import inquiries as letters
from renda.core import calendar as workcal
from renda.core.demo_clock import real_now, simulated_clock
from renda.core.models import Organization
from renda.core.roles import Role

FINANCE_BUREAU = "SJ-CZJ"  # demo_data: the data provider with the demo officer account
N = Inquiry.Finding.NORMAL
C = Inquiry.Finding.CORRECTED
V = Inquiry.Finding.VIOLATION


@dataclass(frozen=True)
class Story:
    """One letter: how many alerts of one unit, the findings of the first answer, and what
    happens after it is sent ("closed", "returned" then closed, "waiting", "overdue")."""

    alerts: int
    findings: tuple[str, ...]
    outcome: str


STORIES = (
    Story(3, (N, C, C), "closed"),
    Story(2, (C, N), "returned"),
    Story(1, (V,), "closed"),
    Story(2, (), "waiting"),
    Story(2, (), "overdue"),
)
# Working days from the first letter: (drafted and sent, answered, [returned, answered
# again,] accepted) of the three settled letters.
CLOSED_TIMES = ((0, 7, 10), (3, 9, 11, 16, 18), (24, 32, 34))
WAITING_SENT = 4  # working days before today: within its 10 working days
OVERDUE_SENT = 18  # working days before today: 8 working days late
NEEDED_WORKDAYS = 8 + 34 + OVERDUE_SENT + 5  # from the load to today, with room to spare

ANSWERS: dict[str, str] = {
    N: "经核实，{subject}该事项{rule}系按批复预算和合同约定执行，相关审批手续齐全，属正常情况。",
    C: "经核实，{subject}{rule}问题属实，已责成单位整改：已调整支出进度、补办相关手续并建立台账。",
    V: "经核实，{subject}{rule}确属违规，已收回违规资金，对相关责任人进行约谈，并纳入年度绩效评价扣分。",
}
RETURN_REASON = "答复未附整改依据，请补充相关合同、资金收回凭证等材料后重新答复。"
ANSWER_AGAIN = "补充说明：{subject}已完成整改，相关合同及资金收回凭证已报财政局备案，附件从略。"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _back(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= workcal.is_workday(day)
    return day


def room_for_letters(start: dt.datetime) -> bool:
    """Whether the letters' months fit between the rules run at ``start`` and today."""
    later = workcal.add_workdays(timezone.localdate(start), NEEDED_WORKDAYS)
    return later < timezone.localdate(real_now())


def load_moment(year: int) -> dt.datetime | None:
    """When the finance bureau's year-end data of ``year`` were loaded and the rules run: the
    second week of January after it, if the letters that followed fit before today (early
    in a year they do not: the data are loaded at the real time and no letter is written)."""
    moment = _at(workcal.add_workdays(dt.date(year + 1, 1, 5), 3), 9)
    return moment if room_for_letters(moment) else None


def pick_alerts(year: int) -> list[list[Alert]]:
    """For each story, open untouched alerts of one unit (a different unit per letter, the
    units with the most alerts first)."""
    open_ = (
        Alert.objects.filter(
            year=year, status=Alert.Status.OPEN, handling=Alert.Handling.NEW, unit__isnull=False
        )
        .select_related("rule", "unit")
        .order_by("unit__code", "rule__code", "period", "pk")
    )
    by_unit: dict[int, list[Alert]] = {}
    for alert in open_:
        by_unit.setdefault(alert.unit_id or 0, []).append(alert)
    units = sorted(by_unit.values(), key=lambda alerts: -len(alerts))
    picked: list[list[Alert]] = []
    for story in STORIES:
        for alerts in units:
            if len(alerts) >= story.alerts and alerts not in picked:
                picked.append(alerts[: story.alerts])
                units.remove(alerts)
                break
    return picked if len(picked) == len(STORIES) else []


def seed_inquiries(*, actor: User | None = None, year: int, start: dt.datetime) -> dict[str, int]:
    """The five letters, once: nothing is written if any letter exists, if the demo staff
    member, the finance bureau or its officer is missing, or if there are too few alerts."""
    if Inquiry.objects.exists():
        return {}
    staff = actor or User.objects.filter(username="staff", role=Role.STAFF).first()
    bureau = Organization.objects.filter(code=FINANCE_BUREAU).first()
    if staff is None or bureau is None or not letters.addressee_officers(bureau.pk):
        return {}
    officer = letters.addressee_officers(bureau.pk)[0]
    picked = pick_alerts(year)
    if not picked:
        return {}
    first = workcal.add_workdays(timezone.localdate(start), 5)
    today = timezone.localdate(real_now())
    steps: list[tuple[dt.datetime, Callable[[], object]]] = []
    closed = iter(CLOSED_TIMES)
    for story, alerts in zip(STORIES, picked, strict=True):
        if story.outcome in ("closed", "returned"):
            days = [workcal.add_workdays(first, n) if n else first for n in next(closed)]
        else:
            sent = WAITING_SENT if story.outcome == "waiting" else OVERDUE_SENT
            days = [_back(today, sent)]
        steps += _story(staff, officer, bureau, story, alerts, days)
    steps.sort(key=lambda step: step[0])
    with simulated_clock(steps[0][0]) as clock:
        for moment, step in steps:
            clock.move_to(moment)
            step()
    return {"问询函": len(picked)}


def _story(
    staff: User,
    officer: User,
    bureau: Organization,
    story: Story,
    alerts: list[Alert],
    days: list[dt.date],
) -> list[tuple[dt.datetime, Callable[[], object]]]:
    """The steps of one letter, each with its moment; the letter is found by its alerts."""
    box: dict[str, Inquiry] = {}

    def draft() -> None:
        box["letter"] = letters.create_inquiry(
            actor=staff, alerts=alerts, addressee=bureau, response_days=10
        )

    def issue() -> None:
        letters.issue_inquiry(actor=staff, inquiry=box["letter"], note="请财政局会同预算单位核实。")

    def answer() -> None:
        letters.respond_inquiry(
            actor=officer,
            inquiry=box["letter"],
            answers={
                a.pk: (_text(ANSWERS[f], a), f) for a, f in zip(alerts, story.findings, strict=True)
            },
        )

    def give_back() -> None:
        letters.return_inquiry(
            actor=staff, inquiry=box["letter"], reason=RETURN_REASON, alerts=[alerts[0].pk]
        )

    def answer_again() -> None:
        letters.respond_inquiry(
            actor=officer,
            inquiry=box["letter"],
            answers={alerts[0].pk: (_text(ANSWER_AGAIN, alerts[0]), story.findings[0])},
        )

    def accept() -> None:
        letters.accept_inquiry(
            actor=staff, inquiry=box["letter"], note="答复意见已审核，同意办结，请持续跟踪整改。"
        )

    sent = days[0]
    steps: list[tuple[dt.datetime, Callable[[], object]]] = [
        (_at(sent, 9, 40), draft),
        (_at(sent, 15, 10), issue),
    ]
    if story.outcome == "closed":
        steps += [(_at(days[1], 16, 20), answer), (_at(days[2], 10, 30), accept)]
    elif story.outcome == "returned":
        steps += [
            (_at(days[1], 11, 5), answer),
            (_at(days[2], 14, 45), give_back),
            (_at(days[3], 17, 10), answer_again),
            (_at(days[4], 9, 50), accept),
        ]
    return steps


def _text(template: str, alert: Alert) -> str:
    subject = alert.unit.name if alert.unit else alert.subject_label
    return template.format(subject=subject, rule=f"“{alert.rule.name}”")
