"""The wizard, its downloads and the API in the browser's language (LocaleMiddleware): words
translated, numbers and dates localised, codes the same in every language."""

import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from tests.admin.conftest import MakeJob
from tests.admin.helpers import html, job_url, start_url, uploaded_job
from winiadmin.admin.problems import problems_csv

pytestmark = pytest.mark.django_db


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_wizard_speaks_the_browsers_language(su_client: Client, samples: Path) -> None:
    su_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    upload = html(su_client.get(start_url()))
    assert "Hochladen und prüfen" in upload
    assert 'lang="de"' in upload

    job = uploaded_job(su_client, samples / "catalogue.csv")
    assert job.language == "de"
    page = html(su_client.get(job_url(job)))
    assert "Was dieser Import tun wird" in page
    assert "Bestätigen und importieren" in page
    rows = html(su_client.get(job_url(job, "rows")))
    assert "66,67" in rows  # the price of SKU-0001, with the German decimal comma
    assert "19. Juni 2026" in rows  # its available_from


def test_the_same_file_in_french_and_in_english(su_client: Client, samples: Path) -> None:
    su_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    job = uploaded_job(su_client, samples / "catalogue_with_mistakes.csv")
    page = html(su_client.get(job_url(job)))
    assert "Pas un nombre" in page
    assert "Valeur non valide" in page
    su_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Upload and check" in html(su_client.get(start_url()))


def test_the_problems_csv_keeps_its_codes_in_every_language(
    make_job: MakeJob, samples: Path
) -> None:
    english = read_csv(problems_csv(make_job(samples / "catalogue_with_mistakes.csv")))
    with translation.override("de"):
        german_job = make_job(samples / "catalogue_with_mistakes.csv")
    german = read_csv(problems_csv(german_job))
    # The column names, the rows, the severities and the codes: the same.
    assert german[0] == english[0]
    assert [r[:3] for r in german] == [r[:3] for r in english]
    assert [r[4:6] for r in german] == [r[4:6] for r in english]
    by_row = {row[0]: row for row in german[1:]}
    assert by_row["3"][1:4] == ["error", "invalid_value", "Ungültiger Wert"]
    assert by_row["3"][6] == "Keine Zahl."


def test_api_errors_keep_their_code_and_speak_the_language(client: Client) -> None:
    answer = client.get("/api/imports/nowhere/", headers={"accept-language": "de"}).json()
    assert answer["error"]["code"] == "not_found"
    assert answer["error"]["message"] == "Kein API-Endpunkt unter /api/imports/nowhere/."
    answer = client.get("/api/imports/importers/", headers={"accept-language": "fr"}).json()
    assert answer["error"]["code"] == "not_authenticated"
    assert answer["error"]["message"] == "Connectez-vous, ou envoyez un jeton Bearer."
