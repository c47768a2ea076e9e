from __future__ import annotations

from django import forms

from renda.core.models import Region

from .models import Deputy, Term


class DeputyFilterForm(forms.Form):
    q = forms.CharField(label="姓名/身份证号/手机号", required=False, max_length=30)
    level = forms.ChoiceField(label="层级", required=False, choices=[("", "全部层级"), ("city", "市级"), ("township", "乡镇级")])
    region = forms.ModelChoiceField(
        label="乡镇（街道）", required=False, empty_label="全部乡镇（街道）",
        queryset=Region.objects.filter(level__in=["township", "subdistrict"]),
    )
    delegation = forms.CharField(label="代表团（组）", required=False, max_length=50)
    category = forms.ChoiceField(label="代表构成", required=False, choices=[("", "全部构成"), *Deputy.Category.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Deputy.Status.choices])
    term = forms.ModelChoiceField(label="届", required=False, queryset=Term.objects.select_related("congress"), empty_label="全部届")
