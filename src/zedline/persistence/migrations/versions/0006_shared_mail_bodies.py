"""Shared mail bodies: a notice to many people stores its text and HTML once.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import zedline.persistence.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "outbox_bodies",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("text", json, nullable=False),
        sa.Column("html", json, nullable=False),
        sa.Column(
            "created_at", zedline.persistence.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_outbox_bodies_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint("portal_id", "id", name=op.f("pk_outbox_bodies")),
    )


def downgrade() -> None:
    op.drop_table("outbox_bodies")
