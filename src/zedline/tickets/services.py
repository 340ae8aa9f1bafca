"""Use cases of tickets: opening, the conversation, and the operator's work on them."""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.errors import ConcurrentChange, Conflict, InvalidInput, NotFound, PermissionDenied
from zedline.files import FileStore, FileTooLarge
from zedline.forms.model import DESCRIPTION_KEY, SUBJECT_KEY, validate_answers
from zedline.i18n import N_
from zedline.live import Change
from zedline.notifications import events
from zedline.notifications.services import Notifier
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals import disk
from zedline.portals.model import Portal
from zedline.tickets.model import (
    MAX_SUBJECT,
    Attachment,
    Category,
    Message,
    Reminder,
    Ticket,
    Visibility,
)

MAX_FILES_PER_MESSAGE = 10
MAX_REMINDER_NOTE = 1000


# How many times a message is written again when another writer changed its ticket at the
# same moment (see `post_message`).
MESSAGE_ATTEMPTS = 4


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: the adapter streams it, the use case stores and counts it."""

    filename: str
    content_type: str
    stream: BinaryIO


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int


def _portal_for(uow: UnitOfWork, actor: User) -> Portal:
    portal = uow.portals.get(actor.portal_id)
    if not portal.active:
        raise PermissionDenied(N_("this portal is disabled"))
    return portal


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            f"request #{ticket.number} was changed by someone else meanwhile; "
            "the page now shows the latest state"
        )


def _announce(uow: UnitOfWork, ticket: Ticket, kind: str, *, public: bool = True) -> None:
    uow.announce(Change(ticket.portal_id, ticket.number, kind, public, ticket.requester_id))


def open_ticket(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    answers: Mapping[str, object],
    *,
    files: FileStore | None = None,
    uploads: Sequence[Upload] = (),
    limits: FileLimits | None = None,
    requester_id: int | None = None,
) -> Ticket:
    """Open a ticket from the request form. The description becomes the first message.

    Staff may open a ticket for a client (`requester_id`).

    Raises:
        InvalidInput: one message per bad form field (or file).
        PermissionDenied: the portal is disabled, or a client names another requester.
        NotFound: the requester does not exist.
    """
    with disk.warn_when_refused(uow, clock, notifier), uow:
        portal = _portal_for(uow, actor)
        fields = uow.form_fields.list(portal.id, active_only=True)
        cleaned = validate_answers(fields, answers, staff=actor.is_staff)
        subject = str(cleaned.pop(SUBJECT_KEY, "")).strip()[:MAX_SUBJECT]
        description = str(cleaned.pop(DESCRIPTION_KEY, "")).strip()
        if requester_id is not None and requester_id != actor.id:
            actor.require_staff("open a request for someone else")
            requester = uow.users.get(portal.id, requester_id)
        else:
            requester = actor
        now = clock.now()
        status = uow.statuses.default(portal.id)
        ticket = Ticket(
            portal_id=portal.id,
            id=uow.next_id(),
            number=uow.portals.next_ticket_number(portal.id),
            subject=subject or "(no subject)",
            status_id=status.id,
            category=status.category,
            requester_id=requester.id,
            created_at=now,
            updated_at=now,
            public_updated_at=now,
            answers=dict(cleaned),
        )
        uow.tickets.add(ticket)
        uow.tickets.add_event(ticket.created_event(uow.next_id(), actor))
        message = None
        if description:
            message = Message(
                portal.id,
                uow.next_id(),
                ticket.id,
                actor.id,
                Visibility.PUBLIC,
                description,
                now,
            )
            uow.messages.add(message)
        uow.flush()
        stored = _store_uploads(
            uow,
            clock,
            files,
            portal,
            ticket,
            actor,
            message,
            uploads,
            limits,
            Visibility.PUBLIC,
            notifier=notifier,
        )
        try:
            uow.tickets.mark_read(actor, ticket, now)
            events.ticket_created(
                uow,
                clock,
                notifier,
                portal,
                ticket,
                requester=requester,
                description=description,
                actor=actor,
            )
            _announce(uow, ticket, "ticket")
            uow.commit()
        except BaseException:
            _discard(files, stored)
            raise
    return ticket


def _clean_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return (name or "file")[:200]


def _store_uploads(
    uow: UnitOfWork,
    clock: Clock,
    files: FileStore | None,
    portal: Portal,
    ticket: Ticket,
    actor: User,
    message: Message | None,
    uploads: Sequence[Upload],
    limits: FileLimits | None,
    visibility: Visibility,
    *,
    notifier: Notifier,
) -> list[str]:
    if not uploads:
        return []
    if files is None or limits is None:
        raise InvalidInput({"files": N_("attachments are not available here")})
    if len(uploads) > MAX_FILES_PER_MESSAGE:
        raise InvalidInput(
            {"files": N_("attach at most %(max)s files at once", max=MAX_FILES_PER_MESSAGE)}
        )
    stored: list[str] = []
    total = 0
    try:
        for upload in uploads:
            name = _clean_filename(upload.filename)
            try:
                key, size = files.save(portal.id, upload.stream, max_bytes=limits.max_bytes)
            except FileTooLarge:
                raise InvalidInput(
                    {
                        "files": N_(
                            "“%(name)s” is larger than %(mb)s MB",
                            name=name,
                            mb=limits.max_bytes // (1024 * 1024),
                        )
                    }
                ) from None
            stored.append(key)
            total += size
            content_type = (
                upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            )
            uow.attachments.add(
                Attachment(
                    portal_id=portal.id,
                    id=uow.next_id(),
                    ticket_id=ticket.id,
                    uploader_id=actor.id,
                    filename=name,
                    content_type=content_type[:127],
                    size=size,
                    storage_key=key,
                    created_at=clock.now(),
                    message_id=message.id if message else None,
                    visibility=visibility,
                )
            )
        # Checked against the fresh row, locked until commit (SQLite holds its write lock
        # already): two uploads at once can neither both squeeze under the quota nor
        # overwrite each other's count. FOR NO KEY UPDATE, because the rows inserted above
        # hold a key-share lock on the portal through their foreign keys; FOR UPDATE would
        # deadlock two uploads.
        uow.session.refresh(
            portal, ["used_bytes", "quota_bytes"], with_for_update={"key_share": True}
        )
        try:
            portal.reserve_space(total)
        except InvalidInput:
            # The caller's disk.warn_when_refused tells the admins once this is rolled back.
            raise disk.SpaceRefused(portal.id, total, portal.free_bytes) from None
        disk.warn_on_growth(uow, clock, notifier, portal, grown_by=total)
    except BaseException:
        _discard(files, stored)
        raise
    return stored


def _discard(files: FileStore | None, keys: Sequence[str]) -> None:
    if files is None:
        return
    for key in keys:
        files.delete(key)


def post_message(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    body: str,
    visibility: Visibility,
    files: FileStore | None = None,
    uploads: Sequence[Upload] = (),
    limits: FileLimits | None = None,
) -> Message:
    """Write in a ticket. A client's reply to a resolved ticket reopens it.

    A message adds to the conversation whatever else happened meanwhile: when another
    writer changed the ticket at the same moment (two people answering at once), it is
    written again on the fresh ticket, a few times, instead of being refused.

    Raises:
        NotFound: no such ticket for this actor.
        PermissionDenied: a client writing an internal message.
        InvalidInput: empty body, bad file, full quota.
        InvalidTransition: a client writing in a closed ticket.
        Conflict: the ticket kept changing under it (after MESSAGE_ATTEMPTS tries).
    """
    for attempt in range(1, MESSAGE_ATTEMPTS + 1):
        try:
            return _post_message_once(
                uow, clock, notifier, actor, number, body=body, visibility=visibility,
                files=files, uploads=uploads, limits=limits,
            )  # fmt: skip
        except ConcurrentChange:
            if attempt == MESSAGE_ATTEMPTS or not _rewind(uploads):
                raise
    raise AssertionError  # pragma: no cover - the loop returns or raises


def _rewind(uploads: Sequence[Upload]) -> bool:
    """Put every upload back at its start for another try; False if one cannot be."""
    for upload in uploads:
        if not upload.stream.seekable():
            return False
        upload.stream.seek(0)
    return True


def _post_message_once(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    body: str,
    visibility: Visibility,
    files: FileStore | None,
    uploads: Sequence[Upload],
    limits: FileLimits | None,
) -> Message:
    with disk.warn_when_refused(uow, clock, notifier), uow:
        portal = _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number, lock=True)
        reopen_to = None
        event_id = None
        if ticket.category is Category.RESOLVED and not actor.is_staff:
            reopen_to = uow.statuses.first_in(portal.id, Category.OPEN)
            event_id = uow.next_id()
        if not body.strip() and uploads:
            body = "(files attached)"
        message, event = ticket.post_message(
            author=actor,
            body=body,
            visibility=visibility,
            at=clock.now(),
            message_id=uow.next_id(),
            reopen_to=reopen_to,
            event_id=event_id,
        )
        uow.messages.add(message)
        if event is not None:
            uow.tickets.add_event(event)
        uow.flush()
        stored = _store_uploads(
            uow,
            clock,
            files,
            portal,
            ticket,
            actor,
            message,
            uploads,
            limits,
            visibility,
            notifier=notifier,
        )
        try:
            uow.tickets.mark_read(actor, ticket, clock.now())
            events.message_posted(
                uow,
                clock,
                notifier,
                portal,
                ticket,
                message=message,
                author=actor,
                reopened_to=reopen_to if event is not None else None,
            )
            _announce(uow, ticket, "message", public=not message.is_internal)
            uow.commit()
        except BaseException:
            _discard(files, stored)
            raise
    return message


def take_ticket(
    uow: UnitOfWork,
    clock: Clock,
    actor: User,
    number: int,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Assign the ticket to the acting operator.

    Raises:
        NotFound, PermissionDenied (clients), InvalidTransition (already yours), Conflict.
    """
    with uow:
        _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        uow.tickets.add_event(ticket.take(by=actor, at=clock.now(), event_id=uow.next_id()))
        _announce(uow, ticket, "assignee", public=False)
        uow.commit()
    return ticket


def delegate_ticket(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    to_user_id: int,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket to a colleague, optionally with an internal note that stays in it.

    Raises:
        NotFound, PermissionDenied, InvalidInput (not an active operator), Conflict.
    """
    with uow:
        portal = _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        try:
            to = uow.users.get(portal.id, to_user_id)
        except NotFound:
            raise InvalidInput(
                {"assignee": N_("choose an active operator of this portal")}
            ) from None
        now = clock.now()
        uow.tickets.add_event(ticket.delegate(to, by=actor, at=now, event_id=uow.next_id()))
        if note.strip():
            message, _ = ticket.post_message(
                author=actor,
                body=note,
                visibility=Visibility.INTERNAL,
                at=now,
                message_id=uow.next_id(),
            )
            uow.messages.add(message)
        events.assigned(
            uow, clock, notifier, portal, ticket, assignee=to, by=actor, note=note.strip()
        )
        _announce(uow, ticket, "assignee", public=False)
        uow.commit()
    return ticket


def unassign_ticket(
    uow: UnitOfWork,
    clock: Clock,
    actor: User,
    number: int,
    *,
    expected_version: int | None = None,
) -> Ticket:
    with uow:
        _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        uow.tickets.add_event(ticket.unassign(by=actor, at=clock.now(), event_id=uow.next_id()))
        _announce(uow, ticket, "assignee", public=False)
        uow.commit()
    return ticket


def change_status(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    status_id: int,
    expected_version: int | None = None,
) -> Ticket:
    """Raises NotFound, PermissionDenied (clients), InvalidInput, InvalidTransition, Conflict."""
    with uow:
        portal = _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        try:
            status = uow.statuses.get(portal.id, status_id)
        except NotFound:
            raise InvalidInput({"status": N_("choose one of this portal's statuses")}) from None
        event = ticket.change_status(status, by=actor, at=clock.now(), event_id=uow.next_id())
        uow.tickets.add_event(event)
        events.status_changed(uow, clock, notifier, portal, ticket, new=status, by=actor)
        _announce(uow, ticket, "status")
        uow.commit()
    return ticket


def set_deadline(
    uow: UnitOfWork,
    clock: Clock,
    actor: User,
    number: int,
    *,
    deadline: datetime | None,
    expected_version: int | None = None,
) -> Ticket:
    with uow:
        _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        uow.tickets.add_event(
            ticket.set_deadline(deadline, by=actor, at=clock.now(), event_id=uow.next_id())
        )
        _announce(uow, ticket, "deadline", public=False)
        uow.commit()
    return ticket


def confirm_resolution(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """The client confirms the solution: the ticket closes."""
    with uow:
        portal = _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        closed = uow.statuses.first_in(portal.id, Category.CLOSED)
        uow.tickets.add_event(
            ticket.confirm_resolution(closed, by=actor, at=clock.now(), event_id=uow.next_id())
        )
        events.status_changed(uow, clock, notifier, portal, ticket, new=closed, by=actor)
        _announce(uow, ticket, "status")
        uow.commit()
    return ticket


def reopen_ticket(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    number: int,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """The client (or staff) says the problem is not solved: back to an open status."""
    with uow:
        portal = _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        _check_version(ticket, expected_version)
        status = uow.statuses.first_in(portal.id, Category.OPEN)
        uow.tickets.add_event(
            ticket.reopen(status, by=actor, at=clock.now(), event_id=uow.next_id())
        )
        events.status_changed(uow, clock, notifier, portal, ticket, new=status, by=actor)
        _announce(uow, ticket, "status")
        uow.commit()
    return ticket


def rate_ticket(
    uow: UnitOfWork, clock: Clock, actor: User, number: int, *, score: int, comment: str = ""
) -> Ticket:
    with uow:
        _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        uow.tickets.add_event(
            ticket.rate(score, comment, by=actor, at=clock.now(), event_id=uow.next_id())
        )
        _announce(uow, ticket, "rating")
        uow.commit()
    return ticket


def set_reminder(
    uow: UnitOfWork, clock: Clock, actor: User, number: int, *, due_at: datetime, note: str = ""
) -> Reminder:
    """A reminder for the acting operator; the worker mails it when due.

    Raises:
        PermissionDenied (clients), InvalidInput (in the past, note too long), NotFound.
    """
    actor.require_staff("set reminders")
    if due_at.tzinfo is None:
        raise InvalidInput({"due_at": N_("the time needs a time zone")})
    now = clock.now()
    if due_at <= now:
        raise InvalidInput({"due_at": N_("choose a time in the future")})
    if len(note) > MAX_REMINDER_NOTE:
        raise InvalidInput({"note": N_("at most %(max)s characters", max=MAX_REMINDER_NOTE)})
    with uow:
        _portal_for(uow, actor)
        ticket = uow.tickets.get_for(actor, number)
        reminder = Reminder(
            portal_id=ticket.portal_id,
            id=uow.next_id(),
            ticket_id=ticket.id,
            user_id=actor.id,
            due_at=due_at,
            note=note.strip(),
            created_at=now,
        )
        uow.reminders.add(reminder)
        uow.commit()
    return reminder


def fire_due_reminders(uow: UnitOfWork, clock: Clock, notifier: Notifier, limit: int = 100) -> int:
    """Mail every reminder that is due (called by the worker). Returns how many fired."""
    fired = 0
    with uow:
        now = clock.now()
        for reminder in uow.reminders.due(now, limit):
            portal = uow.portals.get(reminder.portal_id)
            user = uow.users.get(reminder.portal_id, reminder.user_id)
            reminder.fired_at = now
            fired += 1
            if not user.active or not portal.active:
                continue
            try:
                ticket = uow.tickets.get_by_id_for(user, reminder.ticket_id)
            except NotFound:
                # The user lost access meanwhile (demoted, say): drop the reminder, and do
                # not let it stop every other reminder of the batch from firing.
                continue
            events.reminder_due(uow, clock, notifier, portal, ticket, user=user, note=reminder.note)
        uow.commit()
    return fired


def mark_read(uow: UnitOfWork, clock: Clock, actor: User, number: int) -> None:
    with uow:
        ticket = uow.tickets.get_for(actor, number)
        uow.tickets.mark_read(actor, ticket, clock.now())
        uow.commit()
