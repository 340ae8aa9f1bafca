"""Read side of tickets: the client's list, the operators' journal and the ticket page.

Every list is one `select()` with exactly the columns its page shows, names joined in, and
keyset pagination on an index (see docs/journal.md). Rows are frozen dataclasses, never ORM
objects. The ticket page loads the ticket, its messages, events and attachments only through
the access functions of the repositories, so a client never receives an internal message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true
from sqlalchemy.sql.elements import UnaryExpression

from zedline.accounts.model import Role, User
from zedline.errors import NotFound
from zedline.forms.model import FieldKind
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.model import Category, EventKind, Visibility

PAGE_SIZE = 50
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
    return or_(key < cursor.key, and_(key == cursor.key, tk.c.id < cursor.id))


def _before_desc(key: ColumnElement[Any], cursor: Cursor) -> ColumnElement[bool]:
    return or_(key > cursor.key, and_(key == cursor.key, tk.c.id > cursor.id))


def _paginate(
    uow: UnitOfWork,
    query: Select[Any],
    *,
    key: ColumnElement[Any],
    after: Cursor | None,
    before: Cursor | None,
    nulls_last_asc: bool,
    size: int,
    make: Any,
    key_of: Any,
) -> Page[Any]:
    """Run `query` for one page, sorted by (key, id): descending by default, or ascending
    with NULLs last (`nulls_last_asc`, the deadline sort)."""
    forward = before is None
    cursor = after if forward else before
    if cursor is not None:
        query = query.where(_keyset(key, cursor, forward=forward, ascending=nulls_last_asc))
    query = query.order_by(*_order(key, forward=forward, ascending=nulls_last_asc)).limit(size + 1)
    rows = list(uow.session.execute(query))
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    items = tuple(make(r) for r in rows)
    cursors = [Cursor(key_of(r), r.id).encode() for r in rows]
    if forward:
        older = cursors[-1] if more and cursors else None
        newer = cursors[0] if cursor is not None and cursors else None
    else:
        newer = cursors[0] if more and cursors else None
        older = cursors[-1] if cursors else None
    return Page(items, older, newer)


def _order(
    key: ColumnElement[Any], *, forward: bool, ascending: bool
) -> list[UnaryExpression[Any]]:
    if ascending:
        if forward:
            return [key.asc().nulls_last(), tk.c.id.asc()]
        return [key.desc().nulls_first(), tk.c.id.desc()]
    if forward:
        return [key.desc(), tk.c.id.desc()]
    return [key.asc(), tk.c.id.asc()]


def _keyset(
    key: ColumnElement[Any], cursor: Cursor, *, forward: bool, ascending: bool
) -> ColumnElement[bool]:
    if not ascending:
        return _after_desc(key, cursor) if forward else _before_desc(key, cursor)
    # Ascending with NULLs last: every dated row comes before every undated one.
    if cursor.key is None:
        if forward:
            return and_(key.is_(None), tk.c.id > cursor.id)
        return or_(key.is_not(None), tk.c.id < cursor.id)
    if forward:
        return or_(key.is_(None), key > cursor.key, and_(key == cursor.key, tk.c.id > cursor.id))
    return and_(
        key.is_not(None), or_(key < cursor.key, and_(key == cursor.key, tk.c.id < cursor.id))
    )


# -- the client's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClientTicketRow:
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
    query = (
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
        .outerjoin(reads, _read_join(actor.id))
        .where(tk.c.portal_id == actor.portal_id, tk.c.requester_id == actor.id)
    )

    def make(r: Any) -> ClientTicketRow:
        unread = r.read_at is None or r.public_updated_at > r.read_at
        return ClientTicketRow(
            r.number, r.subject, r.category, r.client_label, r.public_updated_at, unread
        )

    return _paginate(
        uow, query, key=tk.c.public_updated_at, after=after, before=before,
        nulls_last_asc=False, size=size, make=make, key_of=lambda r: r.public_updated_at,
    )  # fmt: skip


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


@dataclass(frozen=True)
class JournalRow:
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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(actor: User, flt: JournalFilter, *, with_category: bool) -> list[Any]:
    conditions: list[Any] = [tk.c.portal_id == actor.portal_id]
    if with_category:
        if flt.category == "active":
            conditions.append(tk.c.category.in_(ACTIVE))
        elif flt.category != "all":
            conditions.append(tk.c.category == Category(flt.category))
    if flt.assignee == "mine":
        conditions.append(tk.c.assignee_id == actor.id)
    elif flt.assignee == "unassigned":
        conditions.append(tk.c.assignee_id.is_(None))
    if flt.client_id is not None:
        conditions.append(tk.c.requester_id == flt.client_id)
    if flt.q:
        pattern = _like(flt.q)
        in_messages = exists().where(
            t.messages.c.portal_id == tk.c.portal_id,
            t.messages.c.ticket_id == tk.c.id,
            t.messages.c.body.ilike(pattern, escape="\\"),
        )
        conditions.append(or_(tk.c.subject.ilike(pattern, escape="\\"), in_messages))
    return conditions


def journal_query(actor: User, flt: JournalFilter) -> Select[Any]:
    """The journal's select before sorting and paging (also used to show its query plan)."""
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
        .where(*_filters(actor, flt, with_category=True))
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
) -> Page[JournalRow]:
    """Every ticket of the portal that matches `flt`, one page.

    Raises:
        NotFound: the actor is not staff (the journal does not exist for clients).
    """
    if not actor.is_staff:
        raise NotFound("no such page")
    by_deadline = flt.sort == "deadline"
    key = tk.c.deadline if by_deadline else tk.c.updated_at

    def make(r: Any) -> JournalRow:
        overdue = r.deadline is not None and r.category in ACTIVE and r.deadline < now
        return JournalRow(
            r.number, r.subject, r.category, r.operator_label, r.requester_id,
            r.first_name, r.last_name, r.assignee_first, r.assignee_last, r.updated_at,
            r.deadline, r.read_at is None or r.updated_at > r.read_at, overdue,
        )  # fmt: skip

    return _paginate(
        uow, journal_query(actor, flt), key=key, after=after, before=before,
        nulls_last_asc=by_deadline, size=size, make=make,
        key_of=(lambda r: r.deadline) if by_deadline else (lambda r: r.updated_at),
    )  # fmt: skip


def journal_counts(uow: UnitOfWork, actor: User, flt: JournalFilter) -> dict[str, int]:
    """How many tickets each category chip would show: one grouped COUNT, with the other
    filters (assignee, client, search) applied. Keys: the categories, "active" and "all"."""
    if not actor.is_staff:
        raise NotFound("no such page")
    query = (
        select(tk.c.category, func.count())
        .where(*_filters(actor, flt, with_category=False))
        .group_by(tk.c.category)
    )
    counts = {c.value: 0 for c in Category}
    for category, n in uow.session.execute(query):
        counts[Category(category).value] = int(n)
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

    @property
    def overdue_at(self) -> datetime | None:
        return self.deadline if self.category in ACTIVE else None


def _people(uow: UnitOfWork, portal_id: int, ids: Iterable[int | None]) -> dict[int, Person]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    u = t.users.c
    rows = uow.session.execute(
        select(u.id, u.first_name, u.last_name, u.email, u.role).where(
            u.portal_id == portal_id, u.id.in_(wanted)
        )
    )
    return {r.id: Person(r.id, r.first_name, r.last_name, r.email, Role(r.role)) for r in rows}


def _answer_text(kind: FieldKind, value: object) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind is FieldKind.DATE:
        return str(value)
    return str(value)


def _event_ids(data: dict[str, Any]) -> list[int | None]:
    out: list[int | None] = []
    for key in ("assignee_id", "previous_assignee_id"):
        value = data.get(key)
        out.append(int(value) if isinstance(value, int) else None)
    return out


def ticket_page(uow: UnitOfWork, actor: User, number: int) -> TicketPage:
    """The ticket `number` as `actor` may see it: a constant number of queries.

    Raises:
        NotFound: no such ticket, or the actor may not see it.
    """
    ticket = uow.tickets.get_for(actor, number)
    messages = uow.messages.list_for(actor, ticket)
    events = uow.messages.events_for(actor, ticket)
    attachments = uow.attachments.list_for(actor, ticket)
    statuses = {s.id: s for s in uow.statuses.list(ticket.portal_id)}
    fields = uow.form_fields.list(ticket.portal_id)
    staff_view = actor.is_staff
    ids: list[int | None] = [ticket.requester_id, ticket.assignee_id]
    ids += [m.author_id for m in messages]
    for e in events:
        ids.append(e.actor_id)
        ids += _event_ids(e.data)
    people = _people(uow, ticket.portal_id, ids)

    def person(user_id: int | None) -> Person | None:
        return None if user_id is None else people.get(user_id, UNKNOWN)

    def label(status_id: object) -> str | None:
        status = statuses.get(status_id) if isinstance(status_id, int) else None
        if status is None:
            return None
        return status.operator_label if staff_view else status.client_label

    files_by_message: dict[int | None, list[AttachmentView]] = {}
    for a in attachments:
        files_by_message.setdefault(a.message_id, []).append(
            AttachmentView(a.id, a.filename, a.size, a.visibility is Visibility.INTERNAL)
        )
    message_views = tuple(
        MessageView(
            m.id,
            person(m.author_id) or UNKNOWN,
            m.body,
            m.created_at,
            m.is_internal,
            tuple(files_by_message.get(m.id, ())),
        )
        for m in messages
    )
    event_views = tuple(_event_view(e, person, label, statuses) for e in events)
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
            "staff": tuple(
                Person(u.id, u.first_name, u.last_name, u.email, u.role)
                for u in uow.users.staff(ticket.portal_id)
            ),
            "reminders": tuple(
                ReminderView(r.due_at, r.note) for r in uow.reminders.for_ticket(actor, ticket)
            ),
            "other_tickets": other_tickets(uow, actor, ticket.requester_id, exclude=ticket.id),
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


def other_tickets(
    uow: UnitOfWork, actor: User, requester_id: int, *, exclude: int | None = None
) -> tuple[OtherTicket, ...]:
    """A client's latest requests for the client card (staff only; ix_tickets_requester)."""
    if not actor.is_staff:
        raise NotFound("no such page")
    query = (
        select(
            tk.c.number,
            tk.c.subject,
            tk.c.category,
            t.statuses.c.operator_label,
            tk.c.updated_at,
        )
        .join(t.statuses, _status_join())
        .where(
            tk.c.portal_id == actor.portal_id,
            tk.c.requester_id == requester_id,
            tk.c.id != exclude if exclude is not None else true(),
        )
        .order_by(tk.c.public_updated_at.desc(), tk.c.id.desc())
        .limit(OTHER_TICKETS)
    )
    return tuple(OtherTicket(*r) for r in uow.session.execute(query))


def staff_options(uow: UnitOfWork, actor: User) -> Sequence[Person]:
    """Active operators and admins of the actor's portal, by name."""
    if not actor.is_staff:
        return ()
    return tuple(
        Person(u.id, u.first_name, u.last_name, u.email, u.role)
        for u in uow.users.staff(actor.portal_id)
    )
