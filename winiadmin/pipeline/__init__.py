"""The pipeline: read → clean → transform → load, one module per stage, data flowing one way."""

from winiadmin.pipeline.batches import ReadSource
from winiadmin.pipeline.options import BeforeCommit, CleanedCallback, RunOptions
from winiadmin.pipeline.run import run_import
from winiadmin.pipeline.spec import (
    BulksByModel,
    FrameImportSpec,
    FramesByModel,
    ImportDeclarations,
    ImportSpec,
    LazyBulk,
)

__all__ = [
    "BeforeCommit",
    "BulksByModel",
    "CleanedCallback",
    "FrameImportSpec",
    "FramesByModel",
    "ImportDeclarations",
    "ImportSpec",
    "LazyBulk",
    "ReadSource",
    "RunOptions",
    "run_import",
]
