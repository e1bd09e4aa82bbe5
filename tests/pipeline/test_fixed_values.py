"""``RunOptions.fixed_values`` through ``Importer.run`` on both load paths: set on every created
row, a file column for one refused at its header, a key of a row not holding them refused per
row (``winiadmin/pipeline/fixed.py``)."""

import pytest
from django.contrib.auth.models import User

from tests.testapp.importers import NoteFramesImporter, NotesImporter
from tests.testapp.models import Note
from winiadmin.importers import Importer
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

PATHS = [NotesImporter, NoteFramesImporter]


def csv(text: str) -> bytes:
    return text.encode()


@pytest.mark.parametrize("importer", PATHS)
def test_every_created_row_gets_the_fixed_values(importer: type[Importer]) -> None:
    alice = User.objects.create_user("alice")

    result = importer().run(
        csv("code,text\nA1,x\nA2,y\n"), file_name="n.csv", fixed_values={"owner": alice.pk}
    )

    assert result.status is ImportStatus.SUCCEEDED, result.problems
    assert list(Note.objects.values_list("owner_id", flat=True)) == [alice.pk, alice.pk]


@pytest.mark.parametrize("importer", PATHS)
def test_a_key_of_a_row_not_holding_them_is_a_problem_per_row(importer: type[Importer]) -> None:
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    Note.objects.create(code="A1", text="alice's", owner=alice)

    result = importer().run(
        csv("code,text\nB1,x\nA1,taken\nB2,y\n"), file_name="n.csv", fixed_values={"owner": bob.pk}
    )

    assert result.status is ImportStatus.INVALID
    [problem] = [p for p in result.problems if p.column == "code"]
    assert (problem.row, problem.value) == (3, "A1")
    assert list(Note.objects.values_list("code", "text", "owner_id")) == [
        ("A1", "alice's", alice.pk)
    ]


@pytest.mark.parametrize("importer", PATHS)
def test_a_file_column_for_a_fixed_field_is_a_problem_at_its_header(
    importer: type[Importer],
) -> None:
    alice = User.objects.create_user("alice")

    result = importer().run(
        csv("code,text,owner\nA1,x,7\n"), file_name="n.csv", fixed_values={"owner": alice.pk}
    )

    assert result.status is ImportStatus.INVALID
    [problem] = [p for p in result.problems if p.column == "owner"]
    assert problem.row == 1
    assert not Note.objects.exists()


def test_without_fixed_values_nothing_changes() -> None:
    result = NotesImporter().run(csv("code,text,owner\nA1,x,\n"), file_name="n.csv")

    assert result.status is ImportStatus.SUCCEEDED
    assert Note.objects.get().owner_id is None
