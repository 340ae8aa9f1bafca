"""The outbox: messages written in the same transaction as the change they tell of."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

MAX_ATTEMPTS = 8
# Backoff after each failed attempt: 1 min, 2, 4, 8, ... capped at 6 hours.
_BASE_DELAY = timedelta(minutes=1)
_MAX_DELAY = timedelta(hours=6)


class Channel(enum.StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Email:
    """A rendered e-mail, ready for a mail adapter."""

    to: str
    subject: str
    text: str
    html: str | None = None
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


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
    # Sensitive bodies (passwords, reset links) are wiped once delivered.
    sensitive: bool = False
    attempts: int = 0
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str = ""

    @property
    def pending(self) -> bool:
        return self.delivered_at is None and self.failed_at is None

    def mark_delivered(self, at: datetime) -> None:
        self.attempts += 1
        self.delivered_at = at
        self.last_error = ""
        if self.sensitive:
            self.payload = {"wiped": True}

    def mark_failed(self, reason: str, at: datetime, *, permanent: bool = False) -> None:
        """Record a failed attempt; retry later with backoff, or give up visibly."""
        self.attempts += 1
        self.last_error = reason[:1000]
        if permanent or self.attempts >= MAX_ATTEMPTS:
            self.failed_at = at
            return
        delay = min(_BASE_DELAY * (2 ** (self.attempts - 1)), _MAX_DELAY)
        self.next_attempt_at = at + delay

    def email(self) -> Email:
        p = self.payload
        return Email(
            to=self.recipient,
            subject=self.subject,
            text=p["text"],
            html=p.get("html"),
            sender=p.get("sender"),
            headers=dict(p.get("headers", {})),
        )
