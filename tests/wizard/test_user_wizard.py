"""The wizard outside the admin (``tests.testapp.wizard.NotesSite`` at ``/notes/``): the admin's
views for logged-in users holding the importer's permissions, each seeing only their own jobs;
``owner`` set on every created note, on both load paths; an upsert never touches another
user's note."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.admin.helpers import grant
from tests.testapp.models import Folder, Note
from tests.testapp.wizard import NotesSite
from winiadmin.importers import get_importer
from winiadmin.jobs.runner import create_job, execute_job, validate_job
from winiadmin.models import ImportJob, SavedColumnMapping

NOTES_PERMS = ("testapp.add_note", "testapp.change_note")
PATHS = ["testapp.notes", "testapp.note_frames"]  # instance path, frame path

MakeMember = Callable[..., Client]


def url(name: str, *args: object) -> str:
    return reverse(f"winiadmin_wizard:winiadmin_importjob_{name}", args=args, current_app="notes")


@pytest.fixture
def member(db: None) -> MakeMember:
    """``member("alice")``: a logged-in client of a user who is not staff and holds the notes'
    permissions (``perms=()``: none)."""

    def make(username: str, perms: tuple[str, ...] = NOTES_PERMS) -> Client:
        user = User.objects.create_user(username, f"{username}@example.com", "pw")
        grant(user, *perms)
        client = Client()
        client.force_login(user)
        return client

    return make


def upload(client: Client, content: str, importer: str = "testapp.notes") -> ImportJob:
    response = client.post(
        url("start", importer),
        {"file": SimpleUploadedFile("notes.csv", content.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("created_at")


def confirm(client: Client, job: ImportJob) -> ImportJob:
    response = client.post(url("confirm", job.pk), {})
    assert response.status_code == 302
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("importer", PATHS)
def test_the_whole_flow_sets_the_owner_on_every_created_row(
    member: MakeMember, importer: str
) -> None:
    alice = member("alice")

    job = upload(alice, "code,text\nA1,first\nA2,second\n", importer)
    preview = alice.get(url("job", job.pk))
    assert preview.status_code == 200
    assert "notes.csv" in preview.content.decode()
    assert not Note.objects.exists()  # the dry run wrote nothing

    assert confirm(alice, job).status == ImportJob.Status.SUCCEEDED
    owners = set(Note.objects.values_list("owner__username", flat=True))
    assert owners == {"alice"}
    assert Note.objects.count() == 2
    result = alice.get(url("job", job.pk)).content.decode()
    assert url("jobs") in result  # "All imports" leads to the user's list, not the admin


def test_logged_out_goes_to_the_login_page(client: Client, db: None) -> None:
    for target in (url("jobs"), url("start", "testapp.notes")):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_without_the_permission_the_step_is_refused(member: MakeMember) -> None:
    nobody = member("nobody", perms=())

    assert nobody.get(url("start", "testapp.notes")).status_code == 403
    assert "nothing you may import" in nobody.get(url("jobs")).content.decode()


def test_an_importer_the_site_does_not_offer_is_refused(member: MakeMember) -> None:
    alice = member("alice", perms=(*NOTES_PERMS, "shop.add_product", "shop.change_product"))

    assert alice.get(url("start", "testapp.slow_tags")).status_code == 403
    assert alice.get(url("start", "testapp.notes")).status_code == 200


def test_a_post_without_its_csrf_token_is_refused(db: None) -> None:
    user = User.objects.create_user("alice", "alice@example.com", "pw")
    grant(user, *NOTES_PERMS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    content = SimpleUploadedFile("notes.csv", b"code,text\nA1,x\n", content_type="text/csv")

    response = client.post(url("start", "testapp.notes"), {"file": content})

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_confirm_without_its_csrf_token_is_refused(member: MakeMember) -> None:
    alice = member("alice")
    job = upload(alice, "code,text\nA1,x\n")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="alice"))

    assert strict.post(url("confirm", job.pk), {}).status_code == 403
    page = strict.get(url("job", job.pk)).content.decode()

    assert "X-CSRFToken" in page  # the wizard's HTMX requests send the token
    assert not Note.objects.exists()


def test_another_users_job_is_not_found_on_any_of_its_pages(member: MakeMember) -> None:
    alice, bob = member("alice"), member("bob")
    job = upload(alice, "code,text\nA1,x\n")

    for name, args in [
        ("job", ()),
        ("rows", ()),
        ("problems", ()),
        ("problems_csv", ()),
        ("rejected", ("csv",)),
        ("columns", ()),
        ("progress", ()),
        ("undo", ()),
    ]:
        assert bob.get(url(name, job.pk, *args)).status_code == 404, name
    assert bob.post(url("confirm", job.pk), {}).status_code == 404
    assert not Note.objects.exists()
    listed = bob.get(url("jobs")).content.decode()
    assert url("job", job.pk) not in listed
    assert url("job", job.pk) in alice.get(url("jobs")).content.decode()


@pytest.mark.parametrize("importer", PATHS)
def test_an_upsert_cannot_touch_another_users_row(member: MakeMember, importer: str) -> None:
    alice, bob = member("alice"), member("bob")
    confirm(alice, upload(alice, "code,text\nA1,alice's\n", importer))

    job = upload(bob, "code,text\nB1,bob's\nA1,taken over\n", importer)

    assert job.status == ImportJob.Status.INVALID
    problem = next(p for p in job.import_report.problems if p.column == "code")
    assert (problem.row, problem.value) == (3, "A1")
    assert "not yours" in problem.message
    assert bob.post(url("confirm", job.pk), {}).status_code == 302
    assert Note.objects.get(code="A1").text == "alice's"  # not overwritten
    assert Note.objects.filter(code="A1").count() == 1  # nor duplicated
    assert not Note.objects.filter(code="B1").exists()  # all or nothing


@pytest.mark.parametrize("importer", PATHS)
def test_an_upsert_updates_the_users_own_row(member: MakeMember, importer: str) -> None:
    alice = member("alice")
    confirm(alice, upload(alice, "code,text\nA1,old\n", importer))

    job = confirm(alice, upload(alice, "code,text\nA1,new\n", importer))

    assert job.status == ImportJob.Status.SUCCEEDED
    note = Note.objects.get(code="A1")
    assert (note.text, note.owner.username if note.owner else None) == ("new", "alice")


def test_a_file_column_for_a_fixed_field_is_a_problem(member: MakeMember) -> None:
    alice = member("alice")
    User.objects.create_user("bob", "bob@example.com", "pw")

    job = upload(alice, "code,text,owner\nA1,x,bob\n")

    assert job.status == ImportJob.Status.INVALID
    problem = next(p for p in job.import_report.problems if p.column == "owner")
    assert problem.row == 1  # the header row: the column itself
    assert not Note.objects.exists()


@pytest.mark.parametrize("importer", PATHS)
def test_a_worker_applies_the_values_stored_on_the_job(db: None, importer: str) -> None:
    """A background run has no request: the job carries the owner resolved at upload."""
    alice = User.objects.create_user("alice", "alice@example.com", "pw")
    upload_file = SimpleUploadedFile("notes.csv", b"code,text\nA1,x\n", content_type="text/csv")
    job = create_job(
        importer=get_importer(importer),
        upload=upload_file,
        user=alice,
        options={},
        read_options={},
        fixed_values={"owner": alice.pk},
    )
    validate_job(job)
    execute_job(job, skip_invalid=False)

    assert Note.objects.get(code="A1").owner == alice


def test_saved_column_mappings_are_the_users_own(member: MakeMember) -> None:
    alice, bob = member("alice"), member("bob")
    content = "Cde,Textt,owner\nA1,x,\n"  # owner left empty: allowed
    job = upload(alice, content)
    assert alice.get(url("job", job.pk))["Location"].endswith(url("columns", job.pk))
    chosen = {"column_0": "code", "column_1": "text", "column_2": "owner"}
    posted = alice.post(url("columns", job.pk), chosen)
    assert posted.status_code == 302, posted.content.decode()[-3000:]
    assert SavedColumnMapping.objects.filter(user__username="alice").exists()

    bobs = upload(bob, content)

    # Bob is asked again: Alice's mapping is hers.
    assert bob.get(url("job", bobs.pk))["Location"].endswith(url("columns", bobs.pk))
    assert "Preselected" not in bob.get(url("columns", bobs.pk)).content.decode()


def test_the_owner_undoes_their_import_with_the_delete_permission(member: MakeMember) -> None:
    alice = member("alice", perms=(*NOTES_PERMS, "testapp.delete_note"))
    job = confirm(alice, upload(alice, "code,text\nA1,x\nA2,y\n"))

    preview = alice.get(url("undo", job.pk))
    assert preview.status_code == 200
    assert alice.post(url("undo", job.pk)).status_code == 302

    assert not Note.objects.exists()


def test_the_fragments_link_to_the_site_serving_them(member: MakeMember) -> None:
    alice = member("alice")
    job = upload(alice, "code,text\n" + "".join(f"N{i},x\n" for i in range(120)))

    rows = alice.get(url("rows", job.pk), {"page": "2"}, headers={"HX-Request": "true"})

    assert rows.status_code == 200
    page = rows.content.decode()
    assert url("rows", job.pk) in page
    assert "/admin/" not in page


def test_a_fixed_value_no_model_has_is_a_setup_error(member: MakeMember) -> None:
    alice = member("alice")
    site = NotesSite()
    site.get_fixed_values = lambda request, importer: {"company": 1}  # type: ignore[method-assign]

    request = alice.get(url("jobs")).wsgi_request
    with pytest.raises(ImproperlyConfigured, match=r"no model of testapp\.notes has 'company'"):
        site.fixed_values(request, get_importer("testapp.notes"))


def test_the_importers_shared_value_mappings_stay_in_the_admin(member: MakeMember) -> None:
    """Value mappings are shared by the importer's admin users: a job started outside the admin
    neither applies them nor offers mapping (a user never sees another user's mappings)."""
    from winiadmin.models import ValueMapping

    ValueMapping.objects.create(
        importer="testapp.notes", lookup="owner", value="bob", target_model="auth.User",
        target_pk="1", target_label="bob",
    )  # fmt: skip
    alice = member("alice")
    job = upload(alice, "code,text\nA1,first\n")
    job.refresh_from_db()
    assert job.user_scoped
    assert job.value_mappings == {}
    response = alice.post(url("map_value", job.pk), {"key": "owner", "value": "x", "pk": "1"})
    assert response.status_code == 403
    assert "mapped in the admin only" in response.content.decode()
    assert ValueMapping.objects.count() == 1


def test_creating_values_one_by_one_stays_in_the_admin(member: MakeMember) -> None:
    """Like the mappings: a job started outside the admin offers no per-value Create, and a POST
    to create (or take back) is refused; the confirm's create-all choice is the way there."""
    alice = member("alice")
    job = upload(alice, "code,text\nA1,first\n")
    assert job.user_scoped
    for name in ("create_value", "take_back_create"):
        response = alice.post(url(name, job.pk), {"key": "owner", "value": "x"})
        assert response.status_code == 403
        assert "created one by one in the admin only" in response.content.decode()
    job.refresh_from_db()
    assert job.create_values == {} and not job.edits_pending
    assert "winiadmin-create-value" not in alice.get(url("job", job.pk)).content.decode()


FILED_PATHS = ["testapp.filed_notes", "testapp.filed_note_frames"]


@pytest.mark.parametrize("importer", FILED_PATHS)
def test_a_related_name_is_the_users_own_row_or_created_for_them(
    member: MakeMember, importer: str
) -> None:
    alice = member("alice", perms=(*NOTES_PERMS, "testapp.add_folder"))
    member("bob")
    owner = {u.username: u for u in User.objects.all()}
    Folder.objects.create(owner=owner["alice"], name="Work")
    bobs_work = Folder.objects.create(owner=owner["bob"], name="Work")
    Folder.objects.create(owner=owner["bob"], name="Travel")

    job = upload(alice, "code,text,folder\nA1,x,Work\nA2,y,Travel\n", importer)
    preview = alice.get(url("job", job.pk)).content.decode()
    assert "1 folder not found (by name)" in preview  # Travel: bob's is not alice's

    response = alice.post(url("confirm", job.pk), {"create_missing": "on"})
    assert response.status_code == 302
    job.refresh_from_db()

    assert job.status == ImportJob.Status.SUCCEEDED
    linked = Note.objects.values_list("code", "folder__owner__username", "folder__name")
    assert {code: (user, name) for code, user, name in linked} == {
        "A1": ("alice", "Work"),
        "A2": ("alice", "Travel"),
    }
    assert set(Folder.objects.filter(owner=owner["bob"]).values_list("name", flat=True)) == {
        "Work",
        "Travel",
    }
    assert not bobs_work.note_set.exists()


@pytest.mark.parametrize("importer", FILED_PATHS)
def test_another_users_related_name_is_unmatched_unless_created(
    member: MakeMember, importer: str
) -> None:
    alice = member("alice", perms=(*NOTES_PERMS, "testapp.add_folder"))
    member("bob")
    Folder.objects.create(owner=User.objects.get(username="bob"), name="Travel")

    job = upload(alice, "code,text,folder\nA1,x,Travel\n", importer)
    assert "1 folder not found (by name)" in alice.get(url("job", job.pk)).content.decode()
    job = confirm(alice, job)

    assert job.status != ImportJob.Status.SUCCEEDED, job.status
    assert not Note.objects.exists()
    assert list(Folder.objects.values_list("owner__username", "name")) == [("bob", "Travel")]
