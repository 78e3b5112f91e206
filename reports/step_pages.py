"""How a staff page answers a posted life-cycle step, for the centre's pages and the agency inbox alike."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect

from .errors import DomainError


@dataclass(frozen=True)
class Step:
    """One step a page offers: the service call it makes and what it says when it worked."""

    # (case, user, cleaned form data) -> None: calls exactly one service.
    perform: Callable[[Any, Any, dict], Any]
    # Formatted with the case's code and the form's cleaned data (as text).
    done_message: Any
    # Where to go afterwards; None means back to the case.
    done_url: str | None = None


def answer_step(request, case, name, step, form, *, page, case_url):
    """Validate, perform, and answer: the case page again with the form's errors or the service's refusal (with
    its status), or a redirect with a success message."""
    if not form.is_valid():
        return page(request, case, failed=(name, form), status=400)
    try:
        step.perform(case, request.user, form.cleaned_data)
    except DomainError as exc:
        return page(request, case, failed=(name, form), error=exc.message, status=exc.http_status)
    details = {key: str(value) for key, value in form.cleaned_data.items()}
    messages.success(request, step.done_message % {**details, "code": case.tracking_code})
    if step.done_url:
        return redirect(step.done_url)
    return redirect(case_url, code=case.tracking_code)
