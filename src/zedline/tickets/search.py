"""Full-text search for the journal: which tickets of a portal mention these words.

Words are matched as prefixes ("print" finds "printer"), all words must appear in the same
subject or message, and the newest matches come first. The candidate set is capped
(`limit`): a search answers in milliseconds with a million tickets because it never ranks
every match, it walks the index from the newest row down.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

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


# How many of the newest rows a PostgreSQL search looks at first (tickets, messages): a
# common word has its newest `limit` matches among them, found without reading the older
# matches at all (see `_pg_newest`).
PG_WINDOWS = {"tickets": 50_000, "messages": 300_000}
# How long a window's lower bound is reused. Finding it walks `PG_WINDOWS` index entries
# (25 ms for the messages of a million tickets); any bound gives the same answer (see
# `_pg_newest`), a fresh one only looks at fewer rows, and new rows move it slowly.
WINDOW_KEPT_SECONDS = 60.0
BOUNDS_KEPT = 4096
_bounds: dict[tuple[int, str], tuple[float, int | None]] = {}


def _window_bound(session: Session, table: str, portal_id: int) -> int | None:
    """The id of the `PG_WINDOWS[table]`-th newest row of the portal (None: fewer rows)."""
    now = time.monotonic()
    kept = _bounds.get((portal_id, table))
    if kept is not None and now - kept[0] < WINDOW_KEPT_SECONDS:
        return kept[1]
    bound = session.execute(
        text(
            f"SELECT id FROM {table} WHERE portal_id = :p"  # noqa: S608 - our names
            " ORDER BY portal_id DESC, id DESC OFFSET :w LIMIT 1"
        ),
        {"p": portal_id, "w": PG_WINDOWS[table]},
    ).scalar()
    if len(_bounds) > BOUNDS_KEPT:
        _bounds.clear()
    _bounds[portal_id, table] = (now, bound)
    return bound


def _pg_newest(
    session: Session,
    table: str,
    column: str,
    ticket_id: str,
    portal_id: int,
    q: str,
    limit: int,
    *,
    big: bool,
) -> list[int]:
    """The tickets of the newest `limit` rows of `table` whose `column` matches `q`.

    The GIN index finds every match at once, but keeping the newest `limit` means reading
    each match's row for its id: 50,000 rows for "printer" in a million tickets' messages,
    200 ms. So the search first looks among the newest rows only (their lowest id comes from
    the primary key, then the planner combines that range with the GIN matches), and reads
    every match only when those hold fewer than `limit` (a rarer word: fewer rows to read).
    Looking further back in steps was tried: finding each step's lowest id costs more than
    it saves. The lowest id of the newest rows is kept for a minute (`_window_bound`): any
    lower bound gives the same answer, because every match above it is looked at and the
    newest `limit` of them are the newest matches of all; when there are fewer, every
    match is read.
    `OFFSET 0` fences each match off from its ORDER BY ... LIMIT: without it the planner
    walks the primary key backwards computing to_tsvector() of every row instead.
    """
    params: dict[str, object] = {"p": portal_id, "q": q, "limit": limit}
    search = (
        "SELECT ticket FROM (SELECT id AS row_id, "  # noqa: S608 - our own names
        f"{ticket_id} AS ticket FROM {table} WHERE portal_id = :p {{since}}AND"
        f" to_tsvector('simple', {column}) @@ to_tsquery('simple', :q) OFFSET 0) AS m"
        " ORDER BY row_id DESC LIMIT :limit"
    )
    since = _window_bound(session, table, portal_id) if big else None
    if since is not None:
        params["since"] = since
        recent = [
            int(r[0])
            for r in session.execute(text(search.format(since="AND id > :since ")), params)
        ]
        if len(recent) >= limit:
            return recent
    return [int(r[0]) for r in session.execute(text(search.format(since="")), params)]


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
        q = _tsquery(terms)
        # Only a big portal's newest rows are worth looking at first (the counters kept per
        # portal say how big it is; see migration 0003).
        size = session.execute(
            text("SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE portal_id = :p"),
            {"p": portal_id},
        ).scalar_one()
        big = size > PG_WINDOWS["tickets"]
        found = _pg_newest(session, "tickets", "subject", "id", portal_id, q, limit, big=big)
        found += _pg_newest(session, "messages", "body", "ticket_id", portal_id, q, limit, big=big)
        return sorted(set(found), reverse=True)
    else:  # pragma: no cover - only the two supported databases
        like = f"%{query}%"
        rows = session.execute(
            text("SELECT id FROM tickets WHERE portal_id = :portal_id AND subject LIKE :like"),
            {"portal_id": portal_id, "like": like},
        )
    return sorted({int(r[0]) for r in rows}, reverse=True)
