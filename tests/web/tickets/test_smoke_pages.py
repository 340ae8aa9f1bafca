"""First look: every page answers for the roles that may see it."""

from __future__ import annotations


def test_client_list_and_ticket_page(browser, client, make_ticket):
    ticket = make_ticket(client, "Printer jams")
    web = browser(client)
    r = web.get("/p/acme/tickets")
    assert r.status_code == 200, r.text
    assert "Printer jams" in r.text
    r = web.get(f"/p/acme/tickets/{ticket.number}")
    assert r.status_code == 200, r.text
    assert "It jams on every second page." in r.text


def test_staff_journal_and_ticket_page(browser, operator, client, make_ticket):
    ticket = make_ticket(client, "Printer jams")
    web = browser(operator)
    r = web.get("/p/acme/tickets")
    assert r.status_code == 200, r.text
    assert "Printer jams" in r.text
    r = web.get(f"/p/acme/tickets/{ticket.number}")
    assert r.status_code == 200, r.text
    assert "Carl Client" in r.text
    r = web.get("/p/acme/tickets/new")
    assert r.status_code == 200, r.text
    r = web.get("/p/acme/invite")
    assert r.status_code == 200, r.text
