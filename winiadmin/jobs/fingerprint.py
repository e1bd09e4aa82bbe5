"""A fingerprint of the rows an import created, per model: how many exist, and one digest.

Taken right after the real run and again before an undo: another count means rows were deleted
since, another digest means a row was changed since. The digest is a SHA-256 over every concrete
field of every created row, in key order, so it is exact. How it is computed (the algorithm, see
:mod:`winiadmin.jobs.digests`) is stored with it, and the undo recomputes it the same way, so a
job fingerprinted by an older version is still checked with the older method.

On PostgreSQL the rows are hashed by the server; on SQLite they are read on a raw cursor, without
Django's conversions; consecutive keys are read as ranges (:mod:`winiadmin.jobs.keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connections, router

from winiadmin.db.key_runs import stored_keys
from winiadmin.jobs.digests import ALGORITHMS, CURRENT, LEGACY, Keys, available
from winiadmin.jobs.keys import python_keys, sorted_runs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.db.models import Model


class UnknownAlgorithm(ValueError):
    """A stored fingerprint's algorithm that this version or this database cannot compute."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    count: int
    digest: str
    algorithm: str = LEGACY

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "digest": self.digest, "algorithm": self.algorithm}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Fingerprint:
        """A stored fingerprint; one without an algorithm name predates them (``LEGACY``)."""
        return cls(stored["count"], stored["digest"], stored.get("algorithm", LEGACY))


def current_algorithm(db: str) -> str:
    return CURRENT.get(connections[db].vendor, LEGACY)


def fingerprint(
    model: type[Model], keys: Keys, using: str | None = None, algorithm: str | None = None
) -> Fingerprint:
    """Count and digest of the rows of ``model`` with these (sorted, distinct) keys, as they are
    now, computed with ``algorithm`` (default: this database's current one).

    Raises :class:`UnknownAlgorithm` if this database cannot compute ``algorithm``.
    """
    db = using or router.db_for_write(model)
    algorithm = algorithm or current_algorithm(db)
    if algorithm not in ALGORITHMS or not available(algorithm, db):
        raise UnknownAlgorithm(algorithm)
    count, digest = ALGORITHMS[algorithm](model, keys, db)
    return Fingerprint(count, digest, algorithm)


def fingerprint_created(
    created_pks: Mapping[str, object], using: str | None = None
) -> dict[str, dict[str, Any]]:
    """:func:`fingerprint` of every model's created rows, by model label (stored on the job);
    ``created_pks``: as stored, a list of keys or ranges (:mod:`winiadmin.db.key_runs`)."""
    prints = {}
    for label, keys in created_pks.items():
        model = apps.get_model(label)
        # A streamed job's ranges are read as ranges: no Python object per created row.
        runs = sorted_runs(model, keys)
        wanted = runs if runs is not None else python_keys(model, stored_keys(keys))
        prints[label] = fingerprint(model, wanted, using).as_json()
    return prints
