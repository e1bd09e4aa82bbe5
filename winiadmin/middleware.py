"""``JobNotificationMiddleware``: tell users on their next admin page that a background job ended.

A background job ends in a worker, where there is no request to attach a message to; the job is
marked ``notified=False`` when it is queued, and the user's next admin page turns every such
finished job into a ``django.contrib.messages`` notice (one indexed query per admin page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.admin.sites import all_sites
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from winiadmin.models import ACTIVE_STATUSES, ImportJob

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

#: A finished check asks for a decision on its page: told as information, not as a success.
_LEVELS = {
    ImportJob.Status.VALIDATED: messages.INFO,
    ImportJob.Status.INVALID: messages.WARNING,
    ImportJob.Status.SUCCEEDED: messages.SUCCESS,
    ImportJob.Status.CANCELLED: messages.INFO,
}

_NOTICES = {
    ImportJob.Status.VALIDATED: gettext_lazy(
        "The check of %(name)s is done: review it and confirm the import."
    ),
    ImportJob.Status.INVALID: gettext_lazy(
        "The check of %(name)s found problems: review them before importing."
    ),
    ImportJob.Status.SUCCEEDED: gettext_lazy("%(name)s was imported."),
    ImportJob.Status.FAILED: gettext_lazy("The background import of %(name)s failed."),
    ImportJob.Status.CANCELLED: gettext_lazy("The import of %(name)s was cancelled."),
}


class JobNotificationMiddleware:
    """Put it after ``AuthenticationMiddleware`` and ``MessageMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        site = _admin_site_of(request) if _wants_notices(request) else None
        if site is not None:
            notify_finished_jobs(request, site)
        return self.get_response(request)


def _wants_notices(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    return not getattr(request, "htmx", False)  # a polled fragment: the full page shows them


def _admin_site_of(request: HttpRequest) -> str | None:
    """The name of the admin site whose page is asked for (the longest matching index URL)."""
    found: tuple[int, str] | None = None
    for site in all_sites:
        try:
            index = reverse(f"{site.name}:index")
        except NoReverseMatch:  # a site not in the URLconf
            continue
        if request.path.startswith(index) and (found is None or len(index) > found[0]):
            found = (len(index), site.name)
    return found[1] if found is not None else None


def _job_url(job: ImportJob, site: str) -> str:
    name, args = "admin:winiadmin_importjob_job", [job.pk]
    try:
        return reverse(name, args=args, current_app=site)
    except NoReverseMatch:  # the jobs' admin is on another site only
        return reverse(name, args=args)


def notify_finished_jobs(request: HttpRequest, site: str = "admin") -> int:
    """Add a message per finished, unannounced background job of ``request.user``, linked to
    its page on the admin ``site``."""
    jobs = list(
        ImportJob.objects.filter(user_id=cast("int", request.user.pk), notified=False).exclude(
            status__in=ACTIVE_STATUSES
        )
    )
    # Marked first, conditionally: two pages loading at once announce each job once.
    told = [
        job
        for job in jobs
        if ImportJob.objects.filter(pk=job.pk, notified=False).update(notified=True)
    ]
    for job in told:
        url = _job_url(job, site)
        if request.path == url:
            continue  # the page being opened is that job's: it shows the outcome itself
        notice = _NOTICES.get(ImportJob.Status(job.status))
        text = (
            notice % {"name": job.original_name}
            if notice is not None
            else _("Background import of %(name)s: %(status)s.")
            % {"name": job.original_name, "status": job.get_status_display().lower()}
        )
        level = _LEVELS.get(ImportJob.Status(job.status), messages.WARNING)
        messages.add_message(request, level, format_html('<a href="{}">{}</a>', url, text))
    return len(told)
