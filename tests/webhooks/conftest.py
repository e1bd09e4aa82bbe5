"""A webhook receiver on 127.0.0.1 (a real HTTP server in a thread) and the settings naming it."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from tests.jobs.conftest import make_job, user  # noqa: F401 - the jobs' fixtures, shared

SECRET = "test-secret-0123456789abcdef"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    #: The statuses to answer with, in turn; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(Received(dict(self.headers.items()), body))
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"receiver says no" if status >= 300 else b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(receiver: Receiver) -> Iterator[Receiver]:
    """``WINIADMIN["WEBHOOKS"]`` naming the receiver for every event and importer."""
    config = {
        "WEBHOOKS": [{"url": receiver.url, "secret": SECRET}],
        "WEBHOOK_RETRY_SECONDS": 10,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_TIMEOUT": 5,
    }
    with override_settings(WINIADMIN=config):
        yield receiver
