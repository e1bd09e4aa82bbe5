"""Small pieces shared by the bulk writers: the chunk size, its check, and error translation."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DataError, IntegrityError
from django.db.models import Model
from django.utils.translation import gettext as _

from winiadmin.exceptions import LoadError

#: Rows per chunk when the caller does not choose: large enough to amortise a round trip, small
#: enough that one INSERT stays under every backend's parameter limit after Django splits it.
STANDARD_BULK_SIZE = 1000


def check_step(step: int) -> None:
    if step < 1:
        msg = f"step must be a positive number of rows, not {step}."
        raise ValueError(msg)


def pk_is_set(obj: Model) -> bool:
    """``Model._is_pk_set`` (private): a composite key counts as set only when every part is."""
    pk = obj.pk
    if isinstance(pk, tuple):
        return all(part is not None for part in pk)
    return pk is not None


@contextmanager
def refused_as_load_error(model: type[Model]) -> Iterator[None]:
    """Turn the database's refusal into a LoadError naming the model and keeping its message.

    Use it inside ``transaction.atomic``: the LoadError still leaves the block, so it rolls back.
    """
    try:
        yield
    except (IntegrityError, DataError) as exc:
        reason = " ".join(str(exc).split())  # PostgreSQL spreads DETAIL over several lines
        msg = _("%(model)s: the database refused the rows: %(reason)s") % {
            "model": model._meta.label,
            "reason": reason,
        }
        raise LoadError(msg) from exc
