"""winiadmin in the Django admin: ``ImportMixin`` for model admins, the jobs admin, the wizard."""

from django.contrib import admin

from winiadmin.admin.jobs import ImportJobAdmin
from winiadmin.admin.options import ImportMixin
from winiadmin.admin.tokens import ApiTokenAdmin
from winiadmin.models import ApiToken, ImportJob

admin.site.register(ImportJob, ImportJobAdmin)
admin.site.register(ApiToken, ApiTokenAdmin)

__all__ = ["ImportJobAdmin", "ImportMixin"]
