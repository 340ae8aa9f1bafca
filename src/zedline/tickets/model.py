"""Tickets and the rules of working them."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zedline.accounts.model import Role, User
from zedline.errors import InvalidInput, InvalidTransition, PermissionDenied
from zedline.i18n import N_

MAX_SUBJECT = 255
MAX_BODY = 50_000
MAX_COMMENT = 2_000


class Category(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """Still needs someone: new, open or waiting."""
        return self in (Category.NEW, Category.OPEN, Category.WAITING)


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class EventKind(enum.StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    TAKEN = "taken"
    DELEGATED = "delegated"
    UNASSIGNED = "unassigned"
    DEADLINE_SET = "deadline_set"
    DEADLINE_CLEARED = "deadline_cleared"
    REOPENED = "reopened"
    RATED = "rated"
    REMINDER_SET = "reminder_set"


@dataclass(eq=False)
class Status:
    """One of a portal's statuses. Its category never changes; its labels may."""

    portal_id: int
    id: int
    category: Category
    operator_label: str
    client_label: str
    position: int
    is_default: bool = False
    active: bool = True


def default_statuses(
    portal_id: int, ids: list[int], translate: Callable[[str], str] = str
) -> list[Status]:
    """The statuses a new portal starts with, their labels passed through `translate` (into
    the portal's language); from then on they are the admin's own words."""
    rows = [
        (Category.NEW, N_("New"), N_("Received"), True),
        (Category.OPEN, N_("In progress"), N_("In progress"), False),
        (Category.WAITING, N_("Waiting for client"), N_("Waiting for your reply"), False),
        (Category.RESOLVED, N_("Resolved"), N_("Resolved — please confirm"), False),
        (Category.CLOSED, N_("Closed"), N_("Closed"), False),
    ]
    return [
        Status(portal_id, ids[i], cat, translate(op), translate(cl), position=i, is_default=default)
        for i, (cat, op, cl, default) in enumerate(rows)
    ]


@dataclass(eq=False)
class TicketEvent:
    """One line of a ticket's history. `public` events are shown to the client."""

    portal_id: int
    id: int
    ticket_id: int
    kind: EventKind
    created_at: datetime
    actor_id: int | None
    public: bool
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Message:
    portal_id: int
    id: int
    ticket_id: int
    author_id: int
    visibility: Visibility
    body: str
    created_at: datetime

    @property
    def is_internal(self) -> bool:
        return self.visibility is Visibility.INTERNAL


def clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput({"body": N_("write a message first")})
    if len(body) > MAX_BODY:
        raise InvalidInput(
            {"body": N_("the message is longer than %(max)s characters", max=MAX_BODY)}
        )
    return body


@dataclass(eq=False)
class Ticket:
    portal_id: int
    id: int
    number: int
    subject: str
    status_id: int
    # Copied from the status (whose category is fixed) so the journal filters without a join.
    category: Category
    requester_id: int
    created_at: datetime
    updated_at: datetime
    # The last activity a client may see; drives the client's list and unread marker.
    public_updated_at: datetime
    assignee_id: int | None = None
    deadline: datetime | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    rating_comment: str = ""
    # Set when the worker has told someone that the deadline passed; cleared by a new deadline.
    deadline_notified_at: datetime | None = None
    version: int = 1

    # -- who may see what -------------------------------------------------------------

    def visible_to(self, user: User) -> bool:
        if user.portal_id != self.portal_id or not user.active:
            return False
        return user.is_staff or self.requester_id == user.id

    # -- the rules ------------------------------------------------------------------------

    def _event(
        self,
        event_id: int,
        kind: EventKind,
        by: User | None,
        at: datetime,
        *,
        public: bool,
        **data: Any,
    ) -> TicketEvent:
        return TicketEvent(
            self.portal_id, event_id, self.id, kind, at, by.id if by else None, public, data
        )

    def _touch(self, at: datetime, *, public: bool) -> None:
        self.updated_at = max(self.updated_at, at)
        if public:
            self.public_updated_at = max(self.public_updated_at, at)

    def _set_status(self, status: Status, at: datetime) -> None:
        if status.portal_id != self.portal_id:
            raise InvalidInput({"status": N_("unknown status")})
        self.status_id = status.id
        self.category = status.category
        if status.category is Category.RESOLVED:
            self.resolved_at = at
            self.closed_at = None  # back from closed: no longer closed
        if status.category is Category.CLOSED:
            self.closed_at = at
            self.resolved_at = self.resolved_at or at
        elif status.category.is_active:
            self.closed_at = None
            self.resolved_at = None

    def created_event(self, event_id: int, by: User) -> TicketEvent:
        return self._event(event_id, EventKind.CREATED, by, self.created_at, public=True)

    def change_status(
        self, status: Status, *, by: User, at: datetime, event_id: int
    ) -> TicketEvent:
        by.require_staff("change a ticket's status")
        if not status.active:
            raise InvalidInput({"status": N_("this status is retired")})
        if status.id == self.status_id:
            raise InvalidTransition(
                N_("ticket #%(number)s already has this status", number=self.number)
            )
        old = self.status_id
        self._set_status(status, at)
        self._touch(at, public=True)
        return self._event(
            event_id,
            EventKind.STATUS_CHANGED,
            by,
            at,
            public=True,
            old_status_id=old,
            new_status_id=status.id,
        )

    def take(self, *, by: User, at: datetime, event_id: int) -> TicketEvent:
        by.require_staff("take a ticket")
        if self.assignee_id == by.id:
            raise InvalidTransition(N_("ticket #%(number)s is already yours", number=self.number))
        previous = self.assignee_id
        self.assignee_id = by.id
        self._touch(at, public=False)
        return self._event(
            event_id,
            EventKind.TAKEN,
            by,
            at,
            public=False,
            assignee_id=by.id,
            previous_assignee_id=previous,
        )

    def delegate(self, to: User, *, by: User, at: datetime, event_id: int) -> TicketEvent:
        by.require_staff("delegate a ticket")
        if to.portal_id != self.portal_id or not to.is_staff or not to.active:
            raise InvalidInput({"assignee": N_("choose an active operator of this portal")})
        if self.assignee_id == to.id:
            raise InvalidTransition(
                N_(
                    "ticket #%(number)s is already assigned to %(name)s",
                    number=self.number,
                    name=to.full_name,
                )
            )
        previous = self.assignee_id
        self.assignee_id = to.id
        self._touch(at, public=False)
        return self._event(
            event_id,
            EventKind.DELEGATED,
            by,
            at,
            public=False,
            assignee_id=to.id,
            previous_assignee_id=previous,
        )

    def unassign(self, *, by: User, at: datetime, event_id: int) -> TicketEvent:
        by.require_staff("unassign a ticket")
        if self.assignee_id is None:
            raise InvalidTransition(N_("ticket #%(number)s has no assignee", number=self.number))
        previous = self.assignee_id
        self.assignee_id = None
        self._touch(at, public=False)
        return self._event(
            event_id, EventKind.UNASSIGNED, by, at, public=False, previous_assignee_id=previous
        )

    def set_deadline(
        self, deadline: datetime | None, *, by: User, at: datetime, event_id: int
    ) -> TicketEvent:
        by.require_staff("set a deadline")
        if deadline is not None and deadline.tzinfo is None:
            raise InvalidInput({"deadline": N_("the deadline needs a time zone")})
        if deadline == self.deadline:
            raise InvalidTransition(
                N_("ticket #%(number)s already has this deadline", number=self.number)
            )
        self.deadline = deadline
        self.deadline_notified_at = None
        self._touch(at, public=False)
        if deadline is None:
            return self._event(event_id, EventKind.DEADLINE_CLEARED, by, at, public=False)
        return self._event(
            event_id, EventKind.DEADLINE_SET, by, at, public=False, deadline=deadline.isoformat()
        )

    def post_message(
        self,
        *,
        author: User,
        body: str,
        visibility: Visibility,
        at: datetime,
        message_id: int,
        reopen_to: Status | None = None,
        event_id: int | None = None,
    ) -> tuple[Message, TicketEvent | None]:
        """Add a message. A client's reply to a resolved ticket reopens it (`reopen_to`).

        Returns the message and, when the reply reopened the ticket, the event saying so.
        """
        if not self.visible_to(author):
            raise PermissionDenied(N_("you cannot write in this ticket"))
        if visibility is Visibility.INTERNAL and not author.is_staff:
            raise PermissionDenied(N_("clients can only write public messages"))
        body = clean_body(body)
        event = None
        if author.role is Role.CLIENT:
            if self.category is Category.CLOSED:
                raise InvalidTransition(
                    f"request #{self.number} is closed; please open a new request"
                )
            if self.category is Category.RESOLVED:
                if reopen_to is None or event_id is None:
                    raise InvalidTransition(
                        "a reply to a resolved request needs a status to reopen"
                    )
                event = self._reopen(reopen_to, by=author, at=at, event_id=event_id)
        elif visibility is Visibility.PUBLIC and self.first_response_at is None:
            self.first_response_at = at
        self._touch(at, public=visibility is Visibility.PUBLIC)
        message = Message(self.portal_id, message_id, self.id, author.id, visibility, body, at)
        return message, event

    def _reopen(self, status: Status, *, by: User, at: datetime, event_id: int) -> TicketEvent:
        if not status.category.is_active:
            raise InvalidInput({"status": N_("a ticket reopens to a new, open or waiting status")})
        old = self.status_id
        self._set_status(status, at)
        self._touch(at, public=True)
        return self._event(
            event_id,
            EventKind.REOPENED,
            by,
            at,
            public=True,
            old_status_id=old,
            new_status_id=status.id,
        )

    def reopen(self, status: Status, *, by: User, at: datetime, event_id: int) -> TicketEvent:
        """The requester (or staff) says the problem is not solved after all."""
        if not self.visible_to(by):
            raise PermissionDenied(N_("you cannot reopen this ticket"))
        if self.category is not Category.RESOLVED and not (
            by.is_staff and self.category is Category.CLOSED
        ):
            raise InvalidTransition(N_("ticket #%(number)s is not resolved", number=self.number))
        return self._reopen(status, by=by, at=at, event_id=event_id)

    def confirm_resolution(
        self, closed: Status, *, by: User, at: datetime, event_id: int
    ) -> TicketEvent:
        """The requester confirms the solution: the ticket closes."""
        if by.id != self.requester_id:
            raise PermissionDenied(N_("only the requester confirms a resolution"))
        if self.category is not Category.RESOLVED:
            raise InvalidTransition(
                N_("request #%(number)s is not waiting for confirmation", number=self.number)
            )
        if closed.category is not Category.CLOSED:
            raise InvalidInput({"status": N_("confirming closes the request")})
        old = self.status_id
        self._set_status(closed, at)
        self._touch(at, public=True)
        return self._event(
            event_id,
            EventKind.STATUS_CHANGED,
            by,
            at,
            public=True,
            old_status_id=old,
            new_status_id=closed.id,
        )

    def rate(
        self, score: int, comment: str, *, by: User, at: datetime, event_id: int
    ) -> TicketEvent:
        if by.id != self.requester_id:
            raise PermissionDenied(N_("only the requester rates the help"))
        if self.category not in (Category.RESOLVED, Category.CLOSED):
            raise InvalidTransition(N_("a request can be rated once it is resolved"))
        if score not in range(1, 6):
            raise InvalidInput({"rating": N_("choose from 1 to 5 stars")})
        comment = comment.strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidInput({"comment": N_("at most %(max)s characters", max=MAX_COMMENT)})
        self.rating = score
        self.rating_comment = comment
        self._touch(at, public=True)
        return self._event(event_id, EventKind.RATED, by, at, public=True, rating=score)


@dataclass(eq=False)
class Attachment:
    portal_id: int
    id: int
    ticket_id: int
    uploader_id: int
    filename: str
    content_type: str
    size: int
    storage_key: str
    created_at: datetime
    message_id: int | None = None
    # Files attached to internal messages are internal too.
    visibility: Visibility = Visibility.PUBLIC


@dataclass(eq=False)
class Reminder:
    portal_id: int
    id: int
    ticket_id: int
    user_id: int
    due_at: datetime
    note: str
    created_at: datetime
    fired_at: datetime | None = None


@dataclass(eq=False)
class TicketRead:
    """When a user last looked at a ticket: drives the unread marker."""

    portal_id: int
    ticket_id: int
    user_id: int
    read_at: datetime
