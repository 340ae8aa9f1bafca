"""The query plans of the hot pages: each is answered from an index, never a scan or a sort
of the portal's tickets.

A demo portal of a few thousand tickets (most closed, a few dozen active, as at a million)
is built once for the module and ANALYZEd. Every hot read runs through its real function
while the statements it sends are recorded; each recorded statement is then EXPLAINed with
its own parameters, so the plans checked are the plans of exactly what runs.

SQLite: `EXPLAIN QUERY PLAN` must name the intended index for `tickets` and contain no
`SCAN` of a big table and no `USE TEMP B-TREE`. PostgreSQL: `EXPLAIN` must name the
intended index and contain no `Seq Scan` of a big table and no `Sort` (the search sorts
its capped candidate list, and says so below). The plan of a query is the same at a million
rows as here because the active share is the same; docs/benchmarks.md shows both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pytest
from sqlalchemy import event, select, text

from zedline import Settings, Zedline, build
from zedline.demo import generator
from zedline.persistence.tables import metadata
from zedline.tickets import queries, search
from zedline.tickets.queries import Cursor, JournalFilter

TICKETS = 6000
BACKLOG = 1500
CLIENTS = 5000
BIG = ("tickets", "messages", "ticket_events", "attachments", "users", "ticket_reads")
SQLITE_SCAN = re.compile(rf"^SCAN ({'|'.join(BIG)})\b", re.MULTILINE)
PG_SCAN = re.compile(rf"Seq Scan on ({'|'.join(BIG)})\b")


@dataclass(frozen=True)
class Data:
    zl: Zedline
    operator: Any
    client: Any


@pytest.fixture(scope="module")
def data(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Data]:
    url = migrated_url
    if url.startswith("sqlite"):
        template = Path(url.removeprefix("sqlite:///"))
        path = tmp_path_factory.mktemp("plans") / "plans.sqlite3"
        path.write_bytes(template.read_bytes())
        url = f"sqlite:///{path}"
    zl = build(
        Settings(data_dir=tmp_path_factory.mktemp("plans-data"), database_url=url),
        fast_hashing=True,
    )
    if zl.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        with zl.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    generator.generate(zl, portals=3, tickets=TICKETS, seed=7, clients=CLIENTS)
    with zl.engine.begin() as conn:
        # A backlog: the active share of a million-ticket portal is a few thousand rows, far
        # more than a page; here the newest closed tickets are reopened to match that ratio.
        conn.execute(
            text(
                "UPDATE tickets SET category = 'open', status_id = (SELECT s.id FROM statuses s"
                " WHERE s.portal_id = tickets.portal_id AND s.category = 'open' LIMIT 1)"
                " WHERE category = 'closed' AND id IN (SELECT id FROM tickets"
                " WHERE category = 'closed' ORDER BY id DESC LIMIT :n)"
            ),
            {"n": BACKLOG},
        )
        # A third of the backlog is new and nobody's yet.
        conn.execute(
            text(
                "UPDATE tickets SET category = 'new', assignee_id = NULL, status_id = (SELECT"
                " s.id FROM statuses s WHERE s.portal_id = tickets.portal_id"
                " AND s.category = 'new' LIMIT 1) WHERE category = 'open' AND id % 3 = 0"
            )
        )
        # The staff have read the newest tickets (the unread marker joins ticket_reads).
        conn.execute(
            text(
                "INSERT INTO ticket_reads (portal_id, ticket_id, user_id, read_at)"
                " SELECT t.portal_id, t.id, u.id, t.updated_at FROM tickets t JOIN users u"
                " ON u.portal_id = t.portal_id AND u.role <> 'client'"
                " WHERE t.id IN (SELECT id FROM tickets ORDER BY id DESC LIMIT 3000)"
            )
        )
        conn.execute(text("ANALYZE"))
    logins = generator.logins_for(generator.DEMO_SLUG)
    with zl.reader() as uow:
        portal = uow.portals.get_by_slug(generator.DEMO_SLUG)
        operator = uow.users.find_by_email(portal.id, logins.operator_email)
        client = uow.users.find_by_email(portal.id, logins.client_email)
    yield Data(zl, operator, client)
    zl.close()


class Recorder:
    """The statements an engine sends while it is open, with their parameters."""

    def __init__(self, zl: Zedline) -> None:
        self.engine = zl.engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> Self:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") or statement.lstrip().startswith("("):
            self.statements.append((statement, parameters))


def plans(zl: Zedline, recorded: list[tuple[str, Any]]) -> list[str]:
    out = []
    with zl.engine.connect() as conn:
        for statement, parameters in recorded:
            if zl.engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                out.append("\n".join(str(r[3]) for r in rows))
            else:
                rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
                out.append("\n".join(str(r[0]) for r in rows))
    return out


def is_sqlite(data: Data) -> bool:
    return data.zl.engine.dialect.name == "sqlite"


def uses(data: Data, plan: str, index: str) -> bool:
    if is_sqlite(data):
        return (
            re.search(rf"^SEARCH tickets USING (COVERING )?INDEX {index} \(", plan, re.MULTILINE)
            is not None
        )
    scan = rf"Index (Only )?Scan (Backward )?using {index} on tickets\b"
    return re.search(rf"{scan}|Bitmap Index Scan on {index}\b", plan) is not None


def assert_no_scan_or_sort(data: Data, plan: str) -> None:
    if is_sqlite(data):
        assert not SQLITE_SCAN.search(plan), plan
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert not PG_SCAN.search(plan), plan
        assert "Sort" not in plan, plan


def journal_plans(data: Data, flt: JournalFilter, **kwargs: Any) -> list[str]:
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        queries.journal(uow, data.operator, flt, now=data.zl.clock.now(), **kwargs)
    return plans(data.zl, rec.statements)


def a_deep_cursor(data: Data, flt: JournalFilter) -> Cursor:
    """The cursor after a few hundred rows (or half the rows, when fewer match)."""
    with data.zl.reader() as uow:
        every = queries.journal(uow, data.operator, flt, now=data.zl.clock.now(), size=600)
        size = min(300, len(every.rows) // 2)
        page = queries.journal(uow, data.operator, flt, now=data.zl.clock.now(), size=size)
    assert page.older is not None
    cursor = Cursor.decode(page.older)
    assert cursor is not None
    return cursor


JOURNAL_VIEWS = [
    ("default (active, last activity)", {}, "ix_tickets_active"),
    ("mine, active", {"assignee": "mine"}, "ix_tickets_active_assignee"),
    # Either index of active rows: PostgreSQL may walk ix_tickets_active and skip the
    # assigned rows when a good share of the active tickets is unassigned.
    ("unassigned, active", {"assignee": "unassigned"}, "ix_tickets_active(_assignee)?"),
    ("mine, all categories", {"assignee": "mine", "category": "all"}, "ix_tickets_assignee"),
    ("one category", {"category": "resolved"}, "ix_tickets_journal_category"),
    ("all tickets", {"category": "all"}, "ix_tickets_journal"),
    ("client, active", {"client": "CLIENT"}, "ix_tickets_requester_activity"),
    ("client, all", {"client": "CLIENT", "category": "all"}, "ix_tickets_requester_activity"),
]


def _filter(data: Data, params: dict[str, str]) -> JournalFilter:
    params = {k: str(data.client.id) if v == "CLIENT" else v for k, v in params.items()}
    return JournalFilter.parse(**params)


@pytest.mark.parametrize(
    ("view", "params", "index"), JOURNAL_VIEWS, ids=[v[0] for v in JOURNAL_VIEWS]
)
def test_the_journal_walks_an_index_in_order(data, view, params, index):
    flt = _filter(data, params)
    [plan] = journal_plans(data, flt)
    assert uses(data, plan, index), plan
    assert_no_scan_or_sort(data, plan)


@pytest.mark.parametrize(
    ("view", "params", "index"), JOURNAL_VIEWS[:6], ids=[v[0] for v in JOURNAL_VIEWS[:6]]
)
def test_a_deep_page_is_a_range_of_the_same_index(data, view, params, index):
    flt = _filter(data, params)
    cursor = a_deep_cursor(data, flt)
    for direction in ("after", "before"):
        [plan] = journal_plans(data, flt, **{direction: cursor})
        assert uses(data, plan, index), plan
        # The cursor bounds the index range (it does not only filter the rows).
        if is_sqlite(data):
            assert re.search(r"AND updated_at[<>]=?\?\)", plan), plan
            assert_no_scan_or_sort(data, plan)
        else:
            assert re.search(r"Index Cond: .*updated_at [<>]=", plan), plan
            # PostgreSQL may sort what the bounded range returns when it expects few rows
            # there (it cannot sort more than that range); it never scans the table.
            assert not PG_SCAN.search(plan), plan


def test_the_deadline_sort_reads_dated_then_undated_rows_from_one_index(data):
    flt = JournalFilter.parse(sort="deadline")
    tk = queries.tk
    with data.zl.reader() as uow:
        deadline, ticket_id = uow.session.execute(
            select(tk.c.deadline, tk.c.id)
            .where(tk.c.portal_id == data.operator.portal_id, tk.c.deadline.is_not(None))
            .where(queries.ACTIVE_ONLY)
            .order_by(tk.c.deadline.desc(), tk.c.id.desc())
            .offset(10)
            .limit(1)
        ).one()
    near_the_end = Cursor(deadline, ticket_id)
    # A page that crosses from the dated active tickets into the undated ones: two reads.
    walked = journal_plans(data, flt, after=near_the_end)
    assert len(walked) == 2
    for plan in walked:
        assert uses(data, plan, "ix_tickets_active_deadline"), plan
        assert_no_scan_or_sort(data, plan)
    # A page deep in the undated rows, both ways.
    cursor = Cursor(None, 0)
    for direction in ("after", "before"):
        for plan in journal_plans(data, flt, **{direction: cursor}):
            assert uses(data, plan, "ix_tickets_active_deadline"), plan
            assert_no_scan_or_sort(data, plan)


COUNT_VIEWS = [
    ("whole portal", {}),
    ("mine", {"assignee": "mine"}),
    ("unassigned", {"assignee": "unassigned"}),
]


@pytest.mark.parametrize(("view", "params"), COUNT_VIEWS, ids=[v[0] for v in COUNT_VIEWS])
def test_the_chip_counts_read_the_counters_not_the_tickets(data, view, params):
    flt = _filter(data, params)
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        counts = queries.journal_counts(uow, data.operator, flt)
    assert counts["all"] > 0
    [plan] = plans(data.zl, rec.statements)
    assert not re.search(r"\btickets\b", plan), plan
    if is_sqlite(data):
        assert "ticket_counts USING INDEX sqlite_autoindex_ticket_counts_1 (portal_id=?" in plan
    # PostgreSQL reads the tiny ticket_counts table however it likes (a few rows per portal).


def test_the_chip_counts_of_one_client_read_that_clients_tickets_only(data):
    flt = _filter(data, {"client": "CLIENT"})
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        queries.journal_counts(uow, data.operator, flt)
    [plan] = plans(data.zl, rec.statements)
    assert uses(data, plan, "ix_tickets_requester_activity") or uses(
        data, plan, "ix_tickets_requester"
    ), plan
    assert not (SQLITE_SCAN if is_sqlite(data) else PG_SCAN).search(plan), plan


def a_rare_word(data: Data) -> str:
    """A word of some subject that a few dozen tickets at most mention: the usual search.
    (A common word is capped at 2 x SEARCH_CANDIDATES candidates, still far from a million;
    docs/benchmarks.md shows that plan at a million.)"""
    with data.zl.reader() as uow:
        subjects = uow.session.execute(
            text("SELECT subject FROM tickets WHERE portal_id = :p ORDER BY id LIMIT 200"),
            {"p": data.operator.portal_id},
        ).scalars()
        for subject in subjects:
            for word in search.words(subject):
                found = search.matching_ticket_ids(uow, data.operator.portal_id, word)
                if 0 < len(found) <= 50 and len(word) > 3:
                    return word
    pytest.fail("no rare word in the demo subjects")


def test_the_search_uses_the_full_text_index_and_reads_candidates_by_key(data):
    flt = JournalFilter.parse(q=a_rare_word(data), category="all")
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        found = queries.search_candidates(uow, data.operator, flt)
        assert found
        page = queries.journal(uow, data.operator, flt, now=data.zl.clock.now(), found=found)
        queries.journal_counts(uow, data.operator, flt, found)
    assert page.rows
    # PostgreSQL asks each table on its own (see search._pg_newest); SQLite in one statement.
    # The counts come from the candidates' keys, read once for the page and the chips.
    *searches, keys, rows = plans(data.zl, rec.statements)
    search = "\n".join(searches)
    if is_sqlite(data):
        assert "tickets_fts VIRTUAL TABLE INDEX" in search, search
        assert "messages_fts VIRTUAL TABLE INDEX" in search, search
        # the candidates (at most 2 x SEARCH_CANDIDATES) by primary key
        for plan in (keys, rows):
            pk = "SEARCH tickets USING INDEX sqlite_autoindex_tickets_1 (portal_id=? AND id=?)"
            assert pk in plan, plan
    else:
        assert "ix_tickets_fts" in search, search
        assert "ix_messages_fts" in search, search
        for plan in (keys, rows):
            assert "pk_tickets" in plan, plan
    for plan in (search, keys, rows):
        assert not (SQLITE_SCAN if is_sqlite(data) else PG_SCAN).search(plan), plan


def test_the_clients_own_list_walks_its_index(data):
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        queries.client_tickets(uow, data.client)
    [plan] = plans(data.zl, rec.statements)
    assert uses(data, plan, "ix_tickets_requester"), plan
    assert_no_scan_or_sort(data, plan)


def test_the_ticket_page_reads_by_key(data):
    with data.zl.reader() as uow:
        number = uow.session.execute(
            text("SELECT number FROM tickets WHERE portal_id = :p ORDER BY id DESC LIMIT 1"),
            {"p": data.operator.portal_id},
        ).scalar_one()
    with data.zl.reader() as uow, Recorder(data.zl) as rec:
        page = queries.ticket_page(uow, data.operator, number)
        queries.other_tickets(uow, data.operator, page.requester.id, exclude=page.id)
    assert len(rec.statements) >= 3
    for plan in plans(data.zl, rec.statements):
        if re.search(r"\b(tickets|messages|ticket_events|attachments)\b", plan):
            assert_no_scan_or_sort(data, plan)
        else:  # the portal's statuses, form fields or staff (a few dozen rows), sorted
            assert not (SQLITE_SCAN if is_sqlite(data) else PG_SCAN).search(plan), plan
