"""The demo county's exam year, after the bank (`seed_demo_sitting`, called by
`load_demo_exams`): the 市人民政府's 提请任命名单 for a standing-committee meeting three weeks
ahead, and the exams its nominees sit.

Written through the services, each step at the moment it "happened" (core.demo_clock):

- eleven days ago the list of five nominees was submitted (it became an agenda item of the
  meeting) and a blueprint over the bank was saved (公共部分 + 政府部分, 40 questions, 100
  points, checked for two parallel forms);
- a week ago four of them sat the first sitting in the exam room: every answer saved by the
  attempt service, short answers marked blind by two graders of the 人代选工委 (the office with
  the exams duty), results released — three passed, 曾凡军 failed and may sit one makeup;
- in three days the second sitting: 彭志刚 (the demo 拟任命人员 account) sits his exam and 曾凡军
  his makeup, papers drawn, admission slips ready. Until both pass, the meeting's agenda item
  says who is missing and the list cannot go to the vote.

Loading twice creates nothing: the list's title is the key."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renda.accounts.models import User
from renda.accounts.services import create_user
from renda.core.demo_clock import simulated_clock
from renda.core.models import Organization, Region
from renda.core.registry import create_organization
from renda.core.roles import Duty, Role
from renda.deputies.models import Level, Term
from renda.meetings import services as meeting_services
from renda.meetings.models import Meeting

from ..models import (
    AppointmentList,
    Attempt,
    Blueprint,
    Enrolment,
    ExamSitting,
    Nomination,
    QuestionType,
    Section,
    SittingMode,
    Topic,
)
from ..services import appointments as appointment_services
from ..services.attempts import save_answer, start_attempt, submit_attempt
from ..services.blueprints import CellSpec, save_blueprint
from ..services.grading import mark_answer, release_results
from ..services.papers import draw_lot, generate_forms, generate_papers
from ..services.sittings import create_sitting

LIST_TITLE = "冷水江市人民政府提请任命名单（演示）"
BLUEPRINT_NAME = "政府组成部门负责人任前法律考试"
GOVERNMENT = ("ZF", "冷水江市人民政府", "市政府")
NETWORK = "10.12.8.0/24"  # the exam room's network (市人大机关考试室)
VENUE = "市人大常委会机关四楼考试室"
PASS_MARK = Decimal(60)

# (section, law, type, count, score each): 26 common + 14 government questions, 100 points.
CELLS: tuple[tuple[str, str, str, int, str], ...] = (
    (Section.COMMON, "宪法", QuestionType.SINGLE, 5, "2"),
    (Section.COMMON, "宪法", QuestionType.MULTIPLE, 3, "4"),
    (Section.COMMON, "宪法", QuestionType.TRUE_FALSE, 4, "2"),
    (Section.COMMON, "选举法", QuestionType.SINGLE, 3, "2"),
    (Section.COMMON, "地方组织法", QuestionType.SINGLE, 4, "2"),
    (Section.COMMON, "监督法", QuestionType.SINGLE, 3, "2"),
    (Section.COMMON, "代表法", QuestionType.TRUE_FALSE, 3, "2"),
    (Section.COMMON, "宪法", QuestionType.SHORT_ANSWER, 1, "10"),
    (Section.POSITION, "行政处罚法", QuestionType.SINGLE, 3, "2"),
    (Section.POSITION, "行政许可法", QuestionType.SINGLE, 2, "2"),
    (Section.POSITION, "行政诉讼法", QuestionType.SINGLE, 2, "2"),
    (Section.POSITION, "监察法", QuestionType.SINGLE, 2, "2"),
    (Section.POSITION, "行政复议法", QuestionType.TRUE_FALSE, 2, "2"),
    (Section.POSITION, "公务员法", QuestionType.MULTIPLE, 2, "4"),
    (Section.POSITION, "预算法", QuestionType.FILL_IN, 1, "4"),
)


@dataclass(frozen=True)
class Nominee:
    username: str
    name: str
    post: str
    # Share of the objective questions answered right at the first sitting; None: not sat yet.
    skill: float | None
    short_answer: str = ""


NOMINEES: tuple[Nominee, ...] = (
    Nominee("nominee", "彭志刚", "冷水江市司法局局长", None),
    Nominee(
        "nominee02",
        "刘卫东",
        "冷水江市教育局局长",
        0.92,
        "国家尊重和保障人权；公民在法律面前一律平等；国家机关实行民主集中制原则，"
        "对人民负责、受人民监督。",
    ),
    Nominee(
        "nominee03",
        "谢丽萍",
        "冷水江市卫生健康局局长",
        0.84,
        "人民通过人民代表大会行使国家权力，国家机关由人大产生、对它负责、受它监督。",
    ),
    Nominee("nominee04", "曾凡军", "冷水江市交通运输局局长", 0.4, "依法办事，为人民服务。"),
    Nominee(
        "nominee05",
        "李红梅",
        "冷水江市民政局局长",
        0.78,
        "一切权力属于人民，人民行使国家权力的机关是全国人大和地方各级人大。",
    ),
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _government() -> Organization:
    code, name, short = GOVERNMENT
    found = Organization.objects.filter(code=code).first()
    if found is not None:
        return found
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("pk").first()
    assert county is not None, "the registry (seed_demo) comes first"
    return create_organization(
        actor=None,
        name=name,
        code=code,
        kind=Organization.Kind.OTHER,
        region=county,
        short_name=short,
    )


def _nominee_accounts() -> tuple[dict[str, Any], int]:
    """The demo 拟任命人员 account (seed_demo's) and four more nominees of the list. They get a
    random password to change at first log-in (create_user), as staff would open them."""
    users: dict[str, Any] = {}
    made = 0
    for nominee in NOMINEES:
        user = User.objects.filter(username=nominee.username).first()
        if user is None:
            user = create_user(
                actor=None, username=nominee.username, name=nominee.name, role=Role.NOMINEE
            )
            made += 1
        users[nominee.username] = user
    return users, made


def _office() -> list[Any]:
    """Members of the office that holds the exams duty (人代选工委), never the demo staff
    account: the first administers the exams (the lot is drawn by a person), the next two
    mark the short answers blind."""
    office = [
        u
        for u in User.objects.filter(role=Role.STAFF, is_active=True)
        .exclude(username="staff")
        .select_related("organization")
        .order_by("username")
        if u.holds_duty(Duty.EXAMS)
    ]
    assert len(office) >= 3, "seed_demo gives the 人代选工委 its exams duty"
    return office[:3]


def _blueprint(admin: Any) -> Blueprint:
    found = Blueprint.objects.filter(name=BLUEPRINT_NAME).first()
    if found is not None:
        return found
    return save_blueprint(
        actor=admin,
        blueprint=None,
        name=BLUEPRINT_NAME,
        position_category="government",
        parallel_forms=2,
        cells=[
            CellSpec(
                section,
                Topic.objects.get(name=law, parent=None),
                kind,
                1,
                5,
                count,
                Decimal(score),
            )
            for section, law, kind, count, score in CELLS
        ],
        note="公共部分（宪法及国家机构组织法律）占三分之二，政府部分（行政法律）占三分之一；"
        "题库按两套平行卷检查过。",
    )


def _meeting(term: Term, start: dt.datetime) -> Meeting:
    number = (
        Meeting.objects.filter(term=term, kind=Meeting.Kind.STANDING).aggregate(n=Max("number"))[
            "n"
        ]
        or 0
    ) + 1
    return meeting_services.create_meeting(
        actor=None,
        kind=Meeting.Kind.STANDING,
        term=term,
        number=number,
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        venue="市人大常委会机关三楼会议室",
    )


def _value(answer: Any, right: bool, rng: random.Random, text: str) -> Any:
    """An answer in the positions the examinee was shown: the key, or a wrong one."""
    question = answer.question
    version = question.version
    order = question.option_order or list(range(len(version.options or ())))
    weights = [Decimal(str(version.options[i]["weight"])) for i in order]
    if version.type == QuestionType.SINGLE:
        good = [p for p, w in enumerate(weights) if w > 0]
        bad = [p for p, w in enumerate(weights) if w <= 0]
        return good[0] if right or not bad else rng.choice(bad)
    if version.type == QuestionType.MULTIPLE:
        good = [p for p, w in enumerate(weights) if w > 0]
        return good if right else good[:1]
    if version.type == QuestionType.TRUE_FALSE:
        truth = bool(version.answer["truth"])
        return truth if right else not truth
    if version.type == QuestionType.FILL_IN:
        return version.answer["accepted"][0] if right else "不清楚"
    return text


def _sit(enrolment: Enrolment, nominee: Nominee, ip: str, clock: Any, start: dt.datetime) -> None:
    """The nominee sits the paper: starts with the room's password, saves every answer as
    they go (right for a `skill` share of the objective questions), hands in."""
    assert nominee.skill is not None
    user = enrolment.user
    clock.move_to(start)
    start_attempt(actor=user, enrolment=enrolment, password=enrolment.sitting.password, ip=ip)
    attempt = Attempt.objects.select_related("enrolment__sitting", "enrolment__user").get(
        enrolment=enrolment
    )
    answers = list(attempt.answers.select_related("question__version").order_by("order"))
    objective = [a for a in answers if a.question.version.type != QuestionType.SHORT_ANSWER]
    rng = random.Random(f"demo-exam-{nominee.username}")
    right = set(rng.sample(range(len(objective)), round(nominee.skill * len(objective))))
    for step, answer in enumerate(answers):
        clock.move_to(start + dt.timedelta(seconds=50 * (step + 1)))
        is_right = answer in objective and objective.index(answer) in right
        save_answer(
            actor=user,
            attempt=attempt,
            order=answer.order,
            base_version=0,
            value=_value(answer, is_right, rng, nominee.short_answer),
            ip=ip,
        )
    clock.move_to(start + dt.timedelta(seconds=50 * (len(answers) + 2)))
    submit_attempt(actor=user, attempt=attempt, ip=ip)


def _mark(sitting: ExamSitting, graders: list[Any], skills: dict[int, float]) -> None:
    """Both graders mark every short answer (blind), a point apart at most."""
    from ..services.grading import short_answers

    for answer in short_answers(sitting).select_related("question", "attempt__enrolment"):
        maximum = answer.question.score
        skill = skills[answer.attempt.enrolment.user_id]
        first = (maximum * Decimal(str(skill))).quantize(Decimal(1))
        second = min(maximum, first + 1) if skill > 0.5 else max(Decimal(0), first - 1)
        for grader, score in zip(graders, (first, second), strict=True):
            mark_answer(actor=grader, answer=answer, score=score, comment="")


@transaction.atomic
def seed_demo_sitting() -> dict[str, int]:
    """The list, its meeting, the blueprint and the two sittings, once; counts by label."""
    if AppointmentList.objects.filter(title=LIST_TITLE).exists():
        return {}
    term = Term.objects.filter(level=Level.CITY, is_current=True).first()
    if term is None:
        return {}
    today = timezone.localdate()
    government = _government()
    users, accounts = _nominee_accounts()
    admin, *graders = _office()
    by_name = {n.username: n for n in NOMINEES}
    meeting_start = _at(today + dt.timedelta(days=21), 9)
    with simulated_clock(_at(today - dt.timedelta(days=12), 10)) as clock:
        meeting = _meeting(term, meeting_start)
        clock.move_to(_at(today - dt.timedelta(days=11), 15))
        appointment_list = appointment_services.create_list(
            actor=admin, title=LIST_TITLE, nominating_body=government, meeting=meeting
        )
        nominations: dict[str, Nomination] = {}
        for nominee in NOMINEES:
            nominations[nominee.username] = appointment_services.add_nomination(
                actor=admin,
                appointment_list=appointment_list,
                user=users[nominee.username],
                post=nominee.post,
                position_category="government",
            )
        appointment_services.submit_list(actor=admin, appointment_list=appointment_list)
        blueprint = _blueprint(admin)

        # The first sitting, a week ago: the four nominees who were ready sat the same paper,
        # one of two parallel forms drawn by lot in the room (so every question of it has
        # four attempts for the item statistics).
        clock.move_to(_at(today - dt.timedelta(days=10), 10))
        first_day = today - dt.timedelta(days=7)
        first = create_sitting(
            actor=admin,
            title=f"{first_day.year}年任前法律考试（第一场）",
            starts_at=_at(first_day, 9),
            ends_at=_at(first_day, 11),
            duration_minutes=60,
            pass_mark=PASS_MARK,
            venue=VENUE,
            blueprint=blueprint,
            allowed_networks=NETWORK,
            mode=SittingMode.FORMS,
            form_count=2,
        )
        sitters = [n for n in NOMINEES if n.skill is not None]
        enrolments = [
            appointment_services.enrol_nominee(
                actor=admin, nomination=nominations[n.username], sitting=first
            )
            for n in sitters
        ]
        clock.move_to(_at(today - dt.timedelta(days=8), 16))
        generate_forms(actor=admin, sitting=first)
        clock.move_to(_at(first_day, 8, 50))
        draw_lot(actor=admin, sitting=first, witness="市纪委监委驻市人大机关纪检监察组")
        for seat, enrolment in enumerate(enrolments, start=1):
            _sit(
                Enrolment.objects.select_related("sitting", "user").get(pk=enrolment.pk),
                by_name[enrolment.user.username],
                f"10.12.8.{20 + seat}",
                clock,
                _at(first_day, 9, 2 + seat),
            )
        clock.move_to(_at(first_day + dt.timedelta(days=1), 10))
        skills = {users[n.username].pk: n.skill or 0.0 for n in sitters}
        _mark(first, graders, skills)
        clock.move_to(_at(first_day + dt.timedelta(days=2), 9))
        release_results(actor=admin, sitting=first)

        # The second sitting, in three days: 彭志刚's exam and the one makeup of a fail.
        clock.move_to(_at(today - dt.timedelta(days=4), 10))
        second_day = today + dt.timedelta(days=3)
        second = create_sitting(
            actor=admin,
            title=f"{second_day.year}年任前法律考试（第二场，含补考）",
            starts_at=_at(second_day, 9),
            ends_at=_at(second_day, 11),
            duration_minutes=60,
            pass_mark=PASS_MARK,
            venue=VENUE,
            blueprint=blueprint,
            allowed_networks=NETWORK,
        )
        waiting = [
            row.nomination
            for row in appointment_services.gate(appointment_list).missing
            if row.code
            in (appointment_services.Status.NOT_ENROLLED, appointment_services.Status.MAKEUP)
        ]
        for nomination in waiting:
            appointment_services.enrol_nominee(actor=admin, nomination=nomination, sitting=second)
        clock.move_to(_at(today - dt.timedelta(days=1), 16))
        generate_papers(actor=admin, sitting=second)
    return {
        "拟任命人员账号": accounts,
        "常委会会议": 1,
        "提请任命名单": 1,
        "组卷规则": 1,
        "考试场次": 2,
        "答卷": len(enrolments),
    }
