"""Forms of the rule pages: a rule's parameters (one field per registered parameter), a
backtest period, and a run now."""

from __future__ import annotations

from typing import Any

from django import forms

from renda.budget.models import FinanceRegion, Rule, SummaryState


class RuleForm(forms.Form):
    """One field per parameter (from the rule's `param_specs`), the switch and the schedule.
    The values are checked by the service against the registered bounds."""

    enabled = forms.BooleanField(label="启用", required=False)
    schedule = forms.ChoiceField(label="运行时机", choices=Rule.Schedule.choices)
    note = forms.CharField(label="修改说明", max_length=200, required=False)

    def __init__(self, *args: Any, rule: Rule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.param_names = []
        for spec in rule.param_specs:
            bounds = [
                f"{k} {spec[v]}"
                for k, v in (("最小", "minimum"), ("最大", "maximum"))
                if spec.get(v) is not None
            ]
            help_text = "；".join([f"默认 {_shown(spec['default'])}", *bounds])
            if spec["kind"] == "words":
                help_text += "；多个词用逗号分隔"
            if spec.get("optional"):
                help_text += "；留空表示不设此级"
            self.fields[f"p_{spec['name']}"] = forms.CharField(
                label=spec["label"], required=False, help_text=help_text
            )
            self.param_names.append(spec["name"])
        if not self.is_bound:
            for spec in rule.param_specs:
                self.initial[f"p_{spec['name']}"] = _shown(rule.params.get(spec["name"]))
            self.initial.update(enabled=rule.enabled, schedule=rule.schedule)

    def params(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(f"p_{name}", "") for name in self.param_names}

    def param_fields(self) -> list[forms.BoundField]:
        return [self[f"p_{n}"] for n in self.param_names]

    @property
    def aliases(self) -> dict[str, str]:
        """A service error about a parameter belongs to that parameter's field."""
        return {name: f"p_{name}" for name in self.param_names}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "，".join(value)
    return str(value)


class BacktestForm(forms.Form):
    start = forms.DateField(label="回测开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="回测结束日期", widget=forms.DateInput(attrs={"type": "date"}))


class RunForm(forms.Form):
    region = forms.ModelChoiceField(label="财政区划", queryset=FinanceRegion.objects.none())
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100)
    as_of = forms.DateField(
        label="截至日期",
        required=False,
        help_text="留空为数据的最后支付日",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field, forms.ModelChoiceField)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )
        ids = SummaryState.objects.values_list("region_id", flat=True)
        self.fields["region"].queryset = FinanceRegion.objects.filter(pk__in=ids)  # type: ignore[attr-defined]
