"""The pipeline: read → clean → transform → load, one module per stage, data flowing one way."""

from winiadmin.pipeline.run import ReadSource, run_import
from winiadmin.pipeline.spec import (
    BulksByModel,
    FrameImportSpec,
    FramesByModel,
    ImportDeclarations,
    ImportSpec,
    LazyBulk,
)

__all__ = [
    "BulksByModel",
    "FrameImportSpec",
    "FramesByModel",
    "ImportDeclarations",
    "ImportSpec",
    "LazyBulk",
    "ReadSource",
    "run_import",
]
