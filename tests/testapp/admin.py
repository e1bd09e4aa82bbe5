"""The test app's models in the admin like a project's would be: the background tests import
into Tag and Line; Gadget has an Import button and no importer (the one derived from the model
is offered: zero configuration)."""

from django.contrib import admin

from tests.testapp.models import Gadget, Line, Tag
from winiadmin.admin import ImportMixin

admin.site.register(Tag)
admin.site.register(Line)


@admin.register(Gadget)
class GadgetAdmin(ImportMixin, admin.ModelAdmin[Gadget]):
    pass
