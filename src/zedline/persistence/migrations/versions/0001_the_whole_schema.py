"""the whole schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 04:01:52.830625
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import zedline.persistence.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "id_nodes",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_nodes")),
    )
    op.create_table(
        "portals",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("slug", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("quota_bytes", sa.BigInteger(), nullable=False),
        sa.Column("used_bytes", sa.BigInteger(), nullable=False),
        sa.Column("ticket_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portals")),
        sa.UniqueConstraint("slug", name=op.f("uq_portals_slug")),
    )
    op.create_table(
        "form_fields",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "text",
                "textarea",
                "number",
                "date",
                "select",
                "multiselect",
                "checkbox",
                "email",
                "phone",
                name="field_kind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("help_text", sa.Text(), nullable=False),
        sa.Column("client_visible", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_form_fields_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_form_fields")),
        sa.UniqueConstraint("portal_id", "key", name=op.f("uq_form_fields_portal_id_key")),
    )
    op.create_table(
        "outbox",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "webhook", name="channel", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "next_attempt_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "delivered_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("failed_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_outbox_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_due",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text("delivered_at IS NULL AND failed_at IS NULL"),
            sqlite_where=sa.text("delivered_at IS NULL AND failed_at IS NULL"),
        )

    op.create_table(
        "statuses",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "new",
                "open",
                "waiting",
                "resolved",
                "closed",
                name="category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("operator_label", sa.String(length=60), nullable=False),
        sa.Column("client_label", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_statuses_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_statuses")),
    )
    op.create_table(
        "users",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "operator", "client", name="role", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column(
            "password_expires_at",
            zedline.persistence.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "last_login_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("auth_version", sa.Integer(), nullable=False),
        sa.Column("tour_done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_users_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_users")),
        sa.UniqueConstraint("portal_id", "email", name=op.f("uq_users_portal_id_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_users_portal_role_name",
            ["portal_id", "role", "last_name", "first_name"],
            unique=False,
        )

    op.create_table(
        "invitations",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("invited_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "accepted_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "invited_by_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_invitations_portal_id_invited_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "user_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_invitations_portal_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_invitations_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_invitations")),
    )
    op.create_table(
        "password_reset_tokens",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_id", "user_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_password_reset_tokens_portal_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_password_reset_tokens_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    op.create_table(
        "tickets",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "new",
                "open",
                "waiting",
                "resolved",
                "closed",
                name="category",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("requester_id", sa.BigInteger(), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("deadline", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "public_updated_at",
            zedline.persistence.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "first_response_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "resolved_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("closed_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=False),
        sa.Column(
            "deadline_notified_at",
            zedline.persistence.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id", "assignee_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_tickets_portal_id_assignee_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "requester_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_tickets_portal_id_requester_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "status_id"],
            ["statuses.portal_id", "statuses.id"],
            name=op.f("fk_tickets_portal_id_status_id_statuses"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_tickets_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("portal_id", "number", name=op.f("uq_tickets_portal_id_number")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_closed", ["portal_id", "closed_at"], unique=False)
        batch_op.create_index("ix_tickets_created", ["portal_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_tickets_deadline_due",
            ["deadline"],
            unique=False,
            postgresql_where=sa.text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
            sqlite_where=sa.text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
        )
        batch_op.create_index("ix_tickets_journal", ["portal_id", "updated_at", "id"], unique=False)
        batch_op.create_index(
            "ix_tickets_journal_assignee",
            ["portal_id", "assignee_id", "category", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_journal_category",
            ["portal_id", "category", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_journal_deadline", ["portal_id", "category", "deadline"], unique=False
        )
        batch_op.create_index(
            "ix_tickets_requester",
            ["portal_id", "requester_id", "public_updated_at", "id"],
            unique=False,
        )

    op.create_table(
        "messages",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("public", "internal", name="visibility", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "author_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_messages_portal_id_author_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "ticket_id"],
            ["tickets.portal_id", "tickets.id"],
            name=op.f("fk_messages_portal_id_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_messages_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_ticket", ["portal_id", "ticket_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "reminders",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("fired_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_id", "ticket_id"],
            ["tickets.portal_id", "tickets.id"],
            name=op.f("fk_reminders_portal_id_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "user_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_reminders_portal_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_reminders_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_reminders")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminders_due",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text("fired_at IS NULL"),
            sqlite_where=sa.text("fired_at IS NULL"),
        )
        batch_op.create_index("ix_reminders_ticket", ["portal_id", "ticket_id"], unique=False)

    op.create_table(
        "ticket_events",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "created",
                "status_changed",
                "taken",
                "delegated",
                "unassigned",
                "deadline_set",
                "deadline_cleared",
                "reopened",
                "rated",
                "reminder_set",
                name="event_kind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "actor_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_ticket_events_portal_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "ticket_id"],
            ["tickets.portal_id", "tickets.id"],
            name=op.f("fk_ticket_events_portal_id_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_ticket_events_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_ticket_events")),
    )
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_events_ticket", ["portal_id", "ticket_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "ticket_reads",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("read_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id", "ticket_id"],
            ["tickets.portal_id", "tickets.id"],
            name=op.f("fk_ticket_reads_portal_id_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "user_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_ticket_reads_portal_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_ticket_reads_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "user_id", "ticket_id", name=op.f("pk_ticket_reads")),
    )
    op.create_table(
        "attachments",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("uploader_id", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "visibility",
            sa.Enum("public", "internal", name="visibility", native_enum=False, length=24),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "message_id"],
            ["messages.portal_id", "messages.id"],
            name=op.f("fk_attachments_portal_id_message_id_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "ticket_id"],
            ["tickets.portal_id", "tickets.id"],
            name=op.f("fk_attachments_portal_id_ticket_id_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id", "uploader_id"],
            ["users.portal_id", "users.id"],
            name=op.f("fk_attachments_portal_id_uploader_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_attachments_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_size", ["portal_id", "size"], unique=False)
        batch_op.create_index(
            "ix_attachments_ticket", ["portal_id", "ticket_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_ticket")
        batch_op.drop_index("ix_attachments_size")

    op.drop_table("attachments")
    op.drop_table("ticket_reads")
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_events_ticket")

    op.drop_table("ticket_events")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_ticket")
        batch_op.drop_index(
            "ix_reminders_due",
            postgresql_where=sa.text("fired_at IS NULL"),
            sqlite_where=sa.text("fired_at IS NULL"),
        )

    op.drop_table("reminders")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_ticket")

    op.drop_table("messages")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_requester")
        batch_op.drop_index("ix_tickets_journal_deadline")
        batch_op.drop_index("ix_tickets_journal_category")
        batch_op.drop_index("ix_tickets_journal_assignee")
        batch_op.drop_index("ix_tickets_journal")
        batch_op.drop_index(
            "ix_tickets_deadline_due",
            postgresql_where=sa.text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
            sqlite_where=sa.text("deadline IS NOT NULL AND deadline_notified_at IS NULL"),
        )
        batch_op.drop_index("ix_tickets_created")
        batch_op.drop_index("ix_tickets_closed")

    op.drop_table("tickets")
    op.drop_table("password_reset_tokens")
    op.drop_table("invitations")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_portal_role_name")

    op.drop_table("users")
    op.drop_table("statuses")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_due",
            postgresql_where=sa.text("delivered_at IS NULL AND failed_at IS NULL"),
            sqlite_where=sa.text("delivered_at IS NULL AND failed_at IS NULL"),
        )

    op.drop_table("outbox")
    op.drop_table("form_fields")
    op.drop_table("portals")
    op.drop_table("id_nodes")
