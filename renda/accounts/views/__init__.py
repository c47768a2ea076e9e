"""Views of the accounts app, one module per audience:

- `auth`: log in and out, password change, two-factor enrolment and verification (everybody);
- `users`: the system administrator's account pages;
- `security`: the security administrator's pages (lock-outs, 2FA reset, settings in force);
- `admin_home`: each administrator's list of tools.
"""

from .auth import lockout

__all__ = ["lockout"]  # settings.AXES_LOCKOUT_CALLABLE = "renda.accounts.views.lockout"
