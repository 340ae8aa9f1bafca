"""Read side of tickets: the client's list, the operators' journal and the ticket page.

Every list is one `select()` with exactly the columns its page shows, names joined in, and
keyset pagination on an index (see docs/journal.md). Rows are frozen dataclasses, never ORM
objects. The ticket page loads the ticket, its messages, events and attachments only through
the access functions of the repositories, so a client never receives an internal message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Alias, FromClause

from zedline.accounts.model import Role, User
from zedline.errors import NotFound
from zedline.forms.model import SYSTEM_KEYS, FieldKind, FormField
from zedline.i18n import N_, Translatable
from zedline.persistence import tables as t
from zedline.persistence.types import among, among_bound
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets import search
from zedline.tickets.model import Category, EventKind, Visibility

PAGE_SIZE = 50
# Journal, chip-count and client-list statements kept per process, by everything they are
# built from. Building a `select()` (and its cache key) for every request cost a third of
# the journal's queries; reloading a view now reuses its statements (searches excepted).
STATEMENTS_KEPT = 512
ACTIVE = (Category.NEW, Category.OPEN, Category.WAITING)
# What the journal's category filter accepts; "active" (new + open + waiting) is the default.
CATEGORY_FILTERS = ("active", *(c.value for c in Category), "all")
ASSIGNEE_FILTERS = ("any", "mine", "unassigned")
SORTS = ("activity", "deadline")
NUMBER_RE = re.compile(r"^#?\s*(\d{1,18})$")
MAX_QUERY = 200
OTHER_TICKETS = 5

T = TypeVar("T")

tk = t.tickets
requester = t.users.alias("requester")
assignee = t.users.alias("assignee")
reads = t.ticket_reads


# -- keyset cursors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted list: the sort key of a row (None: no deadline) and its id."""

    key: datetime | None
    id: int

    def encode(self) -> str:
        key = "-" if self.key is None else str(_micros(self.key))
        return f"{key}.{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor in a URL, or None when it is missing or not one of ours."""
        if not raw or len(raw) > 64:  # noqa: PLR2004 - two integers and a dot
            return None
        key, _, ident = raw.partition(".")
        try:
            row_id = int(ident)
            moment = None if key == "-" else datetime.fromtimestamp(int(key) / 1e6, UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return cls(moment, row_id)


def _micros(value: datetime) -> int:
    delta = value.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    # Cursors for the "Older" (after) and "Newer" (before) links; None: nothing there.
    older: str | None = None
    newer: str | None = None


def _after_desc(key: ColumnElement[Any], cursor: Cursor) -> ColumnElement[bool]:
    # `key <= k` bounds the index range on both databases; the OR only drops the ties.
    return and_(key <= cursor.key, or_(key < cursor.key, tk.c.id < cursor.id))


def _before_desc(key: ColumnElement[Any], cursor: Cursor) -> ColumnElement[bool]:
    return and_(key >= cursor.key, or_(key > cursor.key, tk.c.id > cursor.id))


Fetch = Callable[[Cursor | None, bool, int], list[Any]]


def _paginate(
    fetch: Fetch,
    *,
    after: Cursor | None,
    before: Cursor | None,
    size: int,
    make: Any,
    key_of: Any,
) -> Page[Any]:
    """One page: `fetch(cursor, forward, limit)` returns rows in walking order (forward:
    the list's own order; backward: the reverse), from just past `cursor`."""
    forward = before is None
    cursor = after if forward else before
    rows = fetch(cursor, forward, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    items = tuple(make(r) for r in rows)
    if not rows:
        return Page(items, None, None)
    # Only the first and the last row are places to continue from.
    first = Cursor(key_of(rows[0]), rows[0].id).encode()
    last = Cursor(key_of(rows[-1]), rows[-1].id).encode()
    if forward:
        older = last if more else None
        newer = first if cursor is not None else None
    else:
        newer = first if more else None
        older = last
    return Page(items, older, newer)


def _by_key_desc(uow: UnitOfWork, query: Select[Any], key: ColumnElement[Any]) -> Fetch:
    """Walk `query` by (key, id), newest first: one range scan of an index ending in
    (key, id). `query` is a kept statement (its pages are kept by it, see `_walk_desc`)."""

    def fetch(cursor: Cursor | None, forward: bool, limit: int) -> list[Any]:  # noqa: FBT001
        return list(uow.session.execute(_walk_desc(query, key, cursor, forward, limit)).all())

    return fetch


@lru_cache(maxsize=STATEMENTS_KEPT)
def _walk_desc(
    query: Select[Any],
    key: ColumnElement[Any],
    cursor: Cursor | None,
    forward: bool,  # noqa: FBT001
    limit: int,
) -> Select[Any]:
    """`query` from just past `cursor`, one page; kept for the same (kept) query and cursor."""
    q = query
    if cursor is not None:
        q = q.where(_after_desc(key, cursor) if forward else _before_desc(key, cursor))
    order = [key.desc(), tk.c.id.desc()] if forward else [key.asc(), tk.c.id.asc()]
    return q.order_by(*order).limit(limit)


def _by_deadline(uow: UnitOfWork, query: Select[Any]) -> Fetch:
    """Walk `query` by deadline (earliest first), then the undated rows by id.

    Two range scans of an index on (portal_id, deadline, id), one for the dated rows and
    one for the undated ones, glued in Python: SQLite sorts NULLs first in an index, so
    "NULLs last" cannot be one walk of it. The second statement runs only when a page
    crosses from the dated to the undated rows.
    """
    d = tk.c.deadline

    def dated(cursor: Cursor | None, forward: bool, limit: int) -> list[Any]:  # noqa: FBT001
        q = query.where(d.is_not(None))
        if cursor is not None and cursor.key is not None:
            if forward:
                q = q.where(d >= cursor.key, or_(d > cursor.key, tk.c.id > cursor.id))
            else:
                q = q.where(d <= cursor.key, or_(d < cursor.key, tk.c.id < cursor.id))
        order = [d.asc(), tk.c.id.asc()] if forward else [d.desc(), tk.c.id.desc()]
        return list(uow.session.execute(q.order_by(*order).limit(limit)).all())

    def undated(cursor: Cursor | None, forward: bool, limit: int) -> list[Any]:  # noqa: FBT001
        q = query.where(d.is_(None))
        if cursor is not None and cursor.key is None:
            q = q.where(tk.c.id > cursor.id if forward else tk.c.id < cursor.id)
        # By (deadline, id) although every deadline here is NULL: that is the index's order,
        # which PostgreSQL only then recognises (ordered by id alone, it walks the primary key).
        order = [d.asc(), tk.c.id.asc()] if forward else [d.desc(), tk.c.id.desc()]
        return list(uow.session.execute(q.order_by(*order).limit(limit)).all())

    def fetch(cursor: Cursor | None, forward: bool, limit: int) -> list[Any]:  # noqa: FBT001
        if forward:
            in_dated = cursor is None or cursor.key is not None
            rows = dated(cursor, True, limit) if in_dated else []  # noqa: FBT003
            if len(rows) < limit:
                rows += undated(None if in_dated else cursor, True, limit - len(rows))  # noqa: FBT003
            return rows
        in_dated = cursor is not None and cursor.key is not None
        rows = [] if in_dated else undated(cursor, False, limit)  # noqa: FBT003
        if len(rows) < limit:
            rows += dated(cursor if in_dated else None, False, limit - len(rows))  # noqa: FBT003
        return rows

    return fetch


# -- the client's list ---------------------------------------------------------------------


class ClientTicketRow(NamedTuple):
    """A row of a client's list. A named tuple, like `JournalRow`: fifty are made per page,
    and a frozen dataclass cost five times as much to make (and more to hash, for the kept
    page's key)."""

    number: int
    subject: str
    category: Category
    status_label: str
    public_updated_at: datetime
    unread: bool


def client_tickets(
    uow: UnitOfWork,
    actor: User,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page[ClientTicketRow]:
    """The actor's own requests, last public activity first (index ix_tickets_requester)."""
    query = _client_list_query(_Viewer(actor.portal_id, actor.id))

    def make(r: Any) -> ClientTicketRow:
        unread = r.read_at is None or r.public_updated_at > r.read_at
        return ClientTicketRow(
            r.number, r.subject, r.category, r.client_label, r.public_updated_at, unread
        )

    return _paginate(
        _by_key_desc(uow, query, tk.c.public_updated_at), after=after, before=before,
        size=size, make=make, key_of=lambda r: r.public_updated_at,
    )  # fmt: skip


@lru_cache(maxsize=STATEMENTS_KEPT)
def _client_list_query(viewer: _Viewer) -> Select[Any]:
    return (
        select(
            tk.c.id,
            tk.c.number,
            tk.c.subject,
            tk.c.category,
            t.statuses.c.client_label,
            tk.c.public_updated_at,
            reads.c.read_at,
        )
        .select_from(tk)
        .outerjoin(t.statuses, _status_join())
        .outerjoin(reads, _read_join(viewer.id))
        .where(tk.c.portal_id == viewer.portal_id, tk.c.requester_id == viewer.id)
    )


def _status_join() -> ColumnElement[bool]:
    return and_(t.statuses.c.portal_id == tk.c.portal_id, t.statuses.c.id == tk.c.status_id)


def _read_join(user_id: int) -> ColumnElement[bool]:
    return and_(
        reads.c.portal_id == tk.c.portal_id,
        reads.c.user_id == user_id,
        reads.c.ticket_id == tk.c.id,
    )


# -- the journal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalFilter:
    category: str = "active"
    assignee: str = "any"
    client_id: int | None = None
    q: str = ""
    sort: str = "activity"

    @classmethod
    def parse(
        cls,
        *,
        category: str | None = None,
        assignee: str | None = None,
        client: str | None = None,
        q: str | None = None,
        sort: str | None = None,
    ) -> JournalFilter:
        """From URL parameters; anything unknown falls back to the default view."""
        client_id = int(client) if client and client.isdigit() and len(client) < 20 else None  # noqa: PLR2004
        return cls(
            category=category if category in CATEGORY_FILTERS else "active",
            assignee=assignee if assignee in ASSIGNEE_FILTERS else "any",
            client_id=client_id,
            q=" ".join((q or "").split())[:MAX_QUERY],
            sort=sort if sort in SORTS else "activity",
        )

    def as_params(self, **override: Any) -> dict[str, str]:
        """The non-default parameters of this view (with `override`), for building links."""
        values: dict[str, Any] = {
            "category": self.category,
            "assignee": self.assignee,
            "client": self.client_id,
            "q": self.q,
            "sort": self.sort,
        }
        values.update(override)
        defaults = {"category": "active", "assignee": "any", "client": None, "q": "",
                    "sort": "activity"}  # fmt: skip
        return {k: str(v) for k, v in values.items() if v not in (None, "") and v != defaults[k]}


class JournalRow(NamedTuple):
    """A row of the journal (a named tuple: see `ClientTicketRow`)."""

    number: int
    subject: str
    category: Category
    status_label: str
    client_id: int
    client_first_name: str
    client_last_name: str
    assignee_first_name: str | None
    assignee_last_name: str | None
    updated_at: datetime
    deadline: datetime | None
    unread: bool
    overdue: bool

    @property
    def client_name(self) -> str:
        return f"{self.client_first_name} {self.client_last_name}"

    @property
    def assignee_name(self) -> str | None:
        if self.assignee_first_name is None:
            return None
        return f"{self.assignee_first_name} {self.assignee_last_name}"


# The active categories written exactly as the partial indexes' condition (ACTIVE_SQL in
# tables.py): literal values, not bound parameters, or neither planner can prove that the
# query only wants rows of those indexes.
ACTIVE_LITERALS: list[ColumnElement[Any]] = [literal_column(f"'{c.value}'") for c in ACTIVE]
ACTIVE_ONLY = tk.c.category.in_(ACTIVE_LITERALS)
SEARCH_CANDIDATES = 1000
# SQLite's statistics average the rows per portal: with 999 small portals next to one of a
# million, it believes a portal has a thousand tickets and would rather scan "all" of them in
# a covering index than look 2000 search candidates up by key. The candidates are read by
# primary key (its automatic index; tests/perf/test_plans.py checks the name still holds).
BY_PRIMARY_KEY = "sqlite_autoindex_tickets_1"


def _filters(
    actor: User | _Viewer,
    flt: JournalFilter,
    *,
    with_category: bool,
    found: Sequence[int] | None,
    table: FromClause = tk,
) -> list[Any]:
    c = table.c
    conditions: list[Any] = [c.portal_id == actor.portal_id]
    if with_category:
        if flt.category == "active":
            conditions.append(ACTIVE_ONLY if table is tk else c.category.in_(ACTIVE_LITERALS))
        elif flt.category != "all":
            conditions.append(c.category == Category(flt.category))
    if flt.assignee == "mine":
        conditions.append(c.assignee_id == actor.id)
    elif flt.assignee == "unassigned":
        conditions.append(c.assignee_id.is_(None))
    if flt.client_id is not None:
        conditions.append(c.requester_id == flt.client_id)
    if found is not None:
        conditions.append(among(c.id, found))
    return conditions


class _ByPrimaryKey(Alias):
    """`tickets`, read through its primary key on SQLite (`INDEXED BY`); see BY_PRIMARY_KEY."""

    inherit_cache = True


@compiles(_ByPrimaryKey)
def _render_by_primary_key(element: _ByPrimaryKey, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = compiler.visit_alias(element, **kw)  # type: ignore[no-untyped-call]
    if kw.get("asfrom") and compiler.dialect.name == "sqlite":
        return f"{rendered} INDEXED BY {BY_PRIMARY_KEY}"
    return str(rendered)


tickets_by_pk = _ByPrimaryKey._construct(t.tickets, name="tickets")  # noqa: SLF001


class Found(list[int]):
    """A search's candidate tickets (ids, newest match first). The journal's page and its
    chip counts both need each candidate's category and sort keys: the first to ask reads
    them, in one statement, and the other uses the same rows (`_candidate_rows`)."""

    rows: tuple[Hashable, list[Any]] | None = None


def search_candidates(uow: UnitOfWork, actor: User, flt: JournalFilter) -> Found | None:
    """The tickets the search `q` can show (full-text, newest matches first, capped at
    SEARCH_CANDIDATES per table), or None when there is no search."""
    if not flt.q:
        return None
    return Found(search.matching_ticket_ids(uow, actor.portal_id, flt.q, limit=SEARCH_CANDIDATES))


def _candidate_rows(
    uow: UnitOfWork, actor: User, flt: JournalFilter, found: Sequence[int]
) -> list[Any]:
    """(id, category, updated_at, deadline) of the candidates that pass every filter but the
    category, last activity first: read by primary key, sorted by the database. Given an
    ORDER BY and a LIMIT, the planners would rather walk a journal index and skip every
    ticket that is not a candidate, which at a million tickets can mean all of them; without
    the LIMIT they sort the candidates themselves, faster than Python would."""
    key = (actor.portal_id, actor.id, flt.assignee, flt.client_id)
    if isinstance(found, Found) and found.rows is not None and found.rows[0] == key:
        return found.rows[1]
    pk = tickets_by_pk
    rows = list(
        uow.session.execute(
            select(pk.c.id, pk.c.category, pk.c.updated_at, pk.c.deadline)
            .where(*_filters(actor, flt, with_category=False, found=found, table=pk))
            .order_by(pk.c.updated_at.desc(), pk.c.id.desc())
        ).all()
    )
    if isinstance(found, Found):
        found.rows = (key, rows)
    return rows


def _in_category(flt: JournalFilter) -> Callable[[str], bool]:
    if flt.category == "active":
        return lambda c: Category(c) in ACTIVE
    if flt.category == "all":
        return lambda _c: True
    wanted = Category(flt.category)
    return lambda c: Category(c) is wanted


class _Viewer(NamedTuple):
    """Who a statement is built for: all a journal statement needs of the acting user."""

    portal_id: int
    id: int


def journal_query(
    actor: User | _Viewer, flt: JournalFilter, found: Sequence[int] | None = None
) -> Select[Any]:
    """The journal's select before sorting and paging (also used to show its query plan);
    `found`: the search candidates, when searching. Without a search the statement is kept
    per viewer and filter (a search's candidates are new with every query)."""
    if found is None:
        return _kept_journal_query(_Viewer(actor.portal_id, actor.id), flt)
    return _journal_query(actor, flt, found)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _kept_journal_query(viewer: _Viewer, flt: JournalFilter) -> Select[Any]:
    return _journal_query(viewer, flt, None)


def _journal_query(
    actor: User | _Viewer, flt: JournalFilter, found: Sequence[int] | None
) -> Select[Any]:
    return (
        select(
            tk.c.id,
            tk.c.number,
            tk.c.subject,
            tk.c.category,
            t.statuses.c.operator_label,
            tk.c.requester_id,
            requester.c.first_name,
            requester.c.last_name,
            assignee.c.first_name.label("assignee_first"),
            assignee.c.last_name.label("assignee_last"),
            tk.c.updated_at,
            tk.c.deadline,
            reads.c.read_at,
        )
        .select_from(tk)
        # Outer joins although the foreign keys guarantee a match: SQLite never reorders a
        # LEFT JOIN, so the tickets index always drives the plan and gives the order.
        .outerjoin(t.statuses, _status_join())
        .outerjoin(
            requester,
            and_(requester.c.portal_id == tk.c.portal_id, requester.c.id == tk.c.requester_id),
        )
        .outerjoin(
            assignee,
            and_(assignee.c.portal_id == tk.c.portal_id, assignee.c.id == tk.c.assignee_id),
        )
        .outerjoin(reads, _read_join(actor.id))
        .where(*_filters(actor, flt, with_category=True, found=found))
    )


def journal(
    uow: UnitOfWork,
    actor: User,
    flt: JournalFilter,
    *,
    now: datetime,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
    found: Sequence[int] | None = None,
) -> Page[JournalRow]:
    """Every ticket of the portal that matches `flt`, one page. When searching, pass the
    `search_candidates` (looked up here otherwise).

    Raises:
        NotFound: the actor is not staff (the journal does not exist for clients).
    """
    if not actor.is_staff:
        raise NotFound("no such page")
    if found is None:
        found = search_candidates(uow, actor, flt)
    by_deadline = flt.sort == "deadline"

    def make(r: Any) -> JournalRow:
        overdue = r.deadline is not None and r.category in ACTIVE and r.deadline < now
        return JournalRow(
            r.number, r.subject, r.category, r.operator_label, r.requester_id,
            r.first_name, r.last_name, r.assignee_first, r.assignee_last, r.updated_at,
            r.deadline, r.read_at is None or r.updated_at > r.read_at, overdue,
        )  # fmt: skip

    if found is not None and not found:
        return Page(())
    if found is not None:
        fetch = _by_candidates(uow, actor, flt, found, by_deadline=by_deadline)
    else:
        query = journal_query(actor, flt)
        fetch = (
            _by_deadline(uow, query) if by_deadline else _by_key_desc(uow, query, tk.c.updated_at)
        )
    return _paginate(
        fetch, after=after, before=before, size=size, make=make,
        key_of=(lambda r: r.deadline) if by_deadline else (lambda r: r.updated_at),
    )  # fmt: skip


class _Keyed(NamedTuple):
    id: int
    key: datetime | None


def _by_candidates(
    uow: UnitOfWork, actor: User, flt: JournalFilter, found: Sequence[int], *, by_deadline: bool
) -> Fetch:
    """Walk the search candidates (at most 2 x SEARCH_CANDIDATES) in the list's order
    (`_candidate_rows`, of this category), then read only the page's rows in full."""

    def position(moment: datetime | None, row_id: int) -> tuple[int, int, int]:
        # Ascending in the list's own order.
        if by_deadline:
            return (1, 0, row_id) if moment is None else (0, _micros(moment), row_id)
        return (0, -_micros(moment) if moment else 0, -row_id)

    keep = _in_category(flt)
    candidates = [r for r in _candidate_rows(uow, actor, flt, found) if keep(r.category)]
    if by_deadline:
        ordered = [_Keyed(r.id, r.deadline) for r in candidates]
        ordered.sort(key=lambda r: position(r.key, r.id))
    else:
        ordered = [_Keyed(r.id, r.updated_at) for r in candidates]

    def fetch(cursor: Cursor | None, forward: bool, limit: int) -> list[Any]:  # noqa: FBT001
        rows = ordered if forward else ordered[::-1]
        if cursor is not None:
            mark = position(cursor.key, cursor.id)
            if forward:
                rows = [r for r in rows if position(r.key, r.id) > mark]
            else:
                rows = [r for r in rows if position(r.key, r.id) < mark]
        ids = [r.id for r in rows[:limit]]
        if not ids:
            return []
        full = {r.id: r for r in uow.session.execute(journal_query(actor, flt, ids))}
        return [full[i] for i in ids if i in full]

    return fetch


def journal_counts_query(actor: User | _Viewer, flt: JournalFilter) -> Select[Any]:
    """The chips' grouped count without a search (also used to show its query plan), kept
    per viewer and filter.

    Without a client it reads `ticket_counts` (a few rows per portal, kept by triggers); a
    client's tickets are few, so those are counted. (A search's counts come from its
    candidates, see `journal_counts`.)"""
    return _kept_counts_query(_Viewer(actor.portal_id, actor.id), flt)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _kept_counts_query(viewer: _Viewer, flt: JournalFilter) -> Select[Any]:
    if flt.client_id is None:
        c = t.ticket_counts.c
        query = select(c.category, func.sum(c.n)).where(c.portal_id == viewer.portal_id)
        if flt.assignee == "mine":
            query = query.where(c.assignee_id == viewer.id)
        elif flt.assignee == "unassigned":
            query = query.where(c.assignee_id == 0)
        return query.group_by(c.category)
    return (
        select(tk.c.category, func.count())
        .where(*_filters(viewer, flt, with_category=False, found=None))
        .group_by(tk.c.category)
    )


def journal_counts(
    uow: UnitOfWork, actor: User, flt: JournalFilter, found: Sequence[int] | None = None
) -> dict[str, int]:
    """How many tickets each category chip would show, with the other filters (assignee,
    client, search) applied. Keys: the categories, "active" and "all". When searching,
    pass the `search_candidates` (looked up here otherwise)."""
    if not actor.is_staff:
        raise NotFound("no such page")
    if found is None:
        found = search_candidates(uow, actor, flt)
    counts = {c.value: 0 for c in Category}
    if found is None:
        for category, n in uow.session.execute(journal_counts_query(actor, flt)):
            counts[Category(category).value] = int(n or 0)
    elif found:
        for row in _candidate_rows(uow, actor, flt, found):
            counts[Category(row.category).value] += 1
    counts["active"] = sum(counts[c.value] for c in ACTIVE)
    counts["all"] = sum(counts[c.value] for c in Category)
    return counts


def number_in_query(q: str) -> int | None:
    """The ticket number a search like "#123" or "123" names, if it is one."""
    match = NUMBER_RE.fullmatch(q.strip())
    return int(match.group(1)) if match else None


def ticket_exists(uow: UnitOfWork, actor: User, number: int) -> bool:
    query = select(tk.c.id).where(tk.c.portal_id == actor.portal_id, tk.c.number == number)
    if not actor.is_staff:
        query = query.where(tk.c.requester_id == actor.id)
    return uow.session.scalar(query) is not None


# -- the ticket page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str
    email: str
    role: Role

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_staff(self) -> bool:
        return self.role is not Role.CLIENT


UNKNOWN = Person(0, "Someone", "", "", Role.CLIENT)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    size: int
    internal: bool


@dataclass(frozen=True)
class MessageView:
    id: int
    author: Person
    body: str
    created_at: datetime
    internal: bool
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True)
class EventView:
    kind: EventKind
    created_at: datetime
    actor: Person | None
    public: bool
    old_status: str | None = None
    new_status: str | None = None
    new_category: Category | None = None
    other: Person | None = None
    deadline: datetime | None = None
    rating: int | None = None


@dataclass(frozen=True)
class StatusOption:
    id: int
    category: Category
    label: str


@dataclass(frozen=True)
class ReminderView:
    due_at: datetime
    note: str


@dataclass(frozen=True)
class OtherTicket:
    number: int
    subject: str
    category: Category
    status_label: str
    updated_at: datetime


@dataclass(frozen=True)
class TicketPage:
    """Everything the ticket page shows, as the viewer may see it."""

    id: int
    number: int
    subject: str
    version: int
    category: Category
    status_id: int
    status_label: str
    requester: Person
    assignee: Person | None
    created_at: datetime
    updated_at: datetime
    deadline: datetime | None
    rating: int | None
    rating_comment: str
    answers: tuple[tuple[str, str], ...]
    messages: tuple[MessageView, ...]
    events: tuple[EventView, ...]
    # Files not attached to a message (none today, but the model allows them).
    loose_attachments: tuple[AttachmentView, ...] = ()
    # Staff only: the side panel.
    statuses: tuple[StatusOption, ...] = ()
    staff: tuple[Person, ...] = ()
    reminders: tuple[ReminderView, ...] = ()
    other_tickets: tuple[OtherTicket, ...] = field(default_factory=tuple)
    # Whether the viewer has news here since they last opened it (the page then marks it read).
    unread: bool = True
    # Staff only: every answer besides the subject and the description, under its field's
    # current label in the form's order, then the answers no field asks for any more;
    # (label, text, older: given on an older form, marked on the page).
    staff_answers: tuple[tuple[str, str, bool], ...] = ()

    @property
    def overdue_at(self) -> datetime | None:
        return self.deadline if self.category in ACTIVE else None


STAFF_ROLES = (Role.ADMIN, Role.OPERATOR)


@cache
def _people_query(with_staff: bool) -> Any:  # noqa: FBT001 - a cache key
    u = t.users.c
    columns = (u.id, u.first_name, u.last_name, u.email, u.role, u.active)
    portal_id: Any = bindparam("portal_id")
    named = select(*columns).where(u.portal_id == portal_id, among_bound(u.id, "ids"))
    if not with_staff:
        return named
    # A union, so each half walks its own index (an OR would scan the portal's users).
    team = select(*columns).where(
        u.portal_id == portal_id, u.role.in_(STAFF_ROLES), u.active.is_(True)
    )
    return union(named, team)


def _people(
    uow: UnitOfWork, portal_id: int, ids: Iterable[int | None], *, with_staff: bool = False
) -> tuple[dict[int, Person], tuple[Person, ...]]:
    """The people `ids` names, and (`with_staff`) the portal's active operators and admins by
    name: one statement either way."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted and not with_staff:
        return {}, ()
    rows = sorted(
        uow.session.execute(
            _people_query(with_staff), {"portal_id": portal_id, "ids": wanted}
        ).all(),
        key=lambda r: (r[2], r[1], r[0]),
    )
    people = {r.id: Person(r.id, r.first_name, r.last_name, r.email, Role(r.role)) for r in rows}
    staff = tuple(
        people[r.id] for r in rows if with_staff and r.active and Role(r.role) in STAFF_ROLES
    )
    return people, staff


def _answer_text(kind: FieldKind, value: object) -> str:
    if isinstance(value, bool):
        # Kept marked, so the page shows it in the reader's language.
        return Translatable(N_("Yes") if value else N_("No"), {})
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind is FieldKind.DATE:
        return str(value)
    return str(value)


def _fits(field: FormField, value: object) -> bool:
    try:
        return bool(field.active and field.clean(value) == value)
    except ValueError:
        return False


def _staff_answers(
    fields: Sequence[FormField], answers: Mapping[str, object]
) -> tuple[tuple[str, str, bool], ...]:
    given = {k: v for k, v in answers.items() if k not in SYSTEM_KEYS}
    views: list[tuple[str, str, bool]] = []
    for f in fields:
        if f.key in given:
            value = given.pop(f.key)
            views.append((f.label, _answer_text(f.kind, value), not _fits(f, value)))
    views += [
        (key.replace("_", " ").capitalize(), _answer_text(FieldKind.TEXT, value), True)
        for key, value in sorted(given.items())
    ]
    return tuple(views)


def _event_ids(data: dict[str, Any]) -> list[int | None]:
    out: list[int | None] = []
    for key in ("assignee_id", "previous_assignee_id"):
        value = data.get(key)
        out.append(int(value) if isinstance(value, int) else None)
    return out


def ticket_page(uow: UnitOfWork, actor: User, number: int) -> TicketPage:
    """The ticket `number` as `actor` may see it: a constant number of queries, each built
    once per process, returning plain rows.

    Raises:
        NotFound: no such ticket, or the actor may not see it.
    """
    rows = uow.tickets.page_for(actor, number)
    ticket = rows.ticket
    seen_change = ticket.updated_at if actor.is_staff else ticket.public_updated_at
    statuses = {s.id: s for s in uow.statuses.list(ticket.portal_id)}
    fields = uow.form_fields.list(ticket.portal_id)
    staff_view = actor.is_staff
    ids: list[int | None] = [ticket.requester_id, ticket.assignee_id]
    ids += [m.author_id for m in rows.messages]
    for e in rows.events:
        ids.append(e.actor_id)
        ids += _event_ids(e.data)
    # Staff see the portal's operators (to delegate to): read with the people of the ticket.
    people, staff = _people(uow, ticket.portal_id, ids, with_staff=staff_view)

    def person(user_id: int | None) -> Person | None:
        return None if user_id is None else people.get(user_id, UNKNOWN)

    def label(status_id: object) -> str | None:
        status = statuses.get(status_id) if isinstance(status_id, int) else None
        if status is None:
            return None
        return status.operator_label if staff_view else status.client_label

    files_by_message: dict[int | None, list[AttachmentView]] = {}
    for a in rows.attachments:
        files_by_message.setdefault(a.message_id, []).append(
            AttachmentView(a.id, a.filename, a.size, a.visibility is Visibility.INTERNAL)
        )
    message_views = tuple(
        MessageView(
            m.id,
            person(m.author_id) or UNKNOWN,
            m.body,
            m.created_at,
            m.visibility is Visibility.INTERNAL,
            tuple(files_by_message.get(m.id, ())),
        )
        for m in rows.messages
    )
    event_views = tuple(_event_view(e, person, label, statuses) for e in rows.events)
    answers = tuple(
        (f.label, _answer_text(f.kind, ticket.answers[f.key]))
        for f in fields
        if f.key in ticket.answers and (staff_view or f.client_visible)
    )
    status = statuses[ticket.status_id]
    extra: dict[str, Any] = {}
    if staff_view:
        extra = {
            "statuses": tuple(
                StatusOption(s.id, s.category, s.operator_label)
                for s in statuses.values()
                if s.active or s.id == ticket.status_id
            ),
            "staff": staff,
            "reminders": tuple(
                ReminderView(r.due_at, r.note) for r in uow.reminders.due_for(actor, ticket.id)
            ),
            "other_tickets": other_tickets(uow, actor, ticket.requester_id, exclude=ticket.id),
            "staff_answers": _staff_answers(fields, ticket.answers),
        }
    return TicketPage(
        id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        version=ticket.version,
        category=ticket.category,
        status_id=ticket.status_id,
        status_label=status.operator_label if staff_view else status.client_label,
        requester=person(ticket.requester_id) or UNKNOWN,
        assignee=person(ticket.assignee_id),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at if staff_view else ticket.public_updated_at,
        deadline=ticket.deadline if staff_view else None,
        rating=ticket.rating,
        rating_comment=ticket.rating_comment,
        answers=answers,
        messages=message_views,
        events=event_views,
        loose_attachments=tuple(files_by_message.get(None, ())),
        unread=ticket.read_at is None or ticket.read_at < seen_change,
        **extra,
    )


def _event_view(e: Any, person: Any, label: Any, statuses: dict[int, Any]) -> EventView:
    data: dict[str, Any] = e.data or {}
    new_status = statuses.get(data.get("new_status_id"))  # type: ignore[arg-type]
    deadline = None
    if isinstance(data.get("deadline"), str):
        try:
            deadline = datetime.fromisoformat(data["deadline"])
        except ValueError:
            deadline = None
    other_id = data.get("assignee_id")
    if e.kind is EventKind.UNASSIGNED:
        other_id = data.get("previous_assignee_id")
    rating = data.get("rating")
    return EventView(
        kind=e.kind,
        created_at=e.created_at,
        actor=person(e.actor_id),
        public=e.public,
        old_status=label(data.get("old_status_id")),
        new_status=label(data.get("new_status_id")),
        new_category=new_status.category if new_status is not None else None,
        other=person(other_id if isinstance(other_id, int) else None),
        deadline=deadline,
        rating=rating if isinstance(rating, int) else None,
    )


@cache
def _other_tickets_query(excluding: bool) -> Select[Any]:  # noqa: FBT001 - a cache key
    query = (
        select(
            tk.c.number,
            tk.c.subject,
            tk.c.category,
            t.statuses.c.operator_label,
            tk.c.updated_at,
        )
        .select_from(tk)
        .outerjoin(t.statuses, _status_join())
        .where(tk.c.portal_id == bindparam("portal_id"), tk.c.requester_id == bindparam("client"))
        .order_by(tk.c.public_updated_at.desc(), tk.c.id.desc())
        .limit(OTHER_TICKETS)
    )
    return query.where(tk.c.id != bindparam("exclude")) if excluding else query


def other_tickets(
    uow: UnitOfWork, actor: User, requester_id: int, *, exclude: int | None = None
) -> tuple[OtherTicket, ...]:
    """A client's latest requests for the client card (staff only; ix_tickets_requester)."""
    if not actor.is_staff:
        raise NotFound("no such page")
    params = {"portal_id": actor.portal_id, "client": requester_id, "exclude": exclude}
    rows = uow.session.execute(_other_tickets_query(exclude is not None), params)
    return tuple(OtherTicket(*r) for r in rows)


def staff_options(uow: UnitOfWork, actor: User) -> Sequence[Person]:
    """Active operators and admins of the actor's portal, by name."""
    if not actor.is_staff:
        return ()
    return tuple(
        Person(u.id, u.first_name, u.last_name, u.email, u.role)
        for u in uow.users.staff(actor.portal_id)
    )
