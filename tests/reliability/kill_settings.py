"""Settings of the kill test's subprocess: the test settings on a database both processes see."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import DATABASES

# The test app has no migrations: ``migrate --run-syncdb`` creates its tables.
MIGRATION_MODULES = {"testapp": None}

if os.environ.get("WINIADMIN_KILL_SQLITE"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["WINIADMIN_KILL_SQLITE"],
        }
    }
else:  # PostgreSQL: the database the pytest process created for its tests
    DATABASES = {"default": {**DATABASES["default"], "NAME": os.environ["WINIADMIN_KILL_PG_NAME"]}}
