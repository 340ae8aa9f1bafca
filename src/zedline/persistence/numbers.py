"""Ticket numbers: each portal's counter (`portals.ticket_seq`), advanced once per new ticket.

On SQLite the counter is advanced inside the ticket's own transaction: it holds the
database's write lock anyway, so nothing waits longer for it, and a rolled-back ticket gives
its number back.

On PostgreSQL the same UPDATE inside the ticket's transaction kept the portal's row locked
until that transaction ended: every new request of a portal waited for the previous one's
whole transaction (its message, files, notices to every operator and commit), about 57 new
requests a second at most whatever the hardware. So there the counter is advanced in a short
transaction of its own, on a small pool of its own connections, and the row is locked only
for that statement. Numbers stay unique and in order; a ticket whose transaction fails after
taking its number (a file refused for the disk quota, say) leaves that number unused.

The short transaction commits without waiting for its write-ahead log to reach the disk
(`synchronous_commit = off`): the ticket that uses the number commits later in the same log,
so a ticket on disk always has its counter on disk, and a counter lost in a crash belonged
to a ticket that was lost with it.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, bindparam, create_engine, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from zedline.errors import Conflict
from zedline.persistence import tables as t

# The counter's own pool (PostgreSQL): each connection is held for one short statement.
POOL_SIZE = 2
MAX_OVERFLOW = 8
# The row may be locked for longer by a transaction checking the disk quota of its files;
# a wait longer than this is an error, not a hang.
LOCK_TIMEOUT = "lock_timeout=10s"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ran out
BUSY = "the database is busy; try again in a moment"

# Whether the transaction has written anything yet (then it may hold the portal's row, or
# have created the portal: its counter is advanced in the same transaction).
WROTE = text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
ADVANCE = (
    update(t.portals)
    .where(t.portals.c.id == bindparam("portal_id"))
    .values(ticket_seq=t.portals.c.ticket_seq + 1)
    .returning(t.portals.c.ticket_seq)
)


class TicketNumbers:
    """Hands out the next ticket number of a portal (see the module's description)."""

    def __init__(self, engine: Engine | None) -> None:
        """`engine`: the database's (PostgreSQL: numbers in transactions of their own);
        None: always in the ticket's transaction."""
        self._engine = engine
        self._separate = engine is not None and engine.dialect.name == "postgresql"
        self._own: Engine | None = None
        self._lock = threading.Lock()

    @property
    def separate(self) -> bool:
        """Whether numbers are taken outside the ticket's transaction (PostgreSQL)."""
        return self._separate

    def take(self, session: Session, portal_id: int) -> int:
        """The portal's next number: in a transaction of its own (PostgreSQL, when `session`
        has written nothing yet), otherwise in `session`'s transaction.

        Raises:
            Conflict: the portal's row stayed locked longer than `LOCK_TIMEOUT`.
            sqlalchemy.exc.NoResultFound: there is no such portal.
        """
        params = {"portal_id": portal_id}
        if self._separate and not session.execute(WROTE).scalar_one():
            try:
                with self._counter_engine().connect() as conn:
                    return int(conn.execute(ADVANCE, params).scalar_one())
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                    raise Conflict(BUSY) from exc
                raise
        return int(session.execute(ADVANCE, params).scalar_one())

    def _counter_engine(self) -> Engine:
        with self._lock:
            if self._own is None:
                assert self._engine is not None  # noqa: S101 - only when separate
                self._own = create_engine(
                    self._engine.url,
                    isolation_level="AUTOCOMMIT",
                    pool_size=POOL_SIZE,
                    max_overflow=MAX_OVERFLOW,
                    pool_pre_ping=True,
                    connect_args={"options": f"-c synchronous_commit=off -c {LOCK_TIMEOUT}"},
                )
            return self._own

    def close(self) -> None:
        """Close the counter's own connections (if any were opened)."""
        with self._lock:
            if self._own is not None:
                self._own.dispose()
                self._own = None


# Numbers always taken in the ticket's own transaction: the counter of a unit of work built
# without one (an embedding app's), shared, as it keeps no state.
IN_TRANSACTION = TicketNumbers(None)
