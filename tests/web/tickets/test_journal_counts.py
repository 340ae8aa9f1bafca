"""The journal's chip counts come from `ticket_counts`, which database triggers keep in step
with every write of a ticket: these tests compare it with a real COUNT after each kind of
change, and check that the chips show it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, literal_column, select, update

from zedline.accounts.model import Role
from zedline.demo import generator
from zedline.persistence import tables as t
from zedline.portals import services as portals
from zedline.tickets import queries
from zedline.tickets import services as tickets
from zedline.tickets.model import Category


def counted(zl, portal_id):
    """{(assignee or 0, category): n} by counting the tickets."""
    tk = t.tickets
    assignee = func.coalesce(tk.c.assignee_id, literal_column("0"))
    with zl.engine.connect() as conn:
        rows = conn.execute(
            select(assignee, tk.c.category, func.count())
            .where(tk.c.portal_id == portal_id)
            .group_by(assignee, tk.c.category)
        ).all()
    return {(a, Category(c)): n for a, c, n in rows}


def kept(zl, portal_id):
    """{(assignee or 0, category): n} as ticket_counts holds it (zeros left out)."""
    c = t.ticket_counts.c
    with zl.engine.connect() as conn:
        rows = conn.execute(
            select(c.assignee_id, c.category, c.n).where(c.portal_id == portal_id, c.n != 0)
        ).all()
    return {(a, Category(cat)): n for a, cat, n in rows}


def _status(zl, portal, category):
    with zl.reader() as uow:
        return uow.statuses.first_in(portal.id, category).id


@pytest.fixture
def staff(make_user):
    return make_user(Role.OPERATOR, email="second@acme.test")


def test_the_counters_follow_every_kind_of_ticket_change(
    zl, portal, operator, admin, staff, client, other_client, make_ticket
):
    made = [make_ticket(client if i % 2 else other_client, f"T{i}", "d") for i in range(6)]
    assert kept(zl, portal.id) == counted(zl, portal.id) == {(0, Category.NEW): 6}

    tickets.take_ticket(zl.uow(), zl.clock, operator, made[0].number)
    tickets.take_ticket(zl.uow(), zl.clock, operator, made[1].number)
    tickets.delegate_ticket(
        zl.uow(), zl.clock, zl.notifier, operator, made[1].number, to_user_id=staff.id
    )
    for number, category in [(made[2].number, Category.WAITING), (made[3].number,
                             Category.RESOLVED), (made[4].number, Category.CLOSED)]:  # fmt: skip
        tickets.change_status(
            zl.uow(), zl.clock, zl.notifier, admin, number,
            status_id=_status(zl, portal, category),
        )  # fmt: skip
    tickets.unassign_ticket(zl.uow(), zl.clock, operator, made[0].number)

    assert kept(zl, portal.id) == counted(zl, portal.id)
    assert sum(counted(zl, portal.id).values()) == 6


def test_the_chips_show_the_counters_for_the_portal_mine_and_unassigned(
    zl, portal, operator, client, make_ticket
):
    made = [make_ticket(client, f"T{i}", "d") for i in range(4)]
    tickets.take_ticket(zl.uow(), zl.clock, operator, made[0].number)
    with zl.reader() as uow:
        whole = queries.journal_counts(uow, operator, queries.JournalFilter())
        mine = queries.journal_counts(uow, operator, queries.JournalFilter(assignee="mine"))
        nobody = queries.journal_counts(uow, operator, queries.JournalFilter(assignee="unassigned"))
    assert (whole["all"], whole["active"], whole["new"], whole["closed"]) == (4, 4, 4, 0)
    assert (mine["all"], mine["active"]) == (1, 1)
    assert (nobody["all"], nobody["active"]) == (3, 3)


def test_another_portals_tickets_are_not_counted(
    zl, portal, other_portal, operator, client, make_user, make_ticket
):
    make_ticket(client, "here", "d")
    foreign = make_user(Role.CLIENT, slug="globex", email="g@globex.test")
    make_ticket(foreign, "there", "d")
    make_ticket(foreign, "there too", "d")
    with zl.reader() as uow:
        counts = queries.journal_counts(uow, operator, queries.JournalFilter())
    assert counts["all"] == 1


def test_deleting_a_portal_leaves_no_counters_behind(zl, portal, other_portal, client, make_ticket):
    make_ticket(client, "gone soon", "d")
    portals.delete_portal(zl.uow(), "acme")
    with zl.engine.connect() as conn:
        left = conn.scalar(
            select(func.count())
            .select_from(t.ticket_counts)
            .where(t.ticket_counts.c.portal_id == portal.id)
        )
    assert left == 0


def test_a_search_counts_only_the_matching_tickets(browser, operator, client, make_ticket):
    make_ticket(client, "Printer jammed", "paper everywhere")
    make_ticket(client, "Monitor flickers", "since Monday")
    page = browser(operator).get("/p/acme/tickets", params={"q": "printer"})
    counts = [int(n) for n in re.findall(r'chip__count">(\d+)<', page.text)]
    assert counts[0] == 1  # "active": only the printer
    assert "Printer jammed" in page.text
    assert "Monitor flickers" not in page.text


def test_the_demo_loader_leaves_the_counters_right(zl):
    generator.generate(zl, portals=2, tickets=300, seed=3)
    with zl.reader() as uow:
        for slug in ("demo", "demo-2"):
            portal_id = uow.portals.get_by_slug(slug).id
            assert kept(zl, portal_id) == counted(zl, portal_id)
            assert sum(kept(zl, portal_id).values()) > 0


def test_a_transaction_does_not_hold_the_counters_until_it_ends(zl, portal, client, make_ticket):
    """PostgreSQL brings the counters up to date at commit (a deferred trigger): a ticket's
    transaction does not keep their row locked while it writes the rest (its message,
    notices), so other portals' and other tickets' writers do not queue behind it."""
    if zl.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the counters follow in the transaction")
    made = make_ticket(client)
    c = t.ticket_counts.c
    with zl.uow() as uow:
        uow.session.execute(
            update(t.tickets)
            .where(t.tickets.c.portal_id == portal.id, t.tickets.c.id == made.id)
            .values(category=Category.OPEN)
        )
        with zl.engine.connect() as other:
            other.execute(  # "could not obtain lock" if the counters' rows were held
                select(c.n).where(c.portal_id == portal.id).with_for_update(nowait=True)
            ).all()
            other.rollback()
        uow.commit()
    assert kept(zl, portal.id) == counted(zl, portal.id) == {(0, Category.OPEN): 1}
