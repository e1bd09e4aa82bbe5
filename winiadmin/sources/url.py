"""A file downloaded from a URL, under the policy of ``addresses.py``, the size limit (the
announced length checked before reading, the bytes while reading) and ``SOURCE_TIMEOUT``;
redirects followed up to ``SOURCE_MAX_REDIRECTS``, each checked like the first URL."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin

from django.utils.translation import gettext as _

from winiadmin.conf import get_config
from winiadmin.sources.addresses import Target, checked_target
from winiadmin.sources.errors import SourceError
from winiadmin.sources.files import CHUNK, filled, too_large

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.core.files.uploadedfile import TemporaryUploadedFile

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.pinned = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS; the certificate is checked against the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.pinned = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def download(url: str) -> TemporaryUploadedFile:
    """The file at ``url`` in a temporary file; a ``SourceError`` saying why not."""
    config = get_config()
    deadline = time.monotonic() + config.SOURCE_TIMEOUT
    for _hop in range(config.SOURCE_MAX_REDIRECTS + 1):
        target = checked_target(url)
        kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        connection = kind(target, config.SOURCE_TIMEOUT)
        try:
            connection.request("GET", target.path, headers=_headers(target))
            response = connection.getresponse()
            if response.status in REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            return _body(url, response, deadline)
        except (OSError, http.client.HTTPException) as exc:
            msg = _("%(url)s could not be downloaded: %(error)s.") % {
                "url": url,
                "error": exc or type(exc).__name__,
            }
            raise SourceError(msg) from exc
        finally:
            connection.close()
    msg = _("More than %(n)s redirects from %(url)s.") % {
        "n": config.SOURCE_MAX_REDIRECTS,
        "url": url,
    }
    raise SourceError(msg)


def _headers(target: Target) -> dict[str, str]:
    default = 443 if target.scheme == "https" else 80
    host = target.host if target.port == default else f"{target.host}:{target.port}"
    return {"Host": host, "User-Agent": "winiadmin", "Accept": "*/*"}


def _body(url: str, response: http.client.HTTPResponse, deadline: float) -> TemporaryUploadedFile:
    if response.status != 200:
        msg = _("%(url)s answered HTTP %(status)s.") % {"url": url, "status": response.status}
        raise SourceError(msg)
    announced = response.getheader("Content-Length", "")
    if announced.isdigit() and int(announced) > get_config().MAX_UPLOAD_SIZE:
        raise too_large(int(announced), url)  # refused before a byte of it is read
    return filled(_file_name(url), _chunks(response), url, deadline)


def _chunks(response: http.client.HTTPResponse) -> Iterator[bytes]:
    while chunk := response.read(CHUNK):
        yield chunk


def _file_name(url: str) -> str:
    """The URL's last path segment (its suffix helps tell the format), or "download"."""
    name = PurePosixPath(unquote(url.split("?", 1)[0].split("#", 1)[0])).name
    return name[:200] or "download"
