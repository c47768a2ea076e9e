"""One way for a button that POSTs an action: call one service, say in a message whether it
was done, go back to the page. Views whose action has a form use `core.forms.attempt`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def run_action(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    then: str,
    done: str = "",
) -> HttpResponse:
    """Run the service; on success show `done`, on a refusal show the service's Chinese
    reasons (nothing was written); either way redirect to `then` (a URL or a URL name)."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect(then)
