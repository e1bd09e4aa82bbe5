"""winiadmin on a project's own ``AdminSite``: every link and redirect stays on that site.

The URLconf (tests/admin/custom_site.py) mounts the site ``office`` at ``/office/`` beside the
default site at ``/admin/``; a link reversed without the site's name would lead to ``/admin/``.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import resolve, reverse
from shop.models import Product

from tests.admin.conftest import MakeJob, MakeUser
from tests.admin.helpers import html
from winiadmin.models import ImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin.custom_site")]

SITE = "office"


def url(name: str, *args: object) -> str:
    return reverse(f"admin:{name}", args=args, current_app=SITE)


def job_url(job: ImportJob, name: str = "job") -> str:
    return url(f"winiadmin_importjob_{name}", job.pk)


def links(page: str) -> list[str]:
    """Every link, form target and HTMX URL of the page."""
    return re.findall(r'(?:href|action|hx-get|hx-post)="(/[^"]*)"', page)


def strays(page: str) -> list[str]:
    """The page's links away from the office site (but for its static files and the admin's
    "View site" link to ``/``)."""
    return [
        link
        for link in links(page)
        if link != "/" and not link.startswith(("/office/", "/static/"))
    ]


def on_site(response: Any) -> str:
    """The page, after checking that it links only to the office site."""
    page = html(response)
    assert response.status_code == 200, page[:2000]
    assert strays(page) == []
    return page


def test_the_wizard_walks_on_the_custom_site(su_client: Client, samples: Path) -> None:
    assert url("index") == "/office/"
    changelist = on_site(su_client.get(url("shop_product_changelist")))
    import_url = url("shop_product_import")
    assert import_url.startswith("/office/") and f'href="{import_url}"' in changelist

    start = su_client.get(import_url)
    assert start.status_code == 302
    assert start["Location"] == url("winiadmin_importjob_start", "shop.catalogue") + (
        "?model=shop.Product"
    )
    upload_page = on_site(su_client.get(start["Location"]))
    assert "Back office" in upload_page  # the site's own header, from its each_context
    template_csv = url("winiadmin_importjob_template", "shop.catalogue", "csv")
    assert f'href="{template_csv}"' in upload_page

    content = (samples / "catalogue.csv").read_bytes()
    upload = SimpleUploadedFile("catalogue.csv", content)
    response = su_client.post(start["Location"], {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert resolve(response["Location"]).namespace == SITE

    preview = on_site(su_client.get(job_url(job)))
    assert "Confirm and import" in preview
    assert f'action="{job_url(job, "confirm")}"' in preview
    assert Product.objects.count() == 0

    response = su_client.post(job_url(job, "confirm"))
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert Product.objects.count() == 40

    result = on_site(su_client.get(job_url(job)))
    assert "Imported" in result
    assert f'<a href="{url("shop_product_changelist")}">Products</a>' in result
    assert f'href="{url("winiadmin_importjob_changelist")}"' in result  # "All imports"
    assert f'href="{job_url(job, "undo")}"' in result


def test_the_history_and_its_actions_on_the_custom_site(
    su_client: Client, make_job: MakeJob, samples: Path
) -> None:
    job = make_job(content=(samples / "catalogue.csv").read_bytes(), name="catalogue.csv")
    history = on_site(su_client.get(url("winiadmin_importjob_changelist")))
    assert "catalogue.csv" in history
    assert f'href="{url("winiadmin_importjob_importers")}"' in history
    importers = on_site(su_client.get(url("winiadmin_importjob_importers")))
    assert f'href="{url("winiadmin_importjob_start", "shop.catalogue")}' in importers

    # A job's admin page is the wizard's, on the same site.
    change = su_client.get(url("winiadmin_importjob_change", job.pk))
    assert change.status_code == 302 and change["Location"] == job_url(job)

    # An action's message links to the job on this site.
    data = {"action": "undo_import", "_selected_action": [str(job.pk)]}
    page = on_site(su_client.post(url("winiadmin_importjob_changelist"), data, follow=True))
    assert f'<a href="{job_url(job)}">' in page  # nothing to undo yet: said with a link

    su_client.post(job_url(job, "confirm"))
    response = su_client.post(url("winiadmin_importjob_changelist"), data)
    assert response.status_code == 302 and response["Location"] == job_url(job, "undo")
    undo = on_site(su_client.get(job_url(job, "undo")))
    assert f'action="{job_url(job, "undo")}"' in undo
    done = su_client.post(job_url(job, "undo"))
    assert done.status_code == 302 and done["Location"] == job_url(job)
    assert Product.objects.count() == 0


def test_background_runs_and_their_notice_on_the_custom_site(
    su_client: Client, make_job: MakeJob, samples: Path
) -> None:
    job = make_job(content=(samples / "catalogue.csv").read_bytes(), name="catalogue.csv")
    with override_settings(WINIADMIN={"BACKGROUND_THRESHOLD": 0}):
        response = su_client.post(job_url(job, "confirm"))
        assert response["Location"] == job_url(job)
        waiting = on_site(su_client.get(job_url(job)))
        assert f'hx-get="{job_url(job, "progress")}"' in waiting
        assert f'action="{job_url(job, "cancel")}"' in waiting
        cancelled = su_client.post(job_url(job, "cancel"))
        assert cancelled.status_code == 302 and cancelled["Location"] == job_url(job)
    ImportJob.objects.filter(pk=job.pk).update(notified=False)
    index = on_site(su_client.get(url("index")))
    assert f'<a href="{job_url(job)}">The import of catalogue.csv was cancelled.</a>' in index


def test_a_refusal_leads_back_to_the_custom_site(make_user: MakeUser, client: Client) -> None:
    nobody = make_user("nobody")  # staff, no permission at all
    client.force_login(nobody)
    response = client.get(url("winiadmin_importjob_start", "shop.catalogue"))
    assert response.status_code == 403
    page = html(response)
    assert f'href="{url("index")}"' in page
    assert strays(page) == []
