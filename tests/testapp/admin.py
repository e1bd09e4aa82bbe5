"""The test app's model the background tests import into, in the admin like a project's would be."""

from django.contrib import admin

from tests.testapp.models import Line, Tag

admin.site.register(Tag)
admin.site.register(Line)
