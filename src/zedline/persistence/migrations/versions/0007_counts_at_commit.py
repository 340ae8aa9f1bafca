"""PostgreSQL: the journal's ticket counts are brought up to date when a transaction commits.

`ticket_counts` holds one row per (portal, assignee, category). Every new request of a
portal adds one to the same row (unassigned, new), and the row lock that takes lasted until
the request's transaction ended: new requests of one portal queued behind each other for
the whole of their transactions (their messages, files and notices included). The trigger
is now a constraint trigger deferred to the commit, so the row is locked only for the
commit's last moment. The counts a transaction reads of its own changes are the ones from
before it (nothing reads them inside a writing transaction). SQLite has one writer at a
time anyway: unchanged there.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

IMMEDIATE = """CREATE TRIGGER ticket_counts_track
    AFTER INSERT OR DELETE OR UPDATE OF category, assignee_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_counts_track()"""
AT_COMMIT = """CREATE CONSTRAINT TRIGGER ticket_counts_track
    AFTER INSERT OR DELETE OR UPDATE OF category, assignee_id ON tickets
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ticket_counts_track()"""
DROP = "DROP TRIGGER IF EXISTS ticket_counts_track ON tickets"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
        op.execute(AT_COMMIT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
        op.execute(IMMEDIATE)
