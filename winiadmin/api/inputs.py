"""The API's inputs checked as the wizard's forms check them: the upload (size, a table at all),
the importer's options (typed by the importer, kept as text) and the read options."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from winiadmin.api.errors import ApiError, invalid
from winiadmin.cleaning.conventions import DECLARATIONS, FileConventions
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


#: The conventions a client may declare (``FileConventions.to_json``'s keys, as the command's
#: ``--decimal-separator``… options and the wizard's upload form).
CONVENTIONS = (*DECLARATIONS, "columns")


def file_conventions(given: object) -> FileConventions | None:
    """How the file writes numbers and dates (``None``: not declared), checked by
    :class:`~winiadmin.cleaning.conventions.FileConventions` as the wizard's form and the
    command check it. ``thousands_separator`` ``"none"`` is ``""`` (no separator), as on the
    command line; ``columns``: the same per column of the importer."""
    if given is None:
        return None
    if not isinstance(given, dict):
        raise invalid(_("conventions must be a JSON object."), {"field": "conventions"})
    checked = _checked_conventions(given)
    try:
        conventions = FileConventions.from_json(checked)
    except ValueError as exc:
        raise invalid(str(exc), {"field": "conventions"}) from exc
    return None if conventions == FileConventions() else conventions


def importer_conventions(importer: type[Importer], given: object) -> FileConventions | None:
    """:func:`file_conventions`, whose ``columns`` must be columns ``importer`` reads (its
    cleaning classes' names): a convention for a column it does not read would be ignored."""
    conventions = file_conventions(given)
    if conventions is None or not conventions.columns:
        return conventions
    classes = [importer.cleaning_df_cls] if importer.cleaning_df_cls else []
    classes += [sheet.cleaning_df_cls for sheet in importer.sheets]
    known = {name for cls in classes for name in cls.get_col_dtype_map()}
    unknown = sorted(set(conventions.columns) - known)
    if unknown:
        msg = _("%(importer)s reads no column %(names)s; it reads %(known)s.") % {
            "importer": importer.get_name(),
            "names": ", ".join(repr(n) for n in unknown),
            "known": ", ".join(sorted(known)),
        }
        raise invalid(msg, {"field": "conventions"})
    return conventions


def _checked_conventions(given: Mapping[str, Any]) -> dict[str, Any]:
    """``given``'s keys and value types, as ``FileConventions.from_json`` takes them."""
    unknown = sorted(set(given) - set(CONVENTIONS))
    if unknown:
        msg = _("Unknown conventions: %(names)s.") % {"names": ", ".join(unknown)}
        raise invalid(msg, {"field": "conventions"})
    checked: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key == "columns":
            if not isinstance(value, dict):
                raise invalid(_("conventions must be a JSON object."), {"field": key})
            checked[key] = {str(n): _checked_conventions(_object(c, key)) for n, c in value.items()}
        elif key.endswith(("_formats", "_symbols")):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                msg = _("%(field)s must be a list of texts.") % {"field": key}
                raise invalid(msg, {"field": key})
            checked[key] = value
        elif not isinstance(value, str):
            msg = _("%(field)s must be a text.") % {"field": key}
            raise invalid(msg, {"field": key})
        else:
            none = key == "thousands_separator" and value.lower() == "none"
            checked[key] = "" if none else value
    return checked


def _object(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or "columns" in value:
        raise invalid(_("conventions must be a JSON object."), {"field": field})
    return value


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
