"""A file server on 127.0.0.1 (a real HTTP server in a thread): paths answer with a file, a
redirect, a body longer than it says, or no length at all."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import override_settings

SAMPLES = Path(__file__).resolve().parents[2] / "example" / "samples"

#: A route: (status, headers, body).
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class FileServer:
    url: str
    routes: dict[str, Callable[[], Answer]] = field(default_factory=dict)
    #: Bytes of body sent, per path.
    sent: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def server() -> Iterator[FileServer]:
    state = FileServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = state.routes.get(self.path)
            status, headers, body = route() if route else (404, {}, b"no")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers and "X-No-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
                state.sent[self.path] = len(body)
            except OSError:  # the client stopped reading: what the limit is for
                state.sent[self.path] = -1

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_allowed() -> Iterator[None]:
    """Plain http, and 127.0.0.1 only among the inside addresses."""
    config = {"SOURCE_ALLOW_HTTP": True, "SOURCE_ALLOWED_NETWORKS": ["127.0.0.1/32"]}
    with override_settings(WINIADMIN=config):
        yield
