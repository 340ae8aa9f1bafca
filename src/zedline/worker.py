"""The background worker: delivers the outbox, fires reminders, announces passed deadlines.

`zedline worker` runs it as its own process; `zedline serve` runs it in a thread. Several
workers may run at once: each message, reminder and deadline is claimed in the database.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from zedline.clock import Clock
from zedline.notifications import events
from zedline.notifications.services import Notifier
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.services import fire_due_reminders

if TYPE_CHECKING:
    from zedline.bootstrap import Zedline
    from zedline.live import Change

log = logging.getLogger(__name__)

# How much one round does at most, so a backlog never holds a transaction for long.
MAIL_BATCH = 50
REMINDER_BATCH = 100
DEADLINE_BATCH = 100
# While idle, how often the loop looks at the stop event between wake-ups.
_STOP_POLL = 0.1
# How much lower than the web processes' the worker thread of `zedline serve` runs (a nice
# value): a burst of requests queues mail faster than it can be sent (a new request mails
# every operator), and sending it must not take the processor from the pages.
BACKGROUND_NICENESS = 10


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Give the calling thread (only it) a lower processor priority. Linux only, where each
    thread has its own nice value; elsewhere (it would lower the whole process) nothing
    changes. Returns whether the priority was lowered."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + niceness)
    except OSError:  # not allowed here (a sandbox): run at the normal priority
        return False
    return True


def announce_passed_deadlines(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, limit: int = DEADLINE_BATCH
) -> int:
    """Mail once about each passed deadline of an active ticket. Returns how many were announced.

    A deadline that passed while the ticket was resolved or closed is settled silently: there
    is nothing left to chase, and it must not stay in the worker's scan forever.
    """
    announced = 0
    with uow:
        now = clock.now()
        for ticket in uow.reminders.passed_deadlines(now, limit):
            if not uow.reminders.claim_deadline(ticket, now):
                continue  # another worker got there first
            portal = uow.portals.get(ticket.portal_id)
            if not ticket.category.is_active or not portal.active:
                continue
            events.deadline_passed(uow, clock, notifier, portal, ticket)
            announced += 1
        uow.commit()
    return announced


class Worker:
    """One round of background work (`run_once`), or rounds until told to stop."""

    def __init__(self, zl: Zedline) -> None:
        self.zl = zl

    def run_once(self) -> dict[str, int]:
        """Fire due reminders, announce passed deadlines, then deliver due mail.

        Each step runs on its own: a failing one is logged and counted in `errors`, and the
        others still run. Returns the counts of this round.
        """
        zl = self.zl
        counts = {
            "reminders": 0,
            "deadlines": 0,
            "delivered": 0,
            "retrying": 0,
            "failed": 0,
            "errors": 0,
        }
        try:
            counts["reminders"] = fire_due_reminders(
                zl.uow(), zl.clock, zl.notifier, limit=REMINDER_BATCH
            )
        except Exception:
            counts["errors"] += 1
            log.exception("firing reminders failed")
        try:
            counts["deadlines"] = announce_passed_deadlines(
                zl.uow(), zl.clock, zl.notifier, limit=DEADLINE_BATCH
            )
        except Exception:
            counts["errors"] += 1
            log.exception("announcing passed deadlines failed")
        try:
            report = zl.deliver_mail(limit=MAIL_BATCH)
        except Exception:
            counts["errors"] += 1
            log.exception("delivering the outbox failed")
        else:
            counts["delivered"] = report.delivered
            counts["retrying"] = report.retrying
            counts["failed"] = report.failed
        return counts

    def run_forever(self, stop: threading.Event, interval: float = 2.0) -> None:
        """Run rounds until `stop` is set, at least every `interval` seconds.

        A committed change (a live update, or a transaction that wrote mail) wakes the loop
        early, so mail leaves within moments. Unexpected errors are logged and the loop goes on.
        """
        wake = threading.Event()

        def on_change(_change: Change) -> None:
            wake.set()

        unsubscribe_live = self.zl.live.subscribe(on_change)
        unsubscribe_mail = self.zl.notifier.on_enqueue(wake.set)
        log.info("worker started (interval %.1fs)", interval)
        try:
            while not stop.is_set():
                wake.clear()
                busy = False
                try:
                    counts = self.run_once()
                    busy = (
                        counts["delivered"] + counts["retrying"] + counts["failed"] >= MAIL_BATCH
                        or counts["reminders"] >= REMINDER_BATCH
                        or counts["deadlines"] >= DEADLINE_BATCH
                    )
                except Exception:
                    log.exception("worker round failed")
                if not busy:  # a full batch means more is waiting: go on at once
                    _wait(stop, wake, interval)
        finally:
            unsubscribe_live()
            unsubscribe_mail()
            log.info("worker stopped")


def _wait(stop: threading.Event, wake: threading.Event, interval: float) -> None:
    """Sleep until `interval` passes, `wake` is set, or `stop` is set (checked every 0.1 s)."""
    deadline = time.monotonic() + interval
    while not wake.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or stop.wait(min(remaining, _STOP_POLL)):
            return
