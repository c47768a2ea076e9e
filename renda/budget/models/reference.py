"""Reference data: the treasuries, classification codes and budget units of a fiscal year."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from renda.core.models import ImportBatch, Region, TimeStampedModel


class ThreePublic(models.TextChoices):
    """三公经费 categories (一体化 `THR_EXP`)."""

    RECEPTION = "reception", "公务接待"
    VEHICLE = "vehicle", "公务用车购置及运行"
    OVERSEAS = "overseas", "因公出国(境)"


class FinanceRegion(TimeStampedModel):
    """财政区划 (一体化 `MOF_DIV_CODE`): the treasury a record belongs to. Kept apart from
    core.Region because a province's treasury (430000 省本级) is not an administrative level
    the congress pages know; `region` links the two where they coincide."""

    code = models.CharField("财政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="对应行政区划",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "财政区划"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6,12}$"), name="financeregion_code_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ClassificationCode(models.Model):
    """One code of a classification list for one fiscal year (codes change every year, e.g.
    the 2018 split of the economic classification). `is_leaf` lets a year whose list was loaded
    only to the 类 level accept finer codes under it (the demo ships the public 类 codes)."""

    class Scheme(models.TextChoices):
        FUNCTION = "function", "支出功能分类"
        GOV_ECONOMIC = "gov_economic", "政府预算支出经济分类"
        DEP_ECONOMIC = "dep_economic", "部门预算支出经济分类"
        REVENUE = "revenue", "收入分类"
        FUND_TYPE = "fund_type", "资金性质"

    scheme = models.CharField("分类体系", max_length=16, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField("预算年度")
    code = models.CharField("编码", max_length=12)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级次", default=1)
    parent_code = models.CharField("上级编码", max_length=12, blank=True)
    is_leaf = models.BooleanField("末级", default=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["scheme", "year", "code"]
        verbose_name = verbose_name_plural = "分类代码"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "code"], name="classificationcode_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetUnit(TimeStampedModel):
    """预算单位 (`AGENCY_CODE`) for one fiscal year, with its supervising department (主管部门,
    `DEPT_CODE`), itself a unit of the same year; a department's own row has no department."""

    region = models.ForeignKey(
        FinanceRegion, verbose_name="财政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("预算年度")
    code = models.CharField("单位编码", max_length=30)
    name = models.CharField("单位名称", max_length=100)
    department_code = models.CharField("主管部门编码", max_length=30, blank=True)
    department = models.ForeignKey(
        "self",
        verbose_name="主管部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["region", "year", "code"]
        verbose_name = verbose_name_plural = "预算单位"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "code"], name="budgetunit_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name
