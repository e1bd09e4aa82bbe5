"""Downloads from a server on 127.0.0.1 (allowed by setting for the tests): the size limit
before and while reading, redirects under the same policy, errors in words."""

import pytest
from django.test import override_settings

from tests.sources.conftest import SAMPLES, FileServer
from winiadmin.sources.errors import SourceError
from winiadmin.sources.url import download

CSV = (SAMPLES / "catalogue.csv").read_bytes()


def test_refused_by_default_even_on_this_machine(server: FileServer) -> None:
    server.routes["/c.csv"] = lambda: (200, {}, CSV)

    with pytest.raises(SourceError, match="Only https"):
        download(server.url + "/c.csv")
    with (
        override_settings(WINIADMIN={"SOURCE_ALLOW_HTTP": True}),
        pytest.raises(SourceError, match="inside network"),
    ):
        download(server.url + "/c.csv")
    assert "/c.csv" not in server.sent  # never even asked


@pytest.mark.usefixtures("local_allowed")
def test_a_file_is_downloaded_as_an_upload_would_be(server: FileServer) -> None:
    server.routes["/files/catalogue.csv?v=1"] = lambda: (200, {}, CSV)

    file = download(server.url + "/files/catalogue.csv?v=1")

    assert (file.name, file.size, file.read()) == ("catalogue.csv", len(CSV), CSV)
    file.close()


@pytest.mark.usefixtures("local_allowed")
def test_an_announced_length_over_the_limit_is_refused_before_reading(server: FileServer) -> None:
    big = b"x" * 5000
    server.routes["/big.csv"] = lambda: (200, {}, big)

    with (
        override_settings(
            WINIADMIN={
                "SOURCE_ALLOW_HTTP": True,
                "SOURCE_ALLOWED_NETWORKS": ["127.0.0.1/32"],
                "MAX_UPLOAD_SIZE": 1000,
            }
        ),
        pytest.raises(SourceError, match="5000 bytes; the largest accepted is 1000"),
    ):
        download(server.url + "/big.csv")


@pytest.mark.usefixtures("local_allowed")
def test_a_body_without_length_is_cut_at_the_limit(server: FileServer) -> None:
    server.routes["/stream.csv"] = lambda: (
        200,
        {"X-No-Length": "1"},
        b"a,b\n" + b"1,2\n" * 100_000,
    )

    with (
        override_settings(
            WINIADMIN={
                "SOURCE_ALLOW_HTTP": True,
                "SOURCE_ALLOWED_NETWORKS": ["127.0.0.1/32"],
                "MAX_UPLOAD_SIZE": 100_000,
            }
        ),
        pytest.raises(SourceError, match="the largest accepted is 100000"),
    ):
        download(server.url + "/stream.csv")


@pytest.mark.usefixtures("local_allowed")
def test_redirects_are_followed_and_checked_at_every_hop(server: FileServer) -> None:
    port = server.url.rsplit(":", 1)[1]
    server.routes["/moved"] = lambda: (302, {"Location": "/files/c.csv"}, b"")
    server.routes["/files/c.csv"] = lambda: (200, {}, CSV)
    server.routes["/inside"] = lambda: (302, {"Location": f"http://127.0.0.2:{port}/c.csv"}, b"")
    server.routes["/metadata"] = lambda: (301, {"Location": "http://169.254.169.254/"}, b"")
    server.routes["/ftp"] = lambda: (302, {"Location": "ftp://8.8.8.8/c.csv"}, b"")
    server.routes["/loop"] = lambda: (302, {"Location": "/loop"}, b"")

    assert download(server.url + "/moved").read() == CSV
    for path in ("/inside", "/metadata"):
        with pytest.raises(SourceError, match="inside network"):
            download(server.url + path)
    with pytest.raises(SourceError, match="Only http and https"):
        download(server.url + "/ftp")
    with pytest.raises(SourceError, match="More than 5 redirects"):
        download(server.url + "/loop")


@pytest.mark.usefixtures("local_allowed")
def test_errors_are_said_in_words(server: FileServer) -> None:
    with pytest.raises(SourceError, match="answered HTTP 404"):
        download(server.url + "/missing.csv")
    with pytest.raises(SourceError, match="could not be downloaded"):
        download("http://127.0.0.1:9/nothing-listens.csv")
    with pytest.raises(SourceError, match="cannot be found"):
        download("https://no-such-host.invalid/x.csv")
