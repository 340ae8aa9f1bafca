"""Live updates: a Server-Sent Events stream that says "ticket N changed" to whoever may see it.

An event carries only the ticket number and the kind of change; the page then reloads itself
through the normal, access-checked pages, so nothing private travels over this stream. A client
hears only about public changes of their own tickets; staff hear about every change of the
portal. Listeners of the live bus run on the writer's thread, so a change is handed to this
connection's event loop and queued there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar import get
from litestar.params import FromQuery
from litestar.response import ServerSentEvent, ServerSentEventMessage

from zedline import Zedline
from zedline.accounts.model import User
from zedline.accounts.services import load_actor
from zedline.live import Change
from zedline_web.context import ActorDep, PortalDep, ZlDep

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
RETRY_MILLISECONDS = 5000
# A connection that stops reading loses events beyond this; its next refresh catches up.
QUEUE_SIZE = 256


def may_see(actor: User, change: Change, ticket: int | None = None) -> bool:
    if change.portal_id != actor.portal_id:
        return False
    if ticket is not None and change.ticket_number != ticket:
        return False
    if actor.is_staff:
        return True
    return change.public and change.requester_id == actor.id


def _still_logged_in(zl: Zedline, actor: User) -> bool:
    with zl.reader() as uow:
        return load_actor(uow, actor.portal_id, actor.id, actor.auth_version) is not None


async def changes_for(
    zl: Zedline, actor: User, ticket: int | None = None
) -> AsyncGenerator[ServerSentEventMessage, None]:
    """The stream of one connection; ends when the client leaves or its session ends."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=QUEUE_SIZE)

    def offer(change: Change) -> None:
        if not queue.full():
            queue.put_nowait(change)

    def listener(change: Change) -> None:
        if may_see(actor, change, ticket) and not loop.is_closed():
            loop.call_soon_threadsafe(offer, change)

    unsubscribe = zl.live.subscribe(listener)
    try:
        yield ServerSentEventMessage(data=None, comment="connected", retry=RETRY_MILLISECONDS)
        while True:
            try:
                change = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                if not await asyncio.to_thread(_still_logged_in, zl, actor):
                    return
                yield ServerSentEventMessage(data=None, comment="heartbeat")
                continue
            payload = {"number": change.ticket_number, "kind": change.kind}
            yield ServerSentEventMessage(event="change", data=json.dumps(payload))
    finally:
        unsubscribe()


@get("/p/{slug:str}/live", name="live")
async def live(
    portal: PortalDep,  # noqa: ARG001 - resolves the portal (404 when unknown or disabled)
    actor: ActorDep,
    zl: ZlDep,
    ticket: FromQuery[int | None] = None,
) -> ServerSentEvent:
    return ServerSentEvent(changes_for(zl, actor, ticket))


ROUTES: list[Any] = [live]
