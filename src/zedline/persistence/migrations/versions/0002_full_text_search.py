"""Full-text search over ticket subjects and message bodies.

SQLite: two FTS5 tables kept in step by triggers. Their rowid is the row's own id (ids are
unique across portals), and a `portal` column holding the token `p<portal_id>` lets one MATCH
intersect the portal's posting list with the words', so a search never scans other portals.
PostgreSQL: GIN indexes on to_tsvector('simple', ...) ('simple': no stemming, so English and
Russian text are both matched word for word).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE tickets_fts USING fts5(
        portal, subject, content='', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        portal, body, content='', tokenize='unicode61 remove_diacritics 2')""",
    """INSERT INTO tickets_fts(rowid, portal, subject)
        SELECT id, 'p' || portal_id, subject FROM tickets""",
    "INSERT INTO messages_fts(rowid, portal, body) SELECT id, 'p' || portal_id, body FROM messages",
    """CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO tickets_fts(rowid, portal, subject)
        VALUES (new.id, 'p' || new.portal_id, new.subject);
    END""",
    """CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, portal, subject)
        VALUES ('delete', old.id, 'p' || old.portal_id, old.subject);
    END""",
    """CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets BEGIN
        INSERT INTO tickets_fts(tickets_fts, rowid, portal, subject)
        VALUES ('delete', old.id, 'p' || old.portal_id, old.subject);
        INSERT INTO tickets_fts(rowid, portal, subject)
        VALUES (new.id, 'p' || new.portal_id, new.subject);
    END""",
    """CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, portal, body)
        VALUES (new.id, 'p' || new.portal_id, new.body);
    END""",
    """CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, portal, body)
        VALUES ('delete', old.id, 'p' || old.portal_id, old.body);
    END""",
    """CREATE TRIGGER messages_fts_au AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, portal, body)
        VALUES ('delete', old.id, 'p' || old.portal_id, old.body);
        INSERT INTO messages_fts(rowid, portal, body)
        VALUES (new.id, 'p' || new.portal_id, new.body);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS messages_fts_au",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TRIGGER IF EXISTS tickets_fts_au",
    "DROP TRIGGER IF EXISTS tickets_fts_ad",
    "DROP TRIGGER IF EXISTS tickets_fts_ai",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TABLE IF EXISTS tickets_fts",
]
PG_UP = [
    "CREATE INDEX ix_tickets_fts ON tickets USING gin (to_tsvector('simple', subject))",
    "CREATE INDEX ix_messages_fts ON messages USING gin (to_tsvector('simple', body))",
]
PG_DOWN = ["DROP INDEX IF EXISTS ix_messages_fts", "DROP INDEX IF EXISTS ix_tickets_fts"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(PG_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(PG_DOWN)
