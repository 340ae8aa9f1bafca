"""Full-text search for the journal: which tickets of a portal mention these words.

Words are matched as prefixes ("print" finds "printer"), all words must appear in the same
subject or message, and the newest matches come first. The candidate set is capped
(`limit`): a search answers in milliseconds with a million tickets because it never ranks
every match, it walks the index from the newest row down.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from zedline.persistence.unit_of_work import UnitOfWork

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def words(query: str) -> list[str]:
    """The searchable words of a query (punctuation and operators dropped)."""
    return [w.lower() for w in WORD_RE.findall(query)][:MAX_WORDS]


def _fts5_expression(portal_id: int, terms: list[str]) -> str:
    # Each word quoted, so nothing the user types is read as FTS5 syntax.
    body = " ".join(f'"{t}"*' for t in terms)
    return f'portal : "p{portal_id}" AND ({body})'


def _tsquery(terms: list[str]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


def matching_ticket_ids(uow: UnitOfWork, portal_id: int, query: str, limit: int = 500) -> list[int]:
    """Ids of tickets of the portal whose subject or any message matches, newest first."""
    terms = words(query)
    if not terms:
        return []
    session = uow.session
    dialect = session.get_bind().dialect.name
    params: dict[str, object] = {"portal_id": portal_id, "limit": limit}
    if dialect == "sqlite":
        params["expr"] = _fts5_expression(portal_id, terms)
        rows = session.execute(
            text(
                "SELECT id FROM ("
                " SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH :expr"
                " ORDER BY rowid DESC LIMIT :limit)"
                " UNION "
                "SELECT m.ticket_id FROM ("
                " SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH :expr"
                " ORDER BY rowid DESC LIMIT :limit) AS f"
                " JOIN messages AS m ON m.portal_id = :portal_id AND m.id = f.id"
            ),
            params,
        )
    elif dialect == "postgresql":
        params["q"] = _tsquery(terms)
        # `OFFSET 0` fences each match off from its ORDER BY ... LIMIT: without it the planner
        # walks the primary key backwards computing to_tsvector() of every row until it has
        # `limit` matches (half a second for a common word at a million tickets), instead of
        # asking the GIN index for the matches and keeping the newest.
        rows = session.execute(
            text(
                "(SELECT id FROM (SELECT id FROM tickets WHERE portal_id = :portal_id"
                " AND to_tsvector('simple', subject) @@ to_tsquery('simple', :q) OFFSET 0) AS s"
                " ORDER BY id DESC LIMIT :limit)"
                " UNION "
                "(SELECT ticket_id FROM (SELECT id, ticket_id FROM messages"
                " WHERE portal_id = :portal_id"
                " AND to_tsvector('simple', body) @@ to_tsquery('simple', :q) OFFSET 0) AS m"
                " ORDER BY id DESC LIMIT :limit)"
            ),
            params,
        )
    else:  # pragma: no cover - only the two supported databases
        like = f"%{query}%"
        rows = session.execute(
            text("SELECT id FROM tickets WHERE portal_id = :portal_id AND subject LIKE :like"),
            {"portal_id": portal_id, "like": like},
        )
    return sorted({int(r[0]) for r in rows}, reverse=True)
