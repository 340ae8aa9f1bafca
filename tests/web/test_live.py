"""The live stream: who hears about which change, heartbeats, and a clean end.

The stream never ends by itself, and test clients wait for a whole response, so these tests
drive the ASGI app directly: a request goes in, the response arrives message by message, and
the test reads it with a timeout (never a sleep) and then disconnects.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Self

import pytest

from zedline.accounts import services as accounts
from zedline.live import Change
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline_web.routes import live as live_routes
from zedline_web.routes.live import may_see

PASSWORD = "correct-horse-42"
TIMEOUT = 10.0


class Stream:
    """One GET of an event stream against the ASGI app, read message by message."""

    def __init__(self, app: Any, path: str, cookie: str = "", query: str = "") -> None:
        self.app = app
        self.path = path
        self.query = query
        self.cookie = cookie
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.leave = asyncio.Event()
        self.buffer = b""
        self.status: int | None = None
        self.task: asyncio.Task[None] | None = None
        self._asked = False

    async def _receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.leave.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        await self.messages.put(message)

    async def __aenter__(self) -> Self:
        headers = [(b"host", b"testserver.local"), (b"accept", b"text/event-stream")]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver.local", 80),
            "state": {},
        }
        self.task = asyncio.create_task(self.app(scope, self._receive, self._send))
        start = await asyncio.wait_for(self.messages.get(), TIMEOUT)
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.leave.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, TIMEOUT)

    async def next_block(self) -> str:
        """The next SSE block (an event or a comment), waiting at most TIMEOUT."""
        while b"\r\n\r\n" not in self.buffer:
            message = await asyncio.wait_for(self.messages.get(), TIMEOUT)
            assert message["type"] == "http.response.body"
            self.buffer += message.get("body", b"")
            if not message.get("more_body", False) and b"\r\n\r\n" not in self.buffer:
                raise EOFError("the stream ended")
        block, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        return block.decode()

    async def next_event(self) -> dict[str, Any]:
        while True:
            block = await self.next_block()
            lines = dict(
                line.split(": ", 1) for line in block.split("\r\n") if not line.startswith(":")
            )
            if lines.get("event") == "change":
                return json.loads(lines["data"])

    async def ended(self) -> bool:
        try:
            while True:
                await self.next_block()
        except EOFError:
            return True


def _cookie_of(web, login, email):
    web.cookies.clear()
    login(web, "acme", email, PASSWORD)
    return f"zl_session={web.cookies.get('zl_session')}"


def _post(zl, actor, number, visibility, body="Hello"):
    tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, actor, number, body=body, visibility=visibility
    )


def test_client_hears_a_public_reply_but_not_an_internal_note(
    web, app, zl, client, operator, login, make_ticket
):
    ticket = make_ticket(client)
    cookie = _cookie_of(web, login, client.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie) as stream:
            assert stream.status == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert "connected" in await stream.next_block()
            await asyncio.to_thread(_post, zl, operator, ticket.number, Visibility.INTERNAL)
            await asyncio.to_thread(_post, zl, operator, ticket.number, Visibility.PUBLIC)
            # The first event the client gets is the public reply: the note sent nothing.
            return await stream.next_event()

    event = asyncio.run(scenario())
    assert event == {"number": ticket.number, "kind": "message"}
    assert zl.live._listeners == []  # unsubscribed on disconnect


def test_staff_hear_the_internal_note_too(web, app, zl, client, operator, login, make_ticket):
    ticket = make_ticket(client)
    cookie = _cookie_of(web, login, operator.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie) as stream:
            await stream.next_block()
            await asyncio.to_thread(_post, zl, operator, ticket.number, Visibility.INTERNAL)
            return await stream.next_event()

    assert asyncio.run(scenario()) == {"number": ticket.number, "kind": "message"}


def test_a_client_hears_nothing_of_another_clients_ticket(
    web, app, zl, client, other_client, operator, login, make_ticket
):
    theirs = make_ticket(other_client)
    mine = make_ticket(client)
    cookie = _cookie_of(web, login, client.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie) as stream:
            await stream.next_block()
            await asyncio.to_thread(_post, zl, operator, theirs.number, Visibility.PUBLIC)
            await asyncio.to_thread(_post, zl, operator, mine.number, Visibility.PUBLIC)
            return await stream.next_event()

    assert asyncio.run(scenario())["number"] == mine.number


def test_a_ticket_filter_keeps_only_that_ticket(web, app, zl, client, operator, login, make_ticket):
    first = make_ticket(client)
    second = make_ticket(client)
    cookie = _cookie_of(web, login, operator.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie, query=f"ticket={second.number}") as s:
            await s.next_block()
            await asyncio.to_thread(_post, zl, operator, first.number, Visibility.PUBLIC)
            await asyncio.to_thread(_post, zl, operator, second.number, Visibility.PUBLIC)
            return await s.next_event()

    assert asyncio.run(scenario())["number"] == second.number


def test_staff_hear_nothing_of_another_portal(
    web, app, zl, portal, other_portal, client, operator, login, make_ticket
):
    ticket = make_ticket(client)
    cookie = _cookie_of(web, login, operator.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie) as stream:
            await stream.next_block()
            zl.live.publish([Change(other_portal.id, 999, "message", True, None)])
            zl.live.publish([Change(portal.id, ticket.number, "status", True, client.id)])
            return await stream.next_event()

    assert asyncio.run(scenario()) == {"number": ticket.number, "kind": "status"}


def test_heartbeats_keep_the_stream_open_and_it_ends_with_the_session(
    web, app, zl, client, login, monkeypatch
):
    monkeypatch.setattr(live_routes, "HEARTBEAT_SECONDS", 0.01)
    cookie = _cookie_of(web, login, client.email)

    async def scenario():
        async with Stream(app, "/p/acme/live", cookie) as stream:
            await stream.next_block()
            assert "heartbeat" in await stream.next_block()
            await asyncio.to_thread(
                accounts.change_password,
                zl.uow(),
                zl.hasher,
                client,
                new_password="fresh-pass-123",
                current_password=PASSWORD,
            )
            return await stream.ended()

    assert asyncio.run(scenario()) is True
    assert zl.live._listeners == []


def test_the_stream_needs_a_login(web, portal):
    response = web.get("/p/acme/live", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/p/acme/login")


def test_the_stream_of_an_unknown_portal_is_404(web, portal):
    assert web.get("/p/nowhere/live", follow_redirects=False).status_code == 404


@pytest.mark.parametrize(
    ("public", "requester", "ticket_filter", "expected"),
    [
        (True, "me", None, True),
        (False, "me", None, False),
        (True, "other", None, False),
        (True, "me", 2, False),
        (True, "me", 1, True),
    ],
)
def test_may_see_for_a_client(client, public, requester, ticket_filter, expected):
    change = Change(
        client.portal_id, 1, "message", public, client.id if requester == "me" else client.id + 1
    )
    assert may_see(client, change, ticket_filter) is expected
