"""Every event of the helpdesk sends its e-mail, to the right people, through real SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zedline.accounts import services as accounts
from zedline.accounts.model import Role
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility
from zedline.worker import Worker

TICKET_URL = "http://testserver.local/p/acme/tickets/1"


@pytest.fixture
def statuses(zl, portal):
    with zl.reader() as uow:
        return {s.category: s for s in uow.statuses.list(portal.id)}


@pytest.fixture
def colleague(make_user):
    return make_user(Role.OPERATOR, email="pete@acme.test", first_name="Pete", last_name="Partner")


@pytest.fixture
def ticket(zl, client, operator, admin, make_ticket, inbox):
    """Ticket #1 of the client, its creation mails delivered and forgotten."""
    made = make_ticket(client)
    zl.deliver_mail()
    inbox.clear()
    return made


def send(zl):
    report = zl.deliver_mail()
    assert report.retrying == report.failed == 0
    return report.delivered


def reply(zl, author, body, visibility=Visibility.PUBLIC, number=1):
    tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, author, number, body=body, visibility=visibility
    )


# -- accounts -------------------------------------------------------------------------


def test_registration_mails_login_and_password_to_the_client(zl, portal, inbox):
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
    send(zl)
    mail = inbox.one("rita@client.test")
    with zl.reader() as uow:
        user = uow.users.find_by_email(portal.id, "rita@client.test")
    password = mail.text.split("Password:")[1].split()[0]
    assert (
        mail.subject,
        "rita@client.test" in mail.text,
        password in mail.html,
        zl.hasher.verify(password, user.password_hash),
    ) == ("Welcome to Acme Support", True, True, True)


def test_invitation_names_the_inviter_and_carries_the_login_link(zl, operator, inbox):
    accounts.invite_client(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        operator,
        first_name="Ivan",
        last_name="Invited",
        email="ivan@client.test",
    )
    send(zl)
    mail = inbox.one("ivan@client.test")
    assert (
        mail.subject,
        "Olga Operator invited you" in mail.text,
        "http://testserver.local/p/acme/login" in mail.html,
    ) == ("You are invited to Acme Support", True, True)


def test_password_reset_mails_a_working_link(zl, client, inbox):
    accounts.request_password_reset(
        zl.uow(), zl.clock, zl.notifier, slug="acme", email="carl@client.test"
    )
    send(zl)
    mail = inbox.one("carl@client.test")
    token = mail.text.split("/password-reset/")[1].split()[0]
    user = accounts.reset_password(
        zl.uow(), zl.clock, zl.hasher, slug="acme", token=token, new_password="a-brand-new-one-7"
    )
    assert (mail.subject, user.id, f"/password-reset/{token}" in mail.html) == (
        "Reset your password for Acme Support",
        client.id,
        True,
    )


# -- the common form of a ticket mail -----------------------------------------------------


def test_ticket_mail_comes_from_the_portal_by_name(zl, client, make_ticket, inbox):
    make_ticket(client)
    send(zl)
    sender = inbox.one("carl@client.test").message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Acme Support", "helpdesk@zedline.test")


def test_ticket_mail_has_both_parts_with_the_link_and_the_portal_name(
    zl, client, make_ticket, inbox
):
    make_ticket(client)
    send(zl)
    mail = inbox.one("carl@client.test")
    assert [(TICKET_URL in part, "Acme Support" in part) for part in (mail.text, mail.html)] == [
        (True, True),
        (True, True),
    ]


def test_ticket_mail_escapes_user_text_in_html(zl, client, make_ticket, inbox):
    make_ticket(client, subject="<b>bold</b>", description="<script>alert(1)</script>\nline 2")
    send(zl)
    mail = inbox.one("carl@client.test")
    assert (
        "<script>" in mail.html,
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>line 2" in mail.html,
        "<script>alert(1)</script>" in mail.text,
    ) == (False, True, True)


def test_all_mails_of_a_ticket_share_one_thread_root(
    zl, client, operator, colleague, make_ticket, statuses, inbox
):
    make_ticket(client)
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    reply(zl, operator, "We are on it.")
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=statuses[Category.WAITING].id
    )
    reply(zl, client, "Here is more detail.")
    tickets.delegate_ticket(zl.uow(), zl.clock, zl.notifier, operator, 1, to_user_id=colleague.id)
    send(zl)
    [ack] = [m for m in inbox.received if "We received your request" in m.subject]
    root = ack.message["Message-ID"]
    others = [m for m in inbox.received if m is not ack]
    assert (
        len(others) >= 5,
        {(m.message["In-Reply-To"], m.message["References"]) for m in others},
        len({m.message["Message-ID"] for m in inbox.received}) == len(inbox.received),
    ) == (True, {(root, root)}, True)


def test_mails_of_two_tickets_have_different_roots(zl, client, make_ticket, inbox):
    make_ticket(client)
    make_ticket(client, subject="Second")
    send(zl)
    roots = {m.message["Message-ID"] for m in inbox.to("carl@client.test")}
    assert len(roots) == 2


def test_subject_starts_with_the_ticket_number(zl, client, make_ticket, inbox):
    make_ticket(client)
    send(zl)
    assert {m.subject.split()[0] for m in inbox.received} == {"[#1]"}


# -- ticket events ------------------------------------------------------------------------


def test_new_ticket_acknowledges_to_the_client(zl, client, operator, admin, make_ticket, inbox):
    make_ticket(client)
    send(zl)
    mail = inbox.one("carl@client.test")
    assert (mail.subject, "It jams on every second page." in mail.text) == (
        "[#1] We received your request: The printer jams",
        True,
    )


def test_new_ticket_notifies_every_operator_but_not_the_client_twice(
    zl, client, operator, admin, make_ticket, inbox
):
    make_ticket(client)
    send(zl)
    staff = {m.to: m.subject for m in inbox.received if m.to != "carl@client.test"}
    assert staff == {
        "admin@acme.test": "[#1] New request from Carl Client: The printer jams",
        "olga@acme.test": "[#1] New request from Carl Client: The printer jams",
    }


def test_ticket_opened_by_an_operator_for_a_client_does_not_notify_that_operator(
    zl, client, operator, admin, inbox
):
    tickets.open_ticket(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        {"subject": "Phoned in", "description": "By phone."},
        requester_id=client.id,
    )
    send(zl)
    assert inbox.recipients() == {"carl@client.test", "admin@acme.test"}


def test_staff_reply_goes_to_the_client_only(zl, operator, ticket, inbox):
    reply(zl, operator, "Please restart the printer.")
    send(zl)
    mail = inbox.one("carl@client.test")
    assert (
        inbox.recipients(),
        mail.subject,
        "Please restart the printer." in mail.text,
        "Please restart the printer." in mail.html,
    ) == ({"carl@client.test"}, "[#1] New reply: The printer jams", True, True)


def test_client_reply_goes_to_the_assignee_only(zl, client, operator, ticket, inbox):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    reply(zl, client, "Still jamming.")
    send(zl)
    mail = inbox.one("olga@acme.test")
    assert (inbox.recipients(), mail.subject, "Still jamming." in mail.text) == (
        {"olga@acme.test"},
        "[#1] Carl Client replied: The printer jams",
        True,
    )


def test_client_reply_to_an_unassigned_ticket_goes_to_all_staff(zl, client, ticket, inbox):
    reply(zl, client, "Anyone there?")
    send(zl)
    assert inbox.recipients() == {"olga@acme.test", "admin@acme.test"}


def test_client_reply_reopening_a_resolved_ticket_says_so(
    zl, client, operator, ticket, statuses, inbox
):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=statuses[Category.RESOLVED].id
    )
    send(zl)
    inbox.clear()
    reply(zl, client, "Not fixed after all.")
    send(zl)
    assert "which reopened it" in inbox.one("olga@acme.test").text


def test_status_change_tells_the_client_in_client_words(zl, operator, ticket, statuses, inbox):
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=statuses[Category.WAITING].id
    )
    send(zl)
    mail = inbox.one("carl@client.test")
    assert (
        inbox.recipients(),
        mail.subject,
        "Waiting for your reply" in mail.html,
        "Waiting for client" in mail.everything,
    ) == ({"carl@client.test"}, "[#1] Waiting for your reply: The printer jams", True, False)


def test_client_confirming_a_resolution_tells_the_assignee(
    zl, client, operator, ticket, statuses, inbox
):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=statuses[Category.RESOLVED].id
    )
    send(zl)
    inbox.clear()
    tickets.confirm_resolution(zl.uow(), zl.clock, zl.notifier, client, 1)
    send(zl)
    assert inbox.one("olga@acme.test").subject == "[#1] Closed: The printer jams"


def test_delegation_tells_the_new_assignee_only(zl, operator, colleague, ticket, inbox):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    tickets.delegate_ticket(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        1,
        to_user_id=colleague.id,
        note="Pete knows this model.",
    )
    send(zl)
    mail = inbox.one("pete@acme.test")
    assert (inbox.recipients(), mail.subject, "Pete knows this model." in mail.text) == (
        {"pete@acme.test"},
        "[#1] Olga Operator passed you a request: The printer jams",
        True,
    )


def test_taking_a_ticket_oneself_sends_nothing(zl, operator, ticket, inbox):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    assert (send(zl), inbox.received) == (0, [])


def test_internal_note_tells_the_assignee(zl, operator, colleague, ticket, inbox):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    reply(zl, colleague, "Check the toner first.", Visibility.INTERNAL)
    send(zl)
    mail = inbox.one("olga@acme.test")
    assert (
        inbox.recipients(),
        "Check the toner first." in mail.text,
        "not visible to the client" in mail.html,
    ) == ({"olga@acme.test"}, True, True)


def test_reminder_mails_the_operator_who_set_it(zl, clock, operator, ticket, inbox):
    tickets.set_reminder(
        zl.uow(),
        zl.clock,
        operator,
        1,
        due_at=clock.now() + timedelta(hours=1),
        note="Call Carl back",
    )
    clock.advance(timedelta(hours=1))
    Worker(zl).run_once()
    mail = inbox.one("olga@acme.test")
    assert (inbox.recipients(), mail.subject, "Call Carl back" in mail.text) == (
        {"olga@acme.test"},
        "[#1] Reminder: The printer jams",
        True,
    )


def test_passed_deadline_tells_the_assignee(zl, clock, operator, ticket, inbox):
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=2))
    clock.advance(timedelta(hours=3))
    Worker(zl).run_once()
    mail = inbox.one("olga@acme.test")
    assert (inbox.recipients(), mail.subject) == (
        {"olga@acme.test"},
        "[#1] Deadline passed: The printer jams",
    )


def test_passed_deadline_of_an_unassigned_ticket_tells_the_admins(
    zl, clock, operator, ticket, inbox
):
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=2))
    clock.advance(timedelta(hours=3))
    Worker(zl).run_once()
    assert inbox.recipients() == {"admin@acme.test"}
