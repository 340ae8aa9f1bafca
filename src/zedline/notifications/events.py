"""Which e-mail each ticket event sends, and to whom.

Each function is called inside the use case's transaction, so the mail is written to the outbox
with the change or not at all. Internal messages never reach a client's mailbox: every function
that may carry internal text addresses staff only, and that is tested.
"""

from __future__ import annotations

from collections.abc import Iterable

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.notifications.services import Notifier, thread_id
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal
from zedline.tickets.model import Message, Status, Ticket


def _ticket_url(notifier: Notifier, portal: Portal, ticket: Ticket) -> str:
    return notifier.portal_url(portal, f"tickets/{ticket.number}")


def _send(  # noqa: PLR0913
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    recipients: Iterable[User],
    *,
    event: str,
    subject: str,
    headline: str,
    body: str = "",
    body_is_internal: bool = False,
) -> None:
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        if body_is_internal and not user.is_staff:
            continue  # defence in depth: internal text is for staff only
        notifier.enqueue(
            uow, clock, portal, to=user.email, event="ticket_notice",
            thread=thread_id(portal, ticket.number),
            context={
                "event": event, "user": user, "ticket": ticket, "subject": subject,
                "headline": headline, "body": body, "internal": body_is_internal,
                "ticket_url": _ticket_url(notifier, portal, ticket),
            },
        )


def _staff(uow: UnitOfWork, portal: Portal) -> list[User]:
    return list(uow.users.staff(portal.id))


def ticket_created(  # noqa: PLR0913
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket,
    requester: User, description: str,
) -> None:
    """Acknowledgement to the client; notice to the portal's operators."""
    _send(
        uow, clock, notifier, portal, ticket, [requester], event="ticket_created",
        subject=f"[#{ticket.number}] We received your request: {ticket.subject}",
        headline=f"We received your request #{ticket.number}. "
        "We will write to you here as soon as an operator replies.",
        body=description,
    )
    _send(
        uow, clock, notifier, portal, ticket,
        [u for u in _staff(uow, portal) if u.id != requester.id],
        event="ticket_created_staff",
        subject=f"[#{ticket.number}] New request from {requester.full_name}: {ticket.subject}",
        headline=f"{requester.full_name} opened request #{ticket.number}.",
        body=description,
    )


def message_posted(  # noqa: PLR0913
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket,
    message: Message, author: User,
) -> None:
    """A public reply goes to the other side; an internal note to the assignee only."""
    if message.is_internal:
        if ticket.assignee_id is not None and ticket.assignee_id != author.id:
            assignee = uow.users.get(portal.id, ticket.assignee_id)
            _send(
                uow, clock, notifier, portal, ticket, [assignee], event="internal_note",
                subject=f"[#{ticket.number}] Internal note from {author.full_name}",
                headline=f"{author.full_name} wrote an internal note on #{ticket.number}.",
                body=message.body, body_is_internal=True,
            )
        return
    if author.is_staff:
        requester = uow.users.get(portal.id, ticket.requester_id)
        _send(
            uow, clock, notifier, portal, ticket, [requester], event="reply",
            subject=f"[#{ticket.number}] New reply: {ticket.subject}",
            headline=f"{author.first_name} from {portal.name} replied to your request.",
            body=message.body,
        )
        return
    recipients = (
        [uow.users.get(portal.id, ticket.assignee_id)]
        if ticket.assignee_id is not None
        else _staff(uow, portal)
    )
    _send(
        uow, clock, notifier, portal, ticket, [u for u in recipients if u.id != author.id],
        event="client_reply",
        subject=f"[#{ticket.number}] {author.full_name} replied: {ticket.subject}",
        headline=f"{author.full_name} replied on #{ticket.number}.",
        body=message.body,
    )


def status_changed(  # noqa: PLR0913
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket,
    new: Status, by: User,
) -> None:
    """To the client, in the client's words for the status."""
    if by.id == ticket.requester_id:
        return
    requester = uow.users.get(portal.id, ticket.requester_id)
    _send(
        uow, clock, notifier, portal, ticket, [requester], event="status_changed",
        subject=f"[#{ticket.number}] {new.client_label}: {ticket.subject}",
        headline=f"The status of your request #{ticket.number} is now “{new.client_label}”.",
    )


def assigned(  # noqa: PLR0913
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket,
    assignee: User, by: User, note: str = "",
) -> None:
    """To the operator who now has the ticket (not when they took it themselves)."""
    if assignee.id == by.id:
        return
    _send(
        uow, clock, notifier, portal, ticket, [assignee], event="assigned",
        subject=f"[#{ticket.number}] {by.full_name} passed you a request: {ticket.subject}",
        headline=f"{by.full_name} assigned request #{ticket.number} to you.",
        body=note, body_is_internal=bool(note),
    )


def reminder_due(  # noqa: PLR0913
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket,
    user: User, note: str,
) -> None:
    _send(
        uow, clock, notifier, portal, ticket, [user], event="reminder_due",
        subject=f"[#{ticket.number}] Reminder: {ticket.subject}",
        headline=f"You asked to be reminded about request #{ticket.number}.",
        body=note, body_is_internal=True,
    )


def deadline_passed(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket
) -> None:
    recipients = (
        [uow.users.get(portal.id, ticket.assignee_id)]
        if ticket.assignee_id is not None
        else [u for u in _staff(uow, portal) if u.is_admin]
    )
    _send(
        uow, clock, notifier, portal, ticket, recipients, event="deadline_passed",
        subject=f"[#{ticket.number}] Deadline passed: {ticket.subject}",
        headline=f"The deadline of request #{ticket.number} has passed.",
    )
