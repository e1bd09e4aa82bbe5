"""``GET importers/``: the importers the user may use, with their columns and options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse

from winiadmin.api.access import importer_for, usable_importers
from winiadmin.api.endpoint import endpoint
from winiadmin.api.serializers import importer_json

if TYPE_CHECKING:
    from django.http import HttpRequest

    from winiadmin.permissions import User


def list_importers(request: HttpRequest, user: User) -> JsonResponse:
    return JsonResponse({"importers": [importer_json(i) for i in usable_importers(user)]})


def show_importer(request: HttpRequest, user: User, name: str) -> JsonResponse:
    return JsonResponse(importer_json(importer_for(user, name)))


importers = endpoint({"GET": list_importers})
importer = endpoint({"GET": show_importer})
