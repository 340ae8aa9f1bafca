"""The hot pages read in one transaction, the one that read the portal and the user
(`context.page_reader`), and give its connection back whatever the page answered."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


@pytest.fixture
def begins(zl):
    """Counts the transactions the database is asked to begin."""
    seen: list[int] = []

    def count(_conn):
        seen.append(1)

    event.listen(zl.engine, "begin", count)
    yield seen
    event.remove(zl.engine, "begin", count)


def pages(ticket_number):
    return [
        "/p/acme/tickets",
        "/p/acme/tickets?category=all&assignee=mine",
        f"/p/acme/tickets/{ticket_number}",
    ]


def test_a_page_is_one_transaction(browser, operator, client, make_ticket, begins):
    ticket = make_ticket(client)
    web = browser(operator)
    for url in pages(ticket.number):
        web.get(url)  # the ticket page marks the ticket read on the first view: a write
        begins.clear()
        assert web.get(url).status_code == 200
        assert len(begins) == 1, url


def test_the_clients_list_is_one_transaction(browser, client, make_ticket, begins):
    make_ticket(client)
    web = browser(client)
    web.get("/p/acme/tickets")
    begins.clear()
    assert web.get("/p/acme/tickets").status_code == 200
    assert len(begins) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/p/acme/tickets",
        "/p/acme/tickets?q=printer",  # a search reads in a worker thread, on its own
        "/p/acme/tickets?q=%23{number}",  # a number: a redirect to the ticket
        "/p/acme/tickets/{number}",
        "/p/acme/tickets/99999",  # no such ticket: 404
    ],
)
def test_no_connection_is_left_checked_out(zl, browser, operator, client, make_ticket, url):
    ticket = make_ticket(client, subject="Printer jams")
    web = browser(operator)
    answer = web.get(url.format(number=ticket.number), follow_redirects=False)
    assert answer.status_code in (200, 302, 404)
    assert zl.engine.pool.checkedout() == 0


def test_the_page_after_a_change_shows_it(zl, browser, operator, client, make_ticket):
    ticket = make_ticket(client)
    web = browser(operator)
    url = f"/p/acme/tickets/{ticket.number}"
    web.get(url)
    tickets.post_message(zl.uow(), zl.clock, zl.notifier, client, ticket.number,
                         body="Still broken", visibility=Visibility.PUBLIC)  # fmt: skip
    assert "Still broken" in web.get(url).text
