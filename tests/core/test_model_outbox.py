"""The outbox message: retry with backoff, give up visibly, wipe secrets once delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import NOW
from zedline.notifications.model import (
    MAX_ATTEMPTS,
    NAME_SLOT,
    Channel,
    OutboxMessage,
    SharedBody,
)


@pytest.fixture
def message():
    return OutboxMessage(
        portal_id=1, id=1, channel=Channel.EMAIL, recipient="carl@client.test",
        subject="Your password", payload={"text": "password: s3cret-Pass"}, created_at=NOW,
        next_attempt_at=NOW, event="credentials", sensitive=True,
    )  # fmt: skip


def fail(message, times):
    delays = []
    for _ in range(times):
        message.mark_failed("connection refused", NOW)
        delays.append(message.next_attempt_at - NOW)
    return delays


def test_failed_attempts_back_off_doubling_from_one_minute(message):
    assert fail(message, 4) == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


def test_failed_message_stays_pending_until_the_last_attempt(message):
    fail(message, MAX_ATTEMPTS - 1)
    assert (message.pending, message.failed_at) == (True, None)


def test_message_gives_up_after_max_attempts(message):
    fail(message, MAX_ATTEMPTS)
    assert (message.pending, message.failed_at, message.last_error) == (
        False, NOW, "connection refused",
    )  # fmt: skip


def test_backoff_is_capped_at_six_hours(message, monkeypatch):
    monkeypatch.setattr("zedline.notifications.model.MAX_ATTEMPTS", 100)
    assert fail(message, 15)[-1] == timedelta(hours=6)


def test_permanent_failure_gives_up_at_once(message):
    message.mark_failed("mailbox does not exist", NOW, permanent=True)
    assert (message.attempts, message.failed_at) == (1, NOW)


def test_long_error_is_cut(message):
    message.mark_failed("x" * 5000, NOW)
    assert len(message.last_error) == 1000


def test_delivery_wipes_a_sensitive_payload(message):
    message.mark_delivered(NOW)
    assert (message.delivered_at, message.payload) == (NOW, {"wiped": True})


def test_delivery_keeps_an_ordinary_payload(message):
    message.sensitive = False
    message.mark_delivered(NOW)
    assert message.payload == {"text": "password: s3cret-Pass"}


def test_email_is_built_from_the_payload(message):
    assert message.email().text == "password: s3cret-Pass"


def test_a_shared_body_takes_each_recipients_name():
    body = SharedBody.of(
        1, 7, f"Hello {NAME_SLOT},\nbye {NAME_SLOT}", f"<p>Hello {NAME_SLOT},</p>", NOW
    )
    message = OutboxMessage(
        portal_id=1, id=8, channel=Channel.EMAIL, recipient="ann@acme.test", subject="New",
        payload={"body": 7, "name": "Ann & <Bo>"}, created_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip

    email = message.email(body)

    assert (email.text, email.html) == (
        "Hello Ann & <Bo>,\nbye Ann & <Bo>",
        "<p>Hello Ann &amp; &lt;Bo&gt;,</p>",
    )
    assert all(NAME_SLOT not in part for part in body.text + body.html)


def test_a_message_naming_a_body_cannot_be_sent_without_it():
    message = OutboxMessage(
        portal_id=1, id=8, channel=Channel.EMAIL, recipient="ann@acme.test", subject="New",
        payload={"body": 7, "name": "Ann"}, created_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip
    other = SharedBody.of(1, 9, "Hello", "<p>Hello</p>", NOW)

    for given in (None, other):
        with pytest.raises(ValueError, match="shared body"):
            message.email(given)
