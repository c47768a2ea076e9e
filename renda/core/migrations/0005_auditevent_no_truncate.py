"""On PostgreSQL, refuse TRUNCATE of the audit log too: a row trigger does not fire on
TRUNCATE, and emptying the table then re-inserting its first rows left a chain that verified.
(The application's role should not hold TRUNCATE at all: docs/deploy.md; the signed
checkpoints of core/anchors.py catch it if the owner does it anyway.)

The test runner empties every table with TRUNCATE between transactional tests, so a test
database allows it through a setting the trigger reads (`renda.audit_truncate_ok`), set on that
database only; a test switches it off to prove the refusal."""

from django.conf import settings
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('renda.audit_truncate_ok', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION '审计日志只能追加，不能清空';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    if settings.TESTING:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            name = cursor.fetchone()[0]
        quoted = schema_editor.quote_name(name)
        schema_editor.execute(f"ALTER DATABASE {quoted} SET renda.audit_truncate_ok = 'on'")
        schema_editor.execute("SET renda.audit_truncate_ok = 'on'")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_source_links")]
    operations = [migrations.RunPython(forwards, backwards)]
