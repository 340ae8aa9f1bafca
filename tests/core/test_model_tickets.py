"""The rules of working a ticket, on plain dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factories import NOW, PORTAL_ID, StatusFactory, TicketFactory, UserFactory
from zedline.accounts.model import Role
from zedline.errors import InvalidInput, InvalidTransition, PermissionDenied
from zedline.tickets.model import Category, EventKind, Visibility

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def statuses():
    return {c: StatusFactory(category=c, is_default=c is Category.NEW) for c in Category}


@pytest.fixture
def client():
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def operator():
    return UserFactory(role=Role.OPERATOR)


@pytest.fixture
def colleague():
    return UserFactory(role=Role.OPERATOR)


@pytest.fixture
def ticket(statuses, client):
    return TicketFactory(status=statuses[Category.NEW], requester=client)


def resolve(ticket, statuses, operator):
    ticket.change_status(statuses[Category.RESOLVED], by=operator, at=NOW, event_id=1)


# -- visibility -----------------------------------------------------------------------------


def test_requester_and_staff_see_the_ticket(ticket, client, operator):
    assert (ticket.visible_to(client), ticket.visible_to(operator)) == (True, True)


def test_another_client_does_not_see_the_ticket(ticket):
    assert not ticket.visible_to(UserFactory(role=Role.CLIENT))


def test_staff_of_another_portal_do_not_see_the_ticket(ticket):
    assert not ticket.visible_to(UserFactory(role=Role.ADMIN, portal_id=PORTAL_ID + 1))


def test_deactivated_requester_does_not_see_the_ticket(ticket, client):
    client.deactivate()
    assert not ticket.visible_to(client)


# -- status ---------------------------------------------------------------------------------


def test_operator_changes_the_status(ticket, statuses, operator):
    event = ticket.change_status(statuses[Category.OPEN], by=operator, at=LATER, event_id=7)
    assert (ticket.category, event.kind, event.public) == (
        Category.OPEN, EventKind.STATUS_CHANGED, True,
    )  # fmt: skip


def test_client_may_not_change_the_status(ticket, statuses, client):
    with pytest.raises(PermissionDenied):
        ticket.change_status(statuses[Category.OPEN], by=client, at=LATER, event_id=7)


def test_changing_to_the_same_status_is_an_invalid_transition(ticket, statuses, operator):
    with pytest.raises(InvalidTransition):
        ticket.change_status(statuses[Category.NEW], by=operator, at=LATER, event_id=7)


def test_retired_status_is_refused(ticket, statuses, operator):
    statuses[Category.OPEN].active = False
    with pytest.raises(InvalidInput) as exc:
        ticket.change_status(statuses[Category.OPEN], by=operator, at=LATER, event_id=7)
    assert "status" in exc.value.errors


def test_status_of_another_portal_is_refused(ticket, operator):
    foreign = StatusFactory(portal_id=PORTAL_ID + 1, category=Category.OPEN)
    with pytest.raises(InvalidInput):
        ticket.change_status(foreign, by=operator, at=LATER, event_id=7)


def test_closing_sets_closed_at(ticket, statuses, operator):
    ticket.change_status(statuses[Category.CLOSED], by=operator, at=LATER, event_id=7)
    assert (ticket.closed_at, ticket.resolved_at) == (LATER, LATER)


def test_reopening_clears_closed_at(ticket, statuses, operator):
    ticket.change_status(statuses[Category.CLOSED], by=operator, at=NOW, event_id=7)
    ticket.reopen(statuses[Category.OPEN], by=operator, at=LATER, event_id=8)
    assert (ticket.category, ticket.closed_at, ticket.resolved_at) == (Category.OPEN, None, None)


def test_client_cannot_reopen_a_closed_ticket(ticket, statuses, operator, client):
    ticket.change_status(statuses[Category.CLOSED], by=operator, at=NOW, event_id=7)
    with pytest.raises(InvalidTransition):
        ticket.reopen(statuses[Category.OPEN], by=client, at=LATER, event_id=8)


def test_client_reopens_a_resolved_ticket(ticket, statuses, operator, client):
    resolve(ticket, statuses, operator)
    event = ticket.reopen(statuses[Category.OPEN], by=client, at=LATER, event_id=8)
    assert (ticket.category, event.kind) == (Category.OPEN, EventKind.REOPENED)


# -- assignment -----------------------------------------------------------------------------


def test_operator_takes_a_ticket(ticket, operator):
    event = ticket.take(by=operator, at=LATER, event_id=7)
    assert (ticket.assignee_id, event.public) == (operator.id, False)


def test_taking_twice_is_an_invalid_transition(ticket, operator):
    ticket.take(by=operator, at=LATER, event_id=7)
    with pytest.raises(InvalidTransition):
        ticket.take(by=operator, at=LATER, event_id=8)


def test_client_cannot_take_a_ticket(ticket, client):
    with pytest.raises(PermissionDenied):
        ticket.take(by=client, at=LATER, event_id=7)


def test_delegating_to_an_active_colleague_assigns_them(ticket, operator, colleague):
    ticket.delegate(colleague, by=operator, at=LATER, event_id=7)
    assert ticket.assignee_id == colleague.id


@pytest.mark.parametrize(
    "target",
    [
        lambda: UserFactory(role=Role.CLIENT),
        lambda: UserFactory(role=Role.OPERATOR, active=False),
        lambda: UserFactory(role=Role.OPERATOR, portal_id=PORTAL_ID + 1),
    ],
    ids=["client", "inactive-operator", "operator-of-another-portal"],
)
def test_delegating_to_someone_who_is_not_an_active_operator_here_is_refused(
    ticket, operator, target
):
    with pytest.raises(InvalidInput) as exc:
        ticket.delegate(target(), by=operator, at=LATER, event_id=7)
    assert "assignee" in exc.value.errors


def test_unassigning_an_unassigned_ticket_is_an_invalid_transition(ticket, operator):
    with pytest.raises(InvalidTransition):
        ticket.unassign(by=operator, at=LATER, event_id=7)


# -- deadline -------------------------------------------------------------------------------


def test_aware_deadline_is_set(ticket, operator):
    deadline = datetime(2026, 2, 1, 12, tzinfo=UTC)
    ticket.set_deadline(deadline, by=operator, at=LATER, event_id=7)
    assert ticket.deadline == deadline


def test_naive_deadline_is_refused(ticket, operator):
    with pytest.raises(InvalidInput) as exc:
        ticket.set_deadline(datetime(2026, 2, 1, 12), by=operator, at=LATER, event_id=7)  # noqa: DTZ001
    assert "deadline" in exc.value.errors


def test_new_deadline_clears_the_passed_deadline_notice(ticket, operator):
    ticket.deadline_notified_at = NOW
    ticket.set_deadline(LATER + timedelta(days=1), by=operator, at=LATER, event_id=7)
    assert ticket.deadline_notified_at is None


# -- messages -------------------------------------------------------------------------------


def test_first_public_staff_reply_sets_first_response_at(ticket, operator):
    ticket.post_message(author=operator, body="On it", visibility=Visibility.PUBLIC, at=LATER,
                        message_id=9)  # fmt: skip
    assert ticket.first_response_at == LATER


def test_later_staff_replies_keep_the_first_response_time(ticket, operator):
    for i, at in enumerate((LATER, LATER + timedelta(hours=1))):
        ticket.post_message(author=operator, body="More", visibility=Visibility.PUBLIC, at=at,
                            message_id=9 + i)  # fmt: skip
    assert ticket.first_response_at == LATER


def test_internal_note_is_not_a_first_response(ticket, operator):
    ticket.post_message(author=operator, body="Hmm", visibility=Visibility.INTERNAL, at=LATER,
                        message_id=9)  # fmt: skip
    assert ticket.first_response_at is None


def test_client_message_is_not_a_first_response(ticket, client):
    ticket.post_message(author=client, body="Any news?", visibility=Visibility.PUBLIC,
                        at=LATER, message_id=9)  # fmt: skip
    assert ticket.first_response_at is None


def test_internal_note_does_not_touch_what_the_client_sees(ticket, operator):
    ticket.post_message(author=operator, body="Hmm", visibility=Visibility.INTERNAL, at=LATER,
                        message_id=9)  # fmt: skip
    assert (ticket.updated_at, ticket.public_updated_at) == (LATER, NOW)


def test_client_cannot_write_internal(ticket, client):
    with pytest.raises(PermissionDenied):
        ticket.post_message(author=client, body="psst", visibility=Visibility.INTERNAL,
                            at=LATER, message_id=9)  # fmt: skip


def test_empty_message_is_refused(ticket, client):
    with pytest.raises(InvalidInput) as exc:
        ticket.post_message(author=client, body=" \r\n ", visibility=Visibility.PUBLIC,
                            at=LATER, message_id=9)  # fmt: skip
    assert exc.value.errors == {"body": "write a message first"}


def test_client_cannot_write_in_a_closed_ticket(ticket, statuses, operator, client):
    ticket.change_status(statuses[Category.CLOSED], by=operator, at=NOW, event_id=1)
    with pytest.raises(InvalidTransition):
        ticket.post_message(author=client, body="Again", visibility=Visibility.PUBLIC,
                            at=LATER, message_id=9)  # fmt: skip


def test_client_reply_to_a_resolved_ticket_reopens_it(ticket, statuses, operator, client):
    resolve(ticket, statuses, operator)
    _, event = ticket.post_message(
        author=client,
        body="Still broken",
        visibility=Visibility.PUBLIC,
        at=LATER,
        message_id=9,
        reopen_to=statuses[Category.OPEN],
        event_id=10,
    )
    assert (ticket.category, event.kind if event else None) == (
        Category.OPEN, EventKind.REOPENED,
    )  # fmt: skip


def test_someone_else_cannot_write_in_the_ticket(ticket):
    with pytest.raises(PermissionDenied):
        ticket.post_message(author=UserFactory(role=Role.CLIENT), body="Hi",
                            visibility=Visibility.PUBLIC, at=LATER, message_id=9)  # fmt: skip


# -- confirmation and rating ------------------------------------------------------------------


def test_requester_confirms_a_resolution_and_the_ticket_closes(ticket, statuses, operator,
                                                               client):  # fmt: skip
    resolve(ticket, statuses, operator)
    ticket.confirm_resolution(statuses[Category.CLOSED], by=client, at=LATER, event_id=8)
    assert (ticket.category, ticket.closed_at) == (Category.CLOSED, LATER)


def test_confirming_an_unresolved_ticket_is_an_invalid_transition(ticket, statuses, client):
    with pytest.raises(InvalidTransition):
        ticket.confirm_resolution(statuses[Category.CLOSED], by=client, at=LATER, event_id=8)


def test_only_the_requester_confirms(ticket, statuses, operator):
    resolve(ticket, statuses, operator)
    with pytest.raises(PermissionDenied):
        ticket.confirm_resolution(statuses[Category.CLOSED], by=operator, at=LATER, event_id=8)


@pytest.mark.parametrize("score", [1, 5])
def test_requester_rates_a_resolved_ticket(ticket, statuses, operator, client, score):
    resolve(ticket, statuses, operator)
    ticket.rate(score, " thanks ", by=client, at=LATER, event_id=8)
    assert (ticket.rating, ticket.rating_comment) == (score, "thanks")


@pytest.mark.parametrize("score", [0, 6, -1])
def test_rating_outside_one_to_five_is_refused(ticket, statuses, operator, client, score):
    resolve(ticket, statuses, operator)
    with pytest.raises(InvalidInput) as exc:
        ticket.rate(score, "", by=client, at=LATER, event_id=8)
    assert "rating" in exc.value.errors


def test_rating_before_resolution_is_an_invalid_transition(ticket, client):
    with pytest.raises(InvalidTransition):
        ticket.rate(5, "", by=client, at=LATER, event_id=8)


def test_only_the_requester_rates(ticket, statuses, operator):
    resolve(ticket, statuses, operator)
    with pytest.raises(PermissionDenied):
        ticket.rate(5, "", by=operator, at=LATER, event_id=8)


def test_moving_a_closed_ticket_back_to_resolved_clears_closed_at(ticket, statuses, operator):
    ticket.change_status(statuses[Category.CLOSED], by=operator, at=NOW, event_id=7)
    ticket.change_status(statuses[Category.RESOLVED], by=operator, at=LATER, event_id=8)
    assert (ticket.closed_at, ticket.resolved_at) == (None, LATER)
