"""Exports: a model's rows written as the files its importer reads back (docs/export.md).

:func:`export_columns` (an importer's columns, read from its model), :func:`export_queryset`
(any queryset, streamed in chunks to CSV, XLSX, JSON, NDJSON or Parquet).
"""

from winiadmin.exports.columns import (
    ExportColumn,
    ExportColumns,
    export_columns,
    exported_model,
    find_export_importer,
    importers_exporting,
)
from winiadmin.exports.stream import (
    CHUNK_SIZE,
    ExportCancelled,
    ExportOptions,
    export_queryset,
)
from winiadmin.exports.writers import FORMATS, check_rows, format_of

__all__ = [
    "CHUNK_SIZE",
    "FORMATS",
    "ExportCancelled",
    "ExportColumn",
    "ExportColumns",
    "ExportOptions",
    "check_rows",
    "export_columns",
    "export_queryset",
    "exported_model",
    "find_export_importer",
    "format_of",
    "importers_exporting",
]
