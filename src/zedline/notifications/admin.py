"""Use cases of a portal admin's notification settings: the switches and the own mail texts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.errors import InvalidInput, NotFound
from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import N_, translator
from zedline.notifications.rules import (
    EVENTS,
    SWITCHES,
    Audience,
    EventSpec,
    NotificationRule,
    NotificationTemplate,
    spec,
)
from zedline.notifications.sandbox import TemplateProblem, safe_context
from zedline.notifications.sandbox import render as render_sandboxed
from zedline.notifications.services import TEMPLATES, Notifier, Rendered
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal
from zedline.tickets.model import Ticket

DEFAULT_SUBJECT = "{{ subject }}"
# A preview's template is never stored; its time is a placeholder.
PREVIEW_TIME = datetime(2000, 1, 1, tzinfo=UTC)
DEFAULT_BODY = (TEMPLATES / "ticket_notice.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class NotificationSettings:
    """What the settings page shows: every switch's state and which texts are the portal's."""

    enabled: Mapping[tuple[str, str], bool]
    customized: frozenset[str]

    def is_on(self, event: str, audience: str) -> bool:
        return self.enabled.get((event, audience), True)


@dataclass(frozen=True)
class TemplateDraft:
    event: EventSpec
    subject: str
    body: str
    custom: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class Preview:
    rendered: Rendered
    # The ticket it was rendered on; None: an example (the portal has no requests yet).
    ticket_number: int | None


@dataclass(frozen=True)
class _ExampleTicket:
    number: int = 1
    subject: str = N_("Example request")


def _editable(key: str) -> EventSpec:
    found = spec(key)
    if found is None or not found.editable:
        raise NotFound(N_("no such notification"))
    return found


def notification_settings(uow: UnitOfWork, actor: User) -> NotificationSettings:
    """Raises: PermissionDenied: the actor is not an admin."""
    actor.require_admin("see the notification settings")
    with uow:
        rules = uow.notification_rules.for_portal(actor.portal_id)
        templates = uow.notification_templates.for_portal(actor.portal_id)
        return NotificationSettings(
            enabled={(r.event, r.audience): r.enabled for r in rules},
            customized=frozenset(t.event for t in templates),
        )


def set_notification_rules(
    uow: UnitOfWork, actor: User, enabled: Iterable[tuple[str, str]]
) -> NotificationSettings:
    """Switch every configurable (event, audience) on when it is in `enabled`, else off.
    Pairs that name no switch are ignored (a form cannot add a rule that does not exist).

    Raises:
        PermissionDenied: the actor is not an admin.
    """
    actor.require_admin("change the notification settings")
    wanted = set(enabled)
    with uow:
        existing = {
            (r.event, r.audience): r for r in uow.notification_rules.for_portal(actor.portal_id)
        }
        for event, audience in SWITCHES:
            on = (event, audience.value) in wanted
            rule = existing.get((event, audience.value))
            if rule is None:
                uow.notification_rules.add(
                    NotificationRule(actor.portal_id, event, audience.value, on)
                )
            else:
                rule.enabled = on
        uow.commit()
    return NotificationSettings(
        enabled={(e, a.value): (e, a.value) in wanted for e, a in SWITCHES},
        customized=frozenset(),
    )


def template_draft(uow: UnitOfWork, actor: User, event: str) -> TemplateDraft:
    """The portal's own text for `event`, or the built-in one.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no editable notification is called `event`.
    """
    actor.require_admin("see the notification settings")
    event_spec = _editable(event)
    with uow:
        found = uow.notification_templates.get(actor.portal_id, event)
    if found is None:
        return TemplateDraft(
            event_spec, DEFAULT_SUBJECT, DEFAULT_BODY, custom=False, updated_at=None
        )
    return TemplateDraft(
        event_spec, found.subject, found.body, custom=True, updated_at=found.updated_at
    )


EMPTY = {"subject": N_("the subject cannot be empty"), "body": N_("the body cannot be empty")}


def _check(subject: str, body: str, context: Mapping[str, Any]) -> None:
    """Raises: InvalidInput (fields `subject`, `body`) with the line and the reason."""
    errors: dict[str, str] = {}
    values = safe_context(context)
    lang = getattr(context.get("portal"), "language", DEFAULT_LANGUAGE)
    for name, source in (("subject", subject), ("body", body)):
        if not source.strip():
            errors[name] = EMPTY[name]
            continue
        try:
            output = render_sandboxed(source, values, lang=lang)
        except TemplateProblem as problem:
            errors[name] = problem.text
            continue
        if name == "subject" and not output.strip():
            errors[name] = N_("the subject renders as empty text")
    if errors:
        raise InvalidInput(errors)


def save_template(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    actor: User,
    event: str,
    *,
    subject: str,
    body: str,
) -> None:
    """Keep the portal's own subject and text for `event`, after rendering them on the
    portal's latest request: a broken template is refused and nothing is saved.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no editable notification is called `event`.
        InvalidInput: a template is broken (fields `subject`, `body`: line and reason).
    """
    actor.require_admin("change the notification settings")
    event_spec = _editable(event)
    subject = subject.replace("\r\n", "\n")
    body = body.replace("\r\n", "\n")
    with uow:
        portal = uow.portals.get(actor.portal_id)
        context, _ = _sample(uow, notifier, portal, actor, event_spec, None)
        _check(subject, body, context)
        found = uow.notification_templates.get(actor.portal_id, event)
        if found is None:
            uow.notification_templates.add(
                NotificationTemplate(actor.portal_id, event, subject, body, clock.now())
            )
        else:
            found.subject, found.body, found.updated_at = subject, body, clock.now()
        uow.commit()


def reset_template(uow: UnitOfWork, actor: User, event: str) -> bool:
    """Go back to the built-in text for `event`; returns whether there was an own one.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no editable notification is called `event`.
    """
    actor.require_admin("change the notification settings")
    _editable(event)
    with uow:
        removed = uow.notification_templates.delete(actor.portal_id, event)
        uow.commit()
    return removed


def preview_template(
    uow: UnitOfWork,
    notifier: Notifier,
    actor: User,
    event: str,
    *,
    subject: str,
    body: str,
    number: int | None = None,
) -> Preview:
    """The mail `event` would send with this subject and text, on request `number` (default:
    the portal's latest). Nothing is saved or sent.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no such notification, or no request `number` in the portal.
        InvalidInput: a template is broken (fields `subject`, `body`: line and reason).
    """
    actor.require_admin("preview notifications")
    event_spec = _editable(event)
    subject = subject.replace("\r\n", "\n")
    body = body.replace("\r\n", "\n")
    with uow:
        portal = uow.portals.get(actor.portal_id)
        context, ticket_number = _sample(uow, notifier, portal, actor, event_spec, number)
    _check(subject, body, context)
    full = {"portal": portal, "portal_url": notifier.portal_url(portal), **context}
    template = NotificationTemplate(actor.portal_id, event, subject, body, PREVIEW_TIME)
    try:
        rendered = notifier.render_custom(template, full)
    except TemplateProblem as problem:
        raise InvalidInput({"body": problem.text}) from problem
    return Preview(rendered, ticket_number)


def _sample(
    uow: UnitOfWork,
    notifier: Notifier,
    portal: Portal,
    actor: User,
    event_spec: EventSpec,
    number: int | None,
) -> tuple[dict[str, Any], int | None]:
    """The values a mail of this event would get, on a real request of the portal."""
    ticket: Ticket | _ExampleTicket
    requester: User | None = None
    description = ""
    try:
        ticket = uow.tickets.get_for(actor, number if number is not None else portal.ticket_seq)
        ticket_number: int | None = ticket.number
        try:
            requester = uow.users.get(portal.id, ticket.requester_id)
        except NotFound:
            requester = None
        messages = uow.messages.list_for(actor, ticket)
        description = messages[0].body if messages else ""
    except NotFound:
        if number is not None:
            raise NotFound(
                N_("there is no request #%(number)s in this portal", number=number)
            ) from None
        ticket, ticket_number = _ExampleTicket(), None
    to_client = any(a is Audience.CLIENT for a, _role in event_spec.audiences)
    recipient = requester if to_client and requester is not None else actor
    # The same words the real mail is written with (events.py), in the portal's language.
    _ = translator(portal.language)
    client_name = requester.full_name if requester is not None else _("Carla Client")
    staff_name = actor.full_name
    n, title = ticket.number, ticket.subject
    if isinstance(ticket, _ExampleTicket):
        title = _(title)
    texts: dict[str, tuple[str, str, str, str]] = {
        # Per event: the subject, headline, body label and note its mail is written with.
        "ticket_created": (
            _("We received your request: %(subject)s", subject=title),
            _(
                "We received your request #%(number)s “%(subject)s”. "
                "We will e-mail you as soon as an operator replies.",
                number=n,
                subject=title,
            ),
            _("Your request"),
            "",
        ),
        "ticket_created_staff": (
            _("New request from %(name)s: %(subject)s", name=client_name, subject=title),
            _("%(name)s opened request #%(number)s.", name=client_name, number=n),
            _("%(name)s wrote", name=client_name),
            "",
        ),
        "reply": (
            _("New reply: %(subject)s", subject=title),
            _(
                "%(name)s from %(portal)s replied to your request #%(number)s.",
                name=actor.first_name,
                portal=portal.name,
                number=n,
            ),
            _("%(name)s wrote", name=actor.first_name),
            _("To answer, open the request and write there."),
        ),
        "client_reply": (
            _("%(name)s replied: %(subject)s", name=client_name, subject=title),
            _("%(name)s replied on request #%(number)s.", name=client_name, number=n),
            _("%(name)s wrote", name=client_name),
            "",
        ),
        "internal_note": (
            _("Internal note from %(name)s: %(subject)s", name=staff_name, subject=title),
            _(
                "%(name)s wrote an internal note on request #%(number)s.",
                name=staff_name,
                number=n,
            ),
            staff_name,
            "",
        ),
        "status_changed": (
            _("%(status)s: %(subject)s", status=_("Resolved"), subject=title),
            _(
                "The status of your request #%(number)s is now “%(status)s”.",
                number=n,
                status=_("Resolved"),
            ),
            "",
            _(
                "If the problem is solved, please confirm it on the request page. "
                "If not, reply there and the request reopens."
            ),
        ),
        "status_changed_by_client": (
            _("%(status)s: %(subject)s", status=_("Closed"), subject=title),
            _(
                "%(name)s closed request #%(number)s: it is now “%(status)s”.",
                name=client_name,
                number=n,
                status=_("Closed"),
            ),
            "",
            "",
        ),
        "assigned": (
            _("%(name)s passed you a request: %(subject)s", name=staff_name, subject=title),
            _("%(name)s assigned request #%(number)s to you.", name=staff_name, number=n),
            _("Note from %(name)s", name=staff_name),
            "",
        ),
        "reminder_due": (
            _("Reminder: %(subject)s", subject=title),
            _("You asked to be reminded about request #%(number)s.", number=n),
            _("Your note"),
            "",
        ),
        "deadline_passed": (
            _("Deadline passed: %(subject)s", subject=title),
            _("The deadline of request #%(number)s has passed.", number=n),
            "",
            "",
        ),
    }
    subject, headline, body_label, note = texts.get(
        event_spec.key,
        (title, _("Something happened on request #%(number)s.", number=n), "", ""),
    )
    internal = event_spec.key in {"internal_note", "assigned", "reminder_due"}
    body = "" if not body_label else (description or _("The text of the message."))
    context: dict[str, Any] = {
        "user": recipient,
        "ticket": ticket,
        "subject": f"[#{n}] {subject}",
        "headline": headline,
        "body": body,
        "body_label": body_label,
        "internal": internal,
        "for_staff": recipient.is_staff,
        "details": [(_("Request"), f"#{n}")],
        "note": note,
        "ticket_url": notifier.portal_url(portal, f"tickets/{n}"),
        "portal": portal,
        "portal_url": notifier.portal_url(portal),
    }
    return context, ticket_number


def editable_events() -> list[EventSpec]:
    return [e for e in EVENTS if e.editable]
