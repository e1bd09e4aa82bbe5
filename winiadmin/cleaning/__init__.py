"""The clean stage: parse, validate and clean a raw table with a winiutils ``CleaningDF``."""

from winiadmin.cleaning.base import CleaningDF
from winiadmin.cleaning.stage import CleaningOutcome, clean_table

__all__ = ["CleaningDF", "CleaningOutcome", "clean_table"]
