"""Mail tests talk to a real SMTP server (aiosmtpd) listening on loopback.

The `zl` fixture is overridden here: the core sends through that server, so every test sees
exactly the bytes a mail client would receive.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from zedline import Settings, Zedline, build
from zedline.clock import FixedClock
from zedline.config import SmtpSettings


@dataclass(frozen=True)
class Captured:
    """One message as the SMTP server received it."""

    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        assert body.get_content_type() == f"text/{subtype}"
        return str(body.get_content())

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")

    @property
    def everything(self) -> str:
        """Subject, headers and both parts: where a leak could hide."""
        return "\n".join([str(self.message), self.subject, self.text, self.html])


class Inbox:
    """The aiosmtpd handler: keeps what it receives; answers with scripted replies first."""

    def __init__(self) -> None:
        self.received: list[Captured] = []
        self.replies: list[str] = []
        self.port = 0
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self._changed:
            if self.replies:
                return self.replies.pop(0)
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Captured(list(envelope.rcpt_tos), parsed))
            self._changed.notify_all()
        return "250 Message accepted"

    def to(self, address: str) -> list[Captured]:
        return [m for m in self.received if address in m.rcpt_tos]

    def one(self, address: str) -> Captured:
        found = self.to(address)
        assert len(found) == 1, [m.subject for m in found]
        return found[0]

    def recipients(self) -> set[str]:
        return {rcpt for m in self.received for rcpt in m.rcpt_tos}

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until `count` messages arrived (a condition, not a sleep)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.received) >= count, timeout)

    def clear(self) -> None:
        with self._changed:
            self.received.clear()


class LoopbackController(Controller):
    """Listens on an ephemeral port (port 0) and learns which one the system picked."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(
        update={"smtp": SmtpSettings(host="127.0.0.1", port=inbox.port, timeout=5)}
    )


@pytest.fixture
def zl(smtp_settings: Settings, clock: FixedClock) -> Iterator[Zedline]:
    core = build(smtp_settings, clock=clock, fast_hashing=True)
    yield core
    core.close()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nobody listens on: bound (so nobody else takes it) but not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()
