"""Journal speed at a million tickets.

- Partial indexes over the active tickets (new, open, waiting; a few thousand rows even in a
  portal with a million): the default view, "mine", and the deadline sort read them in order.
- Category-free indexes for "mine" and "one client" over every category.
- `ticket_counts`: how many tickets a portal has per (assignee, category), kept by triggers
  in the same transaction as every insert, update and delete of a ticket, so the journal's
  chips never count rows. Assignee 0 stands for "unassigned".
- `ix_tickets_journal_deadline` and the old `ix_tickets_journal_assignee` are replaced.

On PostgreSQL the trigger takes the two counter rows of a move in one fixed order, so two
transactions moving tickets in opposite directions cannot deadlock.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Must be written exactly like this in the indexes and in the queries (see tables.py).
ACTIVE = "category IN ('new', 'open', 'waiting')"

FILL = """INSERT INTO ticket_counts (portal_id, assignee_id, category, n)
    SELECT portal_id, coalesce(assignee_id, 0), category, count(*) FROM tickets
    GROUP BY portal_id, coalesce(assignee_id, 0), category"""

SQLITE_UP = [
    """CREATE TRIGGER ticket_counts_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO ticket_counts (portal_id, assignee_id, category, n)
        VALUES (new.portal_id, coalesce(new.assignee_id, 0), new.category, 1)
        ON CONFLICT (portal_id, assignee_id, category) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER ticket_counts_ad AFTER DELETE ON tickets BEGIN
        UPDATE ticket_counts SET n = n - 1
        WHERE portal_id = old.portal_id AND assignee_id = coalesce(old.assignee_id, 0)
        AND category = old.category;
    END""",
    """CREATE TRIGGER ticket_counts_au AFTER UPDATE OF category, assignee_id ON tickets
    WHEN old.category IS NOT new.category OR old.assignee_id IS NOT new.assignee_id BEGIN
        UPDATE ticket_counts SET n = n - 1
        WHERE portal_id = old.portal_id AND assignee_id = coalesce(old.assignee_id, 0)
        AND category = old.category;
        INSERT INTO ticket_counts (portal_id, assignee_id, category, n)
        VALUES (new.portal_id, coalesce(new.assignee_id, 0), new.category, 1)
        ON CONFLICT (portal_id, assignee_id, category) DO UPDATE SET n = n + 1;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_counts_au",
    "DROP TRIGGER IF EXISTS ticket_counts_ad",
    "DROP TRIGGER IF EXISTS ticket_counts_ai",
]
PG_UP = [
    """CREATE FUNCTION ticket_counts_add(p bigint, a bigint, c varchar, d bigint)
    RETURNS void LANGUAGE sql AS $$
        INSERT INTO ticket_counts (portal_id, assignee_id, category, n) VALUES (p, a, c, d)
        ON CONFLICT (portal_id, assignee_id, category)
        DO UPDATE SET n = ticket_counts.n + excluded.n
    $$""",
    """CREATE FUNCTION ticket_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        oa bigint;
        na bigint;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM ticket_counts_add(NEW.portal_id, coalesce(NEW.assignee_id, 0),
                                      NEW.category, 1);
        ELSIF TG_OP = 'DELETE' THEN
            -- an update, not an upsert: deleting a portal removes its counters first
            UPDATE ticket_counts SET n = n - 1
            WHERE portal_id = OLD.portal_id AND assignee_id = coalesce(OLD.assignee_id, 0)
            AND category = OLD.category;
        ELSIF NEW.category IS DISTINCT FROM OLD.category
              OR NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
            oa := coalesce(OLD.assignee_id, 0);
            na := coalesce(NEW.assignee_id, 0);
            IF (oa, OLD.category::text) < (na, NEW.category::text) THEN
                PERFORM ticket_counts_add(OLD.portal_id, oa, OLD.category, -1);
                PERFORM ticket_counts_add(NEW.portal_id, na, NEW.category, 1);
            ELSE
                PERFORM ticket_counts_add(NEW.portal_id, na, NEW.category, 1);
                PERFORM ticket_counts_add(OLD.portal_id, oa, OLD.category, -1);
            END IF;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER ticket_counts_track
    AFTER INSERT OR DELETE OR UPDATE OF category, assignee_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_counts_track()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_counts_track ON tickets",
    "DROP FUNCTION IF EXISTS ticket_counts_track()",
    "DROP FUNCTION IF EXISTS ticket_counts_add(bigint, bigint, varchar, bigint)",
]

CATEGORY = sa.Enum(
    "new", "open", "waiting", "resolved", "closed", name="category", native_enum=False, length=24
)


def _active() -> dict[str, sa.TextClause]:
    return {"sqlite_where": sa.text(ACTIVE), "postgresql_where": sa.text(ACTIVE)}


def _by_dialect(sqlite: list[str], postgresql: list[str]) -> list[str]:
    dialect = op.get_bind().dialect.name
    return {"sqlite": sqlite, "postgresql": postgresql}.get(dialect, [])


def upgrade() -> None:
    op.create_table(
        "ticket_counts",
        sa.Column("portal_id", sa.BigInteger(), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_id"], ["portals.id"], name=op.f("fk_ticket_counts_portal_id_portals")
        ),
        sa.PrimaryKeyConstraint(
            "portal_id", "assignee_id", "category", name=op.f("pk_ticket_counts")
        ),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_journal_deadline")
        batch_op.drop_index("ix_tickets_journal_assignee")
        batch_op.create_index(
            "ix_tickets_assignee", ["portal_id", "assignee_id", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_tickets_requester_activity",
            ["portal_id", "requester_id", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_active", ["portal_id", "updated_at", "id"], unique=False, **_active()
        )
        batch_op.create_index(
            "ix_tickets_active_assignee",
            ["portal_id", "assignee_id", "updated_at", "id"],
            unique=False,
            **_active(),
        )
        batch_op.create_index(
            "ix_tickets_active_deadline",
            ["portal_id", "deadline", "id"],
            unique=False,
            **_active(),
        )
    op.execute(FILL)
    for statement in _by_dialect(SQLITE_UP, PG_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _by_dialect(SQLITE_DOWN, PG_DOWN):
        op.execute(statement)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_active_deadline", **_active())
        batch_op.drop_index("ix_tickets_active_assignee", **_active())
        batch_op.drop_index("ix_tickets_active", **_active())
        batch_op.drop_index("ix_tickets_requester_activity")
        batch_op.drop_index("ix_tickets_assignee")
        batch_op.create_index(
            "ix_tickets_journal_assignee",
            ["portal_id", "assignee_id", "category", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_journal_deadline", ["portal_id", "category", "deadline"], unique=False
        )
    op.drop_table("ticket_counts")
