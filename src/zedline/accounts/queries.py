"""Read side of accounts for staff pages: finding a client by name or e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from zedline.accounts.model import Role, User
from zedline.errors import NotFound
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork

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
