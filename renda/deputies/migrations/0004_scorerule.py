# The duty score rules move here from suggestions with their rows: this migration takes the
# existing table into deputies' state (no database change), then renames it. Suggestions'
# 0002 drops the model from its own state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("meeting_attendance", "出席会议"),
    ("meeting_leave", "请假缺席会议"),
    ("inspection", "视察"),
    ("research", "专题调研"),
    ("training", "学习培训"),
    ("group_activity", "代表小组活动"),
    ("station_duty", "进站履职"),
    ("suggestion", "提出建议"),
    ("motion", "领衔或联名议案"),
    ("report_to_constituents", "向选民述职"),
    ("commendation", "表彰奖励"),
    ("other", "其他"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0003_duty_record"),
        ("suggestions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ScoreRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=KINDS, max_length=32, verbose_name="履职类别")),
                        (
                            "points",
                            models.DecimalField(decimal_places=2, max_digits=6, verbose_name="每项分值"),
                        ),
                        (
                            "yearly_cap",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="该类别一年最多计的分；空表示不设上限",
                                max_digits=7,
                                null=True,
                                verbose_name="年度上限",
                            ),
                        ),
                        ("valid_from", models.DateField(verbose_name="生效日期")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="依据")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="制定时间"),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "履职积分规则",
                        "verbose_name_plural": "履职积分规则",
                        "ordering": ["kind", "-valid_from"],
                        "db_table": "suggestions_scorerule",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "valid_from"), name="scorerule_one_per_day"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("yearly_cap__isnull", True),
                                    ("yearly_cap__gte", 0),
                                    _connector="OR",
                                ),
                                name="scorerule_cap_not_negative",
                                violation_error_message="年度上限不能为负数",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="scorerule", table=None),
    ]
