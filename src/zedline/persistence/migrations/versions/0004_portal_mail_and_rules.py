"""A portal's own mail server, its notification switches and its own mail texts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import zedline.persistence.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_mail_settings",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_name", sa.String(length=120), nullable=False),
        sa.Column("sender_address", sa.String(length=254), nullable=False),
        sa.Column("smtp_host", sa.String(length=253), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_username", sa.String(length=255), nullable=False),
        sa.Column("smtp_password_encrypted", sa.Text(), nullable=False),
        sa.Column(
            "security",
            sa.Enum("none", "starttls", "ssl", name="smtp_security", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "updated_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_portal_mail_settings_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", name=op.f("pk_portal_mail_settings")),
    )
    op.create_table(
        "notification_rules",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=24), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_notification_rules_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint(
            "portal_id", "event", "audience", name=op.f("pk_notification_rules")
        ),
    )
    op.create_table(
        "notification_templates",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "updated_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"],
            ["portals.id"],
            name=op.f("fk_notification_templates_portal_id_portals"),
        ),
        sa.PrimaryKeyConstraint("portal_id", "event", name=op.f("pk_notification_templates")),
    )


def downgrade() -> None:
    op.drop_table("notification_templates")
    op.drop_table("notification_rules")
    op.drop_table("portal_mail_settings")
