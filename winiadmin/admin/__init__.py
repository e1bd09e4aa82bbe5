"""winiadmin in the Django admin: ``ImportMixin`` and ``ExportMixin`` for model admins, the jobs
admin, the wizard."""

from django.contrib import admin

from winiadmin.admin.export import ExportMixin
from winiadmin.admin.jobs import ImportJobAdmin
from winiadmin.admin.options import ImportMixin
from winiadmin.models import ImportJob

admin.site.register(ImportJob, ImportJobAdmin)

__all__ = ["ExportMixin", "ImportJobAdmin", "ImportMixin"]
