"""Services of the inquiry letter (问询函) workflow `budget_inquiry` (budget/workflows.py).

Staff draft a letter from one or more alerts, issue it with a due date in working days, and
accept (办结) or return (退回重答) the answers; the addressed organisation's data-provider
officer answers EACH alert of the letter with its own explanation and finding
(`InquiryAnswer`), plus optional files for the letter. Staff may return some of the answers
and keep the others; the officer then answers only the returned ones, and the letter is
closed when every answer is accepted, each alert settled by its own finding. Every state change goes
through `core.workflow.apply_transition` (state check on the locked row, event, audit), and
the fields a step carries beyond its note are written in the same transaction.

The transitions have no fixed `Deadline` because the number of working days is chosen per
letter (`response_days`): `issue` and `return` compute the due time here with the project's
working-day calendar and write it beside the transition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.models import Alert, Inquiry, InquiryAnswer, InquiryAttachment
from renda.budget.permissions import can_handle_alerts
from renda.core import audit
from renda.core import calendar as workcal
from renda.core.attachments import DOCUMENTS, check_upload
from renda.core.models import Organization
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import apply_transition

# The organisations a letter may be addressed to: the finance bureau and other data
# providers, or a government department (a budget unit's supervising department).
ADDRESSEE_KINDS = (Organization.Kind.DATA_PROVIDER, Organization.Kind.GOVERNMENT_DEPARTMENT)
# States in which the addressee owes an answer; only these can be overdue for reminders.
AWAITING = ("issued", "returned")
MAX_RESPONSE_DAYS = 60
MAX_FILES = 10
MAX_FILE_MB = 20  # an answer's scanned letters and spreadsheets
NUMBER_PREFIX = "预问"
_NUMBER = re.compile(r"〔(\d{4})〕(\d+)号$")


# --- helpers ------------------------------------------------------------------------------


def addressee_officers(organization_id: int) -> list[User]:
    """The accounts that answer a letter: active data-provider officers of the addressee."""
    return list(
        User.objects.filter(
            role=Role.DATA_PROVIDER, organization_id=organization_id, is_active=True
        )
    )


def _url(inquiry: Inquiry) -> str:
    return reverse("budget:inquiry_detail", args=[inquiry.pk])


def _check_staff(actor: User) -> None:
    if not can_handle_alerts(actor):
        raise PermissionDenied("只有人大机关工作人员可以办理问询函。")


def _due(now: dt.datetime, days: int) -> dt.datetime:
    return workcal.due_at(now, workdays=days)


def _due_note(note: str, due: dt.datetime, days: int) -> str:
    """The timeline shows each step's note; the deadline the step set is part of it (the
    deadline varies per letter, so it is passed to the transition rather than declared)."""
    line = f"答复期限：{timezone.localtime(due):%Y年%m月%d日}（{days}个工作日）"
    return f"{note.strip()}\n{line}" if note.strip() else line


def next_number(year: int) -> str:
    """The next free 文号 of a year, e.g. 预问〔2026〕3号. Numbers are compared by length
    first, so that 〔2026〕10号 sorts after 〔2026〕9号 without parsing every row."""
    prefix = f"{NUMBER_PREFIX}〔{year}〕"
    last = (
        Inquiry.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    found = _NUMBER.search(last or "")
    return f"{prefix}{int(found.group(2)) + 1 if found else 1}号"


def default_title(alerts: Sequence[Alert]) -> str:
    if not alerts:
        return ""
    first = alerts[0]
    subject = first.unit.name if first.unit_id and first.unit else first.subject_label
    more = f"等{len(alerts)}条" if len(alerts) > 1 else ""
    return f"关于{subject}“{first.rule.name}”{more}预警事项的问询函"[:200]


def default_questions(alerts: Sequence[Alert]) -> str:
    """One numbered paragraph per alert (its explanation), then what the letter asks for."""
    lines = [
        f"{n}. 〔{a.rule.code} {a.rule.name}·{a.get_level_display()}〕{a.explanation}"
        for n, a in enumerate(alerts, start=1)
    ]
    lines.append(
        "请核实上述情况，说明原因；属实的，请说明已采取或拟采取的整改措施，并附相关依据材料。"
    )
    return "\n".join(lines)


def _lock(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


def _refresh(target: Inquiry, source: Inquiry, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


# --- create -------------------------------------------------------------------------------


@transaction.atomic
def create_inquiry(
    *,
    actor: User,
    alerts: Sequence[Alert],
    addressee: Organization,
    title: str = "",
    questions: str = "",
    response_days: int = 10,
) -> Inquiry:
    """A draft letter about ``alerts`` to ``addressee``; title and questions default to the
    alerts' explanations. Its number is allocated now (unique in the database)."""
    _check_staff(actor)
    alerts = list(alerts)
    if not alerts:
        raise ValidationError("请至少选择一条预警。")
    _check_addressee(addressee)
    if not 1 <= response_days <= MAX_RESPONSE_DAYS:
        raise ValidationError(
            {"response_days": f"答复期限应为 1 至 {MAX_RESPONSE_DAYS} 个工作日。"}
        )
    title = (title.strip() or default_title(alerts))[:200]
    questions = questions.strip() or default_questions(alerts)
    year = timezone.localdate().year
    # Two drafts created at once may pick the same number: the unique constraint refuses
    # the second, which then takes the next number (a savepoint keeps the outer transaction).
    for _attempt in range(5):
        inquiry = Inquiry(
            number=next_number(year),
            title=title,
            questions=questions,
            addressee=addressee,
            response_days=response_days,
            created_by=actor,
        )
        inquiry.full_clean(exclude=["number"])
        try:
            with transaction.atomic():
                inquiry.save()
        except IntegrityError:
            continue
        break
    else:
        raise ValidationError("文号分配冲突，请稍后重试。")
    inquiry.alerts.set(alerts)
    InquiryAnswer.objects.bulk_create(InquiryAnswer(inquiry=inquiry, alert=a) for a in alerts)
    audit.record(
        actor=actor,
        action="budget.inquiry.create",
        target=inquiry,
        details={
            "number": inquiry.number,
            "addressee": addressee.pk,
            "alerts": [a.pk for a in alerts],
            "response_days": response_days,
        },
    )
    return inquiry


@transaction.atomic
def update_draft(
    *,
    actor: User,
    inquiry: Inquiry,
    addressee: Organization,
    title: str,
    questions: str,
    response_days: int,
) -> Inquiry:
    """Change a letter that has not been sent. Once issued it is the record of what the
    addressee received and stays as it is."""
    _check_staff(actor)
    locked = _lock(inquiry)
    if locked.state != "draft":
        raise ValidationError("问询函已经发出，不能再修改；如需更正，请撤回后重新起草。")
    _check_addressee(addressee)
    if not 1 <= response_days <= MAX_RESPONSE_DAYS:
        raise ValidationError(
            {"response_days": f"答复期限应为 1 至 {MAX_RESPONSE_DAYS} 个工作日。"}
        )
    alerts = list(locked.alerts.all())
    before = {"title": locked.title, "addressee": locked.addressee_id, "days": locked.response_days}
    locked.title = (title.strip() or default_title(alerts))[:200]
    locked.questions = questions.strip() or default_questions(alerts)
    locked.addressee = addressee
    locked.response_days = response_days
    locked.full_clean()
    locked.save(update_fields=["title", "questions", "addressee", "response_days", "updated_at"])
    audit.record(
        actor=actor,
        action="budget.inquiry.edit",
        target=locked,
        details={"number": locked.number, "before": before, "addressee": addressee.pk},
    )
    _refresh(inquiry, locked, ["title", "questions", "addressee", "response_days"])
    return inquiry


def _check_addressee(addressee: Organization) -> None:
    if addressee.kind not in ADDRESSEE_KINDS or not addressee.is_active:
        raise ValidationError({"addressee": "问询函只能发给财政等数据报送单位或政府部门。"})
    if not addressee_officers(addressee.pk):
        raise ValidationError(
            {"addressee": f"“{addressee.name}”还没有数据报送账号，无法在线答复；请先为其开通账号。"}
        )


# --- the workflow steps -------------------------------------------------------------------


@transaction.atomic
def issue_inquiry(
    *, actor: User, inquiry: Inquiry, note: str = "", expected_state: str | None = None
) -> Inquiry:
    """Send the draft: due in ``response_days`` working days, the alerts become 已发问询函,
    and the addressee's officers are told."""
    _check_staff(actor)
    if not addressee_officers(inquiry.addressee_id):
        raise ValidationError("被问询单位还没有数据报送账号，无法在线答复；请先为其开通账号。")
    now = timezone.now()
    due = _due(now, inquiry.response_days)
    apply_transition(
        actor=actor,
        obj=inquiry,
        transition="issue",
        note=_due_note(note, due, inquiry.response_days),
        expected_state=expected_state,
        due_at=due,  # the event keeps it, so the timeline can mark a late answer
    )
    locked = _lock(inquiry)
    locked.due_at, locked.issued_at, locked.reminded_at = due, now, None
    locked.save(update_fields=["due_at", "issued_at", "reminded_at", "updated_at"])
    _refresh(inquiry, locked, ["state", "due_at", "issued_at", "reminded_at"])
    # Alerts already resolved by an earlier letter keep that outcome.
    Alert.objects.filter(inquiries=locked, handling=Alert.Handling.NEW).update(
        handling=Alert.Handling.INQUIRED
    )
    notify(
        actor=actor,
        recipients=addressee_officers(locked.addressee_id),
        title=f"问询函：{locked.number} {locked.title}",
        body=f"请于 {timezone.localtime(due):%Y年%m月%d日} 前在线答复。",
        url=_url(locked),
        sms=True,
    )
    return inquiry


OPEN = (InquiryAnswer.State.PENDING, InquiryAnswer.State.RETURNED)


def open_answers(inquiry: Inquiry) -> list[InquiryAnswer]:
    """The answers the addressee still owes: never answered, or returned by staff."""
    return list(inquiry.answers.filter(state__in=OPEN).select_related("alert__rule", "alert__unit"))


def _check_answers(
    open_: Sequence[InquiryAnswer],
    answers: Mapping[int, tuple[str, str]] | None,
    response: str,
    finding: str,
) -> dict[int, tuple[str, str]]:
    """Each open alert's (text, finding), checked. Without ``answers`` the one ``response``
    and ``finding`` answer every open alert (a letter about one alert, or a script); the
    form sends one pair per alert, and an error names the alert's own fields."""
    problems: dict[str, list[str]] = {}
    if answers is None:
        given = {a.alert_id: (response, finding) for a in open_}
        keys = {a.alert_id: ("response", "finding") for a in open_}
    else:
        given = dict(answers)
        keys = {a.alert_id: (f"response_{a.alert_id}", f"finding_{a.alert_id}") for a in open_}
        stray = set(given) - set(keys)
        if stray:
            problems["__all__"] = ["所答复的预警不在本函待答复的事项中，请刷新页面后重试。"]
    checked: dict[int, tuple[str, str]] = {}
    for answer in open_:
        text_key, finding_key = keys[answer.alert_id]
        text, found = given.get(answer.alert_id, ("", ""))
        if not text.strip():
            problems.setdefault(text_key, []).append("请填写答复说明。")
        if found not in Inquiry.Finding.values:
            problems.setdefault(finding_key, []).append(
                "请选择核实结论（属正常、已整改或确属违规）。"
            )
        checked[answer.alert_id] = (text.strip(), found)
    if problems:
        raise ValidationError(problems)
    return checked


def _answers_note(answers: Sequence[InquiryAnswer]) -> str:
    """The timeline's note of one answer step: each alert with its finding and text."""
    return "\n".join(
        f"{n}. 〔{a.alert.rule.code} {a.alert.rule.name}·{a.alert.subject_label}〕"
        f"{a.get_finding_display()}：{a.response}"
        for n, a in enumerate(answers, start=1)
    )


@transaction.atomic
def respond_inquiry(
    *,
    actor: User,
    inquiry: Inquiry,
    answers: Mapping[int, tuple[str, str]] | None = None,
    response: str = "",
    finding: str = "",
    files: Sequence[Any] = (),
    expected_state: str | None = None,
) -> Inquiry:
    """The addressee's answer: for every alert still open in the letter, its own explanation
    and finding (``answers``: alert id → (text, finding)), and optional files for the
    letter. Everything is checked before anything is written; the workflow's state check
    on the locked row makes a second submission of the same answer fail instead of writing
    twice."""
    open_ = open_answers(inquiry)
    problems: dict[str, list[str]] = {}
    try:
        checked = _check_answers(open_, answers, response, finding)
    except ValidationError as error:
        problems.update(error.message_dict)
    if len(files) > MAX_FILES:
        problems["attachments"] = [f"一次最多上传 {MAX_FILES} 个附件。"]
    if problems:
        raise ValidationError(problems)
    for uploaded in files:
        check_upload(uploaded, allowed=DOCUMENTS, max_mb=MAX_FILE_MB, field="attachments")
    now = timezone.now()
    for answer in open_:
        answer.response, answer.finding = checked[answer.alert_id]
        answer.state = InquiryAnswer.State.ANSWERED
    apply_transition(
        actor=actor,
        obj=inquiry,
        transition="respond",
        note=_answers_note(open_),
        expected_state=expected_state,
    )
    locked = _lock(inquiry)
    # Under the letter's lock: the answers still open are exactly the ones checked above
    # (the state check of the transition refused a concurrent second answer).
    for answer in open_:
        answer.responded_at, answer.responded_by, answer.return_reason = now, actor, ""
        answer.full_clean()
    InquiryAnswer.objects.bulk_update(
        open_, ["state", "response", "finding", "responded_at", "responded_by", "return_reason"]
    )
    locked.responded_at = now
    locked.responded_by = actor
    locked.save(update_fields=["responded_at", "responded_by", "updated_at"])
    _refresh(inquiry, locked, ["state", "responded_at", "responded_by"])
    for uploaded in files:
        InquiryAttachment.objects.create(
            inquiry=locked,
            file=uploaded,
            name=(uploaded.name or "附件")[:200],
            size=uploaded.size,
            uploaded_by=actor,
        )
    findings = {str(a.alert_id): a.finding for a in open_}
    audit.record(
        actor=actor,
        action="budget.inquiry.respond",
        target=locked,
        details={"findings": findings, "files": len(files)},
    )
    counts: dict[str, int] = {}
    for a in open_:
        counts[a.get_finding_display()] = counts.get(a.get_finding_display(), 0) + 1
    summary = "、".join(f"{label} {n} 条" for label, n in counts.items())
    notify(
        actor=actor,
        recipients=[u for u in [locked.created_by] if u.is_active],
        title=f"问询函已答复：{locked.number}",
        body=f"核实结论：{summary}。请逐条审核后办结或退回。",
        url=_url(locked),
    )
    return inquiry


@transaction.atomic
def accept_inquiry(
    *, actor: User, inquiry: Inquiry, note: str = "", expected_state: str | None = None
) -> Inquiry:
    """Accept the answers (办结): every answer is accepted and each alert is settled by its
    own finding: 经核实无问题 when it was normal, otherwise 已办结."""
    _check_staff(actor)
    apply_transition(
        actor=actor, obj=inquiry, transition="accept", note=note, expected_state=expected_state
    )
    locked = _lock(inquiry)
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at", "updated_at"])
    _refresh(inquiry, locked, ["state", "closed_at"])
    answers = InquiryAnswer.objects.filter(inquiry=locked)
    normal = answers.filter(finding=Inquiry.Finding.NORMAL).values("alert_id")
    others = answers.exclude(finding=Inquiry.Finding.NORMAL).values("alert_id")
    Alert.objects.filter(pk__in=normal).update(handling=Alert.Handling.DISMISSED)
    Alert.objects.filter(pk__in=others).update(handling=Alert.Handling.RESOLVED)
    answers.update(state=InquiryAnswer.State.ACCEPTED, updated_at=locked.closed_at)
    notify(
        actor=actor,
        recipients=addressee_officers(locked.addressee_id),
        title=f"问询函已办结：{locked.number}",
        body=note.strip(),
        url=_url(locked),
    )
    return inquiry


@transaction.atomic
def return_inquiry(
    *,
    actor: User,
    inquiry: Inquiry,
    reason: str,
    alerts: Sequence[int] | None = None,
    expected_state: str | None = None,
) -> Inquiry:
    """Return answers with a reason: those of ``alerts`` (ids), or all of them when none are
    named. The answers not returned stand; the addressee answers the returned ones again
    within a new period of ``response_days`` working days."""
    _check_staff(actor)
    now = timezone.now()
    due = _due(now, inquiry.response_days)
    if not reason.strip():
        raise ValidationError({"note": "请填写退回理由。"})
    answered = inquiry.answers.filter(state=InquiryAnswer.State.ANSWERED)
    chosen = answered.filter(alert_id__in=alerts) if alerts else answered
    if alerts and chosen.count() != len(set(alerts)):
        raise ValidationError("所选预警不在本函已答复的事项中，请刷新页面后重试。")
    returned = list(chosen.select_related("alert__rule"))
    if not returned:
        raise ValidationError("没有可退回的答复。")
    scope = (
        ""
        if len(returned) == answered.count()
        else "退回事项："
        + "、".join(f"{a.alert.rule.code} {a.alert.subject_label}" for a in returned)
        + "\n"
    )
    apply_transition(
        actor=actor,
        obj=inquiry,
        transition="return",
        note=_due_note(scope + reason.strip(), due, inquiry.response_days),
        expected_state=expected_state,
        due_at=due,
    )
    locked = _lock(inquiry)
    InquiryAnswer.objects.filter(pk__in=[a.pk for a in returned]).update(
        state=InquiryAnswer.State.RETURNED, return_reason=reason.strip(), updated_at=now
    )
    locked.returned_count += 1
    locked.due_at, locked.reminded_at = due, None
    locked.save(update_fields=["returned_count", "due_at", "reminded_at", "updated_at"])
    _refresh(inquiry, locked, ["state", "returned_count", "due_at", "reminded_at"])
    notify(
        actor=actor,
        recipients=addressee_officers(locked.addressee_id),
        title=f"问询函答复被退回：{locked.number}",
        body=(
            f"{scope}退回理由：{reason.strip()}。"
            f"请于 {timezone.localtime(due):%Y年%m月%d日} 前重新答复。"
        ),
        url=_url(locked),
        sms=True,
    )
    return inquiry


@transaction.atomic
def withdraw_inquiry(
    *, actor: User, inquiry: Inquiry, reason: str, expected_state: str | None = None
) -> Inquiry:
    """Withdraw a draft or an issued letter. Its alerts go back to 未处理 unless another
    letter still covers them."""
    _check_staff(actor)
    was = inquiry.state
    apply_transition(
        actor=actor, obj=inquiry, transition="withdraw", note=reason, expected_state=expected_state
    )
    live = Inquiry.objects.exclude(state__in=("draft", "withdrawn")).exclude(pk=inquiry.pk)
    Alert.objects.filter(inquiries=inquiry, handling=Alert.Handling.INQUIRED).exclude(
        inquiries__in=live
    ).update(handling=Alert.Handling.NEW)
    if was != "draft":
        notify(
            actor=actor,
            recipients=addressee_officers(inquiry.addressee_id),
            title=f"问询函已撤回：{inquiry.number}",
            body=reason.strip(),
            url=_url(inquiry),
        )
    return inquiry


# The plain buttons on the detail page; `respond` has its own form (finding and files).
BUTTON_STEPS = {
    "issue": lambda actor, inquiry, note, expected, alerts: issue_inquiry(
        actor=actor, inquiry=inquiry, note=note, expected_state=expected
    ),
    "accept": lambda actor, inquiry, note, expected, alerts: accept_inquiry(
        actor=actor, inquiry=inquiry, note=note, expected_state=expected
    ),
    "return": lambda actor, inquiry, note, expected, alerts: return_inquiry(
        actor=actor, inquiry=inquiry, reason=note, alerts=alerts, expected_state=expected
    ),
    "withdraw": lambda actor, inquiry, note, expected, alerts: withdraw_inquiry(
        actor=actor, inquiry=inquiry, reason=note, expected_state=expected
    ),
}


def take_step(
    *,
    actor: User,
    inquiry: Inquiry,
    step: str,
    note: str = "",
    expected_state: str | None = None,
    alerts: Sequence[int] | None = None,
) -> Inquiry:
    """One of the button steps by name (the detail page's action buttons); ``alerts`` names
    the answers a return sends back (all when empty)."""
    service = BUTTON_STEPS.get(step)
    if service is None:
        raise ValidationError("该操作需要在对应的表单中办理。")
    return service(actor, inquiry, note, expected_state, alerts or None)  # type: ignore[no-any-return]


# --- overdue reminders --------------------------------------------------------------------


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Letters whose answer is late: awaiting an answer and past the due time. (A letter
    answered and awaiting review is not the addressee's delay.)"""
    return Q(state__in=AWAITING, due_at__lt=now or timezone.now())


def is_overdue(inquiry: Inquiry, now: dt.datetime | None = None) -> bool:
    return bool(
        inquiry.state in AWAITING
        and inquiry.due_at is not None
        and inquiry.due_at < (now or timezone.now())
    )


def remind_overdue_inquiries(now: dt.datetime | None = None) -> int:
    """Remind the addressee's officers and the drafting staff of every late letter, once per
    working day (`reminded_at`); on a day off nobody is reminded. Returns the letters
    reminded. Each letter is claimed by a conditional UPDATE, so two jobs running at once
    do not remind twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not workcal.is_workday(today):
        return 0
    zone = timezone.get_default_timezone()
    start_of_day = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
    not_today = Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_day)
    late = Inquiry.objects.filter(overdue_q(now)).filter(not_today).select_related("created_by")
    staff = list(User.objects.filter(role=Role.STAFF, is_active=True))
    reminded = 0
    for inquiry in late:
        with transaction.atomic():
            claimed = (
                Inquiry.objects.filter(pk=inquiry.pk)
                .filter(overdue_q(now))
                .filter(not_today)
                .update(reminded_at=now)
            )
            if not claimed:
                continue
            days = (today - timezone.localdate(inquiry.due_at)).days
            drafter = [inquiry.created_by] if inquiry.created_by.is_active else staff
            notify(
                actor=None,
                recipients=addressee_officers(inquiry.addressee_id) + drafter,
                title=f"问询函逾期未答复：{inquiry.number}",
                body=(
                    f"答复期限 {timezone.localtime(inquiry.due_at):%Y年%m月%d日} 已过"
                    f"{days}天，请尽快答复。"
                ),
                url=_url(inquiry),
                sms=True,
            )
            reminded += 1
    audit.record(
        actor=None,
        action="budget.inquiry.remind",
        username="系统任务",
        details={"reminded": reminded},
    )
    return reminded
