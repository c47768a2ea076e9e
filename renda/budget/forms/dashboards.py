"""The dashboards' year and treasury selector."""

from __future__ import annotations

from typing import Any

from django import forms

from renda.budget.selectors.data import available_years


def _year_choices() -> list[tuple[str, str]]:
    return [(str(y), f"{y} 年") for y in available_years()]


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label="预算年度", required=False, coerce=int, empty_value=None, choices=_year_choices
    )
    region = forms.RegexField(
        label="财政区划", required=False, regex=r"^[0-9]{6,12}$", max_length=12
    )

    def __init__(self, *args: Any, regions: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"
        if regions and len(regions) > 1:
            # Several treasuries have data this year: offer them as a list.
            self.fields["region"] = forms.ChoiceField(
                label="财政区划",
                required=False,
                choices=[(r.code, r.name) for r in regions],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        else:
            self.fields["region"].widget = forms.HiddenInput()

    def selection(self) -> tuple[int | None, str]:
        """(year, region code) chosen, blanks where nothing valid was chosen."""
        if not self.is_valid():
            return None, ""
        return self.cleaned_data.get("year"), self.cleaned_data.get("region") or ""
