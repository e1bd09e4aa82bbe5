"""The webhook delivery log in the admin: status, attempts, last error; resend selected ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from winiadmin.webhooks.deliveries import resend

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from winiadmin.models import WebhookDelivery

    _ModelAdmin = admin.ModelAdmin[WebhookDelivery]
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin


class WebhookDeliveryAdmin(_ModelAdmin):
    list_display = ["event", "url", "status", "attempts", "response_status", "created_at", "job"]
    list_filter = ["status", "event", "created_at"]
    search_fields = ["url", "last_error", "job__original_name"]
    actions = ["resend_deliveries"]
    readonly_fields = [
        "job", "event", "url", "payload", "status", "attempts", "response_status", "last_error",
        "created_at", "updated_at", "next_attempt_at", "delivered_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # deliveries are made by events, not by hand

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a log: resend instead

    @admin.action(description=_("Send the selected deliveries again"), permissions=["view"])
    def resend_deliveries(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = resend(queryset)
        message = ngettext(
            "%(count)d delivery will be sent again by a task worker.",
            "%(count)d deliveries will be sent again by a task worker.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
