"""The shipped translations: complete catalogues, problems and commands in the active language,
machine-readable codes the same in every language (docs/translations.md)."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.i18n import LANGUAGES, LOCALE, catalogue, parse_po
from winiadmin.admin.cell_format import format_text_row
from winiadmin.import_report import SheetPreview
from winiadmin.problems import ProblemKind
from winiadmin.templatetags.winiadmin_format import winiadmin_sheet_rows

#: The languages translated in full so far (the others ship their skeletons, CI's check names
#: every message they lack).
COMPLETE = ("de", "fr")


@pytest.mark.parametrize("language", COMPLETE)
def test_catalogue_is_complete_and_compiles(language: str) -> None:
    po = catalogue(LOCALE, language)
    entries = parse_po(po)
    assert len(entries) > 700
    assert [e.label() for e in entries if e.fuzzy or not e.translated] == []
    subprocess.run(["msgfmt", "--check", "--output-file=/dev/null", str(po)], check=True)


def test_every_shipped_language_has_its_catalogue_and_compiled_file() -> None:
    for language in LANGUAGES:
        po = catalogue(LOCALE, language)
        assert po.is_file() and po.with_suffix(".mo").is_file(), language


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Missing column"), ("de", "Fehlende Spalte"), ("fr", "Colonne manquante")],
)
def test_problem_kinds_are_words_in_the_language_and_codes_in_none(
    language: str, label: str
) -> None:
    with translation.override(language):
        assert ProblemKind.MISSING_COLUMN.label == label
        assert ProblemKind.MISSING_COLUMN.value == "missing_column"


@pytest.mark.django_db
def test_a_command_reports_in_the_active_language(samples: Path) -> None:
    out, err = StringIO(), StringIO()
    path = str(samples / "catalogue_with_mistakes.csv")
    with translation.override("de"), pytest.raises(CommandError) as failed:
        call_command("winiadmin_import", "shop.catalogue", path, stdout=out, stderr=err)
    assert "Zeilen gelesen" in out.getvalue()
    assert "Probleme: 5 Fehler, 2 Warnungen." in err.getvalue()
    assert "Zeile 3, Spalte 'price', Wert '12,50 EUR': Keine Zahl." in err.getvalue()
    assert "nichts wurde geschrieben" in str(failed.value)


def test_sheet_previews_are_shown_in_the_locale() -> None:
    sheet = SheetPreview(
        "Orders",
        ("id", "total", "day", "paid"),
        (("1234", "1234.5", "2026-06-19", "True"),),
        ("Int64", "Float64", "Date", "Boolean"),
    )
    with translation.override("en"):
        assert winiadmin_sheet_rows(sheet) == [["1234", "1,234.5", "June 19, 2026", "yes"]]
    with translation.override("de"):
        assert winiadmin_sheet_rows(sheet) == [["1234", "1.234,5", "19. Juni 2026", "ja"]]


def test_sheet_previews_of_older_reports_stay_as_kept() -> None:
    assert format_text_row(["4.0", "", "x"], ()) == ["4.0", "", "x"]
    assert winiadmin_sheet_rows("not a sheet") == []
