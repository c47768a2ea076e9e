"""征集与筛选 (issue 17 items 1–2): the yearly call for proposals of a congress (the city's or a
township's), the proposals (from the public on 人大之家, deputies, departments, townships,
village committees, or converted from an opinion or a suggestion through core.sources), and
the feasibility review with the three negative-list checks. An accepted proposal becomes a
`Project` when staff build the candidate list (services/screening.py).

A proposal's contact is personal data: encrypted, shown to staff only, never on a public page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from renda.core.fields import EncryptedCharField
from renda.core.models import Organization, Region, TimeStampedModel
from renda.deputies.models import Deputy, Level

from ..workflows import PROPOSAL
from .votes import Project


class Call(TimeStampedModel):
    """征集公告: one per year and congress (the city congress, or a township congress named by
    its township)."""

    class State(models.TextChoices):
        DRAFT = "draft", "未发布"
        OPEN = "open", "征集中"
        CLOSED = "closed", "征集结束"

    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("层级", max_length=16, choices=Level.choices, default=Level.CITY)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("公告标题", max_length=200)
    text = models.TextField("公告正文")
    opens_on = models.DateField("征集开始日期")
    closes_on = models.DateField("征集截止日期")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "level", "region__code"]
        verbose_name = verbose_name_plural = "民生实事项目征集公告"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "region"], name="livelihood_call_once_a_year"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="livelihood_call_dates_in_order",
                violation_error_message="截止日期不能早于开始日期",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="livelihood_call_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def accepting(self, today: object) -> bool:
        """Open to new proposals on `today` (a date)."""
        return self.state == self.State.OPEN and self.opens_on <= today <= self.closes_on  # type: ignore[operator]


class ProposerKind(models.TextChoices):
    PUBLIC = "public", "群众"
    DEPUTY = "deputy", "人大代表"
    DEPARTMENT = "department", "政府部门"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（居）委会"


class Proposal(TimeStampedModel):
    """民生实事项目建议. `call` is the call it is considered in now; a reserved proposal carried
    into a later year's call moves there and keeps `first_call`."""

    workflow_code = PROPOSAL.code

    call = models.ForeignKey(
        Call, verbose_name="征集公告", on_delete=models.PROTECT, related_name="proposals"
    )
    first_call = models.ForeignKey(
        Call, verbose_name="首次征集", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("项目名称", max_length=200)
    description = models.TextField("项目内容和理由")
    place = models.CharField("实施地点", max_length=200, blank=True)
    township = models.ForeignKey(
        Region,
        verbose_name="所在乡镇（街道）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposer_kind = models.CharField("建议人类别", max_length=16, choices=ProposerKind.choices)
    # The unit or committee that proposes (shown publicly); empty for a member of the public.
    proposer_name = models.CharField("建议单位", max_length=100, blank=True)
    deputy = models.ForeignKey(
        Deputy,
        verbose_name="建议代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_name = EncryptedCharField("联系人", blank=True)
    contact_phone = EncryptedCharField("联系电话", blank=True)
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    form_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    state = models.CharField(
        "状态", max_length=16, choices=PROPOSAL.choices, default=PROPOSAL.initial
    )
    supporters = models.PositiveIntegerField("提出人次", default=1)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并到",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    # The reason a rejection gives, shown on the public list and the tracking page.
    decision_note = models.TextField("不予采纳理由", blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name="候选项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "民生实事项目建议"
        indexes = [models.Index(fields=["call", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"],
                condition=Q(form_token__isnull=False),
                name="livelihood_proposal_form_token",
            ),
            models.CheckConstraint(
                condition=Q(supporters__gte=1), name="livelihood_proposal_supporters"
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="livelihood_proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_note=""),
                name="livelihood_proposal_rejection_has_reason",
                violation_error_message="不予采纳须写明理由",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="livelihood_proposal_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def formatted_code(self) -> str:
        code = self.tracking_code
        return " ".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def proposer_label(self) -> str:
        """Who proposed, as the public may read it (never a person's name from the public)."""
        if self.proposer_kind == ProposerKind.DEPUTY and self.deputy_id:
            return f"{self.deputy.name}代表"  # type: ignore[union-attr]
        if self.proposer_name:
            return self.proposer_name
        return self.get_proposer_kind_display()


class Screening(TimeStampedModel):
    """审查: the feasibility review and the three negative-list checks (civic.md §4.1: no new
    burden on the public or enterprises, no new government debt risk, no stability risk);
    a failed check needs its reason, as a database rule."""

    proposal = models.OneToOneField(
        Proposal, verbose_name="项目建议", on_delete=models.CASCADE, related_name="screening"
    )
    assessment = models.TextField("可行性评估")
    estimated_cost = models.DecimalField("估算投资（元）", max_digits=16, decimal_places=2)
    funding_source = models.CharField("资金来源", max_length=200)
    lead_unit = models.ForeignKey(
        Organization, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+"
    )
    completion_date = models.DateField("计划完成日期")
    burden_ok = models.BooleanField("不增加群众和企业负担")
    burden_reason = models.CharField("理由", max_length=500, blank=True)
    debt_ok = models.BooleanField("不新增政府债务风险")
    debt_reason = models.CharField("理由", max_length=500, blank=True)
    stability_ok = models.BooleanField("无社会稳定风险")
    stability_reason = models.CharField("理由", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "项目审查"
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0), name="livelihood_screening_cost"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{check}_ok": True}) | ~Q(**{f"{check}_reason": ""}),
                    name=f"livelihood_screening_{check}_reason",
                    violation_error_message="未通过的负面清单审查须写明理由",
                )
                for check in ("burden", "debt", "stability")
            ),
        ]

    def __str__(self) -> str:
        return f"审查：{self.proposal}"

    @property
    def passes_negative_list(self) -> bool:
        return self.burden_ok and self.debt_ok and self.stability_ok

    CHECK_LABELS = {
        "burden": "不增加群众和企业负担",
        "debt": "不新增政府债务风险",
        "stability": "无社会稳定风险",
    }

    def failed_checks(self) -> list[tuple[str, str]]:
        return [
            (label, getattr(self, f"{check}_reason"))
            for check, label in self.CHECK_LABELS.items()
            if not getattr(self, f"{check}_ok")
        ]
