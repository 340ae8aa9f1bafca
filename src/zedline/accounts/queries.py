"""Read side of accounts for staff pages: finding a client by name or e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_

from zedline.accounts.model import Role, User
from zedline.errors import NotFound
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.model import Category

MAX_RESULTS = 10
MAX_SEARCH = 100


@dataclass(frozen=True)
class ClientRow:
    id: int
    first_name: str
    last_name: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clients(
    uow: UnitOfWork, actor: User, text: str, limit: int = MAX_RESULTS
) -> list[ClientRow]:
    """Clients of the actor's portal whose name or e-mail contains `text` (staff only).

    Raises:
        NotFound: the actor is a client.
    """
    if not actor.is_staff:
        raise NotFound("no such page")
    text = " ".join(text.split())[:MAX_SEARCH]
    if not text:
        return []
    u = t.users.c
    conditions = []
    for word in text.split(" "):
        pattern = _like(word)
        conditions.append(
            or_(
                u.email.ilike(pattern, escape="\\"),
                u.first_name.ilike(pattern, escape="\\"),
                u.last_name.ilike(pattern, escape="\\"),
            )
        )
    query = (
        select(u.id, u.first_name, u.last_name, u.email)
        .where(u.portal_id == actor.portal_id, u.role == Role.CLIENT, *conditions)
        .order_by(u.last_name, u.first_name, u.id)
        .limit(limit)
    )
    return [ClientRow(*r) for r in uow.session.execute(query)]


def client_by_id(uow: UnitOfWork, actor: User, user_id: int) -> ClientRow | None:
    """One client of the actor's portal (staff only), or None."""
    if not actor.is_staff:
        raise NotFound("no such page")
    u = t.users.c
    row = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email).where(
            u.portal_id == actor.portal_id, u.id == user_id
        )
    ).one_or_none()
    return ClientRow(*row) if row is not None else None


def client_by_email(uow: UnitOfWork, actor: User, email: str) -> ClientRow | None:
    if not actor.is_staff:
        raise NotFound("no such page")
    u = t.users.c
    row = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email).where(
            u.portal_id == actor.portal_id,
            u.email == email.strip().lower(),
            u.role == Role.CLIENT,
        )
    ).one_or_none()
    return ClientRow(*row) if row is not None else None


# -- the admin's people pages -----------------------------------------------------------------

CLIENTS_PAGE = 50
ACTIVE_CATEGORIES = (Category.NEW, Category.OPEN, Category.WAITING)


def _admin_only(actor: User) -> None:
    if not actor.is_admin:
        raise NotFound("no such page")


@dataclass(frozen=True)
class StaffRow:
    id: int
    first_name: str
    last_name: str
    email: str
    role: Role
    active: bool
    last_login_at: datetime | None
    open_tickets: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def staff_rows(uow: UnitOfWork, actor: User) -> list[StaffRow]:
    """The portal's operators and admins with how many active tickets each has assigned
    (admins only). Two queries: the people, then one grouped count over the assignee index.

    Raises:
        NotFound: the actor is not an admin.
    """
    _admin_only(actor)
    u, tk = t.users.c, t.tickets.c
    people = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email, u.role, u.active, u.last_login_at)
        .where(u.portal_id == actor.portal_id, u.role.in_([Role.ADMIN, Role.OPERATOR]))
        .order_by(u.active.desc(), u.last_name, u.first_name, u.id)
    ).all()
    counts: dict[int, int] = {}
    ids = [row.id for row in people]
    if ids:
        counts = {
            int(assignee): int(n)
            for assignee, n in uow.session.execute(
                select(tk.assignee_id, func.count())
                .where(
                    tk.portal_id == actor.portal_id,
                    tk.assignee_id.in_(ids),
                    tk.category.in_(ACTIVE_CATEGORIES),
                )
                .group_by(tk.assignee_id)
            )
        }
    return [StaffRow(*row, open_tickets=counts.get(row.id, 0)) for row in people]


@dataclass(frozen=True)
class ClientListRow:
    id: int
    first_name: str
    last_name: str
    email: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    tickets: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class ClientPage:
    rows: list[ClientListRow]
    # The cursor of the next page ("last name", "first name", id of the last row), or None.
    next_after: str | None


def encode_client_cursor(row: ClientListRow) -> str:
    return "\x1f".join((row.last_name, row.first_name, str(row.id)))


def _decode_client_cursor(value: str | None) -> tuple[str, str, int] | None:
    parts = (value or "").split("\x1f")
    if len(parts) != 3 or not parts[2].isdigit() or len(parts[2]) > 18:  # noqa: PLR2004
        return None
    return parts[0], parts[1], int(parts[2])


def _prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def client_list(
    uow: UnitOfWork,
    actor: User,
    text: str = "",
    *,
    after: str | None = None,
    limit: int = CLIENTS_PAGE,
) -> ClientPage:
    """The portal's clients, by last name, a page at a time (keyset on last name, first name,
    id: the order of ix_users_portal_role_name), with each one's ticket count from one grouped
    query over ix_tickets_requester. `text` narrows to clients whose e-mail, last name or
    first name starts with each of its words (admins only).

    Raises:
        NotFound: the actor is not an admin.
    """
    _admin_only(actor)
    u, tk = t.users.c, t.tickets.c
    conditions = []
    for word in " ".join(text.split())[:MAX_SEARCH].lower().split():
        pattern = _prefix(word)
        conditions.append(
            or_(
                # E-mails are stored lower-case; names as typed.
                u.email.like(pattern, escape="\\"),
                func.lower(u.last_name).like(pattern, escape="\\"),
                func.lower(u.first_name).like(pattern, escape="\\"),
            )
        )
    cursor = _decode_client_cursor(after)
    if cursor is not None:
        conditions.append(tuple_(u.last_name, u.first_name, u.id) > tuple_(*cursor))
    rows = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email, u.active, u.created_at, u.last_login_at)
        .where(u.portal_id == actor.portal_id, u.role == Role.CLIENT, *conditions)
        .order_by(u.last_name, u.first_name, u.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    counts: dict[int, int] = {}
    if rows:
        counts = {
            int(requester): int(n)
            for requester, n in uow.session.execute(
                select(tk.requester_id, func.count())
                .where(
                    tk.portal_id == actor.portal_id,
                    tk.requester_id.in_([row.id for row in rows]),
                )
                .group_by(tk.requester_id)
            )
        }
    page = [ClientListRow(*row, tickets=counts.get(row.id, 0)) for row in rows]
    return ClientPage(page, encode_client_cursor(page[-1]) if more and page else None)


@dataclass(frozen=True)
class PersonRow:
    id: int
    first_name: str
    last_name: str
    email: str
    role: Role
    active: bool
    # Active tickets assigned to them (staff) and tickets they asked (clients).
    open_assigned: int
    requested: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.OPERATOR)


def person_row(uow: UnitOfWork, actor: User, user_id: int) -> PersonRow:
    """One person of the actor's portal, for the admin's confirmation pages (admins only).

    Raises:
        NotFound: no such person, or the actor is not an admin.
    """
    _admin_only(actor)
    u, tk = t.users.c, t.tickets.c
    row = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email, u.role, u.active).where(
            u.portal_id == actor.portal_id, u.id == user_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound("no such person")
    assigned = uow.session.scalar(
        select(func.count())
        .select_from(t.tickets)
        .where(
            tk.portal_id == actor.portal_id,
            tk.assignee_id == user_id,
            tk.category.in_(ACTIVE_CATEGORIES),
        )
    )
    requested = uow.session.scalar(
        select(func.count())
        .select_from(t.tickets)
        .where(tk.portal_id == actor.portal_id, tk.requester_id == user_id)
    )
    return PersonRow(*row, open_assigned=int(assigned or 0), requested=int(requested or 0))
