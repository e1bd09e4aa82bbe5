"""Find rows the database would refuse for a unique constraint, before inserting them.

Inserting a duplicate key aborts the whole transaction with one terse message (SQLite does not
even say which value). Instead every chunk is checked first, one query per unique constraint per
chunk: objects whose key already exists, or repeats a key seen earlier in the same import, are
reported with their value and left out, so a dry run lists every conflict and the real run writes
nothing while any exists. Objects that point at a left-out object are left out with it.
"""

import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from itertools import batched

import polars as pl
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from winiadmin.db.lookups import KeyResolver
from winiadmin.db.unique import unique_field_sets
from winiadmin.db.upsert import UpsertTally, key_attnames
from winiadmin.pipeline.object_upsert import StoredUpdate
from winiadmin.pipeline.rows import rows_with_values
from winiadmin.problems import Problem, ProblemKind, Severity
from winiadmin.validation.objects import ObjectRules

Key = tuple[object, ...]


class SeenKeys:
    """The keys of one unique constraint kept so far in an import, held compactly: a key of one
    column as its bare value (a million one-element tuples are another 64 MB), compared as the
    tuples it stands for would be."""

    __slots__ = ("_keys", "_single")

    def __init__(self, width: int) -> None:
        self._single = width == 1
        self._keys: set[object] = set()

    def __contains__(self, key: Key) -> bool:
        return (key[0] if self._single else key) in self._keys

    def add(self, key: Key) -> None:
        self._keys.add(key[0] if self._single else key)

    def update(self, keys: Iterable[Key]) -> None:
        if self._single:
            self._keys.update(key[0] for key in keys)
        else:
            self._keys.update(keys)

    def isdisjoint(self, keys: Iterable[Key]) -> bool:
        if self._single:
            return self._keys.isdisjoint(key[0] for key in keys)
        return self._keys.isdisjoint(keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(slots=True)
class ConflictFilter:
    using: str
    #: The cleaned frame and its row numbers, to name the file row of a conflicting value.
    frame: pl.DataFrame
    rows: pl.Series
    step: int
    problems: list[Problem] = field(default_factory=list)
    #: Upsert keys (field names) per model, and what updating found.
    upsert_keys: Mapping[type[Model], tuple[str, ...]] = field(default_factory=dict)
    diff_limit: int = 200
    tallies: dict[type[Model], UpsertTally] = field(default_factory=dict)
    #: The models' own rules (what ``full_clean()`` refuses), checked per chunk first.
    rules: ObjectRules | None = None
    #: The run's natural keys: resolved per chunk before the upsert and the unique checks.
    resolver: KeyResolver | None = None
    #: Objects left out, by id; kept alive so that a freed object's id is never reused here.
    _dropped: dict[int, Model] = field(default_factory=dict)
    #: Times each reported key was left out so far (the n-th object with a key is in the n-th
    #: file row holding it; kept objects are counted by ``seen``).
    _reported: Counter[tuple[type[Model], tuple[str, ...], Key]] = field(default_factory=Counter)
    #: Per upsert key, its values (as text) → their file rows (see ``_rows_of``).
    _indexes: dict[tuple[str, ...], dict[tuple[str, ...], list[int]]] = field(default_factory=dict)

    def wrap(self, model: type[Model], objs: Iterable[Model]) -> Iterator[Model]:
        """Yield ``objs`` chunk by chunk, leaving out the conflicting ones (and their children).

        Lazy: a chunk is read from ``objs`` only when the loader asks for it, so a generator of
        millions of objects is never held whole.
        """
        field_sets = unique_field_sets(model)
        key = key_attnames(model, self.upsert_keys[model]) if model in self.upsert_keys else None
        seen = {names: SeenKeys(len(names)) for names in field_sets}
        # Checked before this model's first insert: an empty table holds no key to collide
        # with (the rows this import adds are in ``seen``), so no query per chunk is needed.
        stored: bool | None = None
        for chunk in batched(objs, self.step):
            kept = (
                [obj for obj in chunk if not self._points_at_dropped(obj)]
                if self._dropped
                else list(chunk)
            )
            if self.rules is not None:
                kept = self._valid(model, kept)
            if self.resolver is not None:
                # Before the upsert compares and updates stored rows: a looked-up key still
                # unresolved would be compared, and written, as NULL.
                kept = self._resolved(model, kept)
            if stored is None and field_sets:
                stored = model._base_manager.using(self.using).exists()
            if key is not None:
                kept = self._upsert(model, key, kept, seen)
            for names in field_sets:
                query = bool(stored) and (key is None or set(names) != set(key))
                kept = self._check(model, names, kept, seen[names], query=query)
            yield from kept

    def _valid(self, model: type[Model], objs: list[Model]) -> list[Model]:
        """Leave out (and report) the objects breaking the model's rules, like conflicts."""
        assert self.rules is not None
        problems, refused = self.rules.check(model, objs)
        if not problems:
            return objs
        self.problems += problems
        kept = []
        for obj, bad in zip(objs, refused, strict=True):
            if bad:
                self._dropped[id(obj)] = obj
            else:
                kept.append(obj)
        return kept

    def _resolved(self, model: type[Model], objs: list[Model]) -> list[Model]:
        """Set the natural keys (``with_keys``); an object whose value matches nothing is left
        out with its children (the resolver lists the value)."""
        assert self.resolver is not None
        kept = self.resolver.resolve_objects(model, objs)
        if len(kept) != len(objs):
            alive = {id(obj) for obj in kept}
            self._dropped.update((id(obj), obj) for obj in objs if id(obj) not in alive)
        return kept

    def _upsert(
        self,
        model: type[Model],
        key: tuple[str, ...],
        objs: list[Model],
        seen: dict[tuple[str, ...], SeenKeys],
    ) -> list[Model]:
        """Update the stored objects of a chunk; keep the new ones (for the checks and insert)."""
        tally = self.tallies.setdefault(model, UpsertTally(self.diff_limit))
        keys = next((s for names, s in seen.items() if set(names) == set(key)), None)
        keys = SeenKeys(len(key)) if keys is None else keys
        new: list[Model] = []
        update = StoredUpdate(model, key, self.using, tally, lambda k: self._rows_of(key, k))
        for obj, k, stored in update.apply(objs):
            if not stored:
                new.append(obj)
            elif k in keys:
                self._dropped[id(obj)] = obj
                self._report(model, key, k, repeated=True)
            else:
                keys.add(k)
        return new

    def row_of(self, obj: Model) -> int | None:
        """The file row ``obj`` came from, found by value: the first row whose columns named
        like its fields (not its foreign keys) hold its values; else the one row whose text
        columns do. ``None`` when no row, or several, match so."""
        fields = [
            f
            for f in type(obj)._meta.concrete_fields
            if not f.is_relation
            and f.name in self.frame.columns
            and getattr(obj, f.attname) is not None
        ]
        texts = [f for f in fields if isinstance(getattr(obj, f.attname), str)]
        for chosen, first in ((fields, True), (texts, False)):
            names = [f.name for f in chosen]
            values = [_as_text(getattr(obj, f.attname)) for f in chosen]
            found = rows_with_values(self.frame, self.rows, names, values)
            if found and (first or len(found) == 1):
                return found[0]
        return None

    def _points_at_dropped(self, obj: Model) -> bool:
        cache = obj._state.fields_cache
        if any(id(related) in self._dropped for related in cache.values()):
            self._dropped[id(obj)] = obj
            return True
        return False

    def _check(
        self,
        model: type[Model],
        names: tuple[str, ...],
        objs: list[Model],
        seen: SeenKeys,
        *,
        query: bool,
    ) -> list[Model]:
        if len(names) == 1:
            name = names[0]
            keys: list[Key] = [(getattr(obj, name),) for obj in objs]
        else:
            keys = [tuple(getattr(obj, n) for n in names) for obj in objs]
        fresh = {key for key in keys if None not in key}
        existing = self._existing(model, names, fresh) if query and fresh else set()
        if not existing and len(fresh) == len(keys) and seen.isdisjoint(fresh):
            seen.update(fresh)
            return objs  # every key new and distinct: the common case, no per-object work
        kept: list[Model] = []
        for obj, key in zip(objs, keys, strict=True):
            if None in key or (key not in existing and key not in seen):
                seen.add(key)
                kept.append(obj)
                continue
            self._dropped[id(obj)] = obj
            self._report(model, names, key, repeated=key in seen)
        return kept

    def _existing(self, model: type[Model], names: tuple[str, ...], keys: set[Key]) -> set[Key]:
        manager = model._base_manager.using(self.using)
        if len(names) == 1:
            lookup = Q(**{f"{names[0]}__in": [key[0] for key in keys]})
        else:
            lookup = reduce(operator.or_, (Q(**dict(zip(names, key, strict=True))) for key in keys))
        return set(manager.filter(lookup).values_list(*names))

    def _report(
        self, model: type[Model], names: tuple[str, ...], key: Key, *, repeated: bool
    ) -> None:
        where = _("appears twice in this import") if repeated else _("already exists")
        label = model._meta.label
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, key, strict=True))
        message = _("A %(model)s with %(key)s %(where)s (%(label)s).") % {
            "model": model._meta.verbose_name,
            "key": shown,
            "where": where,
            "label": label,
        }
        column = names[0] if len(names) == 1 else ", ".join(names)
        value = ", ".join(str(v) for v in key)
        # The n-th object with a key came from the n-th file row holding it (when one does).
        found = self._rows_with(names, key)
        nth = self._reported[model, names, key] + (1 if repeated else 0)
        self._reported[model, names, key] += 1
        row = found[nth] if nth < len(found) else None
        self.problems.append(
            Problem(ProblemKind.DATABASE_CONFLICT, Severity.ERROR, message, row, column, value)
        )

    def _rows_of(self, names: tuple[str, ...], key: Key) -> list[int]:
        """The file rows holding ``key``, compared as text like :func:`rows_with_values`; the
        index is built from the cleaned frame on the first stored key (a fresh import, whose
        keys are all new, never builds it). No rows when a column is absent."""
        if names not in self._indexes:
            self._indexes[names] = self._build_index(names)
        return self._indexes[names].get(tuple(str(v) for v in key), [])

    def _build_index(self, names: Sequence[str]) -> dict[tuple[str, ...], list[int]]:
        columns = [n if n in self.frame.columns else n.removesuffix("_id") for n in names]
        index: dict[tuple[str, ...], list[int]] = {}
        if not all(c in self.frame.columns for c in columns):
            return index
        texts = self.frame.select(pl.col(c).cast(pl.String) for c in columns).rows()
        for text, row in zip(texts, self.rows.to_list(), strict=True):
            index.setdefault(text, []).append(int(row))
        return index

    def _rows_with(self, names: Sequence[str], key: Key) -> list[int]:
        columns = [n if n in self.frame.columns else n.removesuffix("_id") for n in names]
        return rows_with_values(self.frame, self.rows, columns, key)


def _as_text(value: object) -> str:
    """A value as the cleaned frame's column cast to text shows it (booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)
