"""Files to polars frames: CSV, TSV, Excel/OpenDocument, JSON, NDJSON and Parquet.

Text formats keep every value exactly as typed (all columns ``pl.String``); cleaning decides
later what "1,5" or "007" means. Each row keeps the row number a person sees in the file.
"""

from winiadmin.readers.api import READERS, read_table
from winiadmin.readers.base import RawTable, Reader, ReadOptions
from winiadmin.readers.delimited import sniff_delimiter
from winiadmin.readers.detect import detect_format
from winiadmin.readers.encoding import detect_encoding
from winiadmin.readers.source import Source

__all__ = [
    "READERS",
    "RawTable",
    "ReadOptions",
    "Reader",
    "Source",
    "detect_encoding",
    "detect_format",
    "read_table",
    "sniff_delimiter",
]
