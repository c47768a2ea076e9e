from __future__ import annotations

from django.db import models

from renda.core.models import Region, TimeStampedModel


class Station(TimeStampedModel):
    """A liaison station or liaison point (一站一点). The registry, rosters and opinions are
    built on it by the stations issue."""

    class Kind(models.TextChoices):
        STATION = "station", "代表联络站"
        POINT = "point", "代表联络点"

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "代表工作站点"

    def __str__(self) -> str:
        return self.name
