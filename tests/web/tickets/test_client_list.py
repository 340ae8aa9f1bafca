"""The client's "My requests" list: own tickets only, client labels, the unread marker."""

from __future__ import annotations

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


def test_a_new_client_sees_the_empty_state(browser, client):
    page = browser(client).get("/p/acme/tickets")
    assert page.status_code == 200
    assert "No requests yet" in page.text
    assert 'href="/p/acme/tickets/new"' in page.text


def test_the_list_shows_only_own_tickets_with_client_labels(
    browser, client, other_client, make_ticket, numbers
):
    mine = make_ticket(client, "My printer")
    make_ticket(other_client, "Someone else's scanner")
    page = browser(client).get("/p/acme/tickets")
    assert numbers(page.text) == [mine.number]
    assert "Someone else" not in page.text
    assert "Received" in page.text  # the client label of the default status
    assert f"#{mine.number}" in page.text


def test_an_operators_public_reply_marks_the_ticket_unread_until_viewed(
    zl, browser, client, operator, make_ticket, advance
):
    ticket = make_ticket(client)
    web = browser(client)
    assert 'class="is-unread"' not in web.get("/p/acme/tickets").text
    advance()
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body="Try turning it off.",
        visibility=Visibility.PUBLIC,
    )
    assert 'class="is-unread"' in web.get("/p/acme/tickets").text
    web.get(f"/p/acme/tickets/{ticket.number}")
    assert 'class="is-unread"' not in web.get("/p/acme/tickets").text


def test_an_internal_note_does_not_mark_the_ticket_unread(
    zl, browser, client, operator, make_ticket, advance
):
    ticket = make_ticket(client)
    advance()
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body="secret",
        visibility=Visibility.INTERNAL,
    )
    assert 'class="is-unread"' not in browser(client).get("/p/acme/tickets").text


def test_client_list_pages_cover_every_ticket_once(
    browser, client, make_ticket, advance, numbers, link
):
    made = []
    for i in range(55):
        made.append(make_ticket(client, f"Request {i}").number)
        advance(1)
    web = browser(client)
    seen: list[int] = []
    url: str | None = "/p/acme/tickets"
    while url:
        page = web.get(url)
        seen += numbers(page.text)
        url = link(page.text, "next")
    assert seen == sorted(made, reverse=True)
