"""Statistics are aggregated by the database, per portal day, and operators see only their own."""

from datetime import timedelta

import pytest

from zedline.errors import InvalidInput, PermissionDenied
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility
from zedline.tickets.statistics import Period, portal_statistics, to_csv


@pytest.fixture
def worked(zl, portal, client, operator, make_ticket, clock):
    """Three tickets today: one answered after 10 min and closed with 5 stars, two untouched."""
    first = make_ticket(client, subject="First")
    make_ticket(client, subject="Second")
    make_ticket(client, subject="Third")
    tickets.take_ticket(zl.uow(), zl.clock, operator, first.number)
    clock.advance(timedelta(minutes=10))
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        first.number,
        body="Fixed",
        visibility=Visibility.PUBLIC,
    )
    with zl.reader() as uow:
        closed = uow.statuses.first_in(portal.id, Category.CLOSED)
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, first.number, status_id=closed.id
    )
    tickets.rate_ticket(zl.uow(), zl.clock, client, first.number, score=5)
    return first


def _today(clock):
    day = clock.now().date().isoformat()
    return Period.parse(day, day)


def test_created_and_closed_per_day(zl, admin, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, admin, _today(clock), "UTC")
    assert (stats.created_total, stats.closed_total) == (3, 1)


def test_median_first_response_is_ten_minutes(zl, admin, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, admin, _today(clock), "UTC")
    assert stats.median_first_response_seconds == pytest.approx(600, abs=1)


def test_open_tickets_by_status(zl, admin, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, admin, _today(clock), "UTC")
    assert [(cat, n) for cat, _, n in stats.open_by_status] == [("new", 2)]


def test_ratings_and_operator_figures(zl, admin, operator, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, admin, _today(clock), "UTC")
    olga = next(o for o in stats.operators if o.user_id == operator.id)
    assert (stats.ratings, olga.taken, olga.closed, olga.average_rating) == ({5: 1}, 1, 1, 5.0)


def test_operator_sees_only_own_figures(zl, operator, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, operator, _today(clock), "UTC")
    assert [o.user_id for o in stats.operators] == [operator.id]


def test_client_gets_no_statistics(zl, client, worked, clock):
    with zl.reader() as uow, pytest.raises(PermissionDenied):
        portal_statistics(uow, client, _today(clock), "UTC")


def test_period_backwards_is_refused():
    with pytest.raises(InvalidInput):
        Period.parse("2026-02-01", "2026-01-01")


def test_csv_has_a_row_per_day(zl, admin, worked, clock):
    with zl.reader() as uow:
        stats = portal_statistics(uow, admin, _today(clock), "Europe/Berlin")
    assert to_csv(stats).splitlines()[0:1] == ["day,created,closed"]
