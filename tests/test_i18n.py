"""The shipped translations: complete catalogues, problems and commands in the active language,
machine-readable codes the same in every language (docs/translations.md)."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.i18n import LANGUAGES, LOCALE, catalogue, msgfmt_check, parse_po, stale_mo
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


PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py
#, python-format
msgid "Row %(row)s has "
"\"no\" cell."
msgstr "Zeile %(row)s hat keine Zelle."

#, fuzzy
#| msgid "Old"
msgid "New"
msgstr "Alt"

msgctxt "month"
msgid "May"
msgstr ""

msgid "%(n)s row"
msgid_plural "%(n)s rows"
msgstr[0] "%(n)s Zeile"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr "Weg"
"""


def test_parse_po_reads_entries_flags_contexts_and_plurals(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(PO, encoding="utf-8")
    entries = {e.key: e for e in parse_po(po)}
    assert list(entries) == [
        (None, 'Row %(row)s has "no" cell.'),
        (None, "New"),
        ("month", "May"),
        (None, "%(n)s row"),
    ]
    assert entries[None, 'Row %(row)s has "no" cell.'].translated
    assert entries[None, "New"].fuzzy
    assert not entries["month", "May"].translated
    plural = entries[None, "%(n)s row"]
    assert plural.translations == ("%(n)s Zeile", "") and not plural.translated
    assert plural.label() == "%(n)s row / %(n)s rows"


def test_msgfmt_check_refuses_a_lost_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(PO.replace("Zeile %(row)s hat", "Zeile hat"), encoding="utf-8")
    assert msgfmt_check(po) is not None
    po.write_text(PO, encoding="utf-8")
    assert msgfmt_check(po) is None
    assert stale_mo(po)  # no .mo beside it yet
