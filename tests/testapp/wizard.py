"""A wizard outside the admin whose rows belong to the user: ``owner`` set on every note."""

from collections.abc import Mapping

from django.http import HttpRequest

from winiadmin.importers import Importer
from winiadmin.wizard import UserWizardSite


class NotesSite(UserWizardSite):
    importers = (
        "testapp.notes",
        "testapp.note_frames",
        "testapp.filed_notes",
        "testapp.filed_note_frames",
    )

    def get_fixed_values(
        self, request: HttpRequest, importer: type[Importer]
    ) -> Mapping[str, object]:
        return {"owner": request.user}


site = NotesSite(name="notes")
