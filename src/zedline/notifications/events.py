"""Which e-mail each ticket event sends, and to whom.

Each function is called inside the use case's transaction, so the mail is written to the outbox
with the change or not at all.

Every mail about a ticket goes through `_send`, the one place that decides who may receive it:
only active people of the portal who may see the ticket, never the person who acted, and, when
the mail is for staff (`staff_only`) or carries internal text (`body_is_internal`), never a
client. So an internal note cannot reach a client's mailbox whatever list a caller passes in.
The portal's notification rules (`rules.py`) are applied there too, after those checks: they
can switch a mail off, never let one through, and a portal's own text for the event gets the
same values the built-in one does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.errors import NotFound
from zedline.i18n import translator
from zedline.notifications.rules import PortalNotifications, audience_of, spec
from zedline.notifications.services import Notifier, SharedNotice
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal
from zedline.tickets.model import Category, Message, Status, Ticket

TEMPLATE = "ticket_notice"
# How many characters of a message an e-mail quotes; the rest is one click away.
MAX_QUOTE = 4000


@dataclass(frozen=True)
class _About:
    """What a ticket mail is written with and about."""

    uow: UnitOfWork
    clock: Clock
    notifier: Notifier
    portal: Portal
    ticket: Ticket
    prefs: PortalNotifications = field(default_factory=PortalNotifications)


def load_preferences(uow: UnitOfWork, portal_id: int) -> PortalNotifications:
    """The portal's switches and own texts (two small queries, once per use case)."""
    return PortalNotifications.of(
        uow.notification_rules.for_portal(portal_id),
        uow.notification_templates.for_portal(portal_id),
    )


def _about(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket
) -> _About:
    return _About(uow, clock, notifier, portal, ticket, load_preferences(uow, portal.id))


def _send(
    about: _About,
    to: Iterable[User],
    *,
    event: str,
    subject: str,
    headline: str,
    body: str = "",
    body_label: str = "",
    body_is_internal: bool = False,
    staff_only: bool = False,
    details: Sequence[tuple[str, str]] = (),
    note: str = "",
    exclude: User | None = None,
    thread_root: bool = False,
) -> int:
    """Write one mail per allowed recipient; returns how many were written."""
    notifier, portal, ticket = about.notifier, about.portal, about.ticket
    staff_only = staff_only or body_is_internal
    event_spec = spec(event)
    custom = about.prefs.template(event)
    seen: set[int] = set()
    allowed: list[User] = []
    for user in to:
        if user.id in seen:
            continue
        seen.add(user.id)
        if exclude is not None and user.id == exclude.id:
            continue
        if user.portal_id != portal.id or not ticket.visible_to(user):
            continue
        if staff_only and not user.is_staff:
            continue  # internal text and staff notices are for staff only, always
        if event_spec is not None and not about.prefs.allows(
            event,
            audience_of(
                event_spec,
                is_staff=user.is_staff,
                is_admin=user.is_admin,
                is_assignee=user.id == ticket.assignee_id,
            ),
        ):
            continue  # the portal switched this mail off
        allowed.append(user)
    # Many recipients share one rendering and one stored body; one has a mail of its own.
    shared: dict[tuple[str, bool], SharedNotice] | None = {} if len(allowed) > 1 else None
    for user in allowed:
        notifier.enqueue(
            about.uow,
            about.clock,
            portal,
            to=user.email,
            event=TEMPLATE,
            kind=event,
            thread=notifier.thread_id(portal, ticket.number),
            thread_root=thread_root and not user.is_staff,
            custom=custom,
            shared=shared,
            context={
                "user": user,
                "ticket": ticket,
                "subject": f"[#{ticket.number}] {subject}",
                "headline": headline,
                "body": _quote(body),
                "body_label": body_label,
                "internal": body_is_internal,
                "for_staff": user.is_staff,
                "details": list(details),
                "note": note,
                "ticket_url": notifier.portal_url(portal, f"tickets/{ticket.number}"),
            },
        )
    return len(allowed)


def _quote(body: str) -> str:
    body = body.strip()
    if len(body) <= MAX_QUOTE:
        return body
    return body[:MAX_QUOTE].rstrip() + " …"


def _staff(uow: UnitOfWork, portal: Portal) -> list[User]:
    return list(uow.users.staff(portal.id))


def _user(uow: UnitOfWork, portal: Portal, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    try:
        return uow.users.get(portal.id, user_id)
    except NotFound:
        return None


def _assignee_or(
    uow: UnitOfWork, portal: Portal, ticket: Ticket, *, admins_only: bool
) -> list[User]:
    """The assignee, or (no active assignee) the admins or all staff of the portal."""
    assignee = _user(uow, portal, ticket.assignee_id)
    if assignee is not None and assignee.active and assignee.is_staff:
        return [assignee]
    staff = _staff(uow, portal)
    return [u for u in staff if u.is_admin] if admins_only else staff


def _status(uow: UnitOfWork, portal: Portal, ticket: Ticket) -> Status | None:
    try:
        return uow.statuses.get(portal.id, ticket.status_id)
    except NotFound:
        return None


def _when(portal: Portal, at: datetime) -> str:
    """A time as the portal's people read it: in the portal's time zone, named."""
    try:
        zone = ZoneInfo(portal.timezone)
        name = portal.timezone
    except (ZoneInfoNotFoundError, ValueError):
        zone, name = ZoneInfo("UTC"), "UTC"
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} ({name})"


def ticket_created(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    *,
    requester: User,
    description: str,
    actor: User | None = None,
) -> None:
    """Acknowledgement to the client (the thread's first mail); notice to the operators."""
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    status = _status(uow, portal, ticket)
    n, title, name = ticket.number, ticket.subject, requester.full_name
    _send(
        about,
        [requester],
        event="ticket_created",
        subject=_("We received your request: %(subject)s", subject=title),
        headline=_(
            "We received your request #%(number)s “%(subject)s”. "
            "We will e-mail you as soon as an operator replies.",
            number=n,
            subject=title,
        ),
        body=description,
        body_label=_("Your request"),
        details=[(_("Request"), f"#{n}")]
        + ([(_("Status"), status.client_label)] if status else []),
        thread_root=True,
    )
    _send(
        about,
        _staff(uow, portal),
        event="ticket_created_staff",
        subject=_("New request from %(name)s: %(subject)s", name=name, subject=title),
        headline=_("%(name)s opened request #%(number)s.", name=name, number=n),
        body=description,
        body_label=_("%(name)s wrote", name=name),
        details=[(_("Client"), f"{name} <{requester.email}>")]
        + ([(_("Status"), status.operator_label)] if status else []),
        staff_only=True,
        exclude=actor if actor is not None and actor.is_staff else None,
    )


def message_posted(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    *,
    message: Message,
    author: User,
    reopened_to: Status | None = None,
) -> None:
    """A public reply goes to the other side; an internal note to the assignee only.

    Staff reply → the client. Client reply → the assignee, or every operator when the ticket
    has none (`reopened_to`: the reply reopened a resolved ticket, which the mail says).
    """
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    n, title = ticket.number, ticket.subject
    if message.is_internal:
        _send(
            about,
            [u for u in [_user(uow, portal, ticket.assignee_id)] if u is not None],
            event="internal_note",
            subject=_(
                "Internal note from %(name)s: %(subject)s", name=author.full_name, subject=title
            ),
            headline=_(
                "%(name)s wrote an internal note on request #%(number)s.",
                name=author.full_name,
                number=n,
            ),
            body=message.body,
            body_label=author.full_name,
            body_is_internal=True,
            exclude=author,
        )
        return
    if author.is_staff:
        requester = _user(uow, portal, ticket.requester_id)
        _send(
            about,
            [requester] if requester else [],
            event="reply",
            subject=_("New reply: %(subject)s", subject=title),
            headline=_(
                "%(name)s from %(portal)s replied to your request #%(number)s.",
                name=author.first_name,
                portal=portal.name,
                number=n,
            ),
            body=message.body,
            body_label=_("%(name)s wrote", name=author.first_name),
            note=_("To answer, open the request and write there."),
            exclude=author,
        )
        return
    headline = _("%(name)s replied on request #%(number)s.", name=author.full_name, number=n)
    if reopened_to is not None:
        headline = _(
            "%(name)s replied on request #%(number)s, which reopened it (now “%(status)s”).",
            name=author.full_name,
            number=n,
            status=reopened_to.operator_label,
        )
    _send(
        about,
        _assignee_or(uow, portal, ticket, admins_only=False),
        event="client_reply",
        subject=_("%(name)s replied: %(subject)s", name=author.full_name, subject=title),
        headline=headline,
        body=message.body,
        body_label=_("%(name)s wrote", name=author.full_name),
        staff_only=True,
        exclude=author,
    )


def status_changed(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    *,
    new: Status,
    by: User,
) -> None:
    """Staff changed it → the client, in the client's words; the client did → the assignee."""
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    n, title = ticket.number, ticket.subject
    if by.id == ticket.requester_id and not by.is_staff:
        label = new.operator_label
        if new.category is Category.CLOSED:
            headline = _(
                "%(name)s closed request #%(number)s: it is now “%(status)s”.",
                name=by.full_name,
                number=n,
                status=label,
            )
        else:
            headline = _(
                "%(name)s changed the status of request #%(number)s: it is now “%(status)s”.",
                name=by.full_name,
                number=n,
                status=label,
            )
        _send(
            about,
            _assignee_or(uow, portal, ticket, admins_only=False),
            event="status_changed_by_client",
            subject=_("%(status)s: %(subject)s", status=label, subject=title),
            headline=headline,
            staff_only=True,
            exclude=by,
        )
        return
    requester = _user(uow, portal, ticket.requester_id)
    note = ""
    if new.category is Category.RESOLVED:
        note = _(
            "If the problem is solved, please confirm it on the request page. "
            "If not, reply there and the request reopens."
        )
    _send(
        about,
        [requester] if requester else [],
        event="status_changed",
        subject=_("%(status)s: %(subject)s", status=new.client_label, subject=title),
        headline=_(
            "The status of your request #%(number)s is now “%(status)s”.",
            number=n,
            status=new.client_label,
        ),
        details=[(_("Status"), new.client_label)],
        note=note,
        exclude=by,
    )


def assigned(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    *,
    assignee: User,
    by: User,
    note: str = "",
) -> None:
    """To the operator who now has the ticket (not when they took it themselves).

    The delegation note is internal: it goes to staff only, like the whole mail.
    """
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    requester = _user(uow, portal, ticket.requester_id)
    _send(
        about,
        [assignee],
        event="assigned",
        subject=_(
            "%(name)s passed you a request: %(subject)s", name=by.full_name, subject=ticket.subject
        ),
        headline=_(
            "%(name)s assigned request #%(number)s to you.", name=by.full_name, number=ticket.number
        ),
        body=note,
        body_label=_("Note from %(name)s", name=by.full_name),
        body_is_internal=True,
        details=[(_("Client"), requester.full_name)] if requester else [],
        exclude=by,
    )


def reminder_due(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    ticket: Ticket,
    *,
    user: User,
    note: str,
) -> None:
    """To the operator who set the reminder; the note is theirs, so internal."""
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    _send(
        about,
        [user],
        event="reminder_due",
        subject=_("Reminder: %(subject)s", subject=ticket.subject),
        headline=_("You asked to be reminded about request #%(number)s.", number=ticket.number),
        body=note,
        body_label=_("Your note"),
        body_is_internal=True,
    )


def deadline_passed(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, portal: Portal, ticket: Ticket
) -> int:
    """To the assignee, or the portal's admins when nobody (active) has the ticket."""
    about = _about(uow, clock, notifier, portal, ticket)
    _ = translator(portal.language)
    status = _status(uow, portal, ticket)
    requester = _user(uow, portal, ticket.requester_id)
    details: list[tuple[str, str]] = []
    if ticket.deadline is not None:
        details.append((_("Deadline"), _when(portal, ticket.deadline)))
    if status is not None:
        details.append((_("Status"), status.operator_label))
    if requester is not None:
        details.append((_("Client"), requester.full_name))
    return _send(
        about,
        _assignee_or(uow, portal, ticket, admins_only=True),
        event="deadline_passed",
        subject=_("Deadline passed: %(subject)s", subject=ticket.subject),
        headline=_("The deadline of request #%(number)s has passed.", number=ticket.number),
        details=details,
        staff_only=True,
    )
