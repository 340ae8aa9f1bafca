"""Use cases against the in-memory unit of work: the rules, fast."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import NOW
from fakes import FakeUnitOfWork
from zedline.accounts import services as accounts
from zedline.accounts.model import Role
from zedline.accounts.passwords import PasswordHasher
from zedline.clock import FixedClock
from zedline.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from zedline.forms.model import DESCRIPTION_KEY, SUBJECT_KEY
from zedline.notifications.services import Notifier
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility

PASSWORD = "correct-horse-42"


@pytest.fixture
def uow():
    return FakeUnitOfWork()


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def hasher():
    return PasswordHasher(fast=True)


# Stateless: one for the module.
notifier = Notifier(base_url="http://helpdesk.test", mail_from="help@helpdesk.test")


@pytest.fixture
def provisioned(uow, clock, hasher):
    return portals.provision_portal(
        uow, clock, hasher, slug="acme", name="Acme", admin_email="admin@acme.test",
        admin_password=PASSWORD,
    )  # fmt: skip


@pytest.fixture
def portal(provisioned):
    return provisioned.portal


@pytest.fixture
def make_user(uow, clock, hasher, portal):
    def make(role, email):
        user, _ = accounts.add_user(
            uow, clock, hasher, notifier, slug=portal.slug, email=email, role=role,
            first_name="Test", last_name=role.value.title(), password=PASSWORD,
        )  # fmt: skip
        return user

    return make


@pytest.fixture
def client(make_user):
    return make_user(Role.CLIENT, "carl@client.test")


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR, "olga@acme.test")


@pytest.fixture
def open_(uow, clock):
    def open_ticket(actor, subject="Printer jams", description="Every second page."):
        return tickets.open_ticket(
            uow, clock, notifier, actor, {SUBJECT_KEY: subject, DESCRIPTION_KEY: description}
        )

    return open_ticket


@pytest.fixture
def ticket(open_, client):
    return open_(client)


def set_category(uow, clock, operator, ticket, category):
    status = uow.statuses.first_in(ticket.portal_id, category)
    tickets.change_status(uow, clock, notifier, operator, ticket.number, status_id=status.id)


# -- provisioning --------------------------------------------------------------------------------


def test_provisioning_creates_the_five_default_statuses(uow, portal):
    assert [s.category for s in uow.statuses.list(portal.id)] == list(Category)


def test_provisioning_makes_new_the_default_status(uow, portal):
    assert uow.statuses.default(portal.id).category is Category.NEW


def test_provisioning_creates_the_subject_and_description_form(uow, portal):
    assert [f.key for f in uow.form_fields.list(portal.id)] == [SUBJECT_KEY, DESCRIPTION_KEY]


def test_provisioning_creates_the_admin(uow, provisioned):
    assert uow.users.find_by_email(provisioned.portal.id, "admin@acme.test").role is Role.ADMIN


def test_provisioning_without_a_password_generates_one_to_change(uow, clock, hasher):
    result = portals.provision_portal(
        uow, clock, hasher, slug="globex", name="Globex", admin_email="a@globex.test"
    )
    assert (result.generated_password is not None, result.admin.must_change_password) == (
        True, True,
    )  # fmt: skip


def test_provisioning_a_taken_slug_is_a_conflict(uow, clock, hasher, portal):
    with pytest.raises(Conflict):
        portals.provision_portal(uow, clock, hasher, slug="acme", name="Other",
                                 admin_email="x@acme.test")  # fmt: skip


def test_provisioning_reports_every_bad_field(uow, clock, hasher):
    with pytest.raises(InvalidInput) as exc:
        portals.provision_portal(uow, clock, hasher, slug="Bad Slug", name=" ",
                                 admin_email="nope", admin_password="short")  # fmt: skip
    assert set(exc.value.errors) == {"slug", "name", "admin_email", "admin_password"}


def test_bad_provisioning_commits_nothing(uow, clock, hasher):
    with pytest.raises(InvalidInput):
        portals.provision_portal(uow, clock, hasher, slug="api", name="X",
                                 admin_email="a@x.test")  # fmt: skip
    assert (uow.commits, uow.store.portals) == (0, {})


# -- opening tickets ------------------------------------------------------------------------------


def test_tickets_are_numbered_one_two_three(open_, client):
    assert [open_(client).number for _ in range(3)] == [1, 2, 3]


def test_opening_a_ticket_commits(uow, open_, client):
    before = uow.commits
    open_(client)
    assert uow.commits == before + 1


def test_description_becomes_the_first_message(uow, open_, client):
    ticket = open_(client, description="It jams.")
    assert [m.body for m in uow.messages.list_for(client, ticket)] == ["It jams."]


def test_opening_acknowledges_the_client_by_mail(uow, open_, client):
    open_(client)
    assert client.email in [m.recipient for m in uow.store.outbox.values()]


def test_opening_with_invalid_answers_names_the_field(open_, client):
    with pytest.raises(InvalidInput) as exc:
        open_(client, subject="")
    assert set(exc.value.errors) == {SUBJECT_KEY}


def test_opening_with_invalid_answers_commits_nothing_and_uses_no_number(
    uow, open_, client, portal
):
    before = uow.commits
    with pytest.raises(InvalidInput):
        open_(client, subject="")
    assert (uow.commits, portal.ticket_seq, uow.store.tickets) == (before, 0, {})


def test_client_cannot_open_a_ticket_for_someone_else(uow, clock, client, operator):
    with pytest.raises(PermissionDenied):
        tickets.open_ticket(uow, clock, notifier, client,
                            {SUBJECT_KEY: "s", DESCRIPTION_KEY: "d"},
                            requester_id=operator.id)  # fmt: skip


def test_operator_opens_a_ticket_for_a_client(uow, clock, client, operator):
    ticket = tickets.open_ticket(uow, clock, notifier, operator,
                                 {SUBJECT_KEY: "s", DESCRIPTION_KEY: "d"},
                                 requester_id=client.id)  # fmt: skip
    assert ticket.requester_id == client.id


def test_disabled_portal_refuses_new_tickets(uow, open_, client):
    portals.set_portal_active(uow, "acme", active=False)
    with pytest.raises(PermissionDenied):
        open_(client)


# -- the conversation ---------------------------------------------------------------------------


def test_client_cannot_post_internal(uow, clock, open_, client):
    ticket = open_(client)
    before = uow.commits
    with pytest.raises(PermissionDenied):
        tickets.post_message(uow, clock, notifier, client, ticket.number, body="psst",
                             visibility=Visibility.INTERNAL)  # fmt: skip
    assert uow.commits == before


def test_client_never_lists_internal_messages(uow, clock, open_, client, operator):
    ticket = open_(client, description="Help")
    for body, vis in (("note", Visibility.INTERNAL), ("Hello", Visibility.PUBLIC)):
        tickets.post_message(uow, clock, notifier, operator, ticket.number, body=body,
                             visibility=vis)  # fmt: skip
    assert [m.body for m in uow.messages.list_for(client, ticket)] == ["Help", "Hello"]


def test_internal_note_is_never_mailed_to_the_client(uow, clock, open_, client, operator):
    ticket = open_(client)
    tickets.post_message(uow, clock, notifier, operator, ticket.number,
                         body="secret plan", visibility=Visibility.INTERNAL)  # fmt: skip
    to_client = [m for m in uow.store.outbox.values() if m.recipient == client.email]
    assert not any("secret plan" in uow.outbox.email(m).text for m in to_client)


def test_client_reply_to_resolved_reopens(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.RESOLVED)
    tickets.post_message(uow, clock, notifier, client, ticket.number, body="Still broken",
                         visibility=Visibility.PUBLIC)  # fmt: skip
    assert uow.tickets.get_for(client, ticket.number).category is Category.OPEN


def test_client_reply_to_closed_is_refused(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.CLOSED)
    with pytest.raises(InvalidTransition):
        tickets.post_message(uow, clock, notifier, client, ticket.number, body="Again",
                             visibility=Visibility.PUBLIC)  # fmt: skip


def test_another_client_cannot_post_in_the_ticket(uow, clock, open_, client,
                                                  make_user):  # fmt: skip
    ticket = open_(client)
    stranger = make_user(Role.CLIENT, "dora@client.test")
    with pytest.raises(NotFound):
        tickets.post_message(uow, clock, notifier, stranger, ticket.number, body="Hi",
                             visibility=Visibility.PUBLIC)  # fmt: skip


# -- resolution and rating ------------------------------------------------------------------------


def test_confirm_closes(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.RESOLVED)
    tickets.confirm_resolution(uow, clock, notifier, client, ticket.number)
    assert uow.tickets.get_for(client, ticket.number).category is Category.CLOSED


def test_confirming_an_open_ticket_is_refused(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.OPEN)
    with pytest.raises(InvalidTransition):
        tickets.confirm_resolution(uow, clock, notifier, client, ticket.number)


def test_rating_a_resolved_ticket_is_saved(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.RESOLVED)
    tickets.rate_ticket(uow, clock, client, ticket.number, score=5, comment="Quick!")
    assert uow.tickets.get_for(client, ticket.number).rating == 5


def test_rating_only_when_resolved(uow, clock, open_, client, operator):
    ticket = open_(client)
    set_category(uow, clock, operator, ticket, Category.OPEN)
    before = uow.commits
    with pytest.raises(InvalidTransition):
        tickets.rate_ticket(uow, clock, client, ticket.number, score=5)
    assert (uow.commits, ticket.rating) == (before, None)


# -- assignment -----------------------------------------------------------------------------------


def test_delegating_to_a_colleague_assigns_them(uow, clock, ticket, operator, provisioned):
    tickets.delegate_ticket(uow, clock, notifier, operator, ticket.number,
                            to_user_id=provisioned.admin.id)  # fmt: skip
    assert ticket.assignee_id == provisioned.admin.id


def test_delegate_to_a_client_is_refused_and_not_committed(uow, clock, open_, client,
                                                           operator):  # fmt: skip
    ticket = open_(client)
    before = uow.commits
    with pytest.raises(InvalidInput) as exc:
        tickets.delegate_ticket(uow, clock, notifier, operator, ticket.number,
                                to_user_id=client.id)  # fmt: skip
    assert (set(exc.value.errors), uow.commits, ticket.assignee_id) == (
        {"assignee"}, before, None,
    )  # fmt: skip


def test_delegate_to_an_unknown_user_is_refused(uow, clock, open_, client, operator):
    ticket = open_(client)
    with pytest.raises(InvalidInput):
        tickets.delegate_ticket(uow, clock, notifier, operator, ticket.number,
                                to_user_id=424242)  # fmt: skip


def test_take_twice_is_refused_without_commit(uow, clock, open_, client, operator):
    ticket = open_(client)
    tickets.take_ticket(uow, clock, operator, ticket.number)
    before = uow.commits
    with pytest.raises(InvalidTransition):
        tickets.take_ticket(uow, clock, operator, ticket.number)
    assert uow.commits == before


def test_stale_version_is_a_conflict(uow, clock, open_, client, operator):
    ticket = open_(client)
    with pytest.raises(Conflict):
        tickets.take_ticket(uow, clock, operator, ticket.number,
                            expected_version=ticket.version + 1)  # fmt: skip


def test_client_cannot_change_the_status(uow, clock, open_, client):
    ticket = open_(client)
    closed = uow.statuses.first_in(ticket.portal_id, Category.CLOSED)
    with pytest.raises(PermissionDenied):
        tickets.change_status(uow, clock, notifier, client, ticket.number, status_id=closed.id)


def test_unknown_status_is_refused(uow, clock, open_, client, operator):
    ticket = open_(client)
    with pytest.raises(InvalidInput):
        tickets.change_status(uow, clock, notifier, operator, ticket.number, status_id=1)


# -- accounts -------------------------------------------------------------------------------------


def test_registration_mails_a_generated_password(uow, clock, hasher, portal):
    accounts.register_client(uow, clock, hasher, notifier, slug="acme", first_name="Eve",
                             last_name="New", email="Eve@Example.test")  # fmt: skip
    assert [m.event for m in uow.outbox.to("eve@example.test")] == ["credentials"]


def test_registering_the_same_email_in_another_case_is_a_conflict(uow, clock, hasher,
                                                                  client):  # fmt: skip
    with pytest.raises(Conflict):
        accounts.register_client(uow, clock, hasher, notifier, slug="acme", first_name="C",
                                 last_name="C", email="CARL@client.test")  # fmt: skip


def test_client_cannot_invite(uow, clock, hasher, client):
    with pytest.raises(PermissionDenied):
        accounts.invite_client(uow, clock, hasher, notifier, client, first_name="A",
                               last_name="B", email="ab@example.test")  # fmt: skip


def test_wrong_password_and_unknown_email_get_the_same_answer(uow, clock, hasher, client):
    messages = []
    for email, password in (("carl@client.test", "wrong-pass-1"), ("nobody@x.test", PASSWORD)):
        with pytest.raises(InvalidInput) as exc:
            accounts.authenticate(uow, clock, hasher, slug="acme", email=email,
                                  password=password)  # fmt: skip
        messages.append(exc.value.errors)
    assert messages[0] == messages[1]


# -- reminders ------------------------------------------------------------------------------------


@pytest.fixture
def reminded(uow, clock, open_, client, operator):
    """A ticket with a reminder for the operator that is due now."""
    ticket = open_(client)
    tickets.set_reminder(uow, clock, operator, ticket.number, due_at=NOW + timedelta(hours=1),
                         note="Call back")  # fmt: skip
    clock.advance(timedelta(hours=1))
    return ticket


def test_due_reminder_is_mailed_to_its_operator(uow, clock, reminded, operator):
    tickets.fire_due_reminders(uow, clock, notifier)
    assert [m.subject for m in uow.outbox.to(operator.email)][-1] == (
        f"[#{reminded.number}] Reminder: {reminded.subject}"
    )


def test_reminder_fires_once(uow, clock, reminded):
    assert [tickets.fire_due_reminders(uow, clock, notifier) for _ in range(2)] == [1, 0]


def test_reminder_of_someone_who_lost_access_does_not_block_the_others(
    uow, clock, reminded, operator, make_user
):
    colleague = make_user(Role.OPERATOR, "colleague@acme.test")
    tickets.set_reminder(uow, clock, colleague, reminded.number,
                         due_at=clock.now() + timedelta(minutes=1))  # fmt: skip
    clock.advance(timedelta(minutes=1))
    operator.role = Role.CLIENT  # demoted: the ticket is no longer theirs to see
    assert tickets.fire_due_reminders(uow, clock, notifier) == 2


def test_reminder_in_the_past_is_refused(uow, clock, open_, client, operator):
    ticket = open_(client)
    with pytest.raises(InvalidInput) as exc:
        tickets.set_reminder(uow, clock, operator, ticket.number, due_at=NOW)
    assert "due_at" in exc.value.errors
