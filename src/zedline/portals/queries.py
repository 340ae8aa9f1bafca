"""Read side for the platform admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select

from zedline.accounts.model import Role, User
from zedline.errors import NotFound
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.model import Category


@dataclass(frozen=True)
class PortalRow:
    slug: str
    name: str
    active: bool
    created_at: datetime
    tickets: int
    users: int
    quota_bytes: int
    used_bytes: int


@dataclass(frozen=True)
class PortalDetail:
    row: PortalRow
    admins: list[str]
    operators: int
    clients: int
    open_tickets: int


def list_portals(uow: UnitOfWork, slug: str | None = None) -> list[PortalRow]:
    users = select(t.users.c.portal_id, func.count().label("n")).group_by(t.users.c.portal_id)
    if slug is not None:
        users = users.join(t.portals, t.portals.c.id == t.users.c.portal_id).where(
            t.portals.c.slug == slug
        )
    users_sq = users.subquery()
    q = (
        select(
            t.portals.c.slug,
            t.portals.c.name,
            t.portals.c.active,
            t.portals.c.created_at,
            t.portals.c.ticket_seq,
            func.coalesce(users_sq.c.n, 0),
            t.portals.c.quota_bytes,
            t.portals.c.used_bytes,
        )
        .outerjoin(users_sq, users_sq.c.portal_id == t.portals.c.id)
        .order_by(t.portals.c.slug)
    )
    if slug is not None:
        q = q.where(t.portals.c.slug == slug)
    return [PortalRow(*row) for row in uow.session.execute(q)]


def portal_detail(uow: UnitOfWork, slug: str) -> PortalDetail:
    rows = list_portals(uow, slug)
    if not rows:
        raise NotFound(f"no portal '{slug}'")
    portal_id = uow.portals.get_by_slug(slug).id
    by_role: dict[object, int] = dict(
        uow.session.execute(
            select(t.users.c.role, func.count())
            .where(t.users.c.portal_id == portal_id)
            .group_by(t.users.c.role)
        ).all()
    )
    admins = list(
        uow.session.scalars(
            select(t.users.c.email)
            .where(t.users.c.portal_id == portal_id, t.users.c.role == Role.ADMIN)
            .order_by(t.users.c.email)
        )
    )
    open_tickets = uow.session.scalar(
        select(func.count())
        .select_from(t.tickets)
        .where(
            t.tickets.c.portal_id == portal_id,
            t.tickets.c.category.in_([Category.NEW, Category.OPEN, Category.WAITING]),
        )
    )
    return PortalDetail(
        rows[0],
        admins,
        by_role.get(Role.OPERATOR, 0),
        by_role.get(Role.CLIENT, 0),
        int(open_tickets or 0),
    )


@dataclass(frozen=True)
class PortalEntry:
    """What every page of a portal needs to know about it."""

    id: int
    slug: str
    name: str
    active: bool
    timezone: str
    language: str


_USER_COLUMNS = tuple(t.users.c)


@cache
def _entry_query() -> Select[Any]:
    # Built once: every page runs it, and building a select (and its cache key) cost more
    # than running it.
    p = t.portals.c
    u = t.users
    on = and_(u.c.portal_id == p.id, u.c.id == bindparam("uid"))
    return (
        select(p.id, p.slug, p.name, p.active, p.timezone, p.language, *_USER_COLUMNS)
        .select_from(t.portals.outerjoin(u, on))
        .where(p.slug == bindparam("slug"))
    )


def entry(uow: UnitOfWork, slug: str, user_id: int | None) -> tuple[PortalEntry, User | None]:
    """The portal `slug` and, when a session names one, that user of it: one statement.

    Every page starts here, so it is one indexed read (the slug's unique index, then the
    user's primary key) instead of two round trips through the ORM. Whether the user's
    session is still good is the caller's check (`accounts.services.session_is_good`).

    Raises:
        NotFound: no portal with that slug.
    """
    row = uow.session.execute(_entry_query(), {"slug": slug, "uid": user_id or 0}).one_or_none()
    if row is None:
        raise NotFound(f"no portal '{slug}'")
    portal = PortalEntry(*row[:6])
    if row[7] is None:  # users.id: nobody, or nobody of this portal
        return portal, None
    user = User(**{c.key: value for c, value in zip(_USER_COLUMNS, row[6:], strict=True)})
    return portal, user
