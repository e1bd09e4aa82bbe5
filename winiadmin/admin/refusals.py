"""A permission refusal inside winiadmin's admin pages: an admin page with the reason and a way
back (HTTP 403), instead of the site's bare "403 Forbidden".

Every wizard, undo and import view is wrapped by :func:`refusing`; the reason is the text of the
``PermissionDenied`` the view raised. For an HTMX request the same page answers, marked so that
``winiadmin.js`` swaps it in place of the wizard (htmx leaves 4xx answers unswapped otherwise).
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from winiadmin.admin.responses import model_or_none
from winiadmin.models import ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.admin import AdminSite
    from django.http import HttpRequest, HttpResponse, HttpResponseBase

#: Response header that tells winiadmin.js to swap a refusal in (see the module's docstring).
REFUSAL_HEADER = "X-Winiadmin-Refusal"


def admin_page[**P](
    admin_site: AdminSite, view: Callable[P, HttpResponseBase]
) -> Callable[P, HttpResponseBase]:
    """``admin_site.admin_view`` (login, staff, CSRF) around :func:`refusing`."""
    return admin_site.admin_view(refusing(admin_site, view))


def refusing[**P](
    admin_site: AdminSite, view: Callable[P, HttpResponseBase]
) -> Callable[P, HttpResponseBase]:
    """``view``, its ``PermissionDenied`` answered by :func:`refusal_page`."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        request = cast("HttpRequest", args[0] if args else kwargs["request"])
        # ``{% url 'admin:…' %}`` in the templates resolves to this site, as the admin's own views.
        request.current_app = admin_site.name
        try:
            return view(*args, **kwargs)
        except PermissionDenied as exc:
            return refusal_page(request, admin_site, str(exc))

    return wrapped


def refusal_page(request: HttpRequest, admin_site: AdminSite, reason: str) -> HttpResponse:
    context: dict[str, Any] = {
        **admin_site.each_context(request),
        "opts": ImportJob._meta,
        "job_opts": ImportJob._meta,
        "target_opts": None,
        **_way_back(request, admin_site),
    }
    return refusal_response(request, context, reason)


def refusal_response(request: HttpRequest, context: dict[str, Any], reason: str) -> HttpResponse:
    """The refusal page (``forbidden.html``, HTTP 403) over ``context`` (the site's: its base
    template and a way back), swapped in place of the wizard for an HTMX request."""
    context = {
        **context,
        "title": _("You may not do this"),
        "reason": reason or _("Your account does not have the permission this page needs."),
    }
    response = TemplateResponse(request, "admin/winiadmin/forbidden.html", context, status=403)
    if getattr(request, "htmx", False):
        response[REFUSAL_HEADER] = "1"
        response["HX-Retarget"] = "#winiadmin"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Reselect"] = "#winiadmin"
    return response


def _way_back(request: HttpRequest, admin_site: AdminSite) -> dict[str, str]:
    """The changelist the user came from when they may see it, else the admin's index."""
    model = model_or_none(request.GET.get("model", ""))
    if model is not None and admin_site.is_registered(model):
        model_admin = admin_site.get_model_admin(model)
        if model_admin.has_view_or_change_permission(request):
            opts = model._meta
            try:
                name = f"admin:{opts.app_label}_{opts.model_name}_changelist"
                url = reverse(name, current_app=admin_site.name)
            except NoReverseMatch:
                url = ""
            if url:
                name = str(opts.verbose_name_plural)
                return {"back_url": url, "back_label": _("Back to %(name)s") % {"name": name}}
    return {
        "back_url": reverse("admin:index", current_app=admin_site.name),
        "back_label": _("Back to the admin"),
    }
