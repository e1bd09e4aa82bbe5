"""Foreign keys and many-to-many fields by natural key, as importers declare them (the
machinery: winiadmin.db.lookups, winiadmin.db.many_to_many)."""

from winiadmin.db.lookups import Lookup, UnmatchedKeys, with_keys
from winiadmin.db.many_to_many import ManyToMany

__all__ = ["Lookup", "ManyToMany", "UnmatchedKeys", "with_keys"]
