"""The outbox: messages written in the same transaction as the change they tell of."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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

    def email(self) -> Email:
        """The e-mail to send.

        Raises:
            ValueError: the payload is not a complete e-mail (wiped, or written by hand).
        """
        p = self.payload
        text = p.get("text")
        if self.channel is not Channel.EMAIL or not isinstance(text, str):
            raise ValueError("the outbox message holds no e-mail to send")
        headers = p.get("headers") or {}
        return Email(
            to=self.recipient,
            subject=self.subject,
            text=text,
            html=p.get("html") or None,
            sender=p.get("sender") or None,
            headers={str(k): str(v) for k, v in dict(headers).items()},
        )
