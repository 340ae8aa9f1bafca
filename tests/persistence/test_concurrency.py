"""Concurrent writers: unique ticket numbers in order, and edits that never overwrite each other."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select, text

from zedline.accounts.model import Role
from zedline.errors import ConcurrentChange, Conflict, InvalidInput
from zedline.persistence import numbers as numbers_module
from zedline.persistence import tables as t
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import FileLimits, Upload

THREADS = 4
PER_THREAD = 10


def numbers(zl, portal):
    with zl.engine.connect() as conn:
        return conn.scalars(
            select(t.tickets.c.number)
            .where(t.tickets.c.portal_id == portal.id)
            .order_by(t.tickets.c.number)
        ).all()


def make_number(zl, portal):
    with zl.uow() as uow:
        number = uow.portals.next_ticket_number(portal.id)
        uow.commit()
    return number


def at_once(work, arguments):
    """Run `work(*args)` for each args in its own thread, all starting together; the
    exceptions they raised."""
    start = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def run(*args):
        start.wait()
        try:
            work(*args)
        except BaseException as exc:  # noqa: BLE001 - reported by the tests
            errors.append(exc)

    threads = [threading.Thread(target=run, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def race(zl, clients):
    """Each client opens PER_THREAD tickets in its own thread, all at once."""

    def work(client):
        for i in range(PER_THREAD):
            answers = {"subject": f"Ticket {i}", "description": "Racing"}
            tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client, answers)

    return at_once(work, [(c,) for c in clients])


@pytest.fixture
def raced(zl, portal, make_user):
    clients = [make_user(Role.CLIENT) for _ in range(THREADS)]
    return race(zl, clients)


def test_racing_writers_all_succeed(raced):
    assert raced == []


def test_racing_writers_get_numbers_one_to_n_without_gaps_or_duplicates(zl, portal, raced):
    assert numbers(zl, portal) == list(range(1, THREADS * PER_THREAD + 1))


def test_portal_counter_ends_at_the_last_number(zl, portal, raced):
    with zl.reader() as uow:
        assert uow.portals.get(portal.id).ticket_seq == THREADS * PER_THREAD


# -- a rolled-back ticket: its number back (SQLite) or unused (PostgreSQL) -----------------------


def test_ticket_refused_for_its_answers_uses_no_number(zl, portal, client, make_ticket):
    with pytest.raises(InvalidInput):
        make_ticket(client, subject="")
    assert make_ticket(client).number == 1


def test_ticket_rolled_back_after_taking_its_number(zl, portal, client, make_ticket):
    # The file is refused after the number was taken and the rows were flushed.
    big = Upload("big.bin", "application/octet-stream", io.BytesIO(b"x" * 100))
    with pytest.raises(InvalidInput):
        tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client,
                            {"subject": "s", "description": "d"}, files=zl.files,
                            uploads=[big], limits=FileLimits(max_bytes=10))  # fmt: skip
    # SQLite gives the number back; PostgreSQL took it outside the ticket's transaction.
    assert make_ticket(client).number == (2 if zl.numbers.separate else 1)
    assert make_ticket(client).number == (3 if zl.numbers.separate else 2)


def test_taking_a_number_leaves_the_portal_row_free(zl, portal):
    """PostgreSQL: the counter is advanced in a transaction of its own, so the ticket's
    transaction holds no lock on the portal's row (others' new tickets do not wait)."""
    if not zl.numbers.separate:
        pytest.skip("SQLite: one writer at a time, the counter is in the ticket's transaction")
    with zl.uow() as uow:
        assert uow.portals.next_ticket_number(portal.id) == 1
        with zl.engine.connect() as other:
            other.execute(
                text("SELECT id FROM portals WHERE id = :p FOR NO KEY UPDATE NOWAIT"),
                {"p": portal.id},
            )  # raises "could not obtain lock" if the ticket's transaction held the row
            other.rollback()
        assert uow.portals.next_ticket_number(portal.id) == 2
        uow.commit()


def test_a_counter_locked_too_long_is_a_conflict_not_a_hang(zl, portal, monkeypatch):
    """PostgreSQL: a transaction checking its files against the disk quota holds the
    portal's row until it ends; a new ticket waits for it at most `LOCK_TIMEOUT`."""
    if not zl.numbers.separate:
        pytest.skip("SQLite: the counter is in the ticket's transaction")
    monkeypatch.setattr(numbers_module, "LOCK_TIMEOUT", "lock_timeout=100ms")
    counter = numbers_module.TicketNumbers(zl.engine)
    try:
        with zl.engine.connect() as holder, zl.uow() as uow:
            holder.execute(
                text("SELECT id FROM portals WHERE id = :p FOR NO KEY UPDATE"), {"p": portal.id}
            )
            with pytest.raises(Conflict, match="busy"):
                counter.take(uow.session, portal.id)
            holder.rollback()
    finally:
        counter.close()
    assert make_number(zl, portal) == 1  # nothing was taken


def test_a_transaction_that_wrote_takes_its_number_itself(zl, portal):
    """A transaction that has written may hold the portal's row (or have created the
    portal): its number comes from its own transaction, without waiting for itself."""
    with zl.uow() as uow:
        uow.portals.add_used_bytes(portal.id, 0)  # locks the portal's row until commit
        assert uow.portals.next_ticket_number(portal.id) == 1
        uow.commit()
    with zl.reader() as uow:
        assert uow.portals.get(portal.id).ticket_seq == 1


def test_rolled_back_ticket_leaves_no_row(zl, portal, client):
    big = Upload("big.bin", "application/octet-stream", io.BytesIO(b"x" * 100))
    with pytest.raises(InvalidInput):
        tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client,
                            {"subject": "s", "description": "d"}, files=zl.files,
                            uploads=[big], limits=FileLimits(max_bytes=10))  # fmt: skip
    assert numbers(zl, portal) == []


# -- optimistic locking ---------------------------------------------------------------------------


@pytest.fixture
def concurrent_edits(zl, make_ticket, client, operator, make_user):
    """Two units of work load the same ticket and both change it; returns the second's error."""
    if zl.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: a second writer cannot load before the first "
                    "commits, so the two can never hold the same version")  # fmt: skip
    ticket = make_ticket(client)
    colleague = make_user(Role.OPERATOR)
    first, second = zl.uow(), zl.uow()
    with first, second:
        mine = first.tickets.get_for(operator, ticket.number)
        theirs = second.tickets.get_for(colleague, ticket.number)
        mine.take(by=operator, at=zl.clock.now(), event_id=first.next_id())
        theirs.take(by=colleague, at=zl.clock.now(), event_id=second.next_id())
        first.commit()
        with pytest.raises(Conflict) as exc:
            second.commit()
    return ticket, operator, exc.value


def test_second_of_two_concurrent_edits_is_a_conflict(concurrent_edits):
    assert "someone else changed" in concurrent_edits[2].message


def test_first_of_two_concurrent_edits_survives(zl, concurrent_edits):
    ticket, operator, _ = concurrent_edits
    with zl.reader() as uow:
        assert uow.tickets.get_for(operator, ticket.number).assignee_id == operator.id


def rename_after_a_concurrent_take(zl, operator, number):
    first, second = zl.uow(), zl.uow()
    with first, second:
        mine = first.tickets.get_for(operator, number)
        theirs = second.tickets.get_for(operator, number)
        mine.take(by=operator, at=zl.clock.now(), event_id=first.next_id())
        theirs.subject = "Renamed"
        first.commit()
        second.flush()  # a use case flushing before its commit, as post_message does


def test_concurrent_edit_found_at_a_flush_is_a_conflict_too(zl, make_ticket, client, operator):
    if zl.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers")
    ticket = make_ticket(client)
    with pytest.raises(Conflict):
        rename_after_a_concurrent_take(zl, operator, ticket.number)


@pytest.fixture
def stale_page(zl, make_ticket, client, operator):
    """A ticket changed after an operator's page showed it: (ticket, version the page saw)."""
    ticket = make_ticket(client)
    seen = ticket.version
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    return ticket, seen


def test_edit_from_the_current_version_is_saved(zl, stale_page, operator):
    ticket, _ = stale_page
    with zl.reader() as uow:
        current = uow.tickets.get_for(operator, ticket.number).version
    saved = tickets.unassign_ticket(zl.uow(), zl.clock, operator, ticket.number,
                                    expected_version=current)  # fmt: skip
    assert saved.assignee_id is None


def test_edit_from_a_stale_page_is_a_conflict(zl, stale_page, operator):
    ticket, seen = stale_page
    with pytest.raises(Conflict):
        tickets.unassign_ticket(zl.uow(), zl.clock, operator, ticket.number,
                                expected_version=seen)  # fmt: skip


def test_every_change_bumps_the_version(zl, stale_page, operator):
    ticket, seen = stale_page
    with zl.reader() as uow:
        assert uow.tickets.get_for(operator, ticket.number).version == seen + 1


# -- the disk quota under concurrent uploads -----------------------------------------------------

UPLOAD = b"0123456789"


@pytest.fixture
def uploaded(zl, portal, make_ticket, make_user):
    """THREADS operators each attach PER_THREAD files to their own ticket, all at once."""
    operators = [make_user(Role.OPERATOR) for _ in range(THREADS)]
    client = make_user(Role.CLIENT)
    numbers_ = [make_ticket(client).number for _ in operators]

    def work(operator, number):
        for _ in range(PER_THREAD):
            tickets.post_message(
                zl.uow(), zl.clock, zl.notifier, operator, number, body="file",
                visibility=Visibility.PUBLIC, files=zl.files, limits=zl.file_limits,
                uploads=[Upload("f.txt", "text/plain", io.BytesIO(UPLOAD))],
            )  # fmt: skip

    return at_once(work, list(zip(operators, numbers_, strict=True)))


def test_concurrent_uploads_all_succeed(uploaded):
    assert uploaded == []


def test_concurrent_uploads_are_all_counted_against_the_quota(zl, portal, uploaded):
    with zl.reader() as uow:
        assert uow.portals.get(portal.id).used_bytes == THREADS * PER_THREAD * len(UPLOAD)


# -- people answering in the same ticket at once ---------------------------------------------


@pytest.fixture
def answered_at_once(zl, make_ticket, make_user):
    """THREADS operators each write PER_THREAD replies, one with a file, in one ticket."""
    operators = [make_user(Role.OPERATOR) for _ in range(THREADS)]
    number = make_ticket(make_user(Role.CLIENT)).number

    def work(operator):
        for i in range(PER_THREAD):
            uploads = [Upload("f.txt", "text/plain", io.BytesIO(UPLOAD))] if i == 0 else []
            tickets.post_message(
                zl.uow(), zl.clock, zl.notifier, operator, number, body=f"Reply {i}",
                visibility=Visibility.PUBLIC, files=zl.files, limits=zl.file_limits,
                uploads=uploads,
            )  # fmt: skip

    return number, at_once(work, [(o,) for o in operators])


def test_replies_written_at_the_same_moment_are_all_kept(zl, portal, answered_at_once):
    number, errors = answered_at_once
    assert errors == []
    with zl.engine.connect() as conn:
        ticket_id = conn.scalar(
            select(t.tickets.c.id).where(
                t.tickets.c.portal_id == portal.id, t.tickets.c.number == number
            )
        )
        replies = conn.scalar(
            select(func.count()).where(
                t.messages.c.portal_id == portal.id,
                t.messages.c.ticket_id == ticket_id,
                t.messages.c.body.like("Reply %"),
            )
        )
        files = conn.scalar(
            select(func.count()).where(
                t.attachments.c.portal_id == portal.id, t.attachments.c.ticket_id == ticket_id
            )
        )
    assert replies == THREADS * PER_THREAD
    assert files == THREADS


def test_a_reply_that_keeps_losing_the_race_is_refused_in_the_end(
    zl, make_ticket, client, operator, monkeypatch
):
    number = make_ticket(client).number
    calls = []

    def always_stale(*args, **kwargs):
        calls.append(1)
        raise ConcurrentChange("someone else changed this request at the same time")

    monkeypatch.setattr(tickets, "_post_message_once", always_stale)
    with pytest.raises(Conflict):
        tickets.post_message(
            zl.uow(), zl.clock, zl.notifier, operator, number, body="Hi",
            visibility=Visibility.PUBLIC,
        )  # fmt: skip
    assert len(calls) == tickets.MESSAGE_ATTEMPTS
