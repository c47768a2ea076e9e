"""Filters of the public deputy directory. Bad values are ignored, never an error page."""

from __future__ import annotations

from typing import Any

from django import forms

from renda.core.models import Region


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="代表姓名",
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control tap-target",
                "placeholder": "输入代表姓名",
                "type": "search",
            }
        ),
    )
    region = forms.ModelChoiceField(
        label="乡镇（街道）",
        required=False,
        empty_label="全部乡镇（街道）",
        to_field_name="code",
        queryset=Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]),
        widget=forms.Select(attrs={"class": "form-select tap-target"}),
    )
    level = forms.ChoiceField(
        label="层级",
        required=False,
        choices=[("", "全部代表"), ("city", "市人大代表"), ("township", "乡镇人大代表")],
        widget=forms.Select(attrs={"class": "form-select tap-target"}),
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a stale or mistyped link still shows a useful list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("q", "region", "level") if data.get(k)}
