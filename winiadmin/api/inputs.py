"""The API's inputs checked as the wizard's forms check them: the upload (size, a table at all),
the importer's options (typed by the importer, kept as text) and the read options."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from winiadmin.api.errors import ApiError, invalid
from winiadmin.conf import get_config
from winiadmin.exceptions import FileReadError, WiniadminError
from winiadmin.readers import detect_format
from winiadmin.readers.detect import head_and_tail
from winiadmin.sources.errors import SourceError
from winiadmin.sources.storage import from_storage
from winiadmin.sources.url import download

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.core.files.uploadedfile import UploadedFile

    from winiadmin.importers import Importer

#: What a client may choose about how the file is read (``ReadOptions``' fields).
READ_OPTIONS = ("encoding", "delimiter", "sheet", "header_row")


def checked_upload(upload: UploadedFile[bytes] | None) -> UploadedFile[bytes]:
    """The upload, if it is there, within ``MAX_UPLOAD_SIZE`` and a table (not a PDF…)."""
    if upload is None:
        raise ApiError(400, "invalid_file", _("Send the file as the multipart field 'file'."))
    limit = get_config().MAX_UPLOAD_SIZE
    size = upload.size or 0
    if size > limit:
        msg = _("The file is %(size)s bytes; the largest accepted is %(limit)s.") % {
            "size": size,
            "limit": limit,
        }
        raise ApiError(413, "invalid_file", msg, {"size": size, "limit": limit})
    try:
        detect_format(head_and_tail(upload), upload.name)
    except FileReadError as exc:
        raise ApiError(400, "invalid_file", str(exc)) from exc
    return upload


def fetched(body: Mapping[str, Any]) -> UploadedFile[bytes]:
    """The file a JSON body names: ``{"url": …}`` or ``{"storage": …, "path": …}``."""
    url, storage, path = body.get("url"), body.get("storage"), body.get("path")
    try:
        if isinstance(url, str) and url and storage is None:
            return download(url)
        if isinstance(storage, str) and isinstance(path, str) and url is None:
            return from_storage(storage, path)
    except SourceError as exc:
        raise ApiError(400, "invalid_source", str(exc)) from exc
    msg = _("Name the file by 'url', or by 'storage' and 'path' (or upload it as multipart).")
    raise invalid(msg, {"field": "url"})


def option_texts(importer: type[Importer], given: object) -> dict[str, str]:
    """The importer's options as text (as jobs keep them), each checked by the importer."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise invalid(_("options must be a JSON object."), {"field": "options"})
    texts = {str(k): _text(v) for k, v in given.items() if v is not None}
    try:
        importer.resolve_options(importer.parse_options(texts))
    except (ValueError, WiniadminError) as exc:
        raise invalid(str(exc), {"field": "options"}) from exc
    return texts


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_options(given: Mapping[str, Any]) -> dict[str, Any]:
    """The read options chosen (unset ones left out: detected). ``sheet``: a name, or a number
    counted from 1 as people count sheets; ``header_row``: counted from 1."""
    unknown = sorted(set(given) - set(READ_OPTIONS))
    if unknown:
        msg = _("Unknown read options: %(options)s.") % {"options": ", ".join(unknown)}
        raise invalid(msg, {"field": "read_options"})
    chosen: dict[str, Any] = {}
    encoding = given.get("encoding")
    if encoding not in (None, ""):
        try:
            codecs.lookup(str(encoding))
            chosen["encoding"] = str(encoding)
        except LookupError as exc:
            msg = _("Unknown encoding %(encoding)r.") % {"encoding": encoding}
            raise invalid(msg, {"field": "encoding"}) from exc
    delimiter = given.get("delimiter")
    if delimiter not in (None, ""):
        if len(str(delimiter)) != 1:
            raise invalid(_("delimiter must be one character."), {"field": "delimiter"})
        chosen["delimiter"] = str(delimiter)
    sheet = given.get("sheet")
    if sheet not in (None, ""):
        text = str(sheet).strip()
        chosen["sheet"] = max(int(text) - 1, 0) if text.isdigit() else text
    header = given.get("header_row")
    if header not in (None, ""):
        if not str(header).isdigit() or int(str(header)) < 1:
            msg = _("header_row must be a whole number from 1.")
            raise invalid(msg, {"field": "header_row"})
        chosen["header_row"] = int(str(header))
    return chosen
