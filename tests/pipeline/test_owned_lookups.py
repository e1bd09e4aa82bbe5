"""Natural keys of related rows that belong to someone (``testapp.Folder.owner``) under
``RunOptions.fixed_values``, on both load paths: a name is found only among the rows holding the
fixed values, and a created related row gets them (``winiadmin.db.lookups.KeyResolver``)."""

import polars as pl
import pytest
from django.contrib.auth.models import User

from tests.testapp.importers import FiledNoteFramesImporter, FiledNotesImporter
from tests.testapp.models import Folder, Note
from winiadmin.importers import (
    BulksByModel,
    CleaningDF,
    FramesByModel,
    Importer,
    ManyToMany,
    ModelFrame,
    with_keys,
)
from winiadmin.results import ImportStatus

pytestmark = pytest.mark.django_db

PATHS = [FiledNotesImporter, FiledNoteFramesImporter]


@pytest.fixture
def users() -> tuple[User, User]:
    """alice and bob, each with a folder "Work"; bob also has "Travel"."""
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    Folder.objects.create(owner=alice, name="Work")
    Folder.objects.create(owner=bob, name="Work")
    Folder.objects.create(owner=bob, name="Travel")
    return alice, bob


def folders() -> set[tuple[str, str]]:
    return set(Folder.objects.values_list("owner__username", "name"))


@pytest.mark.parametrize("importer", PATHS)
def test_a_name_links_to_the_users_own_row(
    importer: type[Importer], users: tuple[User, User]
) -> None:
    alice, _bob = users

    result = importer().run(
        b"code,text,folder\nA1,x,Work\n", file_name="n.csv", fixed_values={"owner": alice.pk}
    )

    assert result.status is ImportStatus.SUCCEEDED, result.problems
    note = Note.objects.get(code="A1")
    assert (note.owner, note.folder) == (alice, Folder.objects.get(owner=alice, name="Work"))
    assert folders() == {("alice", "Work"), ("bob", "Work"), ("bob", "Travel")}


@pytest.mark.parametrize("importer", PATHS)
def test_another_users_name_is_created_for_the_user_when_chosen(
    importer: type[Importer], users: tuple[User, User]
) -> None:
    alice, bob = users

    result = importer().run(
        b"code,text,folder\nA1,x,Travel\nA2,y,Work\n",
        file_name="n.csv",
        fixed_values={"owner": alice.pk},
        create_missing=True,
    )

    assert result.status is ImportStatus.SUCCEEDED, result.problems
    travel = Folder.objects.get(owner=alice, name="Travel")  # alice's own, new
    assert Note.objects.get(code="A1").folder == travel
    assert folders() == {("alice", "Work"), ("alice", "Travel"), ("bob", "Work"), ("bob", "Travel")}
    assert set(Folder.objects.filter(owner=bob).values_list("name", flat=True)) == {
        "Work",
        "Travel",
    }
    assert not Note.objects.filter(folder__owner=bob).exists()


@pytest.mark.parametrize("importer", PATHS)
def test_another_users_name_is_unmatched_when_not_created(
    importer: type[Importer], users: tuple[User, User]
) -> None:
    alice, _bob = users

    result = importer().run(
        b"code,text,folder\nA1,x,Work\nA2,y,Travel\n",
        file_name="n.csv",
        fixed_values={"owner": alice.pk},
    )

    assert result.status is ImportStatus.INVALID
    [unmatched] = result.unmatched
    assert (unmatched.values, unmatched.rows) == (["Travel"], {"Travel": [3]})
    assert not Note.objects.exists()  # all or nothing
    assert folders() == {("alice", "Work"), ("bob", "Work"), ("bob", "Travel")}


@pytest.mark.parametrize("importer", PATHS)
def test_without_fixed_values_a_name_is_found_among_every_row(importer: type[Importer]) -> None:
    bob = User.objects.create_user("bob")
    travel = Folder.objects.create(owner=bob, name="Travel")

    result = importer().run(b"code,text,folder\nA1,x,Travel\n", file_name="n.csv")

    assert result.status is ImportStatus.SUCCEEDED, result.problems
    assert Note.objects.get(code="A1").folder == travel


class ShelvedCleaning(CleaningDF):
    @classmethod
    def get_col_dtype_map(cls) -> dict[str, type[pl.DataType]]:
        return {"code": pl.Utf8, "text": pl.Utf8, "shelves": pl.Utf8}


class ShelvedObjects(Importer):
    """Notes on several folders by name in one cell (``Work|Travel``), instance path."""

    models = (Folder, Note)
    cleaning_df_cls = ShelvedCleaning
    many_to_many = (ManyToMany(Note, "shelves", by="name", create=True),)

    def get_bulks_by_model(self, df: pl.DataFrame) -> BulksByModel:
        return {
            Note: [
                with_keys(Note(code=r["code"], text=r["text"]), shelves=r["shelves"])
                for r in df.iter_rows(named=True)
            ]
        }


class ShelvedFrames(ShelvedObjects):
    """The same, frame-native."""

    def get_frames_by_model(self, df: pl.DataFrame) -> FramesByModel:
        return {Note: ModelFrame(Note, df)}


@pytest.mark.parametrize("importer", [ShelvedObjects, ShelvedFrames])
@pytest.mark.parametrize("create", [True, False])
def test_many_to_many_names_are_the_users_own_rows(
    importer: type[Importer], users: tuple[User, User], create: bool
) -> None:
    alice, bob = users

    result = importer().run(
        b"code,text,shelves\nA1,x,Work|Travel\n",
        file_name="n.csv",
        fixed_values={"owner": alice.pk},
        create_missing=create,
    )

    if create:
        assert result.status is ImportStatus.SUCCEEDED, result.problems
        shelves = Note.objects.get(code="A1").shelves.values_list("owner__username", "name")
        assert set(shelves) == {("alice", "Work"), ("alice", "Travel")}
        assert folders() == {
            ("alice", "Work"),
            ("alice", "Travel"),
            ("bob", "Work"),
            ("bob", "Travel"),
        }
    else:
        assert result.status is ImportStatus.INVALID
        assert [u.values for u in result.unmatched] == [["Travel"]]
        assert not Note.objects.exists()
        assert folders() == {("alice", "Work"), ("bob", "Work"), ("bob", "Travel")}
    assert not bob.testapp_folders.filter(shelved_notes__isnull=False).exists()
