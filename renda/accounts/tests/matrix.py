from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect, logged_in

SYSTEM = ["system_admin"]
SECURITY = ["security_admin"]
ADMINS = ["system_admin", "security_admin", "audit_admin"]


def an_account(world: Any) -> list[int]:
    """An ordinary account to act on, so that no persona's own account is changed."""
    from renda.accounts import services
    from renda.core.roles import Role

    user = services.create_user(
        actor=None,
        username="matrix-target",
        name="矩阵测试",
        role=Role.DEPUTY,
        mobile="13700002222",
    )
    return [user.pk]


def a_request(world: Any) -> list[int]:
    """A pending request from the system administrator (deciding it twice is refused)."""
    from renda.accounts import services
    from renda.core.roles import Role

    request = services.create_account(
        actor=world.system_admin,
        username="matrix-request",
        name="矩阵申请",
        role=Role.DEPUTY,
        mobile="13700001111",
    )
    return [request.pk]


MATRIX = {
    # A logged-in user visiting the log-in page is sent on to the workbench.
    "accounts:login": Entry({**everyone(302), "anonymous": 200}),
    "accounts:sms_login": Entry({**everyone(302), "anonymous": 200}),
    "accounts:logout": Entry(everyone(302), method="post", anonymous_to_login=False),
    "accounts:password_change": Entry(logged_in()),
    "accounts:otp_setup": Entry(logged_in()),
    # Only a user who has a confirmed device and is not yet verified needs this page; a
    # verified user may still open it (it does no harm), the public is sent to log in.
    "accounts:otp_verify": Entry(logged_in()),
    "accounts:backup_codes": Entry(logged_in()),
    # The three administrators (三员): each sees only their own tools.
    "accounts:admin_home": Entry(expect(ADMINS)),
    "accounts:user_list": Entry(expect(SYSTEM)),
    "accounts:user_create": Entry(expect(SYSTEM)),
    "accounts:user_edit": Entry(expect(SYSTEM), args=an_account),
    "accounts:user_set_active": Entry(
        expect(SYSTEM, ok=302), args=an_account, method="post", data={"active": "0"}
    ),
    # The new password goes by SMS to the user; the administrator is sent back to the account.
    "accounts:user_reset_password": Entry(expect(SYSTEM, ok=302), args=an_account, method="post"),
    # The security administrator decides the system administrator's account requests.
    "accounts:request_list": Entry(expect(SECURITY)),
    "accounts:request_approve": Entry(expect(SECURITY, ok=302), args=a_request, method="post"),
    "accounts:request_reject": Entry(expect(SECURITY, ok=302), args=a_request, method="post"),
    "accounts:lockout_list": Entry(expect(SECURITY)),
    "accounts:unlock": Entry(expect(SECURITY, ok=302), method="post", data={"username": "nobody"}),
    "accounts:two_factor_list": Entry(expect(SECURITY)),
    "accounts:two_factor_reset": Entry(expect(SECURITY, ok=302), args=an_account, method="post"),
    "accounts:security_settings": Entry(expect(SECURITY)),
}


def the_office(world: Any) -> list[int]:
    return [world.office.pk]


def a_personal_grant(world: Any) -> list[int]:
    from renda.accounts import services
    from renda.accounts.services.duties import grant_personal_duty
    from renda.core.roles import Duty, Role

    other = services.create_user(
        actor=None, username="matrix-staff", name="矩阵工作人员", role=Role.STAFF
    )
    return [grant_personal_duty(actor=None, user=other, duty=Duty.BUDGET, reason="借调").pk]


MATRIX.update(
    {
        # Duties inside the staff role (最小权限) are the security administrator's.
        "accounts:duties": Entry(expect(SECURITY)),
        "accounts:office_duties": Entry(
            expect(SECURITY, ok=302), args=the_office, method="post", data={"duty": ["budget"]}
        ),
        "accounts:personal_duty_grant": Entry(
            expect(SECURITY, ok=302),
            method="post",
            data={"username": "staff", "duty": "budget", "reason": "借调"},
        ),
        "accounts:personal_duty_withdraw": Entry(
            expect(SECURITY, ok=302), args=a_personal_grant, method="post"
        ),
    }
)
