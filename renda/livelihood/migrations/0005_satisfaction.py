"""满意度测评 (issue 17 item 5): a vote's kind and the vote it evaluates, and rectifications.

The vote tables keep the freeze triggers of 0002_freeze_triggers. On SQLite, adding a column
with a default (and a check constraint) rebuilds livelihood_vote, which drops the triggers on
it and fails on the triggers of other tables that name it while it is gone; so the triggers
that name livelihood_vote are dropped first and created again afterwards, the vote's guard
now also freezing `kind` and `evaluates` once a round has opened. On PostgreSQL the columns
are added in place and only the guard function is replaced."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MESSAGE = "livelihood: frozen"

LIST_FROZEN = """EXISTS (SELECT 1 FROM livelihood_vote v JOIN livelihood_round r
  ON r.vote_id = v.id WHERE v.candidate_list_id = {col} AND r.manifest_hash <> '')"""

# The triggers of 0002 whose body names livelihood_vote.
NAMING_VOTE = [
    "livelihood_candidate_guard_ins",
    "livelihood_candidate_guard_upd",
    "livelihood_candidate_guard_del",
    "livelihood_vote_guard_upd",
    "livelihood_candidatelist_guard_upd",
]

OLD_RULES = ("seats", "pass_base", "quorum", "candidate_list_id")
NEW_RULES = (*OLD_RULES, "kind", "evaluates_id")


def _abort(name: str, event: str, table: str, when: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )


def _sqlite_triggers(rules: tuple[str, ...]) -> list[str]:
    cand = "livelihood_candidate"
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in rules)
    return [
        _abort(
            f"{cand}_guard_ins", "INSERT", cand, LIST_FROZEN.format(col="NEW.candidate_list_id")
        ),
        _abort(
            f"{cand}_guard_upd", "UPDATE", cand, LIST_FROZEN.format(col="OLD.candidate_list_id")
        ),
        _abort(
            f"{cand}_guard_del", "DELETE", cand, LIST_FROZEN.format(col="OLD.candidate_list_id")
        ),
        _abort(
            "livelihood_vote_guard_upd",
            "UPDATE",
            "livelihood_vote",
            LIST_FROZEN.format(col="OLD.candidate_list_id") + f" AND ({changed})",
        ),
        _abort(
            "livelihood_candidatelist_guard_upd",
            "UPDATE",
            "livelihood_candidatelist",
            LIST_FROZEN.format(col="OLD.id") + " AND NEW.seats IS NOT OLD.seats",
        ),
    ]


def _pg_vote_guard(rules: tuple[str, ...]) -> str:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in rules)
    return f"""
CREATE OR REPLACE FUNCTION livelihood_vote_guard() RETURNS trigger AS $$
BEGIN
  IF livelihood_list_frozen(OLD.candidate_list_id) AND ({changed}) THEN
    RAISE EXCEPTION 'livelihood: frozen (the rules of an opened vote)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def _drop_sqlite(schema_editor) -> None:  # type: ignore[no-untyped-def]
    for name in NAMING_VOTE:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def before(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        _drop_sqlite(schema_editor)


def before_reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite_triggers(OLD_RULES):
            schema_editor.execute(statement)


def after(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in _sqlite_triggers(NEW_RULES):
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(_pg_vote_guard(NEW_RULES))


def after_reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _drop_sqlite(schema_editor)
    elif vendor == "postgresql":
        schema_editor.execute(_pg_vote_guard(OLD_RULES))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_archive"),
        ("livelihood", "0004_implementation"),
        ("meetings", "0002_congress_sessions_from_sittings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(before, before_reverse),
        migrations.CreateModel(
            name="Rectification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("tally", models.JSONField(default=dict, verbose_name="测评票数")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "整改中"),
                            ("replied", "已报送整改情况"),
                            ("reevaluating", "再测评中"),
                            ("closed", "已再测评"),
                        ],
                        default="open",
                        max_length=16,
                        verbose_name="状态",
                    ),
                ),
                ("deadline", models.DateField(verbose_name="整改期限")),
                ("reply", models.TextField(blank=True, verbose_name="整改情况报告")),
                (
                    "replied_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="报送时间"),
                ),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("satisfied", "满意"),
                            ("basic", "基本满意"),
                            ("dissatisfied", "不满意"),
                        ],
                        max_length=16,
                        verbose_name="再测评结果",
                    ),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="办结时间")),
            ],
            options={
                "verbose_name": "满意度测评整改",
                "verbose_name_plural": "满意度测评整改",
                "ordering": ["deadline", "id"],
            },
        ),
        migrations.AddField(
            model_name="vote",
            name="evaluates",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="livelihood.vote",
                verbose_name="测评的票决",
            ),
        ),
        migrations.AddField(
            model_name="vote",
            name="kind",
            field=models.CharField(
                choices=[("selection", "票决"), ("satisfaction", "满意度测评")],
                default="selection",
                max_length=16,
                verbose_name="类别",
            ),
        ),
        migrations.AddConstraint(
            model_name="vote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind", "satisfaction"), ("evaluates__isnull", True), _connector="OR"
                ),
                name="livelihood_vote_only_evaluation_evaluates",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="lead_unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organization",
                verbose_name="整改单位",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="livelihood.rectification",
                verbose_name="上一次整改",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rectifications",
                to="livelihood.project",
                verbose_name="项目",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="reevaluation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reevaluated",
                to="livelihood.vote",
                verbose_name="再测评",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="replied_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="vote",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rectifications",
                to="livelihood.vote",
                verbose_name="测评",
            ),
        ),
        migrations.AddConstraint(
            model_name="rectification",
            constraint=models.UniqueConstraint(
                fields=("vote", "project"), name="livelihood_rectify_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="rectification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state", "open"),
                    models.Q(models.Q(("reply", ""), _negated=True), ("replied_at__isnull", False)),
                    _connector="OR",
                ),
                name="livelihood_rectify_reply_before_reevaluation",
            ),
        ),
        migrations.AddConstraint(
            model_name="rectification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["open", "replied"]),
                    ("reevaluation__isnull", False),
                    _connector="OR",
                ),
                name="livelihood_rectify_reevaluation_linked",
            ),
        ),
        migrations.AddConstraint(
            model_name="rectification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "closed"), _negated=True),
                    models.Q(
                        models.Q(("outcome", ""), _negated=True), ("closed_at__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="livelihood_rectify_closed_has_outcome",
            ),
        ),
        migrations.AddConstraint(
            model_name="rectification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("reevaluation__isnull", True),
                    models.Q(("reevaluation", models.F("vote")), _negated=True),
                    _connector="OR",
                ),
                name="livelihood_rectify_reevaluation_is_later",
            ),
        ),
        migrations.RunPython(after, after_reverse),
    ]
