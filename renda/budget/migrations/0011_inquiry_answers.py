"""One answer per alert: a letter about several alerts had one explanation and one finding for
all of them; each alert of a letter now has its own answer (`InquiryAnswer`). Every existing
letter gets one answer row per alert, carrying the letter's explanation, finding, answering
officer and time, in the state that matches the letter (closed: accepted; answered: answered;
returned: returned, the text kept; otherwise pending). Then the letter's two columns go.
Reversible: going back writes each letter's answers into its columns again (one text per
alert, numbered, when they differ)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _state(letter_state, answered):
    if letter_state == "closed":
        return "accepted" if answered else "pending"
    if letter_state == "returned":
        return "returned"
    if letter_state == "responded" or answered:
        return "answered"
    return "pending"


def split_answers(apps, schema_editor):
    inquiry_model = apps.get_model("budget", "Inquiry")
    answer_model = apps.get_model("budget", "InquiryAnswer")
    rows = []
    for letter in inquiry_model.objects.prefetch_related("alerts").iterator(chunk_size=500):
        answered = bool(letter.response.strip() and letter.finding)
        state = _state(letter.state, answered)
        if state == "answered" and not answered:
            state = "pending"  # an answered letter without text cannot satisfy the constraint
        for alert in letter.alerts.all():
            rows.append(
                answer_model(
                    inquiry_id=letter.pk,
                    alert_id=alert.pk,
                    state=state,
                    response=letter.response,
                    finding=letter.finding,
                    responded_at=letter.responded_at,
                    responded_by_id=letter.responded_by_id,
                )
            )
    answer_model.objects.bulk_create(rows, batch_size=1000)


def join_answers(apps, schema_editor):
    inquiry_model = apps.get_model("budget", "Inquiry")
    answer_model = apps.get_model("budget", "InquiryAnswer")
    for letter in inquiry_model.objects.iterator(chunk_size=500):
        answers = list(
            answer_model.objects.filter(inquiry_id=letter.pk)
            .exclude(response="")
            .select_related("alert__rule")
            .order_by("alert__period", "alert_id")
        )
        if not answers:
            continue
        texts = {a.response for a in answers}
        if len(texts) == 1:
            response = answers[0].response
        else:
            response = "\n".join(
                f"{n}. 〔{a.alert.rule.code}〕{a.response}" for n, a in enumerate(answers, start=1)
            )
        findings = [a.finding for a in answers if a.finding]
        # The gravest finding speaks for the letter when the answers differ.
        order = ["violation", "corrected", "normal"]
        finding = min(findings, key=order.index) if findings else ""
        inquiry_model.objects.filter(pk=letter.pk).update(response=response, finding=finding)


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0010_alert_suggestion_source_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InquiryAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "待答复"),
                            ("answered", "已答复"),
                            ("returned", "退回重答"),
                            ("accepted", "已认可"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("response", models.TextField(blank=True, verbose_name="答复说明")),
                (
                    "finding",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("normal", "经核实属正常"),
                            ("corrected", "已整改纠正"),
                            ("violation", "确属违规"),
                        ],
                        max_length=12,
                        verbose_name="核实结论",
                    ),
                ),
                (
                    "responded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="答复时间"),
                ),
                ("return_reason", models.TextField(blank=True, verbose_name="退回理由")),
                (
                    "alert",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inquiry_answers",
                        to="budget.alert",
                        verbose_name="预警",
                    ),
                ),
                (
                    "inquiry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="budget.inquiry",
                    ),
                ),
                (
                    "responded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="答复人",
                    ),
                ),
            ],
            options={
                "verbose_name": "问询函答复",
                "verbose_name_plural": "问询函答复",
                "ordering": ["alert__period", "alert_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("inquiry", "alert"), name="inquiryanswer_one_per_alert"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("state__in", ["pending", "returned"]),
                            models.Q(
                                models.Q(("response", ""), _negated=True),
                                models.Q(("finding", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="inquiryanswer_answered_complete",
                    ),
                ],
            },
        ),
        migrations.RunPython(split_answers, join_answers),
        migrations.RemoveField(model_name="inquiry", name="finding"),
        migrations.RemoveField(model_name="inquiry", name="response"),
    ]
