from django.db import connection

from renda.core.models import AuditEvent


def tamper(sql: str, params: list[int | str]) -> None:
    """Change the log as an attacker with owner rights would: on PostgreSQL the append-only
    trigger must be switched off first (inside the test transaction, so it comes back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"ALTER TABLE {AuditEvent._meta.db_table} DISABLE TRIGGER core_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                f"ALTER TABLE {AuditEvent._meta.db_table} ENABLE TRIGGER core_auditevent_append_only"
            )
