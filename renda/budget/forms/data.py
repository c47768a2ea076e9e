"""Input shapes for the budget pages. The importer and the services protect the data; these
forms check what a person typed or chose and say in Chinese what is wrong."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from renda.accounts.models import User
from renda.budget.demo import reference
from renda.budget.ingest.kinds import kind_choices
from renda.budget.models import BudgetIndicator, Payment, ThreePublic
from renda.budget.selectors.data import available_years
from renda.core.models import ImportBatch
from renda.core.roles import Role

BLANK = [("", "全部")]


def _year_choices() -> list[tuple[str, str]]:
    return [(str(y), f"{y} 年") for y in available_years()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=kind_choices)
    file = forms.FileField(
        label="文件",
        help_text="xlsx 或 csv（UTF-8 或 GB18030 编码）；表头可用中文列名或预算管理一体化字段名",
    )
    year = forms.IntegerField(
        label="只接受该预算年度",
        required=False,
        min_value=2000,
        max_value=2099,
        help_text="可空；填写后，其他年度的行会被指出",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError("只接受 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）")
        if not upload.size:
            raise forms.ValidationError("文件是空的")
        return upload


class BatchFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="数据类型", required=False, choices=lambda: BLANK + kind_choices()
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=BLANK + list(ImportBatch.Status.choices)
    )


class _YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label="预算年度",
        required=False,
        coerce=int,
        empty_value=None,
        choices=lambda: BLANK + _year_choices(),
    )


FUND_CHOICES = BLANK + [(code, f"{code} {name}") for code, name in reference.FUND_TYPE]


class IndicatorFilterForm(_YearForm):
    unit = forms.CharField(label="单位", required=False, max_length=100)
    func_code = forms.CharField(label="功能分类", required=False, max_length=12)
    eco_code = forms.CharField(label="经济分类", required=False, max_length=8)
    fund_type = forms.ChoiceField(label="资金性质", required=False, choices=FUND_CHOICES)
    kind = forms.ChoiceField(
        label="指标类型", required=False, choices=BLANK + list(BudgetIndicator.Kind.choices)
    )
    thr_exp = forms.ChoiceField(
        label="三公经费", required=False, choices=BLANK + list(ThreePublic.choices)
    )
    q = forms.CharField(label="指标编号/项目/文号", required=False, max_length=100)


class PaymentFilterForm(_YearForm):
    unit = forms.CharField(label="单位", required=False, max_length=100)
    func_code = forms.CharField(label="功能分类", required=False, max_length=12)
    eco_code = forms.CharField(label="经济分类", required=False, max_length=8)
    fund_type = forms.ChoiceField(label="资金性质", required=False, choices=FUND_CHOICES)
    date_from = forms.DateField(
        label="支付日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payee = forms.CharField(label="收款人", required=False, max_length=100)
    payee_type = forms.ChoiceField(
        label="收款人类型", required=False, choices=BLANK + list(Payment.PayeeType.choices)
    )
    amount_min = forms.DecimalField(
        label="金额不少于（元）", required=False, max_digits=18, decimal_places=2
    )
    amount_max = forms.DecimalField(
        label="金额不超过（元）", required=False, max_digits=18, decimal_places=2
    )
    thr_exp = forms.ChoiceField(
        label="三公经费", required=False, choices=BLANK + list(ThreePublic.choices)
    )
    purpose = forms.CharField(label="用途含", required=False, max_length=50)
    bgt_id = forms.CharField(label="指标编号", required=False, max_length=40)
    voucher = forms.CharField(label="凭证号", required=False, max_length=40)
    no_indicator = forms.BooleanField(label="仅无指标支付", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期")
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "上限不能小于下限")
        return data


class UnitFilterForm(_YearForm):
    q = forms.CharField(label="单位编码或名称", required=False, max_length=100)


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        label="系统名称", max_length=100, help_text="如：冷水江市财政局预算管理一体化系统"
    )
    user = forms.ModelChoiceField(label="责任人（数据报送账号）", queryset=User.objects.none())
    kinds = forms.MultipleChoiceField(
        label="允许推送的数据类型",
        required=False,
        choices=kind_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = cast(forms.ModelChoiceField, self.fields["user"])
        user_field.queryset = User.objects.filter(role=Role.DATA_PROVIDER, is_active=True).order_by(
            "username"
        )
