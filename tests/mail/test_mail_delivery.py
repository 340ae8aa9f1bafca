"""Delivering the outbox: retries with backoff, giving up with a reason, secrets, .eml files."""

from __future__ import annotations

import email
import email.policy
import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from zedline import build
from zedline.accounts import services as accounts
from zedline.notifications.mail import FileMailSender, SmtpMailSender
from zedline.notifications.model import MAX_ATTEMPTS
from zedline.notifications.services import deliver_outbox
from zedline.persistence import tables as t

SMTP_PASSWORD = "smtp-Secret-0xBEEF"


@pytest.fixture
def queued(zl, portal):
    """One ordinary mail in the outbox; returns its key."""
    with zl.uow() as uow:
        key = zl.notifier.enqueue(
            uow,
            zl.clock,
            portal,
            to="someone@example.test",
            event="password_reset",
            context={
                "user": {"first_name": "Sam"},
                "reset_url": "http://x.test/r",
                "valid_hours": 2,
            },
        )
        uow.commit()
    return key


def load(zl, key):
    with zl.reader() as uow:
        return uow.outbox.get(*key)


def register(zl, address="rita@client.test"):
    accounts.register_client(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        slug="acme",
        first_name="Rita",
        last_name="Reg",
        email=address,
    )
    with zl.reader() as uow:
        [message] = uow.outbox.due(zl.clock.now(), 10)
    return message.portal_id, message.id


# -- temporary refusals ----------------------------------------------------------------


def test_temporary_refusal_retries_one_minute_later(zl, clock, queued, inbox):
    inbox.replies.append("451 4.3.0 Try later")
    report = zl.deliver_mail()
    message = load(zl, queued)
    assert (
        report.retrying,
        message.attempts,
        message.next_attempt_at,
        message.last_error,
        message.pending,
    ) == (1, 1, clock.now() + timedelta(minutes=1), "451 4.3.0 Try later", True)


def test_retry_waits_for_its_time(zl, clock, queued, inbox):
    inbox.replies.append("451 4.3.0 Try later")
    zl.deliver_mail()
    clock.advance(timedelta(seconds=59))
    assert (zl.deliver_mail().handled, inbox.received) == (0, [])


def test_retry_is_delivered_once_its_time_comes(zl, clock, queued, inbox):
    inbox.replies.append("451 4.3.0 Try later")
    zl.deliver_mail()
    clock.advance(timedelta(minutes=1))
    report = zl.deliver_mail()
    message = load(zl, queued)
    assert (
        report.delivered,
        len(inbox.received),
        message.delivered_at,
        message.attempts,
        message.last_error,
    ) == (1, 1, clock.now(), 2, "")


def test_retries_back_off_doubling(zl, clock, queued, inbox):
    delays = []
    for _ in range(3):
        inbox.replies.append("451 4.3.0 Try later")
        zl.deliver_mail()
        message = load(zl, queued)
        delays.append(message.next_attempt_at - clock.now())
        clock.set(message.next_attempt_at)
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]


def test_refused_connection_retries_later(zl, clock, queued, closed_port):
    sender = SmtpMailSender("127.0.0.1", closed_port, timeout=5)
    report = deliver_outbox(zl.uow, zl.clock, sender, default_sender=zl.settings.mail_from)
    message = load(zl, queued)
    assert (report.retrying, message.next_attempt_at, "127.0.0.1" in message.last_error) == (
        1,
        clock.now() + timedelta(minutes=1),
        True,
    )


def test_last_attempt_gives_up_with_the_reason(zl, clock, queued, inbox):
    with zl.uow() as uow:
        uow.outbox.get(*queued).attempts = MAX_ATTEMPTS - 1
        uow.commit()
    inbox.replies.append("451 4.3.0 Try later")
    report = zl.deliver_mail()
    message = load(zl, queued)
    assert (report.failed, message.failed_at, message.last_error) == (
        1,
        clock.now(),
        "451 4.3.0 Try later",
    )


# -- permanent refusals ------------------------------------------------------------------


def test_permanent_refusal_gives_up_at_once_with_the_reason(zl, clock, queued, inbox):
    inbox.replies.append("550 5.1.1 No such user")
    report = zl.deliver_mail()
    message = load(zl, queued)
    assert (report.failed, message.attempts, message.failed_at, message.last_error) == (
        1,
        1,
        clock.now(),
        "550 5.1.1 No such user",
    )


def test_given_up_message_is_never_sent_again(zl, clock, queued, inbox):
    inbox.replies.append("550 5.1.1 No such user")
    zl.deliver_mail()
    clock.advance(timedelta(days=2))
    assert (zl.deliver_mail().handled, inbox.received) == (0, [])


def test_broken_message_is_given_up_and_the_next_one_still_goes(zl, portal, queued, inbox):
    with zl.uow() as uow:
        uow.outbox.get(*queued).payload = {"html": "no text part"}
        uow.commit()
    accounts.register_client(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        slug="acme",
        first_name="Rita",
        last_name="Reg",
        email="rita@client.test",
    )
    report = zl.deliver_mail()
    assert ((report.delivered, report.failed), inbox.recipients(), load(zl, queued).last_error) == (
        (1, 1),
        {"rita@client.test"},
        "the outbox message holds no e-mail to send",
    )


def test_a_crashing_adapter_leaves_the_message_to_retry(zl, clock, queued):
    class Broken:
        def send(self, email, *, default_sender):
            raise RuntimeError("adapter bug")

    report = deliver_outbox(zl.uow, zl.clock, Broken(), default_sender="x@example.test")
    message = load(zl, queued)
    assert (report.retrying, message.last_error, message.next_attempt_at) == (
        1,
        "RuntimeError: adapter bug",
        clock.now() + timedelta(minutes=1),
    )


# -- secrets ---------------------------------------------------------------------------


def test_delivered_password_mail_is_wiped_from_the_outbox(zl, portal, inbox):
    key = register(zl)
    zl.deliver_mail()
    message = load(zl, key)
    assert (
        "Password:" in inbox.one("rita@client.test").text,
        message.payload,
        message.delivered_at is not None,
    ) == (True, {"wiped": True}, True)


def test_given_up_password_mail_is_wiped_too(zl, portal, inbox):
    key = register(zl)
    inbox.replies.append("550 5.1.1 No such user")
    zl.deliver_mail()
    assert load(zl, key).payload == {"wiped": True}


def test_reset_link_mail_is_wiped_once_delivered(zl, client, inbox):
    accounts.request_password_reset(
        zl.uow(), zl.clock, zl.notifier, slug="acme", email="carl@client.test"
    )
    zl.deliver_mail()
    with zl.reader() as uow:
        payloads = uow.session.scalars(
            select(t.outbox.c.payload).where(t.outbox.c.event == "password_reset")
        ).all()
    assert ("/password-reset/" in inbox.one("carl@client.test").text, payloads) == (
        True,
        [{"wiped": True}],
    )


def our_log(caplog):
    """What zedline logged (the test SMTP server logs whole messages; a real one is elsewhere)."""
    return "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.name.startswith("zedline")
    )


def test_generated_password_is_never_logged(zl, clock, portal, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    key = register(zl)
    inbox.replies.append("451 4.3.0 Try later")
    zl.deliver_mail()
    clock.advance(timedelta(minutes=1))
    zl.deliver_mail()
    password = inbox.one("rita@client.test").text.split("Password:")[1].split()[0]
    assert (load(zl, key).delivered_at is not None, password in our_log(caplog)) == (True, False)


def test_smtp_password_is_never_logged_nor_kept(zl, queued, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    # This server offers no AUTH, so the login fails: the failure is logged and stored.
    sender = SmtpMailSender(
        "127.0.0.1", inbox.port, username="mailer", password=SMTP_PASSWORD, timeout=5
    )
    deliver_outbox(zl.uow, zl.clock, sender, default_sender=zl.settings.mail_from)
    message = load(zl, queued)
    assert (
        message.pending,
        SMTP_PASSWORD in our_log(caplog),
        SMTP_PASSWORD in message.last_error,
        SMTP_PASSWORD in repr(sender),
    ) == (True, False, False, False)


# -- SMTP login ----------------------------------------------------------------------------


class _Accepting:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append((session.auth_data, envelope.content))
        return "250 OK"


def _check_login(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (b"mailer", SMTP_PASSWORD.encode())
    # handled=False: aiosmtpd answers a failure with its own "535" reply.
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@pytest.fixture
def auth_server():
    handler = _Accepting()
    # Plain-text AUTH on loopback only: a test server without a certificate.
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=0,
        authenticator=_check_login,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller._trigger_server = lambda: _learn_port(controller)
    controller.start()
    yield handler, controller.port
    controller.stop()


def _learn_port(controller):
    controller.port = controller.server.sockets[0].getsockname()[1]
    Controller._trigger_server(controller)


def test_smtp_login_with_the_configured_account(zl, queued, auth_server):
    handler, port = auth_server
    sender = SmtpMailSender("127.0.0.1", port, username="mailer", password=SMTP_PASSWORD, timeout=5)
    report = deliver_outbox(zl.uow, zl.clock, sender, default_sender=zl.settings.mail_from)
    assert (report.delivered, [login for login, _ in handler.received]) == (1, [b"mailer"])


def test_refused_smtp_login_retries_instead_of_losing_mail(zl, clock, queued, auth_server):
    _, port = auth_server
    sender = SmtpMailSender("127.0.0.1", port, username="mailer", password="wrong", timeout=5)
    report = deliver_outbox(zl.uow, zl.clock, sender, default_sender=zl.settings.mail_from)
    message = load(zl, queued)
    assert (report.retrying, message.pending, "535" in message.last_error) == (1, True, True)


# -- .eml files when no SMTP server is set ---------------------------------------------------


def test_without_smtp_host_mail_is_written_as_eml_files(
    settings, clock, portal, client, make_ticket
):
    core = build(settings, clock=clock, fast_hashing=True)
    try:
        make_ticket(client)
        report = core.deliver_mail()
    finally:
        core.close()
    files = sorted(settings.mail_dir.iterdir())
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    parts = {
        (
            str(m["To"]),
            m.get_body(("plain",)).get_content_type(),
            m.get_body(("html",)).get_content_type(),
        )
        for m in parsed
    }
    assert (
        isinstance(core.mailer, FileMailSender),
        report.delivered,
        [f.suffix for f in files],
        ("carl@client.test", "text/plain", "text/html") in parts,
    ) == (True, 2, [".eml", ".eml"], True)


def test_eml_file_keeps_the_threading_headers(tmp_path, zl, client, make_ticket):
    make_ticket(client)
    deliver_outbox(zl.uow, zl.clock, FileMailSender(tmp_path), default_sender="x@example.test")
    messages = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        for f in tmp_path.glob("*.eml")
    ]
    roots = {m["Message-ID"] for m in messages if m["References"] is None}
    assert {m["References"] for m in messages if m["References"]} == roots
