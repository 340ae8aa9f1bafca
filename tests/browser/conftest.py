"""A real server on loopback and real Chromium (the system's; nothing is downloaded)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from zedline import Settings, Zedline, build
from zedline.notifications.model import Email
from zedline_web.app import create_app

CHROMIUM = os.environ.get("ZEDLINE_CHROMIUM") or shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


class Mailbox:
    """Collects what the outbox delivers, like an SMTP server would."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self._lock = threading.Lock()

    def send(self, email: Email, *, default_sender: str) -> None:
        with self._lock:
            self.sent.append(email)

    def to(self, address: str) -> list[Email]:
        with self._lock:
            return [e for e in self.sent if e.to == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def server_port() -> int:
    return _free_port()


@pytest.fixture
def zl(settings: Settings, clock, mailbox: Mailbox, server_port: int) -> Iterator[Zedline]:
    """The core as `zedline serve` builds it (real clock), with links to the live server."""
    live = settings.model_copy(update={"base_url": f"http://127.0.0.1:{server_port}"})
    core = build(live, mailer=mailbox, fast_hashing=True)
    yield core
    core.close()


@pytest.fixture
def live_server(zl: Zedline, server_port: int) -> Iterator[str]:
    config = uvicorn.Config(
        create_app(zl), host="127.0.0.1", port=server_port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()

    def wait() -> None:
        while not server.started and thread.is_alive():
            started.wait(0.05)

    wait()
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{server_port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Where a test leaves its screenshots, to be looked at."""
    path = ARTIFACTS / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path
