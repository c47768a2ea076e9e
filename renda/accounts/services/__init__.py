"""Account services: the only code that writes users, their authentication devices, their
lock-out records and the requests a second person decides (see each module)."""

from .accounts import (
    BACKUP_CODE_COUNT,
    change_password,
    confirm_totp_enrolment,
    create_account,
    create_first_admin,
    create_user,
    generate_backup_codes,
    generate_password,
    reset_password,
    reset_two_factor,
    set_user_active,
    start_totp_enrolment,
    unlock_account,
    update_user,
    verify_second_factor,
)
from .requests import approve_request, reject_request

__all__ = [
    "BACKUP_CODE_COUNT",
    "approve_request",
    "change_password",
    "confirm_totp_enrolment",
    "create_account",
    "create_first_admin",
    "create_user",
    "generate_backup_codes",
    "generate_password",
    "reject_request",
    "reset_password",
    "reset_two_factor",
    "set_user_active",
    "start_totp_enrolment",
    "unlock_account",
    "update_user",
    "verify_second_factor",
]
