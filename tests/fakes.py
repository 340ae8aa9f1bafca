"""In-memory stand-ins for the unit of work and its repositories, for fast use-case tests.

They implement the methods the use cases call, with the same access rules as the real
repositories (written once, on the entities: `Ticket.visible_to`, `Message.is_internal`).
Rows added in a unit of work that is not committed are dropped again on rollback; changes to
already loaded entities are not undone (a use case that fails raises before it commits, and
the tests check `committed` / `commits`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from zedline.accounts.model import Invitation, PasswordResetToken, Role, User
from zedline.errors import NotFound
from zedline.forms.model import FormField
from zedline.live import Change
from zedline.notifications.model import Email, OutboxMessage, SharedBody
from zedline.notifications.rules import NotificationRule, NotificationTemplate
from zedline.portals.model import Portal
from zedline.tickets.model import (
    Attachment,
    Category,
    Message,
    Reminder,
    Status,
    Ticket,
    TicketEvent,
    TicketRead,
    Visibility,
)


class _Store:
    """Everything the fakes hold, shared by every unit of work made from it."""

    def __init__(self) -> None:
        self.portals: dict[int, Portal] = {}
        self.users: dict[tuple[int, int], User] = {}
        self.invitations: dict[tuple[int, int], Invitation] = {}
        self.password_resets: dict[tuple[int, int], PasswordResetToken] = {}
        self.statuses: dict[tuple[int, int], Status] = {}
        self.form_fields: dict[tuple[int, int], FormField] = {}
        self.tickets: dict[tuple[int, int], Ticket] = {}
        self.events: dict[tuple[int, int], TicketEvent] = {}
        self.messages: dict[tuple[int, int], Message] = {}
        self.attachments: dict[tuple[int, int], Attachment] = {}
        self.reminders: dict[tuple[int, int], Reminder] = {}
        self.reads: dict[tuple[int, int, int], TicketRead] = {}
        self.outbox: dict[tuple[int, int], OutboxMessage] = {}
        self.outbox_bodies: dict[tuple[int, int], SharedBody] = {}
        self.notification_rules: dict[tuple[int, str, str], NotificationRule] = {}
        self.notification_templates: dict[tuple[int, str], NotificationTemplate] = {}
        self.ids = itertools.count(1_000)

    def tenant_tables(self) -> list[dict[Any, Any]]:
        return [
            self.users, self.invitations, self.password_resets, self.statuses,
            self.form_fields, self.tickets, self.events, self.messages, self.attachments,
            self.reminders, self.reads, self.outbox, self.outbox_bodies, self.notification_rules,
            self.notification_templates,
        ]  # fmt: skip


class _Repo:
    def __init__(self, store: _Store, uow: FakeUnitOfWork) -> None:
        self.store = store
        self.uow = uow

    def _put(self, table: dict[Any, Any], key: Any, row: Any) -> None:
        table[key] = row
        self.uow._pending.append(lambda: table.pop(key, None))


class FakePortalRepository(_Repo):
    def add(self, portal: Portal) -> None:
        self._put(self.store.portals, portal.id, portal)

    def get(self, portal_id: int) -> Portal:
        try:
            return self.store.portals[portal_id]
        except KeyError:
            raise NotFound("no such portal") from None

    def get_by_slug(self, slug: str) -> Portal:
        for portal in self.store.portals.values():
            if portal.slug == slug:
                return portal
        raise NotFound(f"no portal '{slug}'")

    def slug_taken(self, slug: str) -> bool:
        return any(p.slug == slug for p in self.store.portals.values())

    def list(self) -> Sequence[Portal]:
        return sorted(self.store.portals.values(), key=lambda p: p.slug)

    def next_ticket_number(self, portal_id: int) -> int:
        portal = self.get(portal_id)
        portal.ticket_seq += 1

        def give_back() -> None:
            portal.ticket_seq -= 1

        self.uow._pending.append(give_back)
        return portal.ticket_seq

    def add_used_bytes(self, portal_id: int, delta: int) -> None:
        self.get(portal_id).used_bytes += delta

    def delete_with_data(self, portal: Portal) -> None:
        for table in self.store.tenant_tables():
            for key in [k for k in table if k[0] == portal.id]:
                del table[key]
        del self.store.portals[portal.id]


class FakeUserRepository(_Repo):
    def add(self, user: User) -> None:
        self._put(self.store.users, (user.portal_id, user.id), user)

    def get(self, portal_id: int, user_id: int) -> User:
        try:
            return self.store.users[portal_id, user_id]
        except KeyError:
            raise NotFound("no such user") from None

    def find_by_email(self, portal_id: int, email: str) -> User | None:
        for user in self.store.users.values():
            if user.portal_id == portal_id and user.email == email:
                return user
        return None

    def email_taken(self, portal_id: int, email: str) -> bool:
        return self.find_by_email(portal_id, email) is not None

    def staff(self, portal_id: int, *, active_only: bool = True) -> Sequence[User]:
        found = [
            u
            for u in self.store.users.values()
            if u.portal_id == portal_id and u.is_staff and (u.active or not active_only)
        ]
        return sorted(found, key=lambda u: (u.last_name, u.first_name))

    def count(self, portal_id: int, role: Role | None = None) -> int:
        return sum(
            1
            for u in self.store.users.values()
            if u.portal_id == portal_id and (role is None or u.role is role)
        )


class FakeInvitationRepository(_Repo):
    def add(self, invitation: Invitation) -> None:
        self._put(self.store.invitations, (invitation.portal_id, invitation.id), invitation)


class FakePasswordResetRepository(_Repo):
    def add(self, token: PasswordResetToken) -> None:
        self._put(self.store.password_resets, (token.portal_id, token.id), token)

    def find(self, portal_id: int, token_hash: str) -> PasswordResetToken | None:
        for token in self.store.password_resets.values():
            if token.portal_id == portal_id and token.token_hash == token_hash:
                return token
        return None


class FakeStatusRepository(_Repo):
    def add(self, status: Status) -> None:
        self._put(self.store.statuses, (status.portal_id, status.id), status)

    def list(self, portal_id: int) -> Sequence[Status]:
        found = [s for s in self.store.statuses.values() if s.portal_id == portal_id]
        return sorted(found, key=lambda s: (s.position, s.id))

    def get(self, portal_id: int, status_id: int) -> Status:
        try:
            return self.store.statuses[portal_id, status_id]
        except KeyError:
            raise NotFound("no such status") from None

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


class FakeFormFieldRepository(_Repo):
    def add(self, form_field: FormField) -> None:
        self._put(self.store.form_fields, (form_field.portal_id, form_field.id), form_field)

    def list(self, portal_id: int, *, active_only: bool = False) -> Sequence[FormField]:
        found = [
            f
            for f in self.store.form_fields.values()
            if f.portal_id == portal_id and (f.active or not active_only)
        ]
        return sorted(found, key=lambda f: (f.position, f.id))


class FakeTicketRepository(_Repo):
    def add(self, ticket: Ticket) -> None:
        self._put(self.store.tickets, (ticket.portal_id, ticket.id), ticket)

    def add_event(self, event: TicketEvent) -> None:
        self._put(self.store.events, (event.portal_id, event.id), event)

    def get_for(self, actor: User, number: int, *, lock: bool = False) -> Ticket:
        for ticket in self.store.tickets.values():
            if ticket.portal_id == actor.portal_id and ticket.number == number:
                if ticket.visible_to(actor):
                    return ticket
                break
        raise NotFound(f"no request #{number}")

    def get_by_id_for(self, actor: User, ticket_id: int) -> Ticket:
        ticket = self.store.tickets.get((actor.portal_id, ticket_id))
        if ticket is None or not ticket.visible_to(actor):
            raise NotFound("no such request")
        return ticket

    def mark_read(self, actor: User, ticket: Ticket, at: datetime) -> None:
        key = (ticket.portal_id, actor.id, ticket.id)
        self._put(self.store.reads, key, TicketRead(ticket.portal_id, ticket.id, actor.id, at))

    def get_read(self, actor: User, ticket: Ticket) -> TicketRead | None:
        return self.store.reads.get((ticket.portal_id, actor.id, ticket.id))


class FakeMessageRepository(_Repo):
    def add(self, message: Message) -> None:
        self._put(self.store.messages, (message.portal_id, message.id), message)

    def list_for(self, actor: User, ticket: Ticket) -> Sequence[Message]:
        if not ticket.visible_to(actor):
            raise NotFound("no such request")
        found = [
            m
            for m in self.store.messages.values()
            if m.portal_id == ticket.portal_id
            and m.ticket_id == ticket.id
            and (actor.is_staff or not m.is_internal)
        ]
        return sorted(found, key=lambda m: (m.created_at, m.id))

    def get_for(self, actor: User, ticket: Ticket, message_id: int) -> Message:
        message = self.store.messages.get((ticket.portal_id, message_id))
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
        found = [
            e
            for e in self.store.events.values()
            if e.portal_id == ticket.portal_id
            and e.ticket_id == ticket.id
            and (actor.is_staff or e.public)
        ]
        return sorted(found, key=lambda e: (e.created_at, e.id))


class FakeAttachmentRepository(_Repo):
    def add(self, attachment: Attachment) -> None:
        self._put(self.store.attachments, (attachment.portal_id, attachment.id), attachment)

    def list_for(self, actor: User, ticket: Ticket) -> Sequence[Attachment]:
        if not ticket.visible_to(actor):
            raise NotFound("no such request")
        found = [
            a
            for a in self.store.attachments.values()
            if a.portal_id == ticket.portal_id
            and a.ticket_id == ticket.id
            and (actor.is_staff or a.visibility is Visibility.PUBLIC)
        ]
        return sorted(found, key=lambda a: a.id)

    def get_for(self, actor: User, ticket: Ticket, attachment_id: int) -> Attachment:
        att = self.store.attachments.get((ticket.portal_id, attachment_id))
        if (
            att is None
            or att.ticket_id != ticket.id
            or not ticket.visible_to(actor)
            or (att.visibility is Visibility.INTERNAL and not actor.is_staff)
        ):
            raise NotFound("no such file")
        return att


class FakeReminderRepository(_Repo):
    def add(self, reminder: Reminder) -> None:
        self._put(self.store.reminders, (reminder.portal_id, reminder.id), reminder)

    def due(self, at: datetime, limit: int = 100) -> Sequence[Reminder]:
        found = [r for r in self.store.reminders.values() if r.fired_at is None and r.due_at <= at]
        return sorted(found, key=lambda r: r.due_at)[:limit]

    def for_ticket(self, actor: User, ticket: Ticket) -> Sequence[Reminder]:
        found = [
            r
            for r in self.store.reminders.values()
            if r.portal_id == ticket.portal_id
            and r.ticket_id == ticket.id
            and r.user_id == actor.id
            and r.fired_at is None
        ]
        return sorted(found, key=lambda r: r.due_at)


class FakeOutboxRepository(_Repo):
    def add(self, message: dict[str, Any]) -> None:
        self._put(
            self.store.outbox, (message["portal_id"], message["id"]), OutboxMessage(**message)
        )

    def add_body(self, body: SharedBody) -> None:
        self._put(self.store.outbox_bodies, (body.portal_id, body.id), body)

    def bodies(
        self, keys: Iterable[tuple[int, int | None]]
    ) -> dict[tuple[int, int | None], SharedBody]:
        return {k: self.store.outbox_bodies[k] for k in keys if k in self.store.outbox_bodies}

    def email(self, message: OutboxMessage) -> Email:
        return message.email(self.store.outbox_bodies.get((message.portal_id, message.body_id)))

    def due(self, at: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
        found = [m for m in self.store.outbox.values() if m.pending and m.next_attempt_at <= at]
        return sorted(found, key=lambda m: m.next_attempt_at)[:limit]

    def get(self, portal_id: int, message_id: int) -> OutboxMessage:
        try:
            return self.store.outbox[portal_id, message_id]
        except KeyError:
            raise NotFound("no such outbox message") from None

    def pending_count(self) -> int:
        return sum(1 for m in self.store.outbox.values() if m.pending)

    def to(self, recipient: str) -> list[OutboxMessage]:
        """Test helper: what was queued for one address, oldest first."""
        return [m for m in self.store.outbox.values() if m.recipient == recipient]


class FakeNotificationRuleRepository(_Repo):
    def for_portal(self, portal_id: int) -> Sequence[NotificationRule]:
        return [r for key, r in self.store.notification_rules.items() if key[0] == portal_id]

    def add(self, rule: NotificationRule) -> None:
        self._put(self.store.notification_rules, (rule.portal_id, rule.event, rule.audience), rule)


class FakeNotificationTemplateRepository(_Repo):
    def for_portal(self, portal_id: int) -> Sequence[NotificationTemplate]:
        return [t for key, t in self.store.notification_templates.items() if key[0] == portal_id]

    def get(self, portal_id: int, event: str) -> NotificationTemplate | None:
        return self.store.notification_templates.get((portal_id, event))

    def add(self, template: NotificationTemplate) -> None:
        self._put(self.store.notification_templates, (template.portal_id, template.event), template)

    def delete(self, portal_id: int, event: str) -> bool:
        return self.store.notification_templates.pop((portal_id, event), None) is not None


class FakeUnitOfWork:
    """`with uow: ...; uow.commit()`, like the real one; records what happened."""

    def __init__(self, store: _Store | None = None) -> None:
        self.store = store or _Store()
        self.committed = False
        self.commits = 0
        self.rollbacks = 0
        self.announced: list[Change] = []
        self._pending: list[Callable[[], None]] = []
        self._changes: list[Change] = []
        self._after_commit: list[Callable[[], None]] = []
        self.portals = FakePortalRepository(self.store, self)
        self.users = FakeUserRepository(self.store, self)
        self.invitations = FakeInvitationRepository(self.store, self)
        self.password_resets = FakePasswordResetRepository(self.store, self)
        self.statuses = FakeStatusRepository(self.store, self)
        self.form_fields = FakeFormFieldRepository(self.store, self)
        self.tickets = FakeTicketRepository(self.store, self)
        self.messages = FakeMessageRepository(self.store, self)
        self.attachments = FakeAttachmentRepository(self.store, self)
        self.reminders = FakeReminderRepository(self.store, self)
        self.outbox = FakeOutboxRepository(self.store, self)
        self.notification_rules = FakeNotificationRuleRepository(self.store, self)
        self.notification_templates = FakeNotificationTemplateRepository(self.store, self)

    def __enter__(self) -> Self:
        self.committed = False
        self._pending = []
        self._changes = []
        self._after_commit = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def next_id(self) -> int:
        return next(self.store.ids)

    def take_ids(self, n: int) -> list[int]:
        return [self.next_id() for _ in range(n)]

    def flush(self) -> None:
        pass

    def announce(self, change: Change) -> None:
        self._changes.append(change)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        self.committed = True
        self.commits += 1
        self._pending = []
        self.announced.extend(self._changes)
        self._changes = []
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        if self._pending:
            self.rollbacks += 1
        for undo in reversed(self._pending):
            undo()
        self._pending = []
        self._changes = []
        self._after_commit = []
