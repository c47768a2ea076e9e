"""A deputy's log-in account, opened from the deputy's record in one step: the account is
created through accounts' services with the role deputy and linked to the record at once. The
initial password goes by SMS to the deputy's own mobile number (core.notifications) and is
never shown to the member of staff who opened the account: nobody learns another person's
credential.

A whole term at once (`issue_term_accounts`) opens accounts without passwords: 597 deputies
log in with their mobile number and a text-message code."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from renda.accounts.models import User
from renda.accounts.services import create_user, generate_password
from renda.core import audit, notifications
from renda.core.roles import Role
from renda.lib.idcard import is_mobile

from ..models import Deputy, Term


def account_username(deputy: Deputy) -> str:
    """A log-in name for the deputy: rd + the record's number, never a mobile number."""
    base = f"rd{deputy.pk:06d}"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _check(actor: User, deputy: Deputy) -> None:
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以为代表开通账号。")
    if deputy.user_id is not None:
        raise ValidationError("该代表已关联登录账号。")
    if deputy.status == Deputy.Status.ENDED:
        raise ValidationError("该代表资格已终止，不能开通账号。")
    if not deputy.mobile.strip():
        raise ValidationError(
            "该代表没有登记手机号：初始口令要以短信直接发给代表本人，请先在档案中登记手机号。"
        )


@transaction.atomic
def create_deputy_account(*, actor: User, deputy: Deputy) -> User:
    """Open the deputy's account (role deputy, must change the password at first log in),
    link it to the record and text the initial password to the deputy's mobile after the
    commit. Audited as deputy.account_create (without the password)."""
    locked = Deputy.objects.select_for_update().get(pk=deputy.pk)
    _check(actor, locked)
    password = generate_password()
    user = create_user(
        actor=actor,
        username=account_username(locked),
        name=locked.name,
        role=Role.DEPUTY,
        password=password,
        mobile=locked.mobile,
        must_change_password=True,
    )
    Deputy.objects.filter(pk=locked.pk).update(user=user)
    deputy.user = user
    text = (
        f"【智慧人大】{locked.name}代表，您的履职账号 {user.username} 已开通，初始口令：{password}。"
        "首次登录须修改口令；请勿告知他人，工作人员不会向您索要口令。"
    )
    mobile = locked.mobile
    transaction.on_commit(lambda: notifications.sms_backend().send(mobile=mobile, text=text))
    audit.record(
        actor=actor,
        action="deputy.account_create",
        target=locked,
        details={"user": user.pk, "username": user.username, "credential": "sms"},
    )
    return user


@dataclass
class Issuance:
    """What one bulk issuance did: the accounts opened, the deputies who already had one,
    and the deputies left without an account and why (no valid mobile number, a number an
    account of somebody else already uses) — listed, never skipped silently."""

    created: list[Deputy] = field(default_factory=list)
    already: int = 0
    refused: list[tuple[Deputy, str]] = field(default_factory=list)


def issuable(term: Term) -> QuerySet[Deputy]:
    """The deputies of a term whose accounts a bulk issuance concerns: all but the ended."""
    return (
        Deputy.objects.filter(term=term)
        .exclude(status=Deputy.Status.ENDED)
        .select_related("region")
        .order_by("region__name", "name", "pk")
    )


def refusal(deputy: Deputy) -> str:
    if not deputy.mobile.strip():
        return "未登记手机号"
    if not is_mobile(deputy.mobile):
        return "手机号格式不正确"
    return ""


@transaction.atomic
def issue_term_accounts(*, actor: User, term: Term) -> Issuance:
    """Open a log-in account for every deputy of the term who has none (every deputy on a
    phone, issue 15 item 4): role deputy, linked to the record, no password — the deputy logs
    in with the mobile number on record and a text-message code, and a text tells them so.

    Run twice, it opens nothing twice: the term's records are locked first, so a second run
    at the same moment waits and then finds the accounts linked. Audited once per account
    (user.create, deputy.account_create) and once for the run (deputy.accounts_issue)."""
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以批量开通代表账号。")
    result = Issuance()
    deputies = list(issuable(term).select_for_update(of=("self",)))
    for deputy in deputies:
        if deputy.user_id is not None:
            result.already += 1
            continue
        problem = refusal(deputy)
        if not problem:
            try:
                with transaction.atomic():
                    _open_sms_account(actor, deputy)
            except ValidationError as exc:
                problem = "；".join(exc.messages)
        if problem:
            result.refused.append((deputy, problem))
        else:
            result.created.append(deputy)
    audit.record(
        actor=actor,
        action="deputy.accounts_issue",
        target=term,
        details={
            "created": len(result.created),
            "already": result.already,
            "refused": len(result.refused),
        },
    )
    return result


def _open_sms_account(actor: User, deputy: Deputy) -> None:
    user = create_user(
        actor=actor,
        username=account_username(deputy),
        name=deputy.name,
        role=Role.DEPUTY,
        mobile=deputy.mobile,
        sms_login_only=True,
    )
    Deputy.objects.filter(pk=deputy.pk).update(user=user)
    deputy.user = user
    text = (
        f"【智慧人大】{deputy.name}代表，您的履职账号已开通。"
        "请在手机上打开智慧人大，选择“短信验证码登录”，用本手机号和收到的验证码登录。"
    )
    mobile = deputy.mobile
    transaction.on_commit(lambda: notifications.sms_backend().send(mobile=mobile, text=text))
    audit.record(
        actor=actor,
        action="deputy.account_create",
        target=deputy,
        details={"user": user.pk, "username": user.username, "credential": "sms_login"},
    )
