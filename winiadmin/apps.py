from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.tasks import Task

    from winiadmin.jobs.dispatch import JobTasks


def _job_tasks() -> JobTasks:
    # Imported when first sent: defining a task validates it against settings.TASKS.
    from winiadmin.jobs.dispatch import JobTasks  # noqa: PLC0415
    from winiadmin.tasks import run_export, run_job, watch_job  # noqa: PLC0415

    return JobTasks(run_job, watch_job, run_export)


def _delivery_task() -> Task[[str], str]:
    from winiadmin.tasks import deliver_webhook  # noqa: PLC0415 - as _job_tasks

    return deliver_webhook


class WiniadminConfig(AppConfig):
    name = "winiadmin"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the system checks and the settings-change receiver.
        from winiadmin import checks, conf  # noqa: F401, PLC0415
        from winiadmin.importers.registry import autodiscover  # noqa: PLC0415
        from winiadmin.jobs.dispatch import provide_tasks  # noqa: PLC0415
        from winiadmin.webhooks import receivers  # noqa: PLC0415
        from winiadmin.webhooks.deliveries import provide_delivery_task  # noqa: PLC0415

        autodiscover()
        provide_tasks(_job_tasks)
        provide_delivery_task(_delivery_task)
        receivers.connect()
