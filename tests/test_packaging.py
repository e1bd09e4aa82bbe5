"""The built wheel carries the templates and static files and works installed elsewhere."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging

SETTINGS = """
SECRET_KEY = "x"
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django_htmx", "winiadmin",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
              "django.contrib.auth.context_processors.auth",
              "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "winiadmin": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                  "OPTIONS": {"location": "uploads"}},
}
"""

PROBE = """
from django.contrib.staticfiles import finders
from django.template.loader import get_template
import winiadmin
assert "site-packages" in winiadmin.__file__, winiadmin.__file__
get_template("admin/winiadmin/base.html")
assert finders.find("winiadmin/winiadmin.css")
from django.utils import translation
from winiadmin.problems import ProblemKind
with translation.override("de"):
    assert ProblemKind.MISSING_COLUMN.label == "Fehlende Spalte", ProblemKind.MISSING_COLUMN.label
with translation.override("fr"):
    assert ProblemKind.MISSING_COLUMN.label == "Colonne manquante", ProblemKind.MISSING_COLUMN.label
print("installed-ok")
"""


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():  # pragma: no cover - ./dev always installs uv
        pytest.fail("uv is needed to build the wheel")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("winiadmin-*.whl")
    return built


def test_wheel_contains_templates_static_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "winiadmin/templates/admin/winiadmin/base.html" in names
    assert "winiadmin/static/winiadmin/winiadmin.css" in names
    assert "winiadmin/py.typed" in names
    assert not any(n.startswith(("tests/", "example/", "shop/")) for n in names)


def test_wheel_ships_the_compiled_catalogues(wheel: Path) -> None:
    """Each shipped language's catalogue, compiled (the .mo files are committed)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in LANGUAGES:
        assert f"winiadmin/locale/{language}/LC_MESSAGES/django.mo" in names, language
        assert f"winiadmin/locale/{language}/LC_MESSAGES/django.po" in names, language


def test_installed_wheel_passes_check_in_a_fresh_project(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, env=env
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        check=True,
        env=env,
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "probe_settings.py").write_text(SETTINGS)
    run_env = {**env, "DJANGO_SETTINGS_MODULE": "probe_settings", "PYTHONPATH": str(project)}
    check = subprocess.run(  # noqa: PLW1510 - the exit status is asserted with the output
        [str(python), "-m", "django", "check", "--fail-level", "WARNING"],
        cwd=project,
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout
    probe = subprocess.run(  # noqa: PLW1510 - asserted below
        [str(python), "-c", f"import django; django.setup(); {PROBE!s}".replace("\n", "\n")],
        cwd=project,
        env=run_env,
        capture_output=True,
        text=True,
    )
    assert "installed-ok" in probe.stdout, probe.stdout + probe.stderr
