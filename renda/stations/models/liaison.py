"""双联 (liaison, issue 15 item 3): standing-committee members keep in touch with a list of
deputies (常委会组成人员联系代表), each deputy with a list of constituents or representative
voters (代表联系群众), and every contact is logged. Stations own these rows: it is the app
where deputies meet constituents, and it sits above deputies and suggestions.

Imported by ``stations/models.py`` (one line at its end) so that Django registers them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.fields import EncryptedCharField, make_blind_index
from renda.core.models import TimeStampedModel

# Each deputy keeps regular contact with at least this many constituents unless a
# LiaisonRule says otherwise (the local rules found say 5 to 10: reference §1.5).
DEFAULT_MIN_CONSTITUENTS = 5


class LiaisonRule(models.Model):
    """The local rule's minimum of constituents per deputy, versioned like ScoreRule: the
    newest row valid on a date applies; rows are never edited, a change is a new row."""

    min_constituents = models.PositiveSmallIntegerField("每名代表至少联系群众（人）")
    valid_from = models.DateField("生效日期")
    note = models.CharField("依据", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = verbose_name_plural = "代表联系群众规则"
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="liaisonrule_one_per_day"),
            models.CheckConstraint(
                condition=Q(min_constituents__gte=1, min_constituents__lte=100),
                name="liaisonrule_min_range",
                violation_error_message="最低联系人数应在 1 到 100 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"每名代表至少联系 {self.min_constituents} 名群众（{self.valid_from} 起）"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("规则只能新增版本，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class SCLiaison(TimeStampedModel):
    """常委会组成人员联系代表: one standing-committee member (an account with the sc_member
    role) linked to one deputy. Removing a link ends it (the contacts logged stay); linking
    the pair again makes a new row."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="常委会组成人员",
        on_delete=models.PROTECT,
        related_name="sc_liaisons",
        limit_choices_to={"role": "sc_member"},
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="联系代表",
        on_delete=models.PROTECT,
        related_name="sc_liaisons",
    )
    is_active = models.BooleanField("联系中", default=True)
    ended_at = models.DateTimeField("解除时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="安排人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["member", "deputy__name", "id"]
        verbose_name = verbose_name_plural = "常委会组成人员联系代表"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "deputy"],
                condition=Q(is_active=True),
                name="scliaison_one_active_pair",
                violation_error_message="该常委会组成人员已联系这名代表",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(ended_at__isnull=False),
                name="scliaison_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.deputy}"


class Constituent(TimeStampedModel):
    """代表联系群众: a constituent or representative voter a deputy keeps in touch with. Name
    and phone are personal data, encrypted at rest (SM4-GCM); the phone's blind index finds a
    duplicate without decrypting."""

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="代表",
        on_delete=models.PROTECT,
        related_name="liaison_constituents",
    )
    name = EncryptedCharField("姓名")
    phone = EncryptedCharField("联系电话", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    community = models.CharField("村（社区）", max_length=100)
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("联系中", default=True)
    ended_at = models.DateTimeField("移出时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["deputy", "community", "id"]
        verbose_name = verbose_name_plural = "代表联系群众"
        indexes = [models.Index(fields=["deputy", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "phone_index"],
                condition=Q(is_active=True) & ~Q(phone_index=""),
                name="constituent_unique_phone_per_deputy",
                violation_error_message="您的联系名单里已有这个电话号码",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(ended_at__isnull=False),
                name="constituent_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.community}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.phone_index = make_blind_index(self.phone)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class LiaisonContact(TimeStampedModel):
    """One contact logged: a standing-committee member with a linked deputy, or a deputy with
    constituents of the deputy's list. What was raised can become a constituent opinion or a
    suggestion draft (core.sources links them both ways)."""

    class Kind(models.TextChoices):
        SC_DEPUTY = "sc_deputy", "常委会组成人员联系代表"
        DEPUTY_CONSTITUENT = "deputy_constituent", "代表联系群众"

    class Way(models.TextChoices):
        VISIT = "visit", "走访"
        FORUM = "forum", "座谈"
        PHONE = "phone", "电话"
        WECHAT = "wechat", "微信"
        RECEPTION = "reception", "接待"

    kind = models.CharField("类别", max_length=24, choices=Kind.choices)
    sc_liaison = models.ForeignKey(
        SCLiaison,
        verbose_name="联系关系",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="代表",
        on_delete=models.PROTECT,
        related_name="liaison_contacts",
    )
    constituents = models.ManyToManyField(
        Constituent, verbose_name="联系的群众", blank=True, related_name="contacts"
    )
    contacted_on = models.DateField("联系日期")
    way = models.CharField("联系方式", max_length=12, choices=Way.choices)
    people = models.CharField("参加人员", max_length=200, blank=True)
    people_count = models.PositiveSmallIntegerField("人数", default=1)
    raised = models.TextField("反映的问题和意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-contacted_on", "-id"]
        verbose_name = verbose_name_plural = "双联联系记录"
        indexes = [
            models.Index(fields=["deputy", "contacted_on"]),
            models.Index(fields=["sc_liaison", "contacted_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="deputy_constituent", sc_liaison__isnull=True)
                | Q(kind="sc_deputy", sc_liaison__isnull=False),
                name="liaisoncontact_kind_matches_link",
            ),
            models.CheckConstraint(
                condition=Q(people_count__gte=1, people_count__lte=10000),
                name="liaisoncontact_people_count_range",
                violation_error_message="人数应在 1 到 10000 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} {self.contacted_on:%Y-%m-%d} {self.get_way_display()}"
