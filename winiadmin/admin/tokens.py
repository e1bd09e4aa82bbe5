"""The admin of the API's bearer tokens: who holds which, when each was last used; revoke one
by deleting it. Tokens are issued by ``manage.py winiadmin_api_token`` (the key is printed
once; the admin never sees it, only its hash is stored)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.models import ApiToken

    _ModelAdmin = admin.ModelAdmin[ApiToken]
else:  # ModelAdmin is generic for the type checker only
    _ModelAdmin = admin.ModelAdmin


class ApiTokenAdmin(_ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at"]
    list_filter = ["created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["name", "user", "prefix", "created_at", "last_used_at"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once, by the command that issues it
