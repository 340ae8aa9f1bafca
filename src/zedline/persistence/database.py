"""Engines tuned for a web server: SQLite in WAL mode, or PostgreSQL through psycopg 3."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "zedline_write"
# Beside the database file, like SQLite's own `-wal` and `-shm`: the queue of its writers.
WRITER_QUEUE_SUFFIX = "-writers"


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose writing transactions wait their turn in the kernel.

    SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps
    1, 2, 5 … and then 100 ms between tries, so under a steady stream of writes a waiter that
    has already slept long keeps losing to newcomers, and a few requests wait for seconds
    (p99 of 1.5-3 s at 16 concurrent writers, p50 under 0.2 s). Before `BEGIN IMMEDIATE`
    this connection takes an exclusive `flock` on a file beside the database, shared by every
    thread and process that writes it through us; the kernel wakes the next waiter the moment
    the holder commits or rolls back, so nobody polls and nobody is starved.
    """

    _queue_fd: int | None = None
    _holder: int | None = None
    # The threads that hold a turn: one that opens a second writing transaction (on another
    # connection) must not queue behind itself; that one meets SQLite's busy timeout as
    # before, and fails instead of hanging.
    _holders: set[int] = set()  # noqa: RUF012 - shared by design

    def open_writer_queue(self, path: str) -> None:
        # Opened per connection: flock locks belong to an open file, so two connections of
        # one process queue like two processes do.
        self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def wait_for_turn(self) -> None:
        me = threading.get_ident()
        if self._queue_fd is None or self._holder is not None or me in self._holders:
            return
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        self._holder = me
        self._holders.add(me)

    def _leave_queue(self) -> None:
        if self._holder is not None and self._queue_fd is not None:
            self._holders.discard(self._holder)
            self._holder = None
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # No JIT: it pays off for long analytical queries, while ours are short and it added
    # about 100 ms of compiling to a full-text search at a million tickets.
    # Joins run in the order they are written (join_collapse_limit=1): every join of ours
    # starts from the table whose index gives the order (the journal: tickets, then its
    # status, people and read mark), and choosing an order cost the planner more than
    # running the journal's query (1.3-1.9 ms of planning against 1.3 ms; 0.6-0.7 ms now,
    # the same plan).
    connect_args = {"options": "-c jit=off -c join_collapse_limit=1"}
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args=connect_args,
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
    kwargs: dict[str, Any] = {"connect_args": connect_args}
    if memory:
        # One shared connection, or every session would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        connect_args["factory"] = QueuedWriterConnection
    engine = create_engine(url, echo=echo, **kwargs)
    queue_path = None if memory else f"{engine.url.database}{WRITER_QUEUE_SUFFIX}"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below), instead of pysqlite's implicit one.
        dbapi_conn.isolation_level = None
        if queue_path is not None and isinstance(dbapi_conn, QueuedWriterConnection):
            dbapi_conn.open_writer_queue(queue_path)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # 16 MB of page cache per connection (a worker keeps a few): the hot pages of a
        # million tickets fit, and the operating system's cache holds the rest.
        cur.execute("PRAGMA cache_size=-16384")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writing transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred
        # one that reads first and writes later fails at once with "database is locked"
        # when another writer got in between, instead of waiting for the busy timeout.
        if conn.get_execution_options().get(WRITE_OPTION, False):
            dbapi_conn = conn.connection.dbapi_connection
            if isinstance(dbapi_conn, QueuedWriterConnection):
                dbapi_conn.wait_for_turn()
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
