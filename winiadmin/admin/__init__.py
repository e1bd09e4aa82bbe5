"""winiadmin in the Django admin: ``ImportMixin`` and ``ExportMixin`` for model admins, the jobs
admin, the wizard."""

from django.contrib import admin

from winiadmin.admin.conventions import SavedConventionsAdmin
from winiadmin.admin.export import ExportMixin
from winiadmin.admin.export_job_list import ExportJobAdmin
from winiadmin.admin.jobs import ImportJobAdmin
from winiadmin.admin.options import ImportMixin
from winiadmin.admin.tokens import ApiTokenAdmin
from winiadmin.admin.value_mappings import SavedColumnMappingAdmin, ValueMappingAdmin
from winiadmin.admin.webhooks import WebhookDeliveryAdmin
from winiadmin.models import (
    ApiToken,
    ExportJob,
    ImportJob,
    SavedColumnMapping,
    SavedConventions,
    ValueMapping,
    WebhookDelivery,
)

admin.site.register(ImportJob, ImportJobAdmin)
admin.site.register(ApiToken, ApiTokenAdmin)
admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
admin.site.register(ValueMapping, ValueMappingAdmin)
admin.site.register(SavedColumnMapping, SavedColumnMappingAdmin)
admin.site.register(SavedConventions, SavedConventionsAdmin)
admin.site.register(ExportJob, ExportJobAdmin)

__all__ = ["ExportMixin", "ImportJobAdmin", "ImportMixin"]
