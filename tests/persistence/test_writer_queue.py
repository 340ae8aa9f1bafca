"""SQLite writers wait their turn in a kernel lock beside the database file, not by polling."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager

import pytest

from zedline.errors import InvalidInput
from zedline.persistence.database import WRITER_QUEUE_SUFFIX
from zedline.tickets import services as tickets

# Long enough for a write that is not held back to finish many times over; the checks below
# that use it can only pass wrongly on a very slow machine, never fail wrongly.
HELD_BACK = 0.5


@pytest.fixture
def queue_path(zl):
    if zl.engine.dialect.name != "sqlite":
        pytest.skip("the writer queue is SQLite's (PostgreSQL locks rows)")
    return f"{zl.engine.url.database}{WRITER_QUEUE_SUFFIX}"


@contextmanager
def turn_held_elsewhere(path):
    """Hold the writers' turn as another process would."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def turn_is_free(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        return True
    finally:
        os.close(fd)


def open_in_thread(zl, client, done):
    def work():
        answers = {"subject": "Queued", "description": "Waited for its turn"}
        tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client, answers)
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_writer_waits_while_another_holds_the_turn(zl, portal, client, queue_path):
    done = threading.Event()
    with turn_held_elsewhere(queue_path):
        thread = open_in_thread(zl, client, done)
        assert not done.wait(HELD_BACK)
    thread.join()


def test_a_waiting_writer_goes_on_when_the_turn_is_released(zl, portal, client, queue_path):
    done = threading.Event()
    with turn_held_elsewhere(queue_path):
        thread = open_in_thread(zl, client, done)
    thread.join()
    assert done.is_set()


def test_a_reader_does_not_wait_for_the_turn(zl, portal, client, queue_path, make_ticket):
    ticket = make_ticket(client)
    with turn_held_elsewhere(queue_path), zl.reader() as uow:
        assert uow.tickets.get_for(client, ticket.number).subject == ticket.subject


def test_the_turn_is_free_after_a_commit(zl, portal, client, queue_path, make_ticket):
    make_ticket(client)
    assert turn_is_free(queue_path)


def test_the_turn_is_free_after_a_refused_change(zl, portal, client, queue_path):
    with pytest.raises(InvalidInput):
        tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client, {"subject": ""})
    assert turn_is_free(queue_path)
