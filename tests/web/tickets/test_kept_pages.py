"""Pages whose body is kept (`kept_body`) never show it once their data changed: the
database is read on every request, and a changed answer is a new key."""

from __future__ import annotations

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


def test_the_ticket_page_shows_a_reply_written_after_it_was_kept(
    zl, browser, operator, client, make_ticket
):
    ticket = make_ticket(client)
    web = browser(operator)
    url = f"/p/acme/tickets/{ticket.number}"
    assert "A brand-new answer" not in web.get(url).text
    web.get(url)  # served from what was kept
    tickets.post_message(zl.uow(), zl.clock, zl.notifier, client, ticket.number,
                         body="A brand-new answer", visibility=Visibility.PUBLIC)  # fmt: skip
    assert "A brand-new answer" in web.get(url).text


def test_the_journal_shows_a_ticket_opened_after_it_was_kept(
    zl, browser, operator, client, make_ticket
):
    make_ticket(client)  # the journal has a row to keep
    web = browser(operator)
    assert "Fresh request" not in web.get("/p/acme/tickets").text
    web.get("/p/acme/tickets")
    tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client,
                        {"subject": "Fresh request", "description": "Just now"})  # fmt: skip
    assert "Fresh request" in web.get("/p/acme/tickets").text
