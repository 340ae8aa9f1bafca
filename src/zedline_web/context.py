"""Per-request context: the portal in the URL and the user in the session.

Handlers receive these through Litestar dependencies (`portal`, `actor`, `zl`); they never
read the session or the tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath

from zedline import Zedline
from zedline.accounts.model import User
from zedline.accounts.services import load_actor, session_is_good
from zedline.errors import NotFound
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals import queries as portal_queries

SESSION_USER = "uid"
SESSION_PORTAL = "pid"
SESSION_AUTH = "av"
# Route handlers with this option read their page in the transaction that read the portal
# and the session's user (`page_reader`).
PAGE_READER = "page_reader"
_READER = "zl_reader"


@dataclass(frozen=True)
class PortalInfo:
    id: int
    slug: str
    name: str
    active: bool
    timezone: str
    language: str


# Handler parameters filled by the app's dependencies, named explicitly (Litestar 3 will stop
# inferring them): `def page(portal: PortalDep, actor: ActorDep, zl: ZlDep) -> ...`.
PortalDep = NamedDependency[PortalInfo]
ActorDep = NamedDependency[User]
MaybeActorDep = NamedDependency[User | None]
ZlDep = NamedDependency[Zedline]


def get_zl(request: Request[Any, Any, Any]) -> Zedline:
    zl: Zedline = request.app.state.zl
    return zl


def load_portal(request: Request[Any, Any, Any], slug: FromPath[str]) -> PortalInfo:
    """The portal named in the URL; 404 when there is none (or it is disabled).

    The same statement reads the user the session names, so a page costs one read before its
    own queries; `session_actor` then decides whether that session still counts."""
    cached = request.scope.get("zl_portal")
    if isinstance(cached, PortalInfo) and cached.slug == slug:
        return cached
    session = request.session if "session" in request.scope else {}
    user_id = session.get(SESSION_USER)
    reader = get_zl(request).reader()
    with ExitStack() as stack:
        uow = stack.enter_context(reader)
        entry, user = portal_queries.entry(uow, slug, int(user_id) if user_id else None)
        if entry.active and request.route_handler.opt.get(PAGE_READER):
            stack.pop_all()  # kept open for the page: `page_reader` closes it
            request.scope[_READER] = uow  # type: ignore[literal-required]
    info = PortalInfo(
        entry.id, entry.slug, entry.name, entry.active, entry.timezone, entry.language
    )
    if not info.active:
        raise NotFound(f"no portal '{slug}'")
    request.scope["zl_portal"] = info  # type: ignore[typeddict-unknown-key]
    request.scope["zl_session_user"] = (info.id, user)  # type: ignore[typeddict-unknown-key]
    return info


@contextmanager
def page_reader(request: Request[Any, Any, Any]) -> Iterator[UnitOfWork]:
    """The page's reading unit of work, closed when the block ends.

    For a handler with the `PAGE_READER` option, the one `load_portal` opened to read the
    portal and the session's user: a page is then one transaction (on PostgreSQL, a BEGIN
    and a ROLLBACK fewer, and on both databases one session fewer to set up). Read the page
    in one block, before anything writes. A handler without the option, or one that gave the
    reader back early (`end_page_reader`), gets a reader of its own.
    """
    kept = request.scope.pop(_READER, None)  # type: ignore[misc]
    with ExitStack() as stack:
        if isinstance(kept, UnitOfWork):
            stack.push(kept)
            yield kept
        else:
            yield stack.enter_context(get_zl(request).reader())


def end_page_reader(scope: Any) -> None:
    """Close the reader `load_portal` kept in the ASGI `scope`, if it is still open: a page
    that waits before reading, or one that never read (a redirect, an error)."""
    uow = scope.pop(_READER, None)
    if isinstance(uow, UnitOfWork):
        uow.__exit__(None, None, None)


def session_actor(request: Request[Any, Any, Any], portal: PortalDep) -> User | None:
    """The logged-in user of this portal, or None. A session of another portal does not count,
    and a session whose user was deactivated or changed password has ended."""
    cached = request.scope.get("zl_actor", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    session = request.session if "session" in request.scope else {}
    actor: User | None = None
    if session.get(SESSION_PORTAL) == portal.id and session.get(SESSION_USER):
        user_id, auth = int(session[SESSION_USER]), int(session.get(SESSION_AUTH, 0))
        loaded = request.scope.get("zl_session_user")
        if isinstance(loaded, tuple) and loaded[0] == portal.id:
            user = loaded[1]
            actor = user if user is not None and user.id == user_id else None
            actor = actor if actor is not None and session_is_good(actor, auth) else None
        else:
            with get_zl(request).reader() as uow:
                actor = load_actor(uow, portal.id, user_id, auth)
        if actor is None:
            request.clear_session()
    request.scope["zl_actor"] = actor  # type: ignore[typeddict-unknown-key]
    return actor


class LoginRequired(NotAuthorizedException):
    """Raised when a page needs a logged-in user; the error mapper redirects to the login."""


class PasswordChangeRequired(NotAuthorizedException):
    """Raised when the user still has a generated password; the error mapper sends them to
    the page where they choose their own."""


def require_actor(request: Request[Any, Any, Any], portal: PortalDep) -> User:
    """The logged-in user. Someone who still has to choose a password gets nowhere else."""
    actor = session_actor(request, portal)
    if actor is None:
        raise LoginRequired
    if actor.must_change_password:
        raise PasswordChangeRequired
    return actor


def require_staff(request: Request[Any, Any, Any], portal: PortalDep) -> User:
    """Operators and admins only. Anyone else gets 404: a client never learns the page exists."""
    actor = require_actor(request, portal)
    if not actor.is_staff:
        raise NotFound("no such page")
    return actor


def require_admin(request: Request[Any, Any, Any], portal: PortalDep) -> User:
    actor = require_actor(request, portal)
    if not actor.is_admin:
        raise NotFound("no such page")
    return actor
