"""The models an importer writes are the models it declares (``Importer.models``).

Permissions are computed from ``models`` and ``upsert_keys`` (winiadmin.permissions), so a
model written without being declared, or upserted without an upsert key, would be written by
users nobody asked the right permission of. Checked statically (``manage.py check``) where the
declarations say it, and at load time on what the transform returned.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Model

from winiadmin.db.frames import ModelFrame
from winiadmin.db.lookups import Lookup
from winiadmin.exceptions import ImporterContractError


def _label(model: type[Model]) -> str:
    return model._meta.label


def declared_write_errors(
    models: Sequence[type[Model]],
    lookups: Iterable[Lookup],
    upsert_keys: Mapping[type[Model], Sequence[str]],
) -> list[str]:
    """What the declarations alone show written and not in ``models``, in sentences."""
    errors = [
        f"its lookup {lookup.model._meta.label}.{lookup.field} may create {_label(lookup.target)} "
        f"rows, but {_label(lookup.target)} is not in its models"
        for lookup in lookups
        if lookup.create and lookup.target not in models
    ]
    errors += [
        f"it upserts {_label(model)} (upsert_keys), but {_label(model)} is not in its models"
        for model in upsert_keys
        if model not in models
    ]
    return errors


def written_model_errors(
    models: Sequence[type[Model]],
    upsert_keys: Mapping[type[Model], Sequence[str]],
    written: Mapping[type[Model], object],
) -> list[str]:
    """What a transform returned that its importer does not declare, in sentences."""
    errors = [
        f"its transform returned {_label(model)} rows, but {_label(model)} is not in its models"
        for model in written
        if model not in models
    ]
    errors += [
        f"its frame for {_label(model)} has a key ({', '.join(frame.key)}), which upserts; "
        f"declare it as upsert_keys = {{{model.__name__}: {frame.key!r}}}"
        for model, frame in written.items()
        if isinstance(frame, ModelFrame) and frame.key and model not in upsert_keys
    ]
    return errors


def check_written_models(
    name: str,
    models: Sequence[type[Model]],
    upsert_keys: Mapping[type[Model], Sequence[str]],
    written: Mapping[type[Model], object],
) -> None:
    """Refuse (``ImporterContractError``) a transform's output its importer does not declare."""
    errors = written_model_errors(models, upsert_keys, written)
    if errors:
        msg = (
            f"The importer {name!r} writes what it does not declare: {'; '.join(errors)}. "
            "Nothing was written (users' permissions are computed from models and upsert_keys: "
            "see docs/importers.md)."
        )
        raise ImporterContractError(msg)
