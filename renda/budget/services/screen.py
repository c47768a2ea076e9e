"""Display passes for the meeting-room big screen (大屏).

A meeting-room screen runs for hours on a machine nobody is logged in to, and a staff
session would expire under it (等保 session limits). So a reader issues a pass: a signed
token naming them, valid for `PASS_HOURS`, that opens the big screen and its data feed and
nothing else. No table: the token is signed with the site key (django.core.signing) and
checked against its issuer on every request, so deactivating the issuer or taking away
their reading right ends every pass they gave out. Issuing is audited.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied

from renda.accounts.models import User
from renda.budget.permissions import can_view_alerts
from renda.core import audit

PASS_HOURS = 12
_SALT = "renda.budget.bigscreen-pass"


def issue_screen_pass(*, actor: User) -> str:
    if not can_view_alerts(actor):
        raise PermissionDenied("只有人大机关工作人员和常委会组成人员可以生成大屏链接。")
    token = signing.TimestampSigner(salt=_SALT).sign(str(actor.pk))
    audit.record(
        actor=actor,
        action="budget.bigscreen_pass",
        target=actor,
        details={"valid_hours": PASS_HOURS},
    )
    return token


def screen_pass_user(token: str | None) -> User | None:
    """The issuer of a valid, unexpired pass who may still read budget alerts, else None."""
    if not token:
        return None
    try:
        user_id = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=PASS_HOURS * 3600)
    except signing.BadSignature:  # tampered or expired (SignatureExpired is a subclass)
        return None
    user = User.objects.filter(pk=user_id).first()
    return user if user is not None and can_view_alerts(user) else None
