"""``manage.py`` for the kill test's subprocess: the test settings, plus the reliability importers.

The database comes from the environment (``kill_settings``): the pytest process's PostgreSQL test
database, or a SQLite file.
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.reliability.kill_settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from tests.reliability.importers import FaultImporter
    from winiadmin.importers import register

    register(FaultImporter)
    execute_from_command_line(sys.argv)
