"""Facts about a deputy that an app above deputies keeps (the station a deputy works at, in
stations): the app registers them in its ``AppConfig.ready``, and deputies shows them on the
profile and in the export, offers them in the form and reads them from the import, without
importing that app (the layers of pyproject.toml's import contract).

A fact reads with ``display`` (profile, export), offers a form field with ``form_field``
(its initial value from ``initial``), is an import ``column`` whose cells ``resolver`` (called
once per import) turns into values (a ValidationError for a bad cell), and is written by
``save`` inside the deputies service's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms

from renda.core.imports import Column

if TYPE_CHECKING:
    from renda.accounts.models import User

    from .models import Deputy


@dataclass(frozen=True)
class DeputyFact:
    name: str  # the form field and import column key
    label: str  # the form label, export header, profile term and import header
    display: Callable[[Deputy], str]
    form_field: Callable[[Deputy | None], forms.Field]
    initial: Callable[[Deputy], Any]
    save: Callable[[User | None, Deputy, Any], bool]  # True when the value changed
    column: Column
    resolver: Callable[[], Callable[[str], Any]]
    section: str = "代表信息"  # the form's card it goes in
    select_related: tuple[str, ...] = ()  # for lists and exports that display it


_FACTS: dict[str, DeputyFact] = {}


def register(fact: DeputyFact) -> None:
    from .imports import add_fact_column

    _FACTS[fact.name] = fact
    add_fact_column(fact.column)


def facts() -> list[DeputyFact]:
    return list(_FACTS.values())


def fact(name: str) -> DeputyFact | None:
    return _FACTS.get(name)


def save_facts(actor: User | None, deputy: Deputy, values: dict[str, Any]) -> list[str]:
    """Write the registered facts among ``values``; returns the names that changed."""
    written = []
    for name, value in values.items():
        registered = _FACTS.get(name)
        if registered is None:
            raise TypeError(f"unknown deputy fact: {name}")
        if registered.save(actor, deputy, value):
            written.append(name)
    return written


def save_many(actor: User | None, pairs: Iterable[tuple[Deputy, dict[str, Any]]]) -> None:
    for deputy, values in pairs:
        if values:
            save_facts(actor, deputy, values)
