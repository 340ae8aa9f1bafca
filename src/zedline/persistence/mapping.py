"""Imperative mapping of the domain dataclasses. Runs once, from bootstrap.build()."""

from __future__ import annotations

import threading

from sqlalchemy.orm import registry

from zedline.accounts.model import Invitation, PasswordResetToken, User
from zedline.forms.model import FormField
from zedline.notifications.model import OutboxMessage
from zedline.notifications.rules import NotificationRule, NotificationTemplate
from zedline.persistence import tables as t
from zedline.portals.mail_settings import PortalMailSettings
from zedline.portals.model import Portal
from zedline.tickets.model import (
    Attachment,
    Message,
    Reminder,
    Status,
    Ticket,
    TicketEvent,
    TicketRead,
)

mapper_registry = registry(metadata=t.metadata)
_lock = threading.Lock()
_mapped = False


def start_mappers() -> None:
    """Map every entity to its table. Idempotent; no relationships, so no hidden I/O."""
    global _mapped  # noqa: PLW0603 - mapping is process-wide by nature
    with _lock:
        if _mapped:
            return
        m = mapper_registry.map_imperatively
        m(Portal, t.portals)
        m(User, t.users)
        m(Invitation, t.invitations)
        m(PasswordResetToken, t.password_reset_tokens)
        m(Status, t.statuses)
        m(FormField, t.form_fields)
        # Optimistic locking: an UPDATE that finds another version raises StaleDataError,
        # which the unit of work turns into Conflict. Concurrent edits never overwrite.
        m(Ticket, t.tickets, version_id_col=t.tickets.c.version)
        m(Message, t.messages)
        m(TicketEvent, t.ticket_events)
        m(Attachment, t.attachments)
        m(Reminder, t.reminders)
        m(TicketRead, t.ticket_reads)
        m(OutboxMessage, t.outbox)
        m(PortalMailSettings, t.portal_mail_settings)
        m(NotificationRule, t.notification_rules)
        m(NotificationTemplate, t.notification_templates)
        _mapped = True
