"""Prints, as Markdown, the query plans of the hot pages against a data set built by
`zedline demo` (run with its environment: ZEDLINE_DATABASE_URL, ZEDLINE_DATA_DIR).

Each hot read runs through its real function while the statements it sends are recorded;
each statement is then EXPLAINed (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE,
with the time it took) with its own parameters. docs/benchmarks.md shows the output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select

from zedline import Settings, build
from zedline.demo.generator import DEMO_SLUG, logins_for
from zedline.persistence import tables as t
from zedline.tickets import queries
from zedline.tickets.queries import Cursor, JournalFilter


def main(slug: str = DEMO_SLUG) -> None:
    zl = build(Settings())
    sqlite = zl.engine.dialect.name == "sqlite"
    logins = logins_for(slug)
    now = zl.clock.now()
    with zl.reader() as uow:
        portal = uow.portals.get_by_slug(slug)
        operator = uow.users.find_by_email(portal.id, logins.operator_email)
        client = uow.users.find_by_email(portal.id, logins.client_email)
        assert operator is not None  # noqa: S101 - a demo data set has them
        assert client is not None  # noqa: S101
        tk = t.tickets.c
        deep = uow.session.execute(
            select(tk.updated_at, tk.id)
            .where(tk.portal_id == portal.id)
            .order_by(tk.updated_at.desc(), tk.id.desc())
            .offset(1000)
            .limit(1)
        ).one()
        number = uow.session.scalar(
            select(tk.number).where(tk.portal_id == portal.id).order_by(tk.id.desc()).limit(1)
        )

    def journal(flt: JournalFilter, **kw: Any) -> Callable[[Any], object]:
        return lambda uow: queries.journal(uow, operator, flt, now=now, **kw)

    def counts(flt: JournalFilter) -> Callable[[Any], object]:
        return lambda uow: queries.journal_counts(uow, operator, flt)

    client_flt = JournalFilter.parse(client=str(client.id))
    cases: list[tuple[str, Callable[[Any], object]]] = [
        ("Journal, default view (active, last activity)", journal(JournalFilter())),
        (
            "Journal, all tickets, 1,000 rows deep (keyset)",
            journal(JournalFilter(category="all"), after=Cursor(deep[0], deep[1])),
        ),
        ("Journal, mine (active)", journal(JournalFilter(assignee="mine"))),
        ("Journal, mine (all categories)", journal(JournalFilter(assignee="mine", category="all"))),
        ("Journal, one client (active)", journal(client_flt)),
        ("Journal, one category (resolved)", journal(JournalFilter(category="resolved"))),
        ("Journal, sorted by deadline", journal(JournalFilter(sort="deadline"))),
        ("Journal, search (printer)", journal(JournalFilter(category="all", q="printer"))),
        ("Chip counts, search (printer)", counts(JournalFilter(category="all", q="printer"))),
        ("Chip counts", counts(JournalFilter())),
        ("Chip counts, mine", counts(JournalFilter(assignee="mine"))),
        ("Chip counts, one client", counts(client_flt)),
        ("The client's own list", lambda uow: queries.client_tickets(uow, client)),
        ("Ticket page", lambda uow: queries.ticket_page(uow, operator, number)),
    ]
    for title, run in cases:
        recorded: list[tuple[str, Any]] = []

        def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
            if statement.lstrip().upper().startswith(("SELECT", "(")):
                recorded.append((statement, params))  # noqa: B023 - used in this iteration

        event.listen(zl.engine, "before_cursor_execute", record)
        try:
            with zl.reader() as uow:
                run(uow)
        finally:
            event.remove(zl.engine, "before_cursor_execute", record)
        print(f"### {title}\n")
        with zl.engine.connect() as conn:
            for statement, params in recorded:
                if sqlite:
                    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
                    text = "\n".join(str(r[3]) for r in rows)
                else:
                    rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", params)
                    text = "\n".join(str(r[0]) for r in rows)
                print(f"```\n{text}\n```\n")
    zl.close()


if __name__ == "__main__":
    main(*sys.argv[1:2])
