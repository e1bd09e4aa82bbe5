"""``winiadmin.importers`` is the one module a project's importers.py imports from."""

import ast
import importlib
from pathlib import Path

import winiadmin.importers

ROOT = Path(__file__).resolve().parents[2]


def winiadmin_imports(source: str) -> set[str]:
    """The ``winiadmin`` modules a Python source imports from."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("winiadmin"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("winiadmin")}
    return found


def test_every_public_name_is_importable() -> None:
    module = importlib.import_module("winiadmin.importers")
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from winiadmin.importers import *", namespace)
    assert set(module.__all__) <= namespace.keys()


def test_what_an_importer_needs_is_in_the_surface() -> None:
    expected = {
        "Importer", "register", "CleaningDF", "ModelFrame", "Lookup", "with_keys", "LazyBulk",
        "ROW_NUMBER_COLUMN", "RowProblems", "Problem", "ProblemKind", "Severity",
        "BooleanOption", "ChoiceOption", "IntegerOption", "ModelOption", "StringOption",
        "ImportOption",
    }  # fmt: skip
    assert expected <= set(winiadmin.importers.__all__)


def test_the_demo_importers_import_only_from_the_surface() -> None:
    source = (ROOT / "example" / "shop" / "importers.py").read_text(encoding="utf-8")
    assert winiadmin_imports(source) == {"winiadmin.importers"}


def test_the_readme_importers_example_imports_only_from_the_surface() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("# myapp/importers.py", 1)[1].split("\n", 1)[1].split("```", 1)[0]
    assert winiadmin_imports(block) == {"winiadmin.importers"}


def test_the_old_import_paths_keep_working() -> None:
    from winiadmin.cleaning import CleaningDF
    from winiadmin.db.frames import ROW_NUMBER_COLUMN, ModelFrame
    from winiadmin.exceptions import RowProblems
    from winiadmin.importers.base import Importer
    from winiadmin.pipeline import LazyBulk
    from winiadmin.problems import Problem

    surface = winiadmin.importers
    assert surface.CleaningDF is CleaningDF
    assert surface.ModelFrame is ModelFrame
    assert surface.ROW_NUMBER_COLUMN == ROW_NUMBER_COLUMN
    assert surface.RowProblems is RowProblems
    assert surface.Importer is Importer
    assert surface.LazyBulk is LazyBulk
    assert surface.Problem is Problem


def test_the_reference_page_names_every_attribute_and_hook() -> None:
    page = (ROOT / "docs" / "importers.md").read_text(encoding="utf-8")
    attributes = set(winiadmin.importers.Importer.__annotations__)
    hooks = {
        name
        for name in vars(winiadmin.importers.Importer)
        if not name.startswith("_") and callable(getattr(winiadmin.importers.Importer, name))
    }
    missing = sorted(name for name in attributes | hooks if f"`{name}" not in page)
    assert not missing
    assert "`get_frames_by_model" in page
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    use_it = readme.split("## Use it", 1)[1].split("\n## ", 1)[0]
    assert "(docs/importers.md)" in use_it
    assert "(importers.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
