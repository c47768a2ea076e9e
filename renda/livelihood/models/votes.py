"""民生实事项目票决: projects, the candidate list the presidium confirms, and the secret
in-session vote (an agenda item of a congress session) in rounds.

Secrecy by design (../shared/reference/civic.md §3.3): who voted (`Participation`) and what
was voted (`Ballot`) are two tables with nothing that links them: no foreign key between them,
no time on a ballot, no IP or device, random uuid4 keys on both, and nothing kept in an order
that reveals who cast when: while the round is open its ballots are one `BallotBox` row keyed
by tracker, sealed at close into `Ballot` rows in tracker order, and the participations are
rewritten by deputy at close (see services/casting.py). Database triggers (migrations 0002 and
0007) refuse changes to a frozen round and to the box and ballots of a round that is not open.
Collection and screening (issue 17 items 1–2) live in models/collection.py; a proposal
accepted for the candidate list becomes a `Project` here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import Organization, Region, TimeStampedModel
from renda.deputies.models import Deputy, Level
from renda.meetings.models import AgendaItem, Meeting
from renda.meetings.rules import Quorum

from ..rules import PassBase, VoteKind


class Project(TimeStampedModel):
    """A livelihood project as it stands for the vote (the later screening fills these)."""

    title = models.CharField("项目名称", max_length=200)
    level = models.CharField("层级", max_length=16, choices=Level.choices, default=Level.CITY)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    summary = models.TextField("项目内容", blank=True)
    estimated_cost = models.DecimalField("估算投资（元）", max_digits=16, decimal_places=2)
    lead_unit = models.ForeignKey(
        Organization, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "title", "id"]
        verbose_name = verbose_name_plural = "民生实事项目"
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0),
                name="livelihood_project_cost_not_negative",
                violation_error_message="估算投资不能为负数",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CandidateList(TimeStampedModel):
    """候选项目名单 for one congress session: N seats, N + k candidates (差额), confirmed by the
    presidium (主席团) before it goes to the vote."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("名称", max_length=200)
    seats = models.PositiveSmallIntegerField("应选数")
    confirmed_at = models.DateTimeField("主席团确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField("主席团决定", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "候选项目名单"
        constraints = [
            models.CheckConstraint(condition=Q(seats__gt=0), name="livelihood_list_seats_positive"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | ~Q(decision=""),
                name="livelihood_list_confirmation_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    candidate_list = models.ForeignKey(
        CandidateList, verbose_name="名单", on_delete=models.CASCADE, related_name="candidates"
    )
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="candidacies"
    )
    order = models.PositiveSmallIntegerField("序号")

    class Meta:
        ordering = ["candidate_list", "order"]
        verbose_name = verbose_name_plural = "候选项目"
        constraints = [
            models.UniqueConstraint(
                fields=["candidate_list", "project"], name="livelihood_candidate_once"
            ),
            models.UniqueConstraint(
                fields=["candidate_list", "order"], name="livelihood_candidate_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.project.title}"


class Vote(TimeStampedModel):
    """票决: one agenda item of a congress session, counted by the rules stored here.

    The same model, ballot box and rounds carry the year-end 满意度测评 (`kind`
    satisfaction): its "candidate list" is the list of projects evaluated (the chosen projects
    of the vote it `evaluates`, or a project under rectification), its marks are 满意 /
    基本满意 / 不满意 and it is counted by rules.satisfaction_result (services/satisfaction.py).
    """

    kind = models.CharField(
        "类别", max_length=16, choices=VoteKind.choices, default=VoteKind.SELECTION
    )
    evaluates = models.ForeignKey(
        "self",
        verbose_name="测评的票决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    candidate_list = models.OneToOneField(
        CandidateList, verbose_name="候选项目名单", on_delete=models.PROTECT, related_name="vote"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="+"
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        verbose_name="议程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField("票决事项", max_length=200)
    seats = models.PositiveSmallIntegerField("应选数")
    pass_base = models.CharField(
        "通过基数", max_length=16, choices=PassBase.choices, default=PassBase.ALL
    )
    quorum = models.CharField(
        "开始票决的法定人数", max_length=16, choices=Quorum.choices, default=Quorum.MAJORITY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "票决"
        constraints = [
            models.CheckConstraint(condition=Q(seats__gt=0), name="livelihood_vote_seats_positive"),
            models.CheckConstraint(
                condition=Q(kind=VoteKind.SATISFACTION) | Q(evaluates__isnull=True),
                name="livelihood_vote_only_evaluation_evaluates",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Round(models.Model):
    """One round of a vote: round 1 over the whole list, a later round a re-vote among the
    candidates tied at the cut-off for the seats left. Opening freezes the manifest."""

    class State(models.TextChoices):
        DRAFT = "draft", "待开始"
        OPEN = "open", "投票中"
        CLOSED = "closed", "已结束投票"
        COUNTED = "counted", "已计票"

    vote = models.ForeignKey(
        Vote, verbose_name="票决", on_delete=models.PROTECT, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField("轮次")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    seats = models.PositiveSmallIntegerField("本轮应选数")
    candidate_ids = models.JSONField("本轮候选项目", default=list)
    # Frozen at opening: the canonical JSON of candidates, seats, rules and roster, its hash.
    manifest = models.TextField("冻结清单", blank=True)
    manifest_hash = models.CharField("冻结清单哈希", max_length=64, blank=True)
    members_total = models.PositiveIntegerField("全体代表数", null=True, blank=True)
    roster_size = models.PositiveIntegerField("已签到代表数", null=True, blank=True)
    opened_at = models.DateTimeField("开始投票时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束投票时间", null=True, blank=True)
    counted_at = models.DateTimeField("计票时间", null=True, blank=True)
    ballots_cast = models.PositiveIntegerField("收回票数", null=True, blank=True)
    fingerprint = models.CharField("票箱指纹", max_length=64, blank=True)
    result = models.JSONField("计票结果", null=True, blank=True)

    class Meta:
        ordering = ["vote", "number"]
        verbose_name = verbose_name_plural = "票决轮次"
        constraints = [
            models.UniqueConstraint(fields=["vote", "number"], name="livelihood_round_once"),
            models.CheckConstraint(condition=Q(seats__gt=0), name="livelihood_round_seats"),
            models.CheckConstraint(
                condition=Q(state="draft") | ~Q(manifest_hash=""),
                name="livelihood_round_open_is_frozen",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open"]) | ~Q(fingerprint=""),
                name="livelihood_round_closed_has_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"票决第{self.number}轮" if self.number > 1 else "票决"


class Participation(models.Model):
    """Who has voted in a round. Nothing here points at a ballot; the unique key makes a second
    cast impossible whatever the client does (double click, two devices, a replay)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="participations")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["round", "deputy"]
        verbose_name = verbose_name_plural = "已投票代表"
        constraints = [
            models.UniqueConstraint(fields=["round", "deputy"], name="livelihood_vote_once")
        ]

    def __str__(self) -> str:
        return "已投票"


class BallotBox(models.Model):
    """The ballots of an open round: one row per round holding one JSON object keyed by
    tracker (tracker → [nonce, marks packed one digit per candidate], rules.pack: the ballot's
    canonical text, digest and validity are derived from them at the close, where the digest
    must give the tracker back). A cast adds its ballot to the object,
    so the box is one row with one row version (xmin) whatever the number of ballots, and the
    object's keys are kept in tracker order (PostgreSQL's jsonb orders them itself): neither
    says who cast when, and a cast costs one row write instead of a rewrite of every ballot.
    Closing seals the box: its ballots become `Ballot` rows in tracker order with their chain,
    and the object is emptied. No deputy, time, IP or device here either."""

    round = models.OneToOneField(
        Round, on_delete=models.PROTECT, primary_key=True, related_name="box"
    )
    entries = models.JSONField(default=dict)
    sealed = models.BooleanField(default=False)

    class Meta:
        verbose_name = verbose_name_plural = "投票中的票箱"

    def __str__(self) -> str:
        return "票箱"


class Ballot(models.Model):
    """What was voted, with no deputy, no time, no IP. `position` and `chain_hash` are set at
    close in tracker order; before close they are empty."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ballots")
    tracker = models.CharField("核验码", max_length=16)
    digest = models.CharField("选票哈希", max_length=64)
    choices = models.TextField("选择")  # canonical JSON {candidate id: yes|no|abstain}
    nonce = models.CharField(max_length=32)
    valid = models.BooleanField("有效票")
    position = models.PositiveIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["round", "tracker"]
        verbose_name = verbose_name_plural = "选票"
        constraints = [
            models.UniqueConstraint(fields=["round", "tracker"], name="livelihood_tracker_once"),
        ]

    def __str__(self) -> str:
        return self.tracker


class PaperTally(models.Model):
    """纸质票 fallback: the scrutineers' hand count of a round, kept apart from the electronic
    ballots and reconciled with them (selectors.reconcile)."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="paper")
    issued = models.PositiveIntegerField("发出票数")
    returned = models.PositiveIntegerField("收回票数")
    invalid = models.PositiveIntegerField("废票数")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "纸质计票"
        constraints = [
            models.CheckConstraint(
                condition=Q(invalid__lte=models.F("returned")), name="livelihood_paper_invalid"
            )
        ]

    def __str__(self) -> str:
        return f"纸质计票 收回{self.returned}张"


class PaperCount(models.Model):
    tally = models.ForeignKey(PaperTally, on_delete=models.CASCADE, related_name="counts")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")

    class Meta:
        verbose_name = verbose_name_plural = "纸质计票（分项）"
        constraints = [
            models.UniqueConstraint(fields=["tally", "candidate"], name="livelihood_paper_once")
        ]

    def __str__(self) -> str:
        return f"{self.yes}/{self.no}/{self.abstain}"
