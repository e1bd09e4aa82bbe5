"""``{% load winiadmin_wizard %}``: links between the wizard's pages on the site they run on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.urls import reverse

from winiadmin.admin.sites import URL_PREFIX

if TYPE_CHECKING:
    from django.http import HttpRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def wizard_url(context: template.Context, name: str, *args: object) -> str:
    """``{% wizard_url 'job' job.pk %}``: the URL of the wizard's view ``name`` on the site the
    page is served by (its URL namespace: an admin site's, or ``winiadmin.wizard``'s outside the
    admin); a page rendered elsewhere links to the default admin site's."""
    return url_on_site(context.get("request"), name, *args)


def url_on_site(request: HttpRequest | None, name: str, *args: object) -> str:
    """The URL of the wizard's view ``name`` beside the view that answers ``request``."""
    match = getattr(request, "resolver_match", None)
    namespace = (match.namespace if match is not None else "") or "admin"
    current_app = getattr(request, "current_app", None)
    return reverse(f"{namespace}:{URL_PREFIX}{name}", args=args, current_app=current_app)


@register.filter
def in_set(item: object, collection: object) -> bool:
    """``{% with shown=key|in_set:keys %}``: whether ``item`` is in ``collection`` (``False``
    when the page was given none)."""
    try:
        return item in collection  # type: ignore[operator]
    except TypeError:
        return False
