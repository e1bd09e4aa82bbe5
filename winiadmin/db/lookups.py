"""Foreign keys given by natural key (a category's name), declared once and resolved in bulk.

An importer declares :class:`Lookup` s; both loading paths resolve them with one query per
related model per chunk of distinct values (never one per row). Values that match nothing are
collected over the whole run (:class:`UnmatchedKeys`: value, count, the first file rows) and are
either created, when the lookup allows it and the caller chose to (``create_missing``: all of
them; ``create_values``: the ones chosen one by one), in the
same transaction before the rows that point at them, or reported: the rows pointing at them are
left out, which blocks the import unless invalid rows are skipped (then they are listed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import batched
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey, ManyToManyField, Model
from django.db.models.fields import NOT_PROVIDED

from winiadmin.db.owned import fixed_fields
from winiadmin.exceptions import ImporterContractError, LoadError

if TYPE_CHECKING:
    from django.db.models import Field

#: Distinct natural-key values looked up per query.
LOOKUP_CHUNK = 5000
#: File rows kept per unmatched value (the count stays exact).
ROWS_PER_VALUE = 20
#: Where an instance-path importer puts natural-key values on an object (see :func:`with_keys`).
KEYS_ATTRIBUTE = "_winiadmin_keys"

type Defaults = Mapping[str, object] | Callable[[object], Mapping[str, object]]
#: Values mapped to chosen rows, per lookup (:func:`lookup_key`): the value as text → the chosen
#: row's primary key as text. Applied to values that match nothing (see ``KeyResolver``).
type ValueMappings = Mapping[str, Mapping[str, str]]
#: Values to create although the run does not create every missing one (``create_missing``),
#: per lookup (:func:`lookup_key`): the values as text. Only where the lookup allows creating.
type CreateValues = Mapping[str, Collection[str]]


@dataclass(frozen=True, slots=True)
class Lookup:
    """``model.field`` (a foreign key) is given by the related model's ``by`` field.

    ``create``: values that match nothing may be created (when the caller chooses so), with
    ``defaults`` (a mapping, or a callable taking the value) for the related model's other
    required fields. ``column``: the cleaned column holding the values, when it is not named
    after the field (used to find the file rows of the instance path).
    """

    model: type[Model]
    field: str
    by: str
    create: bool = False
    defaults: Defaults = dc_field(default_factory=dict)
    column: str | None = None

    @property
    def foreign_key(self) -> ForeignKey[Any, Any]:
        fk = self.model._meta.get_field(self.field)
        if not isinstance(fk, ForeignKey):
            label = f"{self.model._meta.label}.{self.field}"
            msg = f"{label} is not a foreign key; it cannot have a lookup."
            raise LoadError(msg)
        return fk

    @property
    def target(self) -> type[Model]:
        related = self.model._meta.get_field(self.field)
        # A many-to-many field's values are looked up the same way (winiadmin.db.many_to_many).
        target = (
            related.related_model
            if isinstance(related, ManyToManyField)
            else self.foreign_key.related_model
        )
        assert isinstance(target, type)
        return target

    @property
    def stored_attname(self) -> str:
        """What the key's column stores of the related row: its primary key, or the
        ``to_field`` a foreign key names (a many-to-many field's through rows: the primary key).
        """
        if isinstance(self.model._meta.get_field(self.field), ManyToManyField):
            pk = self.target._meta.pk
            assert pk is not None
            return pk.attname
        return self.foreign_key.target_field.attname

    @property
    def source_column(self) -> str:
        return self.column or self.field

    def new_object(self, value: object) -> Model:
        extra = self.defaults(value) if callable(self.defaults) else self.defaults
        return self.target(**{self.by: value, **extra})

    def setup_errors(self) -> list[str]:
        """What is wrong with the declaration, in sentences (empty: fine)."""
        label = f"Lookup {self.model._meta.label}.{self.field}"
        try:
            target = self.foreign_key.related_model
        except (LoadError, LookupError, FieldDoesNotExist) as exc:
            return [f"{label}: {exc}"]
        assert isinstance(target, type)
        return related_setup_errors(label, target, self.by, self.create, self.defaults)


def lookup_key(model: type[Model], field: str) -> str:
    """``shop.Product.category``: how value mappings name a lookup."""
    return f"{model._meta.label}.{field}"


def related_setup_errors(
    label: str, target: type[Model], by: str, create: bool, defaults: Defaults
) -> list[str]:
    """What is wrong with finding ``target`` rows by ``by`` (and creating them), in sentences;
    for lookups and many-to-many declarations alike."""
    fields = {f.name for f in target._meta.concrete_fields}
    if by not in fields:
        return [f"{label}: {target._meta.label} has no field {by!r}."]
    if not create or callable(defaults):
        return []
    missing = [
        f.name
        for f in target._meta.concrete_fields
        if f.name != by and f.name not in defaults and _required(f)
    ]
    if missing:
        return [
            f"{label}: create=True but {target._meta.label} has required fields without "
            f"defaults: {', '.join(missing)}; give them in defaults={{...}}."
        ]
    return []


def _required(f: Field[Any, Any]) -> bool:
    """A column an INSERT of only the natural key would leave without a value."""
    return not (
        f.primary_key
        or f.null
        or f.default is not NOT_PROVIDED
        or f.has_db_default()
        or f.empty_strings_allowed
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or f.generated
    )


def with_keys[M: Model](obj: M, **values: object) -> M:
    """Give ``obj``'s foreign keys by natural key: ``with_keys(Product(...), category="Toys")``,
    and its many-to-many fields: ``tags="red|blue"`` (or a list of values).

    The loader resolves them with the importer's declared ``lookups`` (per chunk) and
    ``many_to_many`` (once the objects are stored).
    """
    obj.__dict__.setdefault(KEYS_ATTRIBUTE, {}).update(values)
    return obj


@dataclass(slots=True)
class UnmatchedKeys:
    """Values of one lookup that matched nothing: how often, where, whether they were created."""

    lookup: Lookup
    counts: dict[object, int] = dc_field(default_factory=dict)
    #: The first ``ROWS_PER_VALUE`` file rows of each value (what the lists show).
    rows: dict[object, list[int]] = dc_field(default_factory=dict)
    created: bool = False
    #: Every file row of each value that was left out (one problem each).
    all_rows: dict[object, list[int]] = dc_field(default_factory=dict, repr=False)
    #: The values are identifiers of another frame of the import (``ModelFrame.references``),
    #: not natural keys of stored rows; they are never created.
    reference: bool = False
    #: Identifiers whose row was in the parent frame but was left out (a conflict, a key that
    #: matched nothing): their children say so rather than "not in this import".
    left_out: set[object] = dc_field(default_factory=set, repr=False)
    #: The values come from many-to-many cells split on this separator (``ManyToMany``): their
    #: rows were stored before the links, so unmatched ones block even when invalid rows are
    #: skipped (create them, or fix the file).
    separator: str | None = None

    def add(self, value: object, count: int, rows: Iterable[int]) -> None:
        self.counts[value] = self.counts.get(value, 0) + count
        found = list(rows)
        kept = self.rows.setdefault(value, [])
        kept += found[: ROWS_PER_VALUE - len(kept)]
        if not self.created:
            self.all_rows.setdefault(value, []).extend(found)

    @property
    def values(self) -> list[object]:
        return list(self.counts)

    @property
    def can_create(self) -> bool:
        return self.lookup.create and not self.reference

    def describe(self) -> str:
        """``3 categories not found (name): 'Toyz' (rows 4, 9), …``."""
        meta = self.lookup.target._meta
        name = meta.verbose_name if len(self.counts) == 1 else meta.verbose_name_plural
        items = ", ".join(
            f"{value!r} ({_rows_text(self.rows.get(value, []), count)})"
            for value, count in self.counts.items()
        )
        verb = "not found in this import" if self.reference else "not found"
        verb = "created" if self.created else verb
        return f"{len(self.counts)} {name} {verb} ({self.lookup.by}): {items}"


@dataclass(slots=True)
class MappedKeys:
    """Values of one lookup that matched nothing but were mapped to a chosen row."""

    lookup: Lookup
    #: Value → the chosen row's primary key (as text) and its natural key (what is shown).
    targets: dict[object, tuple[str, str]] = dc_field(default_factory=dict)
    #: Value → rows resolved through the mapping (the instance and frame paths count them).
    counts: dict[object, int] = dc_field(default_factory=dict)

    def add_counts(self, counts: Mapping[object, int]) -> None:
        for value, count in counts.items():
            if value in self.targets:
                self.counts[value] = self.counts.get(value, 0) + count


def _rows_text(rows: list[int], count: int) -> str:
    if not rows:
        return f"{count} times"
    more = f" and {count - len(rows)} more" if count > len(rows) else ""
    return ("row " if count == 1 else "rows ") + ", ".join(map(str, rows)) + more


class KeyResolver:
    """Resolves natural keys for one run, across chunks (and batches) in its transaction."""

    def __init__(  # noqa: PLR0913 - keyword-only: the run's choices about unmatched values
        self,
        lookups: Iterable[Lookup],
        using: str,
        *,
        create_missing: bool,
        linked: Iterable[tuple[type[Model], str]] = (),
        value_mappings: ValueMappings | None = None,
        create_values: CreateValues | None = None,
        fixed_values: Mapping[str, object] | None = None,
    ) -> None:
        self.lookups = {(lk.model, lk.field): lk for lk in lookups}
        #: Many-to-many fields the importer declares (``ManyToMany``): values ``with_keys``
        #: gives for them are the link writer's (winiadmin.db.many_to_many), not a lookup's.
        self.linked = frozenset(linked)
        self.using = using
        self.create_missing = create_missing
        #: Values chosen one by one to be created (``RunOptions.create_values``).
        self.create_values: CreateValues = create_values or {}
        #: Per lookup and whether its values were created: a lookup may have both when only
        #: some of its values were chosen to be created.
        self.unmatched: dict[tuple[type[Model], str, bool], UnmatchedKeys] = {}
        #: Related rows created per model, and their primary keys (for ``collect_pks``: an undo
        #: deletes them with the rows that point at them).
        self.created: dict[type[Model], int] = {}
        self.created_pks: dict[type[Model], list[object]] = {}
        #: File rows left out because a key matched nothing (all of them, for skipped_rows).
        self.dropped_rows: set[int] = set()
        #: Chosen rows for values that match nothing (``RunOptions.value_mappings``), and the
        #: values they resolved in this run.
        self.value_mappings: ValueMappings = value_mappings or {}
        self.mapped: dict[tuple[type[Model], str], MappedKeys] = {}
        #: The values the run fixes (``RunOptions.fixed_values``: the owner). A related model
        #: that has one of their fields is owned: a value is found only among the rows holding
        #: them (another owner's row of that name is not found), and a created row gets them.
        self.fixed_values: Mapping[str, object] = fixed_values or {}

    def lookup_for(self, model: type[Model], name: str, by: str | None = None) -> Lookup:
        """The declared lookup, or one made from a frame's ``lookups={"category": "name"}``."""
        declared = self.lookups.get((model, name))
        if declared is not None:
            return declared
        return self.lookups.setdefault((model, name), Lookup(model, name, by or "pk"))

    def for_model(self, model: type[Model]) -> list[Lookup]:
        return [lk for (m, _name), lk in self.lookups.items() if m is model]

    def resolve(
        self, lookup: Lookup, values: Iterable[object]
    ) -> tuple[dict[Any, Any], set[object]]:
        """Value → what the key stores (the primary key, or its ``to_field``) for the distinct
        ``values``; creates the missing ones if allowed.

        Returns the map and the values just created.
        """
        target, by = lookup.target, lookup.by
        stored = lookup.stored_attname
        owned = fixed_fields(target, self.fixed_values)
        manager = target._base_manager.db_manager(self.using)
        wanted = list(values)
        found: dict[Any, Any] = {}
        for chunk in batched(wanted, LOOKUP_CHUNK):
            rows = manager.filter(**owned, **{f"{by}__in": chunk})
            found.update(rows.values_list(by, stored))
        missing = [v for v in wanted if v not in found]
        if missing and (chosen := self.value_mappings.get(lookup_key(lookup.model, lookup.field))):
            found.update(self._mapped(lookup, missing, chosen))
            missing = [v for v in wanted if v not in found]
        missing = self._to_create(lookup, missing)
        if not missing:
            return found, set()
        new = [_with_values(lookup.new_object(value), owned) for value in missing]
        manager.bulk_create(new)
        if any(obj.pk is None for obj in new):  # a backend that cannot return keys
            created = manager.filter(**owned, **{f"{by}__in": missing})
            found.update(created.values_list(by, stored))
            pks = list(created.values_list("pk", flat=True))
        else:
            found.update((getattr(obj, by), getattr(obj, stored)) for obj in new)
            pks = [obj.pk for obj in new]
        self.created[target] = self.created.get(target, 0) + len(new)
        self.created_pks.setdefault(target, []).extend(pks)
        return found, set(missing)

    def _to_create(self, lookup: Lookup, missing: list[object]) -> list[object]:
        """The missing values to create: all (``create_missing``), or the ones chosen."""
        if not missing or not lookup.create:
            return []
        if self.create_missing:
            return missing
        chosen = set(self.create_values.get(lookup_key(lookup.model, lookup.field), ()))
        return [v for v in missing if str(v) in chosen] if chosen else []

    def _mapped(
        self, lookup: Lookup, values: list[object], chosen: Mapping[str, str]
    ) -> dict[Any, Any]:
        """The values a mapping sends to a chosen row that still exists → what the key stores."""
        wanted = {v: chosen[str(v)] for v in values if str(v) in chosen}
        if not wanted:
            return {}
        manager = lookup.target._base_manager.db_manager(self.using)
        owned = fixed_fields(lookup.target, self.fixed_values)
        rows = manager.filter(**owned, pk__in=set(wanted.values())).values_list(
            "pk", lookup.stored_attname, lookup.by
        )
        by_pk = {str(pk): (stored, shown) for pk, stored, shown in rows}
        applied = self.mapped.setdefault((lookup.model, lookup.field), MappedKeys(lookup))
        found: dict[Any, Any] = {}
        for value, pk in wanted.items():
            if pk in by_pk:  # a chosen row deleted since leaves the value unmatched
                found[value] = by_pk[pk][0]
                applied.targets[value] = (pk, str(by_pk[pk][1]))
        return found

    def count_mapped(self, lookup: Lookup, counts: Mapping[object, int]) -> None:
        """Count the rows of ``counts`` (value → rows) that were resolved through a mapping."""
        applied = self.mapped.get((lookup.model, lookup.field))
        if applied is not None:
            applied.add_counts(counts)

    def record(
        self, lookup: Lookup, counts: Mapping[object, int], rows: Mapping[object, list[int]], *,
        created: bool, separator: str | None = None,
    ) -> None:  # fmt: skip
        """``separator``: the values were split out of many-to-many cells (see UnmatchedKeys)."""
        unmatched = self.unmatched.setdefault(
            (lookup.model, lookup.field, created),
            UnmatchedKeys(lookup, created=created, separator=separator),
        )
        for value, count in counts.items():
            unmatched.add(value, count, rows.get(value, []))

    def record_references(
        self,
        lookup: Lookup,
        counts: Mapping[object, int],
        rows: Mapping[object, list[int]],
        *,
        left_out: set[object],
    ) -> None:
        """Identifiers of another frame of the import that match none of its loaded rows."""
        unmatched = self.unmatched.setdefault(
            (lookup.model, lookup.field, False), UnmatchedKeys(lookup, reference=True)
        )
        for value, count in counts.items():
            unmatched.add(value, count, rows.get(value, []))
            if value in left_out:
                unmatched.left_out.add(value)

    @property
    def blocking(self) -> list[UnmatchedKeys]:
        """Unmatched values that were not created: their rows were left out."""
        return [u for u in self.unmatched.values() if not u.created]

    def blocks(self, *, skip_invalid: bool) -> bool:
        """Whether unmatched values stop the import: always for many-to-many values (their
        rows are stored already), otherwise unless invalid rows are skipped."""
        blocking = self.blocking
        return any(u.separator is not None for u in blocking) or (
            bool(blocking) and not skip_invalid
        )

    def resolve_objects(self, model: type[Model], chunk: list[Model]) -> list[Model]:
        """Set the foreign keys of a chunk given with :func:`with_keys`; drop unmatched objects.

        The natural-key values are consumed: an object is resolved once, however many callers
        ask (the upsert resolves before it compares stored rows, the loader again before it
        inserts), so an unmatched value is counted once.
        """
        if not _has_keys(chunk):
            return chunk
        try:
            return self._resolve_objects(model, chunk)
        finally:
            for obj in chunk:
                obj.__dict__.pop(KEYS_ATTRIBUTE, None)

    def _resolve_objects(self, model: type[Model], chunk: list[Model]) -> list[Model]:
        lookups = self.for_model(model)
        linked = {name for m, name in self.linked if m is model}
        _refuse_undeclared(model, chunk, {lk.field for lk in lookups} | linked)
        dropped: set[int] = set()
        for lookup in lookups:
            given = [
                (obj, obj.__dict__[KEYS_ATTRIBUTE][lookup.field])
                for obj in chunk
                if lookup.field in obj.__dict__.get(KEYS_ATTRIBUTE, {})
                and obj.__dict__[KEYS_ATTRIBUTE][lookup.field] is not None
            ]
            found, created = self.resolve(lookup, dict.fromkeys(v for _obj, v in given))
            attname = lookup.foreign_key.attname
            counts: dict[object, int] = {}
            seen: dict[object, int] = {}
            for obj, value in given:
                seen[value] = seen.get(value, 0) + 1
                if value in found:
                    obj.__dict__[attname] = found[value]
                else:
                    dropped.add(id(obj))
                if value in created or value not in found:
                    counts[value] = counts.get(value, 0) + 1
            self.count_mapped(lookup, seen)
            if created:
                self.record(lookup, {v: counts[v] for v in created}, {}, created=True)
            if left := {v: n for v, n in counts.items() if v not in found}:
                self.record(lookup, left, {}, created=False)
        return [obj for obj in chunk if id(obj) not in dropped] if dropped else chunk


def _with_values(obj: Model, values: Mapping[str, object]) -> Model:
    """``obj`` given ``values`` (attname → value): a created related row gets the fixed ones."""
    for attname, value in values.items():
        setattr(obj, attname, value)
    return obj


def _refuse_undeclared(model: type[Model], chunk: list[Model], declared: set[str]) -> None:
    """``with_keys`` gives values; the importer's ``lookups`` says how to find them. A value
    without its declaration would be dropped and its foreign key silently left empty."""
    given = {name for obj in chunk for name in obj.__dict__.get(KEYS_ATTRIBUTE, {})}
    if undeclared := sorted(given - declared):
        label = model._meta.label
        msg = (
            f"{label} objects are given {', '.join(undeclared)} by natural key (with_keys) but "
            f"the importer declares no Lookup({model.__name__}, …) for "
            f"{'it' if len(undeclared) == 1 else 'them'}: add it to the importer's lookups."
        )
        raise ImporterContractError(msg)


def _has_keys(chunk: list[Model]) -> bool:
    return any(KEYS_ATTRIBUTE in obj.__dict__ for obj in chunk)
