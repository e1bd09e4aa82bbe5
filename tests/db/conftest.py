"""Fixtures for the load-stage helpers: the database features the loader adapts to."""

import pytest
from django.db import connection


@pytest.fixture(params=["no_bulk_returning", "no_returning_at_all"])
def without_returning(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pretend the backend cannot return keys from a bulk INSERT (MySQL), on the real database.

    ``no_returning_at_all`` also drops single-row RETURNING, so the key comes from the last insert
    id as on MySQL; PostgreSQL has no last insert id, so that variant runs on SQLite only.
    """
    monkeypatch.setattr(connection.features, "can_return_rows_from_bulk_insert", False)
    if request.param == "no_returning_at_all":
        if connection.vendor != "sqlite":
            pytest.skip("only SQLite can report a last insert id without RETURNING")
        monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    return str(request.param)
