"""The demo's URLs, and the notes' wizard outside the admin at ``/notes/``."""

from demo_project.urls import urlpatterns as demo_urls
from django.urls import path

from tests.testapp.wizard import site as notes

urlpatterns = [*demo_urls, path("notes/", notes.urls)]
