"""The JSON API over import jobs: the wizard's steps for front ends and other services.

Mounted by ``path("api/imports/", include("winiadmin.api.urls"))``; described by its OpenAPI
document (``openapi.json``); docs/api.md. Every endpoint is thin over ``winiadmin.jobs`` and
checks the same permissions as the wizard (``winiadmin.permissions``, through ``access.py``).
"""
