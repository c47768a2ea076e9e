"""The form pieces every app uses: Bootstrap classes on widgets, a service's refusal shown on
the form, and one way to run a service behind a form (docs/architecture.md §4.2, step four of a view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

T = TypeVar("T")


def _widget_css(widget: forms.Widget) -> str | None:
    if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
        return None
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on a field as soon as it has an
    error — including errors a service raised after the form itself was valid."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _widget_css(field.widget)
            if css:
                attrs = field.widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if field and field in self.fields:
            attrs = self.fields[field].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class BootstrapForm(BootstrapMixin, forms.Form):
    pass


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: a field's error next to that field (or
    its alias on the form), anything else at the top."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


def attempt(
    form: forms.BaseForm, call: Callable[[], T], aliases: dict[str, str] | None = None
) -> T | None:
    """Run one service call for a valid form. A refusal lands on the form (the service wrote
    nothing: it runs in one transaction) and None comes back."""
    try:
        return call()
    except ValidationError as error:
        add_service_errors(form, error, aliases)
        return None
