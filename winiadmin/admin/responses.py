"""Small helpers the admin's views share: redirects that work for HTMX, models by label."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.http import HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A full redirect, also for HTMX requests (the page changes, not a fragment)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def model_or_none(label: str) -> type[Model] | None:
    """The model named ``app_label.ModelName``, or None (no label, or no such model any more)."""
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None
