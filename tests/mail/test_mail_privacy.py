"""Internal text never reaches a client's mailbox, whatever happens in a ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zedline.accounts.model import Role
from zedline.notifications import events
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility
from zedline.worker import Worker

SECRETS = (
    "SECRET-INTERNAL-NOTE-7f3a",
    "SECRET-DELEGATION-NOTE-91bc",
    "SECRET-REMINDER-NOTE-4d2e",
    "SECRET-REPLY-AFTER-CLIENT-55aa",
)


@pytest.fixture
def colleague(make_user):
    return make_user(Role.OPERATOR, email="pete@acme.test", first_name="Pete", last_name="Partner")


@pytest.fixture
def scenario(zl, clock, client, operator, colleague, admin, make_ticket, inbox):
    """A ticket's whole life, every mail delivered through SMTP."""
    with zl.reader() as uow:
        statuses = {s.category: s for s in uow.statuses.list(client.portal_id)}
    worker = Worker(zl)
    make_ticket(client, subject="VPN is down", description="Since this morning.")
    tickets.take_ticket(zl.uow(), zl.clock, operator, 1)
    tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, admin, 1, body=SECRETS[0], visibility=Visibility.INTERNAL
    )
    tickets.delegate_ticket(
        zl.uow(), zl.clock, zl.notifier, operator, 1, to_user_id=colleague.id, note=SECRETS[1]
    )
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        colleague,
        1,
        body="Please restart the router.",
        visibility=Visibility.PUBLIC,
    )
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, colleague, 1, status_id=statuses[Category.WAITING].id
    )
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        client,
        1,
        body="Restarted, still down.",
        visibility=Visibility.PUBLIC,
    )
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        1,
        body=SECRETS[3],
        visibility=Visibility.INTERNAL,
    )
    tickets.set_reminder(
        zl.uow(),
        zl.clock,
        colleague,
        1,
        due_at=clock.now() + timedelta(minutes=30),
        note=SECRETS[2],
    )
    tickets.set_deadline(
        zl.uow(), zl.clock, colleague, 1, deadline=clock.now() + timedelta(hours=1)
    )
    clock.advance(timedelta(hours=2))
    counts = worker.run_once()
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, colleague, 1, status_id=statuses[Category.RESOLVED].id
    )
    worker.run_once()
    assert (counts["reminders"], counts["deadlines"], counts["errors"]) == (1, 1, 0)
    return inbox


def test_the_client_gets_the_public_mails_of_the_scenario(scenario):
    assert [m.subject for m in scenario.to("carl@client.test")] == [
        "[#1] We received your request: VPN is down",
        "[#1] New reply: VPN is down",
        "[#1] Waiting for your reply: VPN is down",
        "[#1] Resolved — please confirm: VPN is down",
    ]


def test_no_internal_text_reaches_the_client(scenario):
    leaks = [
        (m.subject, secret)
        for m in scenario.to("carl@client.test")
        for secret in SECRETS
        if secret in m.everything
    ]
    assert leaks == []


def test_the_internal_texts_did_reach_staff(scenario):
    """The same scenario does carry every secret, to staff: the leak test above is real."""
    staff_mail = "\n".join(m.everything for m in scenario.received if m.to != "carl@client.test")
    assert [secret in staff_mail for secret in SECRETS] == [True] * len(SECRETS)


def test_internal_mail_is_never_written_for_a_client_even_if_asked(
    zl, client, operator, make_ticket
):
    ticket = make_ticket(client)
    with zl.uow() as uow:
        portal = uow.portals.get(client.portal_id)
        before = uow.outbox.pending_count()
        events.assigned(
            uow,
            zl.clock,
            zl.notifier,
            portal,
            ticket,
            assignee=client,
            by=operator,
            note="internal hint",
        )
        events.reminder_due(
            uow, zl.clock, zl.notifier, portal, ticket, user=client, note="internal hint"
        )
        assert uow.outbox.pending_count() == before


def test_staff_notice_is_never_written_for_a_client_even_if_asked(
    zl, client, operator, make_ticket
):
    ticket = make_ticket(client)
    ticket.assignee_id = client.id  # a corrupt row must not open a path to the client
    with zl.uow() as uow:
        portal = uow.portals.get(client.portal_id)
        before = uow.outbox.pending_count()
        events.deadline_passed(uow, zl.clock, zl.notifier, portal, ticket)
        written = uow.outbox.pending_count() - before
        recipients = {
            m.recipient for m in uow.outbox.due(zl.clock.now(), 100) if m.event == "deadline_passed"
        }
    assert ("carl@client.test" in recipients, written) == (False, 1)


def written_for(zl, ticket, people, **kwargs):
    """Who gets a mail when `_send`, the one place that filters recipients, is asked."""
    with zl.uow() as uow:
        portal = uow.portals.get(ticket.portal_id)
        about = events._About(uow, zl.clock, zl.notifier, portal, ticket)
        events._send(about, people, event="test", subject="s", headline="h", body="b", **kwargs)
        return sorted(m.recipient for m in uow.outbox.due(zl.clock.now(), 100) if m.event == "test")


@pytest.fixture
def everyone(client, other_client, operator, admin):
    return [client, other_client, operator, admin]


def test_public_ticket_mail_goes_to_staff_and_the_requester_only(zl, client, everyone, make_ticket):
    ticket = make_ticket(client)
    assert written_for(zl, ticket, everyone) == [
        "admin@acme.test",
        "carl@client.test",
        "olga@acme.test",
    ]


def test_internal_ticket_mail_goes_to_staff_only(zl, client, everyone, make_ticket):
    ticket = make_ticket(client)
    assert written_for(zl, ticket, everyone, body_is_internal=True) == [
        "admin@acme.test",
        "olga@acme.test",
    ]


def test_ticket_mail_skips_the_person_who_acted(zl, client, operator, everyone, make_ticket):
    ticket = make_ticket(client)
    assert "olga@acme.test" not in written_for(zl, ticket, everyone, exclude=operator)


def test_ticket_mail_skips_deactivated_people(zl, client, operator, make_ticket):
    ticket = make_ticket(client)
    operator.active = False
    assert written_for(zl, ticket, [operator]) == []
