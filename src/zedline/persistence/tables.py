"""The schema. Every tenant table is keyed `(portal_id, id)` and points at other rows through
foreign keys that include `portal_id`, so the database itself refuses a cross-portal reference
and the schema can be distributed by `portal_id`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from zedline.accounts.model import Role
from zedline.forms.model import FieldKind
from zedline.notifications.model import Channel
from zedline.persistence.types import UTCDateTime, json_type
from zedline.portals.mail_settings import Security
from zedline.tickets.model import Category, EventKind, Visibility

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum(cls: type, name: str) -> Enum:
    # Stored as the value string (VARCHAR), not a native enum type: adding a value later is
    # then a code change, not a locking ALTER TYPE.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def _tenant_pk() -> list[Column[int]]:
    return [
        Column("portal_id", BigInteger, ForeignKey("portals.id"), nullable=False),
        Column("id", BigInteger, nullable=False, autoincrement=False),
    ]


def _ref(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["portal_id", column], [f"{table}.portal_id", f"{table}.id"])


id_nodes = Table(
    "id_nodes",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

portals = Table(
    "portals",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("slug", String(48), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("language", String(8), nullable=False, default="en"),
    Column("quota_bytes", BigInteger, nullable=False),
    Column("used_bytes", BigInteger, nullable=False, default=0),
    Column("ticket_seq", BigInteger, nullable=False, default=0),
)

users = Table(
    "users",
    metadata,
    *_tenant_pk(),
    # Stored normalised (lowercase), so the unique constraint is case-insensitive.
    Column("email", String(254), nullable=False),
    Column("first_name", String(80), nullable=False),
    Column("last_name", String(80), nullable=False),
    Column("role", _enum(Role, "role"), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("password_expires_at", UTCDateTime),
    Column("last_login_at", UTCDateTime),
    Column("auth_version", Integer, nullable=False),
    Column("tour_done", Boolean, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    UniqueConstraint("portal_id", "email"),
    Index("ix_users_portal_role_name", "portal_id", "role", "last_name", "first_name"),
)

statuses = Table(
    "statuses",
    metadata,
    *_tenant_pk(),
    Column("category", _enum(Category, "category"), nullable=False),
    Column("operator_label", String(60), nullable=False),
    Column("client_label", String(60), nullable=False),
    Column("position", Integer, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
)

form_fields = Table(
    "form_fields",
    metadata,
    *_tenant_pk(),
    Column("key", String(40), nullable=False),
    Column("label", String(255), nullable=False),
    Column("kind", _enum(FieldKind, "field_kind"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("required", Boolean, nullable=False),
    Column("options", json_type(), nullable=False),
    Column("help_text", Text, nullable=False),
    Column("client_visible", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    UniqueConstraint("portal_id", "key"),
)

# The active categories (new, open, waiting) as the partial indexes' condition.
ACTIVE_SQL = "category IN ('new', 'open', 'waiting')"


def _active_only() -> dict[str, Any]:
    return {"sqlite_where": text(ACTIVE_SQL), "postgresql_where": text(ACTIVE_SQL)}


tickets = Table(
    "tickets",
    metadata,
    *_tenant_pk(),
    Column("number", BigInteger, nullable=False),
    Column("subject", String(255), nullable=False),
    Column("status_id", BigInteger, nullable=False),
    Column("category", _enum(Category, "category"), nullable=False),
    Column("requester_id", BigInteger, nullable=False),
    Column("assignee_id", BigInteger),
    Column("deadline", UTCDateTime),
    Column("answers", json_type(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("public_updated_at", UTCDateTime, nullable=False),
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("rating", Integer),
    Column("rating_comment", Text, nullable=False),
    Column("deadline_notified_at", UTCDateTime),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    UniqueConstraint("portal_id", "number"),
    _ref("status_id", "statuses"),
    _ref("requester_id", "users"),
    _ref("assignee_id", "users"),
    # The journal: all tickets, or one category, by last activity (keyset on updated_at, id).
    Index("ix_tickets_journal", "portal_id", "updated_at", "id"),
    Index("ix_tickets_journal_category", "portal_id", "category", "updated_at", "id"),
    Index("ix_tickets_assignee", "portal_id", "assignee_id", "updated_at", "id"),
    Index("ix_tickets_requester_activity", "portal_id", "requester_id", "updated_at", "id"),
    # Only the active tickets (a few thousand of a million): the default view, "mine" and
    # the deadline sort. Queries must repeat ACTIVE_SQL word for word to use them.
    Index("ix_tickets_active", "portal_id", "updated_at", "id", **_active_only()),
    Index(
        "ix_tickets_active_assignee",
        "portal_id",
        "assignee_id",
        "updated_at",
        "id",
        **_active_only(),
    ),
    Index("ix_tickets_active_deadline", "portal_id", "deadline", "id", **_active_only()),
    # The worker's scan for passed deadlines not yet announced.
    Index(
        "ix_tickets_deadline_due",
        "deadline",
        postgresql_where=text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
        sqlite_where=text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
    ),
    # Statistics over a period: created and closed per day.
    Index("ix_tickets_created", "portal_id", "created_at"),
    Index("ix_tickets_closed", "portal_id", "closed_at"),
    Index("ix_tickets_resolved", "portal_id", "resolved_at"),
    # A client's own list, and the journal filtered by client.
    Index("ix_tickets_requester", "portal_id", "requester_id", "public_updated_at", "id"),
)

# How many tickets a portal has per (assignee, category); assignee 0: unassigned. Kept by
# database triggers (migration 0003) in the transaction of every ticket write, so the
# journal's chips read a few rows instead of counting a million.
ticket_counts = Table(
    "ticket_counts",
    metadata,
    Column("portal_id", BigInteger, ForeignKey("portals.id"), nullable=False),
    Column("assignee_id", BigInteger, nullable=False),
    Column("category", _enum(Category, "category"), nullable=False),
    Column("n", BigInteger, nullable=False),
    PrimaryKeyConstraint("portal_id", "assignee_id", "category"),
)

messages = Table(
    "messages",
    metadata,
    *_tenant_pk(),
    Column("ticket_id", BigInteger, nullable=False),
    Column("author_id", BigInteger, nullable=False),
    Column("visibility", _enum(Visibility, "visibility"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("ticket_id", "tickets"),
    _ref("author_id", "users"),
    Index("ix_messages_ticket", "portal_id", "ticket_id", "created_at", "id"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    *_tenant_pk(),
    Column("ticket_id", BigInteger, nullable=False),
    Column("kind", _enum(EventKind, "event_kind"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("actor_id", BigInteger),
    Column("public", Boolean, nullable=False),
    Column("data", json_type(), nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("ticket_id", "tickets"),
    _ref("actor_id", "users"),
    Index("ix_ticket_events_ticket", "portal_id", "ticket_id", "created_at", "id"),
    # Statistics: who took how many tickets in a period.
    Index("ix_ticket_events_kind", "portal_id", "kind", "created_at", "actor_id"),
)

attachments = Table(
    "attachments",
    metadata,
    *_tenant_pk(),
    Column("ticket_id", BigInteger, nullable=False),
    Column("message_id", BigInteger),
    Column("uploader_id", BigInteger, nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(127), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("storage_key", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("visibility", _enum(Visibility, "visibility"), nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("ticket_id", "tickets"),
    _ref("message_id", "messages"),
    _ref("uploader_id", "users"),
    Index("ix_attachments_ticket", "portal_id", "ticket_id", "id"),
    Index("ix_attachments_size", "portal_id", "size"),
)

reminders = Table(
    "reminders",
    metadata,
    *_tenant_pk(),
    Column("ticket_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("fired_at", UTCDateTime),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("ticket_id", "tickets"),
    _ref("user_id", "users"),
    Index(
        "ix_reminders_due",
        "due_at",
        postgresql_where=text("fired_at IS NULL"),
        sqlite_where=text("fired_at IS NULL"),
    ),
    Index("ix_reminders_ticket", "portal_id", "ticket_id"),
)

ticket_reads = Table(
    "ticket_reads",
    metadata,
    Column("portal_id", BigInteger, ForeignKey("portals.id"), nullable=False),
    Column("ticket_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("read_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("portal_id", "user_id", "ticket_id"),
    _ref("ticket_id", "tickets"),
    _ref("user_id", "users"),
)

invitations = Table(
    "invitations",
    metadata,
    *_tenant_pk(),
    Column("user_id", BigInteger, nullable=False),
    Column("invited_by_id", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("accepted_at", UTCDateTime),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("user_id", "users"),
    _ref("invited_by_id", "users"),
)

password_reset_tokens = Table(
    "password_reset_tokens",
    metadata,
    *_tenant_pk(),
    Column("user_id", BigInteger, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    PrimaryKeyConstraint("portal_id", "id"),
    _ref("user_id", "users"),
)

outbox = Table(
    "outbox",
    metadata,
    *_tenant_pk(),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("recipient", String(1000), nullable=False),
    Column("subject", String(998), nullable=False),
    Column("payload", json_type(), nullable=False),
    Column("event", String(64), nullable=False),
    Column("sensitive", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("delivered_at", UTCDateTime),
    Column("failed_at", UTCDateTime),
    Column("last_error", Text, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
    # Only undelivered messages are in the worker's index, so it stays small.
    Index(
        "ix_outbox_due",
        "next_attempt_at",
        postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
        sqlite_where=text("delivered_at IS NULL AND failed_at IS NULL"),
    ),
)

# A notice's text and HTML, stored once for all its recipients (`SharedBody`): the parts
# of each, split where the recipient's first name goes.
outbox_bodies = Table(
    "outbox_bodies",
    metadata,
    *_tenant_pk(),
    Column("text", json_type(), nullable=False),
    Column("html", json_type(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("portal_id", "id"),
)

# A portal's own outgoing mail server; no row: the platform's. The password is a Fernet
# token (zedline.secrets), never the password itself.
portal_mail_settings = Table(
    "portal_mail_settings",
    metadata,
    Column("portal_id", BigInteger, ForeignKey("portals.id"), primary_key=True),
    Column("sender_name", String(120), nullable=False),
    Column("sender_address", String(254), nullable=False),
    Column("smtp_host", String(253), nullable=False),
    Column("smtp_port", Integer, nullable=False),
    Column("smtp_username", String(255), nullable=False),
    Column("smtp_password_encrypted", Text, nullable=False),
    Column("security", _enum(Security, "smtp_security"), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Switches of a portal's notifications; a missing row means on (the default).
notification_rules = Table(
    "notification_rules",
    metadata,
    Column("portal_id", BigInteger, ForeignKey("portals.id"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("audience", String(24), nullable=False),
    Column("enabled", Boolean, nullable=False),
    PrimaryKeyConstraint("portal_id", "event", "audience"),
)

# A portal's own subject and text for an event; a missing row means the built-in text.
notification_templates = Table(
    "notification_templates",
    metadata,
    Column("portal_id", BigInteger, ForeignKey("portals.id"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("portal_id", "event"),
)

# Deleting a portal removes its rows child-first, in this order.
TENANT_TABLES_CHILD_FIRST = (
    portal_mail_settings,
    notification_rules,
    notification_templates,
    ticket_counts,
    outbox,
    outbox_bodies,
    password_reset_tokens,
    invitations,
    ticket_reads,
    reminders,
    attachments,
    ticket_events,
    messages,
    tickets,
    form_fields,
    statuses,
    users,
)
