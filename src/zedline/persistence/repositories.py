"""Repositories: load and add aggregates. They never commit; the use case does.

Tickets, messages and attachments are loaded only through the `*_for(actor, ...)` access
functions below, which know who may see what: a client reaches only own tickets and never an
internal message, and nothing crosses portals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, and_, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zedline.accounts.model import Invitation, PasswordResetToken, Role, User
from zedline.errors import NotFound
from zedline.forms.model import FormField
from zedline.notifications.model import Channel, Email, OutboxMessage, SharedBody
from zedline.notifications.rules import NotificationRule, NotificationTemplate
from zedline.persistence import tables as t
from zedline.persistence.numbers import TicketNumbers
from zedline.portals.mail_settings import PortalMailSettings
from zedline.portals.model import Portal
from zedline.tickets.model import (
    Attachment,
    Category,
    Message,
    Reminder,
    Status,
    Ticket,
    TicketEvent,
    Visibility,
)


class PortalRepository:
    def __init__(self, session: Session, numbers: TicketNumbers) -> None:
        self.s = session
        self.numbers = numbers

    def add(self, portal: Portal) -> None:
        self.s.add(portal)
        # No ORM relationships, so the flush order is ours: parents first.
        self.s.flush()

    def get(self, portal_id: int) -> Portal:
        portal = self.s.get(Portal, portal_id)
        if portal is None:
            raise NotFound("no such portal")
        return portal

    def get_by_slug(self, slug: str) -> Portal:
        portal = self.s.scalars(select(Portal).where(t.portals.c.slug == slug)).one_or_none()
        if portal is None:
            raise NotFound(f"no portal '{slug}'")
        return portal

    def slug_taken(self, slug: str) -> bool:
        return self.s.scalar(select(t.portals.c.id).where(t.portals.c.slug == slug)) is not None

    def list(self) -> Sequence[Portal]:
        return self.s.scalars(select(Portal).order_by(t.portals.c.slug)).all()

    def next_ticket_number(self, portal_id: int) -> int:
        """Advance the portal's ticket counter (`TicketNumbers`): unique numbers in order; on
        SQLite a rolled-back ticket gives its number back, on PostgreSQL it leaves it unused.
        """
        number = self.numbers.take(self.s, portal_id)
        portal = self.s.identity_map.get(self.s.identity_key(Portal, portal_id))
        if portal is not None:
            self.s.expire(portal, ["ticket_seq"])
        return number

    def add_used_bytes(self, portal_id: int, delta: int) -> None:
        self.s.execute(
            update(t.portals)
            .where(t.portals.c.id == portal_id)
            .values(used_bytes=t.portals.c.used_bytes + delta)
        )

    def delete_with_data(self, portal: Portal) -> None:
        self.s.flush()
        for table in t.TENANT_TABLES_CHILD_FIRST:
            self.s.execute(delete(table).where(table.c.portal_id == portal.id))
        self.s.execute(delete(t.portals).where(t.portals.c.id == portal.id))
        self.s.expunge(portal)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, user: User) -> None:
        self.s.add(user)
        # No ORM relationships, so the flush order is ours: parents first.
        self.s.flush()

    def get(self, portal_id: int, user_id: int) -> User:
        user = self.s.get(User, (portal_id, user_id))
        if user is None:
            raise NotFound("no such user")
        return user

    def find_by_email(self, portal_id: int, email: str) -> User | None:
        return self.s.scalars(
            select(User).where(t.users.c.portal_id == portal_id, t.users.c.email == email)
        ).one_or_none()

    def email_taken(self, portal_id: int, email: str) -> bool:
        return (
            self.s.scalar(
                select(t.users.c.id).where(
                    t.users.c.portal_id == portal_id, t.users.c.email == email
                )
            )
            is not None
        )

    def staff(self, portal_id: int, *, active_only: bool = True) -> Sequence[User]:
        q = select(User).where(
            t.users.c.portal_id == portal_id, t.users.c.role.in_([Role.ADMIN, Role.OPERATOR])
        )
        if active_only:
            q = q.where(t.users.c.active.is_(True))
        return self.s.scalars(q.order_by(t.users.c.last_name, t.users.c.first_name)).all()

    def count(self, portal_id: int, role: Role | None = None) -> int:
        q = select(func.count()).select_from(t.users).where(t.users.c.portal_id == portal_id)
        if role is not None:
            q = q.where(t.users.c.role == role)
        return int(self.s.scalar(q) or 0)


class InvitationRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, invitation: Invitation) -> None:
        self.s.add(invitation)


class PasswordResetRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, token: PasswordResetToken) -> None:
        self.s.add(token)

    def find(self, portal_id: int, token_hash: str) -> PasswordResetToken | None:
        return self.s.scalars(
            select(PasswordResetToken).where(
                t.password_reset_tokens.c.portal_id == portal_id,
                t.password_reset_tokens.c.token_hash == token_hash,
            )
        ).one_or_none()


# A portal's statuses and form fields are read by every ticket page and every new request:
# their statements are built once per process (bound `portal_id`).


@cache
def _statuses_statement() -> Select[Any]:
    return (
        select(Status)
        .where(t.statuses.c.portal_id == bindparam("portal_id"))
        .order_by(t.statuses.c.position, t.statuses.c.id)
    )


@cache
def _form_fields_statement(active_only: bool) -> Select[Any]:  # noqa: FBT001 - a cache key
    q = select(FormField).where(t.form_fields.c.portal_id == bindparam("portal_id"))
    if active_only:
        q = q.where(t.form_fields.c.active.is_(True))
    return q.order_by(t.form_fields.c.position, t.form_fields.c.id)


class StatusRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, status: Status) -> None:
        self.s.add(status)
        # No ORM relationships, so the flush order is ours: parents first.
        self.s.flush()

    def list(self, portal_id: int) -> Sequence[Status]:
        return self.s.scalars(_statuses_statement(), {"portal_id": portal_id}).all()

    def get(self, portal_id: int, status_id: int) -> Status:
        status = self.s.get(Status, (portal_id, status_id))
        if status is None:
            raise NotFound("no such status")
        return status

    def default(self, portal_id: int) -> Status:
        active = [s for s in self.list(portal_id) if s.active]
        for s in active:
            if s.is_default:
                return s
        for s in active:
            if s.category is Category.NEW:
                return s
        raise NotFound("this portal has no status for new tickets")

    def first_in(self, portal_id: int, category: Category) -> Status:
        for s in self.list(portal_id):
            if s.active and s.category is category:
                return s
        raise NotFound(f"this portal has no active '{category}' status")


class FormFieldRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, form_field: FormField) -> None:
        self.s.add(form_field)

    def list(self, portal_id: int, *, active_only: bool = False) -> Sequence[FormField]:
        return self.s.scalars(_form_fields_statement(active_only), {"portal_id": portal_id}).all()


class TicketPageRows(NamedTuple):
    """The rows of one ticket as its page shows them to one viewer (`TicketRepository.page_for`):
    plain rows, no mapped objects; clients get no internal message, event or file."""

    ticket: Row[Any]  # the ticket's columns and `read_at`: when the viewer last opened it
    messages: Sequence[Row[Any]]  # oldest first
    events: Sequence[Row[Any]]  # oldest first
    attachments: Sequence[Row[Any]]


class _PageStatements(NamedTuple):
    ticket: Select[Any]
    messages: Select[Any]
    events: Select[Any]
    attachments: Select[Any]


@cache
def _page_statements(staff: bool) -> _PageStatements:  # noqa: FBT001 - a cache key
    """The ticket page's statements for staff or for a client, built once per process with
    bound parameters (`portal_id`, `number`, `viewer_id`, `ticket_id`): building a `select()`
    and its cache key for each of them cost more than running it."""
    tk, rd, m, e, a = (
        t.tickets.c, t.ticket_reads.c, t.messages.c, t.ticket_events.c, t.attachments.c
    )  # fmt: skip
    portal_id: Any = bindparam("portal_id")
    viewer_id: Any = bindparam("viewer_id")
    ticket_id: Any = bindparam("ticket_id")
    read = and_(rd.portal_id == tk.portal_id, rd.user_id == viewer_id, rd.ticket_id == tk.id)
    columns = (
        tk.portal_id, tk.id, tk.number, tk.subject, tk.version, tk.status_id, tk.category,
        tk.requester_id, tk.assignee_id, tk.deadline, tk.answers, tk.created_at,
        tk.updated_at, tk.public_updated_at, tk.rating, tk.rating_comment, rd.read_at,
    )  # fmt: skip
    ticket = (
        select(*columns)
        .select_from(t.tickets.outerjoin(t.ticket_reads, read))
        .where(tk.portal_id == portal_id, tk.number == bindparam("number"))
    )
    messages = (
        select(m.id, m.author_id, m.visibility, m.body, m.created_at)
        .where(m.portal_id == portal_id, m.ticket_id == ticket_id)
        .order_by(m.created_at, m.id)
    )
    events = (
        select(e.id, e.kind, e.created_at, e.actor_id, e.public, e.data)
        .where(e.portal_id == portal_id, e.ticket_id == ticket_id)
        .order_by(e.created_at, e.id)
    )
    attachments = (
        select(a.id, a.message_id, a.filename, a.size, a.visibility)
        .where(a.portal_id == portal_id, a.ticket_id == ticket_id)
        .order_by(a.id)
    )
    if not staff:
        ticket = ticket.where(tk.requester_id == viewer_id)
        messages = messages.where(m.visibility == Visibility.PUBLIC)
        events = events.where(e.public.is_(True))
        attachments = attachments.where(a.visibility == Visibility.PUBLIC)
    return _PageStatements(ticket, messages, events, attachments)


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, ticket: Ticket) -> None:
        self.s.add(ticket)
        # No ORM relationships, so the flush order is ours: parents first.
        self.s.flush()

    def add_event(self, event: TicketEvent) -> None:
        self.s.add(event)

    def get_for(self, actor: User, number: int, *, lock: bool = False) -> Ticket:
        """The ticket `number` of the actor's portal, if the actor may see it. `lock` holds
        its row until the transaction ends (PostgreSQL; SQLite has one writer anyway), so a
        change that adds to the ticket waits for another instead of colliding with it.

        Raises:
            NotFound: it does not exist, or the actor may not know it exists.
        """
        q = select(Ticket).where(
            t.tickets.c.portal_id == actor.portal_id, t.tickets.c.number == number
        )
        if not actor.is_staff:
            q = q.where(t.tickets.c.requester_id == actor.id)
        if lock:
            q = q.with_for_update()
        ticket = self.s.scalars(q).one_or_none() if actor.active else None
        if ticket is None:
            raise NotFound(f"no request #{number}")
        return ticket

    def page_for(self, actor: User, number: int) -> TicketPageRows:
        """The ticket `number` with its messages, events and files, as `actor` may see them:
        the same rules as `get_for` and the `list_for` functions, as rows for a page.

        Raises:
            NotFound: it does not exist, or the actor may not know it exists.
        """
        statements = _page_statements(actor.is_staff)
        params = {"portal_id": actor.portal_id, "number": number, "viewer_id": actor.id}
        ticket = self.s.execute(statements.ticket, params).one_or_none() if actor.active else None
        if ticket is None:
            raise NotFound(f"no request #{number}")
        params["ticket_id"] = ticket.id
        return TicketPageRows(
            ticket,
            self.s.execute(statements.messages, params).all(),
            self.s.execute(statements.events, params).all(),
            self.s.execute(statements.attachments, params).all(),
        )

    def assigned_to(self, portal_id: int, user_id: int) -> Sequence[Ticket]:
        """The active (new, open, waiting) tickets assigned to a user."""
        return self.s.scalars(
            select(Ticket).where(
                t.tickets.c.portal_id == portal_id,
                t.tickets.c.assignee_id == user_id,
                t.tickets.c.category.in_([Category.NEW, Category.OPEN, Category.WAITING]),
            )
        ).all()

    def get_by_id_for(self, actor: User, ticket_id: int) -> Ticket:
        ticket = self.s.get(Ticket, (actor.portal_id, ticket_id))
        if ticket is None or not ticket.visible_to(actor):
            raise NotFound("no such request")
        return ticket

    def mark_read(self, actor: User, ticket: Ticket, at: datetime) -> None:
        values = {
            "portal_id": ticket.portal_id,
            "ticket_id": ticket.id,
            "user_id": actor.id,
            "read_at": at,
        }
        dialect = self.s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(t.ticket_reads).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["portal_id", "user_id", "ticket_id"], set_={"read_at": at}
        )
        self.s.execute(stmt)


class MessageRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, message: Message) -> None:
        self.s.add(message)
        # No ORM relationships, so the flush order is ours: parents first.
        self.s.flush()

    def list_for(self, actor: User, ticket: Ticket) -> Sequence[Message]:
        """The conversation the actor may read: clients never get internal messages."""
        if not ticket.visible_to(actor):
            raise NotFound("no such request")
        q = select(Message).where(
            t.messages.c.portal_id == ticket.portal_id, t.messages.c.ticket_id == ticket.id
        )
        if not actor.is_staff:
            q = q.where(t.messages.c.visibility == Visibility.PUBLIC)
        return self.s.scalars(q.order_by(t.messages.c.created_at, t.messages.c.id)).all()

    def get_for(self, actor: User, ticket: Ticket, message_id: int) -> Message:
        message = self.s.get(Message, (ticket.portal_id, message_id))
        if (
            message is None
            or message.ticket_id != ticket.id
            or not ticket.visible_to(actor)
            or (message.is_internal and not actor.is_staff)
        ):
            raise NotFound("no such message")
        return message

    def events_for(self, actor: User, ticket: Ticket) -> Sequence[TicketEvent]:
        if not ticket.visible_to(actor):
            raise NotFound("no such request")
        q = select(TicketEvent).where(
            t.ticket_events.c.portal_id == ticket.portal_id,
            t.ticket_events.c.ticket_id == ticket.id,
        )
        if not actor.is_staff:
            q = q.where(t.ticket_events.c.public.is_(True))
        return self.s.scalars(q.order_by(t.ticket_events.c.created_at, t.ticket_events.c.id)).all()


class AttachmentRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, attachment: Attachment) -> None:
        self.s.add(attachment)

    def list_for(self, actor: User, ticket: Ticket) -> Sequence[Attachment]:
        if not ticket.visible_to(actor):
            raise NotFound("no such request")
        q = select(Attachment).where(
            t.attachments.c.portal_id == ticket.portal_id,
            t.attachments.c.ticket_id == ticket.id,
        )
        if not actor.is_staff:
            q = q.where(t.attachments.c.visibility == Visibility.PUBLIC)
        return self.s.scalars(q.order_by(t.attachments.c.id)).all()

    def get_for(self, actor: User, ticket: Ticket, attachment_id: int) -> Attachment:
        """Raises NotFound unless the actor may download this file of this ticket."""
        att = self.s.get(Attachment, (ticket.portal_id, attachment_id))
        if (
            att is None
            or att.ticket_id != ticket.id
            or not ticket.visible_to(actor)
            or (att.visibility is Visibility.INTERNAL and not actor.is_staff)
        ):
            raise NotFound("no such file")
        return att


@cache
def _reminders_statement() -> Select[Any]:
    r = t.reminders.c
    return (
        select(r.due_at, r.note)
        .where(
            r.portal_id == bindparam("portal_id"),
            r.ticket_id == bindparam("ticket_id"),
            r.user_id == bindparam("user_id"),
            r.fired_at.is_(None),
        )
        .order_by(r.due_at)
    )


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, reminder: Reminder) -> None:
        self.s.add(reminder)

    def due(self, at: datetime, limit: int = 100) -> Sequence[Reminder]:
        q = (
            select(Reminder)
            .where(t.reminders.c.fired_at.is_(None), t.reminders.c.due_at <= at)
            .order_by(t.reminders.c.due_at)
            .limit(limit)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            # Two workers never fire the same reminder.
            q = q.with_for_update(skip_locked=True)
        return self.s.scalars(q).all()

    def due_for(self, actor: User, ticket_id: int) -> Sequence[Row[Any]]:
        """The actor's own reminders of a ticket not yet fired, soonest first: (due_at, note)."""
        params = {"portal_id": actor.portal_id, "ticket_id": ticket_id, "user_id": actor.id}
        return self.s.execute(_reminders_statement(), params).all()

    # A ticket's deadline is the reminder every ticket may carry; the worker announces it.

    def passed_deadlines(self, at: datetime, limit: int = 100) -> Sequence[Ticket]:
        """Tickets (any portal, any status) whose deadline passed unannounced, oldest first.

        Exactly the rows of the partial index ix_tickets_deadline_due, so the scan stays small.
        """
        return self.s.scalars(
            select(Ticket)
            .where(
                t.tickets.c.deadline.is_not(None),
                t.tickets.c.deadline_notified_at.is_(None),
                t.tickets.c.deadline <= at,
            )
            .order_by(t.tickets.c.deadline)
            .limit(limit)
        ).all()

    def claim_deadline(self, ticket: Ticket, at: datetime) -> bool:
        """Mark the passed deadline of `ticket` announced; False if another worker did first.

        A plain UPDATE, not a change of the mapped ticket: the ticket's version stays, so an
        operator editing the ticket meanwhile gets no false conflict.
        """
        result = self.s.execute(
            update(t.tickets)
            .where(
                t.tickets.c.portal_id == ticket.portal_id,
                t.tickets.c.id == ticket.id,
                t.tickets.c.deadline == ticket.deadline,
                t.tickets.c.deadline_notified_at.is_(None),
            )
            .values(deadline_notified_at=at)
        )
        claimed = getattr(result, "rowcount", 0) == 1
        if claimed:
            set_committed_value(ticket, "deadline_notified_at", at)
        return claimed


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._new: list[dict[str, Any]] = []
        self._new_bodies: list[SharedBody] = []

    def add_body(self, body: SharedBody) -> None:
        """Queue a shared body; written with the new messages, before them."""
        self._new_bodies.append(body)

    def bodies(
        self, keys: Iterable[tuple[int, int | None]]
    ) -> dict[tuple[int, int | None], SharedBody]:
        """The shared bodies with these (portal id, body id) keys, in one query (a message
        without a body, `None`, asks for nothing)."""
        self.write_new()  # reads see this transaction's new bodies
        wanted = {key for key in keys if key[1] is not None}
        if not wanted:
            return {}
        b = t.outbox_bodies
        rows = self.s.execute(
            select(b.c.portal_id, b.c.id, b.c.text, b.c.html, b.c.created_at).where(
                tuple_(b.c.portal_id, b.c.id).in_(sorted(wanted))
            )
        )
        return {
            (r.portal_id, r.id): SharedBody(
                r.portal_id, r.id, tuple(r.text), tuple(r.html), r.created_at
            )
            for r in rows
        }

    def email(self, message: OutboxMessage) -> Email:
        """The e-mail `message` sends, with its shared body if it names one.

        Raises:
            ValueError: the message holds no complete e-mail.
        """
        key = (message.portal_id, message.body_id)
        return message.email(self.bodies([key]).get(key))

    def add(self, message: dict[str, Any]) -> None:
        """Queue a new message (`notifications.model.new_message`); the unit of work writes
        the transaction's new messages in one statement before it flushes or commits
        (`write_new`).

        A new request mails every operator of the portal: fifty messages added one by one
        to the ORM session cost more than the rest of the request (their bookkeeping, and an
        insert each), and on SQLite that time is spent holding the write lock."""
        self._new.append(message)

    def write_new(self) -> None:
        if self._new_bodies:
            bodies = [
                {"portal_id": b.portal_id, "id": b.id, "text": list(b.text),
                 "html": list(b.html), "created_at": b.created_at}
                for b in self._new_bodies
            ]  # fmt: skip
            self._new_bodies = []
            self.s.execute(insert(t.outbox_bodies), bodies)
        if not self._new:
            return
        rows, self._new = self._new, []
        self.s.execute(insert(t.outbox), rows)

    def due(self, at: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
        self.write_new()  # reads see this transaction's new messages
        q = (
            select(OutboxMessage)
            .where(
                t.outbox.c.delivered_at.is_(None),
                t.outbox.c.failed_at.is_(None),
                t.outbox.c.next_attempt_at <= at,
            )
            .order_by(t.outbox.c.next_attempt_at)
            .limit(limit)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            # Several workers share the queue without sending a message twice.
            q = q.with_for_update(skip_locked=True)
        return self.s.scalars(q).all()

    def get(self, portal_id: int, message_id: int) -> OutboxMessage:
        self.write_new()  # reads see this transaction's new messages
        message = self.s.get(OutboxMessage, (portal_id, message_id))
        if message is None:
            raise NotFound("no such outbox message")
        return message

    def pending_count(self) -> int:
        self.write_new()  # reads see this transaction's new messages
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(t.outbox)
                .where(t.outbox.c.delivered_at.is_(None), t.outbox.c.failed_at.is_(None))
            )
            or 0
        )

    def due_on(self, channel: Channel, at: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
        """Like `due`, for one channel: the mail worker never claims a webhook, nor the reverse."""
        self.write_new()  # reads see this transaction's new messages
        q = (
            select(OutboxMessage)
            .where(
                t.outbox.c.delivered_at.is_(None),
                t.outbox.c.failed_at.is_(None),
                t.outbox.c.next_attempt_at <= at,
                t.outbox.c.channel == channel,
            )
            .order_by(t.outbox.c.next_attempt_at)
            .limit(limit)
        )
        if self.s.get_bind().dialect.name == "postgresql":
            # Several workers share the queue without sending a message twice.
            q = q.with_for_update(skip_locked=True)
        return self.s.scalars(q).all()


class PortalMailSettingsRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, portal_id: int) -> PortalMailSettings | None:
        return self.s.get(PortalMailSettings, portal_id)

    def add(self, settings: PortalMailSettings) -> None:
        self.s.add(settings)

    def delete(self, portal_id: int) -> bool:
        found = self.get(portal_id)
        if found is None:
            return False
        self.s.delete(found)
        return True


class NotificationRuleRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def for_portal(self, portal_id: int) -> Sequence[NotificationRule]:
        return self.s.scalars(
            select(NotificationRule).where(t.notification_rules.c.portal_id == portal_id)
        ).all()

    def add(self, rule: NotificationRule) -> None:
        self.s.add(rule)


class NotificationTemplateRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def for_portal(self, portal_id: int) -> Sequence[NotificationTemplate]:
        return self.s.scalars(
            select(NotificationTemplate).where(t.notification_templates.c.portal_id == portal_id)
        ).all()

    def get(self, portal_id: int, event: str) -> NotificationTemplate | None:
        return self.s.get(NotificationTemplate, (portal_id, event))

    def add(self, template: NotificationTemplate) -> None:
        self.s.add(template)

    def delete(self, portal_id: int, event: str) -> bool:
        found = self.get(portal_id, event)
        if found is None:
            return False
        self.s.delete(found)
        return True
