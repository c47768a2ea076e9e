"""The one workflow mechanism (docs/architecture.md §4.4, §5): suggestions, opinions, budget alerts and
livelihood projects all move through it.

A workflow is DATA: a ``Workflow`` lists its ``State``s and ``Transition``s; who may take a
transition, the deadline it sets and its side effects are fields of the transition. ONE
function, ``apply_transition``, applies any of them, and every change leaves a
``core.WorkflowEvent`` row (the object's timeline) and an audit event.

Protocol for a model that uses a workflow
-----------------------------------------
- ``workflow_code``: a class attribute (or property, if one model runs several workflows)
  naming a registered workflow.
- a state ``CharField`` named by ``Workflow.state_field`` (default ``"state"``), with
  ``choices`` equal to the workflow's states (``workflow.choices`` gives them) and
  ``default`` = ``workflow.initial``. Only ``apply_transition`` changes it after creation.
- optionally a nullable ``DateTimeField`` named by ``Workflow.due_field`` (default
  ``"due_at"``): a transition with a ``Deadline`` sets it; ``is_overdue`` reads it. Index it
  with the state field if a list page filters on overdue items.

Define workflows in ``<app>/workflows.py`` and ``register()`` them at import time; ``get()``
imports every app's ``workflows`` module the first time a code is not found.

Example::

    SUGGESTION = register(Workflow(
        code="suggestion", name="代表建议办理", initial="registered",
        states=(State("registered", "已登记"), State("assigned", "已交办"),
                State("replied", "已答复"), State("closed", "已办结", terminal=True, tone="success")),
        transitions=(
            Transition("assign", "交办", sources=("registered",), target="assigned",
                       roles=frozenset({Role.STAFF}), deadline=Deadline(months=3),
                       effects=(notify_unit,)),
            Transition("reply", "答复", sources=("assigned",), target="replied",
                       allowed=is_officer_of_assigned_unit, note="required", note_label="答复摘要"),
            ...
        ),
    ))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import audit
from . import calendar as workcal
from .models import WorkflowEvent
from .roles import Actor, Role, has_duty, has_role

Predicate = Callable[[Any, Any], bool]  # (user or None, obj) -> may take it
NoteMode = Literal["none", "optional", "required"]


class TransitionNotAllowed(ValidationError):
    """The transition does not apply to the object as it is now (wrong state, stale page,
    missing note). The message is Chinese and meant for the user."""


# --- predicates for `Transition.allowed` --------------------------------------------------


def anyone(user: Actor | None, obj: Any) -> bool:
    """Anybody who reached the view, including the public (e.g. a constituent who rates an
    opinion with its tracking code; the view checks the code)."""
    return True


def system_only(user: Actor | None, obj: Any) -> bool:
    """Only a background job (actor None), e.g. 'mark overdue' run by Huey."""
    return user is None


# --- the definition -----------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    code: str
    label: str
    terminal: bool = False  # nothing follows; a terminal item is never overdue
    tone: str = "secondary"  # Bootstrap colour of its badge; the label is always shown too


@dataclass(frozen=True)
class Deadline:
    """The due time a transition sets: ``workdays`` working days or ``months`` calendar months
    (exactly one) after ``since(obj)``, or after the transition itself when ``since`` is None
    (e.g. an extension to 6 months counts from the original assignment:
    ``Deadline(months=6, since=lambda s: s.assigned_at)``)."""

    workdays: int | None = None
    months: int | None = None
    since: Callable[[Any], dt.datetime | None] | None = None

    def __post_init__(self) -> None:
        if (self.workdays is None) == (self.months is None):
            raise ValueError("Deadline needs exactly one of workdays= or months=")

    def due(self, obj: Any, now: dt.datetime) -> dt.datetime:
        start = (self.since(obj) if self.since else None) or now
        return workcal.due_at(start, workdays=self.workdays, months=self.months)


@dataclass(frozen=True)
class EffectContext:
    """What a side effect receives. It runs inside the transition's transaction, after the
    state, event and audit rows are written; raising rolls all of them back."""

    workflow: Workflow
    transition: Transition
    obj: Any  # the locked, already updated row
    actor: Any  # as the caller passed it: the app's own user (or None for a background job)
    event: WorkflowEvent
    note: str
    context: dict[str, Any]


Effect = Callable[[EffectContext], None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button and timeline text, e.g. "交办"
    sources: tuple[str, ...]  # states it may be taken from
    target: str
    # Who may take it: the user's role must be in `roles` (when given) AND `allowed(user, obj)`
    # must hold (when given). At least one of the two is required, so nothing is open by
    # accident; use `anyone` or `system_only` to say so explicitly.
    roles: frozenset[str] = frozenset()
    allowed: Predicate | None = None
    # A member of staff also needs this duty (core.roles.Duty) to take it; other roles in
    # `roles` are not affected.
    duty: str = ""
    deadline: Deadline | None = None
    effects: tuple[Effect, ...] = ()
    note: NoteMode = "optional"
    note_label: str = "说明"
    style: str = "primary"  # Bootstrap button colour

    def may(self, user: Actor | None, obj: Any) -> bool:
        if self.roles and not has_role(user, *self.roles):
            return False
        if self.duty and has_role(user, Role.STAFF) and not has_duty(user, self.duty):
            return False
        return self.allowed is None or bool(self.allowed(user, obj))


@dataclass(frozen=True)
class Workflow:
    code: str
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    state_field: str = "state"
    due_field: str | None = "due_at"

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError(f"workflow {self.code!r}: " + "; ".join(problems))

    def _problems(self) -> Iterable[str]:
        codes = [s.code for s in self.states]
        if len(set(codes)) != len(codes):
            yield "duplicate state codes"
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            yield "duplicate transition names"
        if self.initial not in codes:
            yield f"initial state {self.initial!r} is not a state"
        # The audit action is "workflow.<code>.<transition>" and must fit AuditEvent.action.
        if len(f"workflow.{self.code}.") + max((len(n) for n in names), default=0) > 64:
            yield "code plus transition name too long for the audit log"
        terminal = {s.code for s in self.states if s.terminal}
        for t in self.transitions:
            if not t.sources:
                yield f"{t.name}: no source states"
            for s in (*t.sources, t.target):
                if s not in codes:
                    yield f"{t.name}: unknown state {s!r}"
            if terminal & set(t.sources):
                yield f"{t.name}: leaves a terminal state"
            if not t.roles and t.allowed is None:
                yield f"{t.name}: says nobody may take it (give roles= or allowed=)"

    @cached_property
    def _states(self) -> dict[str, State]:
        return {s.code: s for s in self.states}

    @cached_property
    def _transitions(self) -> dict[str, Transition]:
        return {t.name: t for t in self.transitions}

    @property
    def choices(self) -> list[tuple[str, str]]:
        """For the model's state field: ``models.CharField(choices=WF.choices, ...)``."""
        return [(s.code, s.label) for s in self.states]

    @property
    def terminal_states(self) -> frozenset[str]:
        return frozenset(s.code for s in self.states if s.terminal)

    def state(self, code: str) -> State | None:
        return self._states.get(code)

    def label(self, state_code: str) -> str:
        found = self._states.get(state_code)
        return found.label if found else state_code

    def transition(self, name: str) -> Transition | None:
        return self._transitions.get(name)

    def outgoing(self, state_code: str) -> list[Transition]:
        return [t for t in self.transitions if state_code in t.sources]


# --- registry -----------------------------------------------------------------------------

_registry: dict[str, Workflow] = {}
_discovered = False


def register(workflow: Workflow) -> Workflow:
    existing = _registry.get(workflow.code)
    if existing is not None and existing is not workflow:
        raise ValueError(f"workflow {workflow.code!r} is already registered")
    _registry[workflow.code] = workflow
    return workflow


def unregister(code: str) -> None:
    """For tests that define throw-away workflows."""
    _registry.pop(code, None)


def get(code: str) -> Workflow:
    global _discovered
    if code not in _registry and not _discovered:
        _discovered = True
        autodiscover_modules("workflows")
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"no workflow registered as {code!r}") from None


def workflow_for(obj: Any) -> Workflow:
    code = getattr(obj, "workflow_code", None)
    if not code:
        raise TypeError(f"{type(obj).__name__} does not declare workflow_code")
    return get(code)


# --- applying a transition ----------------------------------------------------------------


def _has_field(model: type[models.Model], name: str | None) -> bool:
    if not name:
        return False
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def apply_transition(
    *,
    actor: Actor | None,
    obj: models.Model,
    transition: str,
    note: str = "",
    expected_state: str | None = None,
    due_at: dt.datetime | None = None,
    **context: Any,
) -> WorkflowEvent:
    """Take ``transition`` on ``obj`` as ``actor`` (None for a background job).

    Checks, in order, on the row locked with ``select_for_update`` (so of two concurrent clicks
    the second sees the new state and fails): the transition exists, the actor may take it
    (``PermissionDenied``), it leaves from the current state (``TransitionNotAllowed``), the
    page was not stale (``expected_state``: the state the user saw, posted by the action
    buttons, so an out-of-date page cannot act on a state the user never saw), and the note
    is present when required. ``due_at`` replaces the transition's ``Deadline`` when the
    period is chosen per object (e.g. an inquiry's working days). Then, atomically: state and due time, a ``WorkflowEvent``, an audit event, the
    side effects. ``obj`` in the caller is updated to match. ``context`` goes to the effects.
    """
    wf = workflow_for(obj)
    step = wf.transition(transition)
    if step is None:
        raise TransitionNotAllowed(f"“{wf.name}”没有名为“{transition}”的操作。")
    note = note.strip()
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = getattr(locked, wf.state_field)
        _check_transition(wf, step, actor, locked, current, expected_state, note)
        due, update_fields = _move(wf, step, locked, due_at)
        event = _record_transition(wf, step, actor, locked, current, note, due)
        effect_context = EffectContext(wf, step, locked, actor, event, note, dict(context))
        for effect in step.effects:
            effect(effect_context)

    for name in update_fields:
        setattr(obj, name, getattr(locked, name))
    return event


def _check_transition(
    wf: Workflow,
    step: Transition,
    actor: Actor | None,
    locked: models.Model,
    current: str,
    expected_state: str | None,
    note: str,
) -> None:
    if not step.may(actor, locked):
        raise PermissionDenied(f"您无权执行“{step.label}”操作。")
    if current not in step.sources:
        raise TransitionNotAllowed(f"当前状态为“{wf.label(current)}”，不能执行“{step.label}”操作。")
    if expected_state is not None and expected_state != current:
        raise TransitionNotAllowed(f"该事项的状态已变为“{wf.label(current)}”，请刷新页面后再操作。")
    if step.note == "required" and not note:
        raise TransitionNotAllowed(f"请填写{step.note_label}。")


def _move(
    wf: Workflow, step: Transition, locked: models.Model, due_at: dt.datetime | None
) -> tuple[dt.datetime | None, list[str]]:
    """Set the new state (and due time) on the locked row and save it; return the due time
    and the fields saved."""
    model = type(locked)
    if due_at is not None:
        due: dt.datetime | None = due_at
    else:
        due = step.deadline.due(locked, timezone.now()) if step.deadline else None
    setattr(locked, wf.state_field, step.target)
    update_fields = [wf.state_field]
    if due is not None and _has_field(model, wf.due_field):
        assert wf.due_field is not None
        setattr(locked, wf.due_field, due)
        update_fields.append(wf.due_field)
    if _has_field(model, "updated_at"):
        update_fields.append("updated_at")  # auto_now is only saved when listed
    # Validate what we change (e.g. the target is among the field's choices); the rest of
    # the row was validated by the service that wrote it.
    locked.clean_fields(exclude=[f.name for f in model._meta.fields if f.name not in update_fields])
    locked.save(update_fields=update_fields)
    return due, update_fields


def _record_transition(
    wf: Workflow,
    step: Transition,
    actor: Actor | None,
    locked: models.Model,
    current: str,
    note: str,
    due: dt.datetime | None,
) -> WorkflowEvent:
    """The transition's event row and its audit event."""
    event = WorkflowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(locked)),
        object_id=str(locked.pk),
        workflow=wf.code,
        transition=step.name,
        from_state=current,
        to_state=step.target,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        note=note,
        due_at=due,
    )
    audit.record(
        actor=actor,
        action=f"workflow.{wf.code}.{step.name}",
        target=locked,
        details={
            "workflow": wf.code,
            "transition": step.name,
            "from": current,
            "to": step.target,
            "due_at": due.isoformat() if due else None,
            "event": event.pk,
        },
    )
    return event


# --- reading ------------------------------------------------------------------------------


def current_state(obj: Any) -> str:
    return str(getattr(obj, workflow_for(obj).state_field))


def available_transitions(user: Actor | None, obj: Any) -> list[Transition]:
    """The transitions ``user`` may take on ``obj`` now: only these become buttons."""
    wf = workflow_for(obj)
    return [t for t in wf.outgoing(current_state(obj)) if t.may(user, obj)]


def is_overdue(obj: Any, now: dt.datetime | None = None) -> bool:
    wf = workflow_for(obj)
    due = getattr(obj, wf.due_field, None) if wf.due_field else None
    if due is None or current_state(obj) in wf.terminal_states:
        return False
    return (now or timezone.now()) > due


def overdue_q(workflow: Workflow, now: dt.datetime | None = None) -> Q:
    """Queryset filter for overdue items (list pages, reminder jobs), same rule as is_overdue."""
    if not workflow.due_field:
        return Q(pk__in=[])
    return Q(**{f"{workflow.due_field}__lt": now or timezone.now()}) & ~Q(
        **{f"{workflow.state_field}__in": workflow.terminal_states}
    )


@dataclass(frozen=True)
class HistoryEntry:
    event: WorkflowEvent
    transition_label: str
    from_label: str
    to_label: str
    # Taken after the deadline that an earlier transition had set (e.g. a late reply).
    late: bool


def history(obj: models.Model) -> list[HistoryEntry]:
    """The object's events, oldest first, with Chinese labels, for the timeline. One query."""
    events = (
        WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    entries: list[HistoryEntry] = []
    in_force: dt.datetime | None = None
    for event in events:
        try:
            wf: Workflow | None = get(event.workflow)
        except LookupError:  # a retired workflow: show the stored codes
            wf = None
        step = wf.transition(event.transition) if wf else None
        entries.append(
            HistoryEntry(
                event=event,
                transition_label=step.label if step else event.transition,
                from_label=wf.label(event.from_state) if wf else event.from_state,
                to_label=wf.label(event.to_state) if wf else event.to_state,
                late=in_force is not None and event.created_at > in_force,
            )
        )
        if event.due_at is not None:
            in_force = event.due_at
    return entries


def page_context(user: Actor | None, obj: Any) -> dict[str, Any]:
    """Everything the two includes need, for a detail view's context::

    {% include "core/includes/workflow_timeline.html" %}
    {% include "core/includes/workflow_actions.html" with action_url=... %}
    """
    wf = workflow_for(obj)
    state = current_state(obj)
    found = wf.state(state)
    return {
        "workflow": wf,
        "workflow_state": state,
        "workflow_state_label": wf.label(state),
        "workflow_state_tone": found.tone if found else "secondary",
        "workflow_due": getattr(obj, wf.due_field, None) if wf.due_field else None,
        "workflow_overdue": is_overdue(obj),
        "workflow_timeline": history(obj),
        "workflow_actions": available_transitions(user, obj),
    }


# --- the POST side of the action buttons ---------------------------------------------------


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=64)
    expected_state = forms.CharField(max_length=32, required=False)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)


def apply_posted_transition(
    request: HttpRequest, obj: models.Model, **context: Any
) -> WorkflowEvent | None:
    """For an app's transition view, after its permission-checked fetch: read the button's
    form, apply it, and put the outcome in a message. ``PermissionDenied`` propagates (403,
    audited by the handler); a state problem becomes an error message and writes nothing."""
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作请求不完整，请刷新页面后重试。")
        return None
    data = form.cleaned_data
    try:
        event = apply_transition(
            actor=request.user,
            obj=obj,
            transition=data["transition"],
            note=data["note"],
            expected_state=data["expected_state"] or None,
            **context,
        )
    except TransitionNotAllowed as error:
        messages.error(request, "；".join(error.messages))
        return None
    wf = workflow_for(obj)
    step = wf.transition(event.transition)
    messages.success(
        request,
        f"已{step.label if step else event.transition}，当前状态：{wf.label(event.to_state)}。",
    )
    return event
