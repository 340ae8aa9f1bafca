"""A portal's disk space: what the admin page shows, and the e-mails that warn the admins
before (80%) and when (100%) the quota is used up.

A warning goes out when an upload makes the usage *cross* a threshold (below it before, at or
above it after), so it fires once per crossing by construction and needs no stored state: the
next upload above the threshold crosses nothing. An upload refused for lack of space warns the
admins at most once an hour per portal; the outbox itself remembers when that was last done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.errors import InvalidInput, NotFound
from zedline.notifications.services import Notifier
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal

log = logging.getLogger(__name__)
WARNING_EVENT = "quota_warning"
FULL_EVENT = "quota_full"
TEMPLATE = "quota_warning"
THRESHOLDS = (80, 100)
FULL_ALERT_INTERVAL = timedelta(hours=1)
TOP = 10


# -- the read side of the admin page --------------------------------------------------------


@dataclass(frozen=True)
class DiskUsage:
    quota_bytes: int
    used_bytes: int

    @property
    def free_bytes(self) -> int:
        return max(self.quota_bytes - self.used_bytes, 0)

    @property
    def percent(self) -> int:
        """Used share of the quota in whole percent (0-100), rounded down."""
        if self.quota_bytes <= 0:
            return 100
        return min(self.used_bytes * 100 // self.quota_bytes, 100)

    @property
    def step(self) -> int:
        """The percentage rounded to the nearest 5, for a bar drawn with one CSS class per step;
        any use at all shows at least one step, and only a full quota shows the full bar."""
        if self.quota_bytes <= 0 or self.used_bytes >= self.quota_bytes:
            return 100
        if self.used_bytes <= 0:
            return 0
        exact = self.used_bytes * 100 / self.quota_bytes
        return min(max(5, round(exact / 5) * 5), 95)

    @property
    def level(self) -> int:
        """The highest warning threshold reached (0, 80 or 100)."""
        return _level(self.used_bytes, self.quota_bytes)


@dataclass(frozen=True)
class BigFile:
    id: int
    filename: str
    size: int
    created_at: datetime
    ticket_number: int
    ticket_subject: str


@dataclass(frozen=True)
class BigTicket:
    number: int
    subject: str
    files: int
    size: int


def _admin_only(actor: User) -> None:
    # The disk page is an admin page: everyone else is told it does not exist.
    if not actor.is_admin:
        raise NotFound("no such page")


def disk_usage(uow: UnitOfWork, actor: User) -> DiskUsage:
    """Quota and use of the actor's portal (admins only).

    Raises:
        NotFound: the actor is not an admin.
    """
    _admin_only(actor)
    p = t.portals.c
    row = uow.session.execute(
        select(p.quota_bytes, p.used_bytes).where(p.id == actor.portal_id)
    ).one()
    return DiskUsage(int(row.quota_bytes), int(row.used_bytes))


def biggest_files(uow: UnitOfWork, actor: User, limit: int = TOP) -> list[BigFile]:
    """The largest attachments of the portal, largest first (walks ix_attachments_size).

    Raises:
        NotFound: the actor is not an admin.
    """
    _admin_only(actor)
    a, tk = t.attachments.c, t.tickets.c
    query = (
        select(a.id, a.filename, a.size, a.created_at, tk.number, tk.subject)
        .join(t.tickets, (tk.portal_id == a.portal_id) & (tk.id == a.ticket_id))
        .where(a.portal_id == actor.portal_id)
        .order_by(a.size.desc(), a.id.desc())
        .limit(limit)
    )
    return [BigFile(*row) for row in uow.session.execute(query)]


def biggest_tickets(uow: UnitOfWork, actor: User, limit: int = TOP) -> list[BigTicket]:
    """The tickets whose attachments take the most space: one grouped query over
    ix_attachments_ticket, joined to the tickets for their numbers.

    Raises:
        NotFound: the actor is not an admin.
    """
    _admin_only(actor)
    a, tk = t.attachments.c, t.tickets.c
    total = func.sum(a.size).label("total")
    per_ticket = (
        select(a.ticket_id, func.count().label("files"), total)
        .where(a.portal_id == actor.portal_id)
        .group_by(a.ticket_id)
        .order_by(total.desc(), a.ticket_id)
        .limit(limit)
        .subquery()
    )
    query = (
        select(tk.number, tk.subject, per_ticket.c.files, per_ticket.c.total)
        .join(per_ticket, (tk.portal_id == actor.portal_id) & (tk.id == per_ticket.c.ticket_id))
        .order_by(per_ticket.c.total.desc(), tk.number)
    )
    return [
        BigTicket(int(number), subject, int(files), int(size))
        for number, subject, files, size in uow.session.execute(query)
    ]


# -- warning the admins ---------------------------------------------------------------------


class SpaceRefused(InvalidInput):
    """An upload did not fit into the portal's quota (nothing of it was saved)."""

    def __init__(self, portal_id: int, needed_bytes: int, free_bytes: int) -> None:
        needed, free = _size(needed_bytes), _size(free_bytes)
        if needed == free:  # rounded alike, which would read as if it fitted
            needed, free = f"{needed_bytes:,} bytes", f"{free_bytes:,} bytes"
        super().__init__(
            {
                "files": "there is not enough disk space left in this portal for these files "
                f"({needed} needed, {free} free), so nothing was saved; the portal's admins "
                "have been told"
            }
        )
        self.portal_id = portal_id
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes


def _level(used: int, quota: int) -> int:
    reached = 0
    for threshold in THRESHOLDS:
        if quota <= 0 or used * 100 >= threshold * quota:
            reached = threshold
    return reached


def crossed_threshold(before: int, after: int, quota: int) -> int | None:
    """The highest threshold that growing from `before` to `after` bytes crosses, or None."""
    was, now = _level(before, quota), _level(after, quota)
    return now if now > was else None


def _active_admins(uow: UnitOfWork, portal_id: int) -> list[User]:
    return [u for u in uow.users.staff(portal_id) if u.is_admin]


def _enqueue(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    *,
    kind: str,
    level: int,
    refused_bytes: int = 0,
) -> int:
    usage = DiskUsage(portal.quota_bytes, portal.used_bytes)
    written = 0
    for admin in _active_admins(uow, portal.id):
        notifier.enqueue(
            uow,
            clock,
            portal,
            to=admin.email,
            event=TEMPLATE,
            kind=kind,
            context={
                "user": admin,
                "level": level,
                "refused": kind == FULL_EVENT,
                "refused_size": _size(refused_bytes),
                "used": _size(usage.used_bytes),
                "quota": _size(usage.quota_bytes),
                "free": _size(usage.free_bytes),
                "percent": usage.percent,
                "disk_url": notifier.portal_url(portal, "admin/disk"),
            },
        )
        written += 1
    return written


def warn_on_growth(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, *, grown_by: int
) -> int:
    """Inside the transaction that has just counted `grown_by` more bytes on `portal`: mail the
    active admins when that crossed 80% or 100% of the quota. Returns how many mails."""
    after = portal.used_bytes
    level = crossed_threshold(after - grown_by, after, portal.quota_bytes)
    if level is None:
        return 0
    return _enqueue(uow, clock, notifier, portal, kind=WARNING_EVENT, level=level)


def warn_refused(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal_id: int, *, refused_bytes: int
) -> int:
    """In its own transaction (the refused upload's was rolled back): tell the active admins
    that an upload did not fit, unless they were told so within the last hour. Returns how
    many mails were written."""
    with uow:
        portal = uow.portals.get(portal_id)
        # Two refusals at once: the second waits here for the first's commit and then sees
        # its outbox rows, so the admins get one mail, not two.
        uow.session.refresh(
            portal, ["used_bytes", "quota_bytes"], with_for_update={"key_share": True}
        )
        o = t.outbox.c
        recent = uow.session.scalar(
            select(o.id)
            .where(
                o.portal_id == portal.id,
                o.event == FULL_EVENT,
                o.created_at > clock.now() - FULL_ALERT_INTERVAL,
            )
            .limit(1)
        )
        if recent is not None:
            return 0
        written = _enqueue(
            uow, clock, notifier, portal, kind=FULL_EVENT, level=100, refused_bytes=refused_bytes
        )
        uow.commit()
    return written


@contextmanager
def warn_when_refused(uow: UnitOfWork, clock: Clock, notifier: Notifier) -> Iterator[None]:
    """Wrap a use case's `with uow:` block (outside it, so the refused transaction has been
    rolled back first): a SpaceRefused escaping it writes the admins' warning in a fresh
    transaction of the same unit of work, then goes on to the caller."""
    try:
        yield
    except SpaceRefused as refused:
        try:
            warn_refused(
                uow, clock, notifier, refused.portal_id, refused_bytes=refused.needed_bytes
            )
        except Exception:  # the uploader's answer matters more than the admins' warning
            log.exception("could not warn the admins of portal %s", refused.portal_id)
        raise


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:  # noqa: PLR2004
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
