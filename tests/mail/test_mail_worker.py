"""The worker: reminders and deadlines fire once, mail leaves, and it stops when told."""

from __future__ import annotations

import os
import sys
import threading
from datetime import timedelta

import pytest

from zedline.tickets import services as tickets
from zedline.tickets.model import Category
from zedline.worker import Worker, lower_thread_priority

JOIN_TIMEOUT = 10.0


@pytest.fixture
def ticket(zl, client, operator, make_ticket, inbox):
    made = make_ticket(client)
    tickets.take_ticket(zl.uow(), zl.clock, operator, made.number)
    zl.deliver_mail()
    inbox.clear()
    return made


def load(zl, operator, number=1):
    with zl.reader() as uow:
        return uow.tickets.get_for(operator, number)


def test_due_reminder_fires_once(zl, clock, operator, ticket, inbox):
    tickets.set_reminder(zl.uow(), zl.clock, operator, 1, due_at=clock.now() + timedelta(hours=1))
    worker = Worker(zl)
    clock.advance(timedelta(hours=1))
    first, second = worker.run_once(), worker.run_once()
    assert (first["reminders"], first["delivered"], second["reminders"], len(inbox.received)) == (
        1,
        1,
        0,
        1,
    )


def test_reminder_not_yet_due_does_not_fire(zl, clock, operator, ticket, inbox):
    tickets.set_reminder(zl.uow(), zl.clock, operator, 1, due_at=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(minutes=59))
    assert (Worker(zl).run_once()["reminders"], inbox.received) == (0, [])


def test_passed_deadline_is_announced_once(zl, clock, operator, ticket, inbox):
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    worker = Worker(zl)
    clock.advance(timedelta(hours=1))
    first, second = worker.run_once(), worker.run_once()
    assert (
        first["deadlines"],
        second["deadlines"],
        len(inbox.received),
        load(zl, operator).deadline_notified_at,
    ) == (1, 0, 1, clock.now())


def test_announcing_a_deadline_does_not_bump_the_ticket_version(zl, clock, operator, ticket):
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    version = load(zl, operator).version
    clock.advance(timedelta(hours=1))
    Worker(zl).run_once()
    assert load(zl, operator).version == version  # an open edit form gets no false conflict


def test_deadline_not_yet_passed_is_not_announced(zl, clock, operator, ticket, inbox):
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(minutes=59))
    assert (Worker(zl).run_once()["deadlines"], inbox.received) == (0, [])


def test_a_new_deadline_is_announced_again(zl, clock, operator, ticket, inbox):
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    worker = Worker(zl)
    clock.advance(timedelta(hours=1))
    worker.run_once()
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    assert (worker.run_once()["deadlines"], len(inbox.received)) == (1, 2)


def test_deadline_of_a_resolved_ticket_is_settled_without_mail(zl, clock, operator, ticket, inbox):
    with zl.reader() as uow:
        resolved = uow.statuses.first_in(operator.portal_id, Category.RESOLVED)
    tickets.set_deadline(zl.uow(), zl.clock, operator, 1, deadline=clock.now() + timedelta(hours=1))
    tickets.change_status(zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=resolved.id)
    zl.deliver_mail()
    inbox.clear()
    clock.advance(timedelta(hours=1))
    counts = Worker(zl).run_once()
    assert (counts["deadlines"], inbox.received, load(zl, operator).deadline_notified_at) == (
        0,
        [],
        clock.now(),
    )


# -- the loop ------------------------------------------------------------------------------


class ObservedWorker(Worker):
    """Counts finished rounds, so a test can wait for one instead of sleeping."""

    def __init__(self, zl, *, fail_first=False):
        super().__init__(zl)
        self.rounds = 0
        self.fail_first = fail_first
        self.changed = threading.Condition()

    def run_once(self):
        try:
            if self.fail_first and self.rounds == 0:
                raise RuntimeError("database went away")
            return super().run_once()
        finally:
            with self.changed:
                self.rounds += 1
                self.changed.notify_all()

    def wait_rounds(self, n):
        with self.changed:
            return self.changed.wait_for(lambda: self.rounds >= n, JOIN_TIMEOUT)


@pytest.fixture
def running(zl):
    """Start a worker loop in a thread; stop and join it after the test."""
    threads = []

    def start(worker, interval):
        stop = threading.Event()
        thread = threading.Thread(target=worker.run_forever, args=(stop, interval), daemon=True)
        thread.start()
        threads.append((stop, thread))
        return stop, thread

    yield start
    for stop, thread in threads:
        stop.set()
        thread.join(JOIN_TIMEOUT)


def test_run_forever_stops_promptly_when_told(zl, running):
    worker = ObservedWorker(zl)
    stop, thread = running(worker, 3600.0)
    assert worker.wait_rounds(1)
    stop.set()
    thread.join(JOIN_TIMEOUT)
    assert not thread.is_alive()


def test_run_forever_delivers_new_mail_without_waiting_for_the_interval(
    zl, client, make_ticket, running, inbox
):
    worker = ObservedWorker(zl)
    running(worker, 3600.0)
    assert worker.wait_rounds(1)  # idle now, until the interval (an hour) or a wake-up
    make_ticket(client)
    assert inbox.wait_for(2, JOIN_TIMEOUT)


def test_run_forever_keeps_going_after_an_error(zl, client, make_ticket, running, inbox):
    worker = ObservedWorker(zl, fail_first=True)
    running(worker, 3600.0)
    assert worker.wait_rounds(1)
    make_ticket(client)
    assert (worker.wait_rounds(2), inbox.wait_for(2, JOIN_TIMEOUT)) == (True, True)


def test_run_once_reports_a_failing_step_and_still_delivers(
    zl, client, make_ticket, monkeypatch, inbox
):
    def broken(*args, **kwargs):
        raise RuntimeError("reminder table is locked")

    monkeypatch.setattr("zedline.worker.fire_due_reminders", broken)
    make_ticket(client)
    counts = Worker(zl).run_once()
    assert (counts["errors"], counts["delivered"]) == (1, 2)


# -- priority ------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_lower_thread_priority_lowers_only_the_calling_thread():
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, object] = {}

    def background():
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        seen["lowered"] = lower_thread_priority(5)
        seen["change"] = os.getpriority(os.PRIO_PROCESS, tid) - before
        seen["expected"] = min(before + 5, 19) - before

    thread = threading.Thread(target=background)
    thread.start()
    thread.join(JOIN_TIMEOUT)
    assert seen["lowered"] is True
    assert seen["change"] == seen["expected"] > 0
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
