"""The pipeline: read → clean → transform → load, one module per stage, data flowing one way."""

from winiadmin.pipeline.run import ReadSource, run_import
from winiadmin.pipeline.spec import BulksByModel, ImportSpec

__all__ = ["BulksByModel", "ImportSpec", "ReadSource", "run_import"]
