"""Composing notifications into the outbox, and delivering the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from zedline.clock import Clock
from zedline.notifications.mail import MailError, MailSender
from zedline.notifications.model import Channel, OutboxMessage
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Notifier:
    """Renders an event's e-mail and writes it to the outbox in the caller's transaction."""

    def __init__(self, *, base_url: str, mail_from: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.mail_from = mail_from
        self._text = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=False,  # noqa: S701 - text/plain
            undefined=StrictUndefined, keep_trailing_newline=True,
        )
        self._html = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
        )

    def portal_url(self, portal: Portal, path: str = "") -> str:
        return f"{self.base_url}/p/{portal.slug}/{path.lstrip('/')}"

    def render(self, event: str, context: Mapping[str, Any]) -> Rendered:
        subject = self._text.get_template(f"{event}.subject.txt").render(context)
        text = self._text.get_template(f"{event}.txt").render(context)
        html = self._html.get_template(f"{event}.html").render(context)
        return Rendered(" ".join(subject.split()), text, html)

    def enqueue(  # noqa: PLR0913
        self,
        uow: UnitOfWork,
        clock: Clock,
        portal: Portal,
        *,
        to: str,
        event: str,
        context: Mapping[str, Any],
        sensitive: bool = False,
        thread: str | None = None,
    ) -> OutboxMessage:
        ctx = {"portal": portal, "portal_url": self.portal_url(portal), **context}
        rendered = self.render(event, ctx)
        headers: dict[str, str] = {}
        if thread:
            # Every mail about one ticket threads under the same root in the reader's client.
            headers["References"] = thread
            headers["In-Reply-To"] = thread
        now = clock.now()
        message = OutboxMessage(
            portal_id=portal.id,
            id=uow.next_id(),
            channel=Channel.EMAIL,
            recipient=to,
            subject=rendered.subject,
            payload={
                "text": rendered.text,
                "html": rendered.html,
                "sender": f"{portal.name} <{_address(self.mail_from)}>",
                "headers": headers,
            },
            created_at=now,
            next_attempt_at=now,
            event=event,
            sensitive=sensitive,
        )
        uow.outbox.add(message)
        return message


def _address(mail_from: str) -> str:
    if "<" in mail_from and mail_from.endswith(">"):
        return mail_from.rsplit("<", 1)[1].rstrip(">")
    return mail_from


def thread_id(portal: Portal, number: int) -> str:
    return f"<ticket-{number}.{portal.slug}@zedline>"


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retrying: int
    failed: int

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.failed


LEASE = timedelta(minutes=5)


def deliver_outbox(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    sender: MailSender,
    *,
    default_sender: str,
    limit: int = 50,
) -> DeliveryReport:
    """Send what is due, one message at a time, at least once.

    A message is claimed by pushing its next attempt a lease into the future and committing;
    it is sent outside any transaction (an SMTP server may be slow, and SQLite must not hold
    its write lock meanwhile); the result is recorded in a second transaction. A process that
    dies between the two leaves the message to be sent again when the lease runs out.
    """
    delivered = retrying = failed = 0
    for _ in range(limit):
        with uow_factory() as uow:
            due = uow.outbox.due(clock.now(), 1)
            if not due:
                break
            claimed = due[0]
            claimed.next_attempt_at = clock.now() + LEASE
            key = (claimed.portal_id, claimed.id)
            channel = claimed.channel
            email = claimed.email() if channel is Channel.EMAIL else None
            uow.commit()
        error: MailError | None = None
        if email is None:
            error = MailError(f"unknown channel {channel}", permanent=True)
        else:
            try:
                sender.send(email, default_sender=default_sender)
            except MailError as exc:
                error = exc
        with uow_factory() as uow:
            message = uow.outbox.get(*key)
            if error is None:
                message.mark_delivered(clock.now())
                delivered += 1
            else:
                message.mark_failed(str(error), clock.now(), permanent=error.permanent)
                log.warning(
                    "message %s of portal %s not delivered (attempt %s): %s",
                    message.id, message.portal_id, message.attempts, error,
                )
                if message.failed_at is not None:
                    failed += 1
                else:
                    retrying += 1
            uow.commit()
    return DeliveryReport(delivered, retrying, failed)
