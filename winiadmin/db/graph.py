"""Insert order: which models go first, and which instances of a self-referencing model go first.

A row can only point at a row that already has its primary key, so parents are inserted before
children. Only concrete forward foreign keys and one-to-ones count (multi-table inheritance parent
links included): reverse relations and many-to-many tables never hold a value to insert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import ForeignKey, Model

from winiadmin.exceptions import ModelDependencyCycle

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

type Reference = tuple[ForeignKey[Any, Any], type[Model]]

_CYCLE_ADVICE = (
    "these models reference each other, so no insert order exists. Create one side first in a "
    "separate import, or leave the nullable foreign key empty and fill it in afterwards."
)


def concrete(model: type[Model]) -> type[Model]:
    """The model that owns the table (a proxy shares its concrete model's rows)."""
    return model._meta.concrete_model or model


def references(model: type[Model]) -> list[Reference]:
    """Forward foreign keys and one-to-ones (a subclass) of ``model`` with their target model."""
    return [
        (field, field.related_model)
        for field in model._meta.concrete_fields
        if isinstance(field, ForeignKey) and field.related_model is not None
    ]


def self_references(model: type[Model]) -> list[ForeignKey[Any, Any]]:
    """The foreign keys of ``model`` that point at its own table (a tree's ``parent``)."""
    return [field for field, target in references(model) if concrete(target) is concrete(model)]


def referenced_models(models: Iterable[type[Model]]) -> set[type[Model]]:
    """The given models that one of the given models (itself included) points at."""
    models = list(models)
    targets = {concrete(target) for model in models for _, target in references(model)}
    return {model for model in models if concrete(model) in targets}


def _dependencies(model: type[Model], models: Sequence[type[Model]]) -> list[Reference]:
    """References from ``model`` to the other given models; self references do not order."""
    return [
        (field, candidate)
        for field, target in references(model)
        for candidate in models
        if concrete(candidate) is concrete(target) and concrete(candidate) is not concrete(model)
    ]


def topological_sort_models(models: Iterable[type[Model]]) -> list[type[Model]]:
    """Parents before children, among the given models only; ties keep the input order."""
    pending = list(dict.fromkeys(models))
    dependencies = {model: _dependencies(model, pending) for model in pending}
    ordered: list[type[Model]] = []
    while pending:
        # Always taking the first ready model keeps the result stable w.r.t. the input order.
        ready = next(
            (m for m in pending if all(t in ordered for _, t in dependencies[m])),
            None,
        )
        if ready is None:
            raise ModelDependencyCycle(_cycle_message(pending, dependencies))
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def _cycle_message(
    pending: list[type[Model]], dependencies: dict[type[Model], list[Reference]]
) -> str:
    """Walk from the first stuck model: each one still waits on another, so the walk loops."""
    path: list[tuple[type[Model], ForeignKey[Any, Any]]] = []
    seen: dict[type[Model], int] = {}
    model = pending[0]
    while model not in seen:
        seen[model] = len(path)
        field, model_next = next((f, t) for f, t in dependencies[model] if t in pending)
        path.append((model, field))
        model = model_next
    cycle = path[seen[model] :]
    steps = [f"{m._meta.label}.{f.name}" for m, f in cycle]
    return f"{' → '.join([*steps, model._meta.label])}: {_CYCLE_ADVICE}"


def describe_instance(obj: Model) -> str:
    """``Store(name='X')``: enough of an unsaved instance for a person to recognise the row."""
    shown = [
        f"{field.name}={value!r}"
        for field in obj._meta.concrete_fields
        if not field.is_relation and not field.primary_key
        if (value := getattr(obj, field.attname)) is not None and value != ""
    ]
    return f"{type(obj).__name__}({', '.join(shown[:2])})"


def order_within_model[TModel: Model](objs: Sequence[TModel]) -> list[list[TModel]]:
    """Levels of a self-referencing model: each instance's in-batch parent is in an earlier level.

    Parents are matched by identity (the cached related instance), since unsaved instances have
    no primary key to compare.
    """
    if not objs:
        return []
    fields = self_references(type(objs[0]))
    index = {id(obj): position for position, obj in enumerate(objs)}
    parents = [
        [index[id(parent)] for parent in _cached_parents(obj, fields) if id(parent) in index]
        for obj in objs
    ]
    depths = _depths(parents, objs, fields)
    levels: list[list[TModel]] = [[] for _ in range(max(depths) + 1)]
    for obj, depth in zip(objs, depths, strict=True):
        levels[depth].append(obj)
    return levels


def _cached_parents(obj: Model, fields: list[ForeignKey[Any, Any]]) -> list[Model]:
    """Related instances assigned on ``obj`` (not merely ids), the only ones that can be unsaved."""
    cached = (field.get_cached_value(obj, None) for field in fields if field.is_cached(obj))
    return [parent for parent in cached if parent is not None]


def _depths(
    parents: list[list[int]], objs: Sequence[Model], fields: list[ForeignKey[Any, Any]]
) -> list[int]:
    """Depth of each instance in its tree; iterative so a long chain cannot hit recursion limits."""
    depths = [-1] * len(parents)
    for start in range(len(parents)):
        path, on_path = [start], {start}
        while path and depths[start] < 0:
            node = path[-1]
            waiting = next((p for p in parents[node] if depths[p] < 0), None)
            if waiting is None:
                depths[node] = 1 + max((depths[p] for p in parents[node]), default=-1)
                on_path.discard(path.pop())
            elif waiting in on_path:
                raise ModelDependencyCycle(_instance_cycle_message(objs, fields, path, waiting))
            else:
                path.append(waiting)
                on_path.add(waiting)
    return depths


def _instance_cycle_message(
    objs: Sequence[Model], fields: list[ForeignKey[Any, Any]], path: list[int], again: int
) -> str:
    loop = [*path[path.index(again) :], again]
    names = ", ".join(field.name for field in fields)
    chain = " → ".join(describe_instance(objs[position]) for position in loop)
    return (
        f"{objs[0]._meta.label} rows point at each other through {names} in a loop: {chain}. "
        "No insert order exists; leave one of them empty and fill it in afterwards."
    )
