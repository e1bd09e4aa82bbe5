"""Foreign keys by natural key, as importers declare them (the machinery: winiadmin.db.lookups)."""

from winiadmin.db.lookups import Lookup, UnmatchedKeys, with_keys

__all__ = ["Lookup", "UnmatchedKeys", "with_keys"]
