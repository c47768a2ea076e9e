"""The open round's ballot box (models.BallotBox): one row per round, keyed by tracker, in place
of a Ballot row per cast that every cast rewrote. Rounds open at migration time get their box
with the ballots cast so far; the box is guarded like the ballots (migration 0002): it changes
only while its round is open."""

import django.db.models.deletion
from django.db import migrations, models


PG_FORWARD = """
CREATE TRIGGER livelihood_ballotbox_guard BEFORE INSERT OR UPDATE OR DELETE
  ON livelihood_ballotbox FOR EACH ROW EXECUTE FUNCTION livelihood_box_guard();
"""
PG_REVERSE = "DROP TRIGGER IF EXISTS livelihood_ballotbox_guard ON livelihood_ballotbox;"
SQLITE_BOX = "(SELECT state FROM livelihood_round WHERE id = {row}.round_id) IS NOT 'open'"
SQLITE_TRIGGERS = {
    "livelihood_ballotbox_guard_ins": ("INSERT", "NEW"),
    "livelihood_ballotbox_guard_upd": ("UPDATE", "OLD"),
    "livelihood_ballotbox_guard_del": ("DELETE", "OLD"),
}


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for name, (event, row) in SQLITE_TRIGGERS.items():
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON livelihood_ballotbox "
                f"WHEN {SQLITE_BOX.format(row=row)} "
                "BEGIN SELECT RAISE(ABORT, 'livelihood: frozen'); END;"
            )


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def box_open_rounds(apps, schema_editor):  # type: ignore[no-untyped-def]
    Round = apps.get_model("livelihood", "Round")
    Ballot = apps.get_model("livelihood", "Ballot")
    BallotBox = apps.get_model("livelihood", "BallotBox")
    for round_ in Round.objects.filter(state="open"):
        ballots = Ballot.objects.filter(round=round_).order_by("tracker")
        entries = {b.tracker: [b.digest, b.choices, b.nonce, b.valid] for b in ballots}
        BallotBox.objects.create(round=round_, entries=entries)
        ballots.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('livelihood', '0006_satisfaction_paper'),
    ]

    operations = [
        migrations.CreateModel(
            name='BallotBox',
            fields=[
                ('round', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='box', serialize=False, to='livelihood.round')),
                ('entries', models.JSONField(default=dict)),
                ('sealed', models.BooleanField(default=False)),
            ],
            options={
                'verbose_name': '投票中的票箱',
                'verbose_name_plural': '投票中的票箱',
            },
        ),
        migrations.RunPython(guard, unguard),
        migrations.RunPython(box_open_rounds, migrations.RunPython.noop),
    ]
