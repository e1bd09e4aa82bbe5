"""``path("api/imports/", include("winiadmin.api.urls"))``: the JSON API (docs/api.md)."""

from django.urls import path, re_path

from winiadmin.api import importer_views, job_views, page_views, step_views
from winiadmin.api.endpoint import unknown_url
from winiadmin.api.openapi import openapi_view

app_name = "winiadmin_api"

urlpatterns = [
    path("openapi.json", openapi_view, name="openapi"),
    path("importers/", importer_views.importers, name="importers"),
    path("importers/<str:name>/", importer_views.importer, name="importer"),
    path("jobs/", job_views.jobs, name="jobs"),
    path("jobs/<str:job_id>/", job_views.job, name="job"),
    path("jobs/<str:job_id>/problems/", page_views.problems_endpoint, name="problems"),
    path("jobs/<str:job_id>/rows/", page_views.rows_endpoint, name="rows"),
    path("jobs/<str:job_id>/mapping/", step_views.mapping, name="mapping"),
    path("jobs/<str:job_id>/options/", step_views.options, name="options"),
    path("jobs/<str:job_id>/conventions/", step_views.conventions, name="conventions"),
    path("jobs/<str:job_id>/confirm/", step_views.confirm_endpoint, name="confirm"),
    path("jobs/<str:job_id>/cancel/", step_views.cancel_endpoint, name="cancel"),
    path("jobs/<str:job_id>/retry/", step_views.retry_endpoint, name="retry"),
    path("jobs/<str:job_id>/undo/", step_views.undo_endpoint, name="undo"),
    # Last: any other URL under the API is a JSON 404, not Django's HTML page.
    re_path(r"^(?P<rest>.*)$", unknown_url, name="unknown"),
]
