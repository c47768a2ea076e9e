"""The named test personas (docs/architecture.md §4.8): one per role, plus the anonymous member of the public.

Only names and roles live here, so that core's tests and every app's permission-matrix
declarations can use them without importing the account model; renda/conftest.py creates
the users behind them."""

from __future__ import annotations

from renda.core.roles import Role

PERSONA_ROLES: dict[str, str] = {
    "staff": Role.STAFF,
    "sc_member": Role.SC_MEMBER,
    "deputy": Role.DEPUTY,
    "handling_officer": Role.HANDLING_OFFICER,
    "data_provider": Role.DATA_PROVIDER,
    "nominee": Role.NOMINEE,
    "system_admin": Role.SYSTEM_ADMIN,
    "security_admin": Role.SECURITY_ADMIN,
    "audit_admin": Role.AUDIT_ADMIN,
}
# "anonymous" is the member of the public.
PERSONAS = ("anonymous", *PERSONA_ROLES)
