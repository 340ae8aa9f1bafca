"""The outbox: messages written in the same transaction as the change they tell of."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import escape

# Twelve attempts with the backoff below span about a day: a mail server that is down
# overnight does not lose anyone's mail.
MAX_ATTEMPTS = 12
# Backoff after each failed attempt: 1 min, 2, 4, 8, ... capped at 6 hours.
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
WIPED: dict[str, Any] = {"wiped": True}


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Email:
    """A rendered e-mail, ready for a mail adapter.

    `sender` is a complete From value (`"Acme Support" <support@example.com>`); when it is
    empty the adapter uses the platform's default sender.
    """

    to: str
    subject: str
    text: str
    html: str | None = None
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1 min, 2, 4, ... at most 6 h)."""
    exponent = max(attempts - 1, 0)
    # Capped before multiplying, so a huge attempt count cannot overflow timedelta.
    if exponent >= 16:  # noqa: PLR2004 - 2**16 minutes is far above the cap
        return MAX_DELAY
    return min(BASE_DELAY * (1 << exponent), MAX_DELAY)


# Stands for the recipient's first name in a shared body (see `SharedBody`); no name can
# contain it.
NAME_SLOT = "\x00first-name\x00"


@dataclass(frozen=True)
class SharedBody:
    """The text and HTML of a notice that goes to many people, stored once.

    A new request mails every operator of the portal the same notice but for the greeting's
    name: fifty copies of a few kilobytes each, written while the database's write lock is
    held, cost more than the request itself. Each recipient's message names this body
    (`payload["body"]`) and its own first name, which takes the place of `NAME_SLOT`.
    The parts are the text split at the slot, so what is stored holds no slot character.
    """

    portal_id: int
    id: int
    text: tuple[str, ...]
    html: tuple[str, ...]
    created_at: datetime

    @classmethod
    def of(
        cls, portal_id: int, body_id: int, text: str, html: str, created_at: datetime
    ) -> SharedBody:
        return cls(
            portal_id, body_id, tuple(text.split(NAME_SLOT)), tuple(html.split(NAME_SLOT)),
            created_at,
        )  # fmt: skip

    def text_for(self, first_name: str) -> str:
        return first_name.join(self.text)

    def html_for(self, first_name: str) -> str:
        return str(escape(first_name)).join(self.html)


def new_message(
    *,
    portal_id: int,
    message_id: int,
    channel: Channel,
    recipient: str,
    subject: str,
    payload: dict[str, Any],
    at: datetime,
    event: str,
    sensitive: bool,
) -> dict[str, Any]:
    """The columns of a new `OutboxMessage`, due at once, as a plain mapping.

    A new request writes a message for every operator of the portal while the database's
    write lock is held; a mapped object per message costs its ORM bookkeeping for nothing,
    since nothing reads it back in that transaction."""
    return {
        "portal_id": portal_id, "id": message_id, "channel": channel, "recipient": recipient,
        "subject": subject, "payload": payload, "event": event, "sensitive": sensitive,
        "created_at": at, "next_attempt_at": at, "attempts": 0, "delivered_at": None,
        "failed_at": None, "last_error": "",
    }  # fmt: skip


@dataclass(eq=False)
class OutboxMessage:
    portal_id: int
    id: int
    channel: Channel
    recipient: str
    subject: str
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    # What the message is about (e.g. "ticket_created"), for statistics and debugging.
    event: str = ""
    # Sensitive bodies (passwords, reset links) are wiped once delivered or given up.
    sensitive: bool = False
    attempts: int = 0
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""

    @property
    def pending(self) -> bool:
        return self.delivered_at is None and self.failed_at is None

    @property
    def wiped(self) -> bool:
        return bool(self.payload.get("wiped"))

    def mark_delivered(self, at: datetime) -> None:
        self.attempts += 1
        self.delivered_at = at
        self.last_error = ""
        self._wipe_if_sensitive()

    def mark_failed(self, reason: str, at: datetime, *, permanent: bool = False) -> None:
        """Record a failed attempt; retry later with backoff, or give up visibly."""
        self.attempts += 1
        self.last_error = reason[:1000]
        if permanent or self.attempts >= MAX_ATTEMPTS:
            self.failed_at = at
            # Nobody will send it again, so a password in it has no reason to stay.
            self._wipe_if_sensitive()
            return
        self.next_attempt_at = at + retry_delay(self.attempts)

    def _wipe_if_sensitive(self) -> None:
        if self.sensitive:
            self.payload = dict(WIPED)

    @property
    def body_id(self) -> int | None:
        """The shared body this message is written with (None: its own text)."""
        body = self.payload.get("body")
        return body if isinstance(body, int) and not isinstance(body, bool) else None

    def email(self, shared: SharedBody | None = None) -> Email:
        """The e-mail to send; `shared` is the body the payload names, if it names one.

        Raises:
            ValueError: the payload is not a complete e-mail (wiped, written by hand, or
                naming a body that is not given).
        """
        p = self.payload
        text, html = p.get("text"), p.get("html")
        if self.body_id is not None:
            if shared is None or shared.id != self.body_id:
                raise ValueError("the outbox message's shared body is missing")
            name = str(p.get("name") or "")
            text, html = shared.text_for(name), shared.html_for(name)
        if self.channel is not Channel.EMAIL or not isinstance(text, str):
            raise ValueError("the outbox message holds no e-mail to send")
        headers = p.get("headers") or {}
        return Email(
            to=self.recipient,
            subject=self.subject,
            text=text,
            html=html or None,
            sender=p.get("sender") or None,
            headers={str(k): str(v) for k, v in dict(headers).items()},
        )
