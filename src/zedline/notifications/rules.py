"""Notification rules: which event mails which audience, and a portal's own mail texts.

Every switch is on by default, which is the behaviour of a portal that never touched them.
The rules only take mail away: who may receive a mail at all is still decided in
`events._send` (an internal text never reaches a client, whatever a rule says).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from zedline.i18n import N_


class Audience(enum.StrEnum):
    CLIENT = "client"
    ASSIGNEE = "assignee"
    OPERATORS = "operators"
    ADMINS = "admins"


@dataclass(frozen=True)
class EventSpec:
    """One kind of mail. `key` is the outbox's `event`; `audiences` pairs each audience that
    can receive it with the words the settings page uses for it."""

    key: str
    label: str
    audiences: tuple[tuple[Audience, str], ...] = ()
    # Account mails (passwords, reset links) are always sent; their texts are built in.
    fixed: bool = False

    @property
    def editable(self) -> bool:
        return not self.fixed

    def has(self, audience: Audience) -> bool:
        return any(a is audience for a, _ in self.audiences)


EVENTS: tuple[EventSpec, ...] = (
    EventSpec("credentials", N_("Registration: login and password"), fixed=True),
    EventSpec("invitation", N_("Invitation: login and password"), fixed=True),
    EventSpec("password_reset", N_("Password reset link"), fixed=True),
    EventSpec(
        "ticket_created",
        N_("Request received (acknowledgement)"),
        ((Audience.CLIENT, N_("To the client")),),
    ),
    EventSpec(
        "ticket_created_staff",
        N_("New request (notice to staff)"),
        ((Audience.OPERATORS, N_("To all operators")), (Audience.ADMINS, N_("To admins"))),
    ),
    EventSpec("reply", N_("Reply from staff"), ((Audience.CLIENT, N_("To the client")),)),
    EventSpec(
        "client_reply",
        N_("Reply from the client"),
        (
            (Audience.ASSIGNEE, N_("To the assigned operator")),
            (Audience.OPERATORS, N_("To all operators (no one assigned)")),
            (Audience.ADMINS, N_("To admins (no one assigned)")),
        ),
    ),
    EventSpec(
        "internal_note",
        N_("Internal note"),
        ((Audience.ASSIGNEE, N_("To the assigned operator")),),
    ),
    EventSpec("status_changed", N_("Status changed"), ((Audience.CLIENT, N_("To the client")),)),
    EventSpec(
        "status_changed_by_client",
        N_("Status changed by the client"),
        (
            (Audience.ASSIGNEE, N_("To the assigned operator")),
            (Audience.OPERATORS, N_("To all operators (no one assigned)")),
            (Audience.ADMINS, N_("To admins (no one assigned)")),
        ),
    ),
    EventSpec(
        "assigned",
        N_("Assigned or delegated"),
        ((Audience.ASSIGNEE, N_("To the operator who gets the request")),),
    ),
    EventSpec(
        "reminder_due",
        N_("Reminder due"),
        ((Audience.OPERATORS, N_("To the operator who set it")),),
    ),
    EventSpec(
        "deadline_passed",
        N_("Deadline passed"),
        (
            (Audience.ASSIGNEE, N_("To the assigned operator")),
            (Audience.ADMINS, N_("To admins (no one assigned)")),
        ),
    ),
)
BY_KEY: Mapping[str, EventSpec] = {spec.key: spec for spec in EVENTS}
SWITCHES: tuple[tuple[str, Audience], ...] = tuple(
    (spec.key, audience) for spec in EVENTS for audience, _ in spec.audiences
)


def spec(key: str) -> EventSpec | None:
    return BY_KEY.get(key)


@dataclass(eq=False)
class NotificationRule:
    portal_id: int
    event: str
    audience: str
    enabled: bool


@dataclass(eq=False)
class NotificationTemplate:
    """A portal's own subject and text for one event (Jinja2, rendered in a sandbox)."""

    portal_id: int
    event: str
    subject: str
    body: str
    updated_at: datetime


def audience_of(spec: EventSpec, *, is_staff: bool, is_admin: bool, is_assignee: bool) -> Audience:
    """Which of the event's audiences a recipient belongs to."""
    if len(spec.audiences) == 1:
        return spec.audiences[0][0]
    if not is_staff:
        return Audience.CLIENT
    if is_assignee and spec.has(Audience.ASSIGNEE):
        return Audience.ASSIGNEE
    if is_admin and spec.has(Audience.ADMINS):
        return Audience.ADMINS
    return Audience.OPERATORS


@dataclass(frozen=True)
class PortalNotifications:
    """A portal's switches and texts, loaded once per use case."""

    off: frozenset[tuple[str, str]] = frozenset()
    templates: Mapping[str, NotificationTemplate] = field(default_factory=dict)

    @classmethod
    def of(
        cls, rules: Iterable[NotificationRule], templates: Iterable[NotificationTemplate]
    ) -> PortalNotifications:
        return cls(
            off=frozenset((r.event, r.audience) for r in rules if not r.enabled),
            templates={t.event: t for t in templates},
        )

    def allows(self, event: str, audience: Audience) -> bool:
        return (event, audience.value) not in self.off

    def template(self, event: str) -> NotificationTemplate | None:
        return self.templates.get(event)
