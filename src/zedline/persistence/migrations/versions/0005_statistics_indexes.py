"""Indexes for the statistics page: resolution times and "taken" counts per period.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_resolved", "tickets", ["portal_id", "resolved_at"])
    op.create_index(
        "ix_ticket_events_kind", "ticket_events", ["portal_id", "kind", "created_at", "actor_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ticket_events_kind", table_name="ticket_events")
    op.drop_index("ix_tickets_resolved", table_name="tickets")
