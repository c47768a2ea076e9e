"""Who may see and change budget data (docs/architecture.md §4.3).

Staff (人大机关工作人员, the budget committee's office) and standing-committee members read all
budget data; staff and data-provider officers upload files; a data-provider officer sees
only the batches they uploaded or pushed; the security administrator alone issues and
revokes push tokens.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from renda.accounts.models import User
from renda.budget.ingest.kinds import KIND_PREFIX
from renda.budget.models import Alert, BudgetUnit, ExportJob, Inquiry, PushToken, Rule
from renda.core.models import ImportBatch
from renda.core.roles import Duty, Role, has_duty, has_role

READERS = (Role.STAFF, Role.SC_MEMBER)
UPLOADERS = (Role.STAFF, Role.DATA_PROVIDER)
HOME = (Role.STAFF, Role.SC_MEMBER, Role.DATA_PROVIDER)


def can_view_budget_data(user: User | AnonymousUser) -> bool:
    return has_role(user, *READERS)


def can_upload_budget_data(user: User | AnonymousUser) -> bool:
    """Data-provider officers, and staff with the budget duty."""
    if has_role(user, Role.STAFF):
        return has_duty(user, Duty.BUDGET)
    return has_role(user, *UPLOADERS)


def can_view_payees(user: User | AnonymousUser) -> bool:
    """Payee-level data (收款人): standing-committee members and staff with the budget duty;
    other staff read the budget figures without who was paid."""
    return has_role(user, Role.SC_MEMBER) or has_duty(user, Duty.BUDGET)


def can_manage_push_tokens(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.SECURITY_ADMIN)


def batches_for_user(user: User | AnonymousUser) -> QuerySet[ImportBatch]:
    """Budget batches the user may see: all for readers, their own for a data provider."""
    qs = ImportBatch.objects.filter(kind__startswith=KIND_PREFIX).select_related("created_by")
    if has_role(user, *READERS):
        return qs
    if has_role(user, Role.DATA_PROVIDER) and isinstance(user, User):
        return qs.filter(created_by=user)
    return qs.none()


def get_batch_for_user(user: User | AnonymousUser, pk: int) -> ImportBatch:
    # Another officer's batch answers 404, so that ids give nothing away.
    return get_object_or_404(batches_for_user(user), pk=pk)


def get_unit_for_user(user: User | AnonymousUser, pk: int) -> BudgetUnit:
    if not can_view_budget_data(user):
        return get_object_or_404(BudgetUnit.objects.none(), pk=pk)
    return get_object_or_404(BudgetUnit.objects.select_related("region", "department"), pk=pk)


def get_token_for_user(user: User | AnonymousUser, pk: int) -> PushToken:
    qs = PushToken.objects.all() if can_manage_push_tokens(user) else PushToken.objects.none()
    return get_object_or_404(qs, pk=pk)


# --- supervision (issue 6) ---------------------------------------------------------------


def can_view_alerts(user: User | AnonymousUser) -> bool:
    """Alerts, dashboards and the big screen: the budget committee's staff and the
    standing-committee members."""
    return has_role(user, *READERS)


def can_manage_rules(user: User | AnonymousUser) -> bool:
    """Change thresholds, switch rules on and off, run and backtest them: staff with the
    budget duty (预算工委, 财经委)."""
    return has_duty(user, Duty.BUDGET)


def can_handle_alerts(user: User | AnonymousUser) -> bool:
    """Issue inquiries, put an alert on the agenda, turn it into a suggestion: staff with the
    budget duty."""
    return has_duty(user, Duty.BUDGET)


def alerts_for_user(user: User | AnonymousUser) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("rule", "unit", "region")
    return qs if can_view_alerts(user) else qs.none()


def get_alert_for_user(user: User | AnonymousUser, pk: int) -> Alert:
    return get_object_or_404(alerts_for_user(user), pk=pk)


def get_rule_for_user(user: User | AnonymousUser, code: str) -> Rule:
    qs = Rule.objects.all() if can_view_alerts(user) else Rule.objects.none()
    return get_object_or_404(qs, code=code)


def alerts_offered_to(user: User | AnonymousUser) -> QuerySet[Alert]:
    """Alerts offered to the deputy behind this account (none for anybody else)."""
    deputy = getattr(user, "deputy", None) if has_role(user, Role.DEPUTY) else None
    if deputy is None:
        return Alert.objects.none()
    return Alert.objects.filter(offered_to=deputy).select_related("rule", "unit")


def inquiries_for_user(user: User | AnonymousUser) -> QuerySet[Inquiry]:
    """Readers see every letter; a data-provider officer sees only the letters issued to
    their own organisation (never drafts); everybody else none."""
    qs = Inquiry.objects.select_related("addressee", "created_by")
    if has_role(user, *READERS):
        return qs
    if has_role(user, Role.DATA_PROVIDER) and isinstance(user, User) and user.organization_id:
        return qs.filter(addressee_id=user.organization_id).exclude(state="draft")
    return qs.none()


def get_inquiry_for_user(user: User | AnonymousUser, pk: int) -> Inquiry:
    # Another organisation's letter answers 404, so that ids give nothing away.
    return get_object_or_404(inquiries_for_user(user), pk=pk)


# --- background exports (issue 14) -------------------------------------------------------


def exports_for_user(user: User | AnonymousUser) -> QuerySet[ExportJob]:
    """A user's own exports, and only while they may read budget data: an export's file is
    for the one who asked for it."""
    if not can_view_budget_data(user) or not isinstance(user, User):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=user)


def get_export_for_user(user: User | AnonymousUser, pk: int) -> ExportJob:
    # Somebody else's export answers 404, so that ids give nothing away.
    return get_object_or_404(exports_for_user(user), pk=pk)
