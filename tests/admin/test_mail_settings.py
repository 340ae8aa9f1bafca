"""A portal's own mail server: stored encrypted, tested on demand, used for its mail."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from tests.mail.conftest import Inbox, LoopbackController

from zedline import Settings, build
from zedline.accounts.model import Role
from zedline.config import SmtpSettings
from zedline.errors import InvalidInput, PermissionDenied
from zedline.persistence import tables as t
from zedline.portals import mail_settings as ms
from zedline.portals.mail_settings import MailSettingsInput
from zedline.secrets import SecretBox, SecretError

SMTP_PASSWORD = "s3cret-smtp-Pa55"


def start_inbox() -> tuple[Inbox, LoopbackController]:
    handler = Inbox()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    handler.port = controller.port
    return handler, controller


@pytest.fixture
def platform_inbox() -> Iterator[Inbox]:
    handler, controller = start_inbox()
    yield handler
    controller.stop()


@pytest.fixture
def portal_inbox() -> Iterator[Inbox]:
    handler, controller = start_inbox()
    yield handler
    controller.stop()


@pytest.fixture
def closed_port() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def zl(settings: Settings, clock, platform_inbox):
    smtp = SmtpSettings(host="127.0.0.1", port=platform_inbox.port, timeout=5)
    core = build(settings.model_copy(update={"smtp": smtp}), clock=clock, fast_hashing=True)
    yield core
    core.close()


def own(port: int, **changes: object) -> MailSettingsInput:
    values: dict[str, object] = {
        "sender_name": "Acme Helpdesk",
        "sender_address": "help@acme.test",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(port),
        "smtp_username": "",
        "password": "",
        "security": "none",
    }
    values.update(changes)
    return MailSettingsInput(**values)  # type: ignore[arg-type]


def save(zl, actor, data):
    return ms.save_mail_settings(zl.uow(), zl.clock, zl.secrets, actor, data)


def stored(zl, portal_id):
    with zl.reader() as uow:
        return uow.mail_settings.get(portal_id)


# -- encryption ---------------------------------------------------------------------------


def test_secret_box_round_trip():
    box = SecretBox("platform-secret")
    assert box.decrypt(box.encrypt(SMTP_PASSWORD)) == SMTP_PASSWORD


def test_another_platform_secret_cannot_decrypt():
    token = SecretBox("platform-secret").encrypt(SMTP_PASSWORD)
    with pytest.raises(SecretError):
        SecretBox("another-secret").decrypt(token)


def test_the_database_holds_a_ciphertext_not_the_password(zl, portal, admin):
    save(zl, admin, own(2525, password=SMTP_PASSWORD))
    with zl.engine.connect() as conn:
        value = conn.scalar(select(t.portal_mail_settings.c.smtp_password_encrypted))
    assert SMTP_PASSWORD not in value
    assert zl.secrets.decrypt(value) == SMTP_PASSWORD


def test_repr_of_the_settings_hides_the_password(zl, portal, admin):
    save(zl, admin, own(2525, password=SMTP_PASSWORD))
    settings = stored(zl, portal.id)
    text = repr(settings) + repr(settings.mailer(zl.secrets))
    assert SMTP_PASSWORD not in text
    assert settings.smtp_password_encrypted not in text


def test_the_view_of_the_settings_carries_no_password(zl, portal, admin):
    view = save(zl, admin, own(2525, password=SMTP_PASSWORD))
    assert (view.has_password, SMTP_PASSWORD in repr(view)) == (True, False)


def test_an_empty_password_keeps_the_saved_one(zl, portal, admin):
    save(zl, admin, own(2525, password=SMTP_PASSWORD))
    save(zl, admin, own(2526))
    assert zl.secrets.decrypt(stored(zl, portal.id).smtp_password_encrypted) == SMTP_PASSWORD


def test_remove_password_forgets_it(zl, portal, admin):
    save(zl, admin, own(2525, password=SMTP_PASSWORD))
    save(zl, admin, own(2525, remove_password=True))
    assert stored(zl, portal.id).has_password is False


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"smtp_port": ""}, "smtp_port"),
        ({"smtp_port": "70000"}, "smtp_port"),
        ({"smtp_port": "0"}, "smtp_port"),
        ({"smtp_port": "abc"}, "smtp_port"),
        ({"smtp_host": "smtp.example.com:587"}, "smtp_host"),
        ({"smtp_host": ""}, "smtp_host"),
        ({"sender_address": "not-an-address"}, "sender_address"),
        ({"sender_address": "a@b.test\nBcc: x@y.test"}, "sender_address"),
        ({"security": "tls9"}, "security"),
    ],
)
def test_bad_input_is_refused_at_its_field(zl, portal, admin, changes, field):
    with pytest.raises(InvalidInput) as caught:
        save(zl, admin, own(2525, **changes))
    assert field in caught.value.errors


def test_bad_input_saves_nothing(zl, portal, admin):
    with pytest.raises(InvalidInput):
        save(zl, admin, own(2525, smtp_port="99999", password=SMTP_PASSWORD))
    assert stored(zl, portal.id) is None


def test_an_operator_cannot_change_the_mail_settings(zl, portal, operator):
    with pytest.raises(PermissionDenied):
        save(zl, operator, own(2525))


# -- the test e-mail ----------------------------------------------------------------------


def send_test(zl, actor, to=""):
    return ms.send_test_email(
        zl.reader(), zl.secrets, actor, platform_mailer=zl.mailer,
        platform_sender=zl.settings.mail_from, to=to,
    )  # fmt: skip


def test_test_email_through_the_portals_server_is_accepted(zl, portal, admin, portal_inbox):
    save(zl, admin, own(portal_inbox.port))
    result = send_test(zl, admin)
    assert (result.ok, result.answer) == (True, f"accepted by 127.0.0.1:{portal_inbox.port}")


def test_test_email_arrives_from_the_portals_sender(zl, portal, admin, portal_inbox):
    save(zl, admin, own(portal_inbox.port))
    send_test(zl, admin)
    assert portal_inbox.wait_for(1)
    assert str(portal_inbox.one(admin.email).message["From"]) == "Acme Helpdesk <help@acme.test>"


def test_test_email_goes_to_a_typed_address(zl, portal, admin, portal_inbox):
    save(zl, admin, own(portal_inbox.port))
    send_test(zl, admin, to="someone@else.test")
    assert portal_inbox.wait_for(1)
    assert portal_inbox.recipients() == {"someone@else.test"}


def test_test_email_to_a_closed_port_reports_the_error(zl, portal, admin, closed_port):
    save(zl, admin, own(closed_port))
    result = send_test(zl, admin)
    assert result.ok is False
    assert f"cannot connect to 127.0.0.1:{closed_port}" in result.answer


def test_test_email_reports_the_servers_refusal(zl, portal, admin, portal_inbox):
    save(zl, admin, own(portal_inbox.port))
    portal_inbox.replies.append("554 5.7.1 Relaying denied")
    result = send_test(zl, admin)
    assert (result.ok, "554 5.7.1 Relaying denied" in result.answer) == (False, True)


def test_test_email_without_own_settings_goes_through_the_platform(
    zl, portal, admin, platform_inbox
):
    result = send_test(zl, admin)
    assert result.answer == f"accepted by 127.0.0.1:{platform_inbox.port}"
    assert platform_inbox.wait_for(1)


def test_test_email_to_a_bad_address_is_refused(zl, portal, admin):
    with pytest.raises(InvalidInput) as caught:
        send_test(zl, admin, to="nobody")
    assert "to" in caught.value.errors


# -- delivery -----------------------------------------------------------------------------


def test_portal_mail_goes_through_the_portals_server(
    zl, portal, admin, make_user, make_ticket, platform_inbox, portal_inbox
):
    save(zl, admin, own(portal_inbox.port))
    make_ticket(make_user(Role.CLIENT, email="new@client.test"))
    zl.deliver_mail()
    mail = portal_inbox.one("new@client.test")
    assert (str(mail.message["From"]), platform_inbox.to("new@client.test")) == (
        "Acme Helpdesk <help@acme.test>",
        [],
    )


def test_other_portals_mail_goes_through_the_platforms_server(
    zl, portal, other_portal, admin, make_user, make_ticket, platform_inbox, portal_inbox
):
    save(zl, admin, own(portal_inbox.port))
    make_ticket(make_user(Role.CLIENT, slug="globex", email="g@client.test"))
    zl.deliver_mail()
    mail = platform_inbox.one("g@client.test")
    assert (str(mail.message["From"]), portal_inbox.to("g@client.test")) == (
        "Globex Help <helpdesk@zedline.test>",
        [],
    )


def test_back_to_the_platform_after_forgetting_own_settings(
    zl, portal, admin, make_user, make_ticket, platform_inbox, portal_inbox
):
    save(zl, admin, own(portal_inbox.port))
    assert ms.use_platform_mail(zl.uow(), admin) is True
    make_ticket(make_user(Role.CLIENT, email="new@client.test"))
    zl.deliver_mail()
    assert (len(platform_inbox.to("new@client.test")), portal_inbox.received) == (1, [])


def test_an_undecryptable_password_keeps_the_mail_queued(
    zl, portal, admin, make_user, make_ticket, portal_inbox
):
    save(zl, admin, own(portal_inbox.port, password=SMTP_PASSWORD))
    with zl.engine.begin() as conn:
        conn.execute(
            t.portal_mail_settings.update().values(
                smtp_password_encrypted=SecretBox("another").encrypt("x")
            )
        )
    make_ticket(make_user(Role.CLIENT, email="new@client.test"))
    report = zl.deliver_mail()
    assert (report.delivered, report.failed, report.retrying > 0, portal_inbox.received) == (
        0,
        0,
        True,
        [],
    )
