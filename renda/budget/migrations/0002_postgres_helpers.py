"""PostgreSQL only: the forgiving parsers the importer calls for dates and amounts that are
not in the canonical form (never raising, so one bad cell cannot abort a set-based check),
and a BRIN index on payment dates (rows arrive in date order, so it costs almost nothing)."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION budget_parse_date(t text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    m text[];
    y int;
    mo int;
    d int;
BEGIN
    m := regexp_match(btrim(t), '^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?(?:[ T].*)?$');
    IF m IS NULL THEN
        RETURN NULL;
    END IF;
    y := m[1]::int; mo := m[2]::int; d := m[3]::int;
    IF y < 1 OR mo < 1 OR mo > 12 OR d < 1 THEN
        RETURN NULL;
    END IF;
    IF d > extract(day FROM (make_date(y, mo, 1) + interval '1 month - 1 day'))::int THEN
        RETURN NULL;
    END IF;
    RETURN make_date(y, mo, d);
END
$$;

CREATE OR REPLACE FUNCTION budget_parse_money(t text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    v text;
BEGIN
    v := translate(btrim(t), '－．,，¥￥ 元', '-.');
    IF v ~ '^[-+]?[0-9]{1,16}(\.[0-9]{1,2})?$' THEN
        RETURN v::numeric;
    END IF;
    RETURN NULL;
END
$$;

CREATE INDEX IF NOT EXISTS budget_pay_date_brin ON budget_payment USING brin (pay_date);
"""

DROP = """
DROP INDEX IF EXISTS budget_pay_date_brin;
DROP FUNCTION IF EXISTS budget_parse_money(text);
DROP FUNCTION IF EXISTS budget_parse_date(text);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
