"""Pages whose body is kept (`kept_body`) never show it once their data changed: the
database is read on every request, and a changed answer is a new key."""

from __future__ import annotations

import pytest
from jinja2 import Template as JinjaTemplate

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


# -- whole pages (`templating.render`: a page whose body is kept is kept with its layout) ----


def toured(zl, *users):
    """These people have seen the guided tour (a page showing it is never kept)."""
    with zl.uow() as uow:
        for user in users:
            uow.users.get(user.portal_id, user.id).tour_done = True
        uow.commit()


@pytest.fixture
def layouts(app, monkeypatch):
    """Counts the renderings of the layout of the pages."""
    env = app.template_engine.engine
    template = env.get_template("tickets/journal.html")
    count: list[int] = []
    real = JinjaTemplate.render

    def counted(self, *args, **kwargs):
        count.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(template).__mro__[1], "render", counted)
    return count


def test_the_same_journal_is_rendered_once(zl, browser, operator, client, make_ticket, layouts):
    toured(zl, operator)
    make_ticket(client)
    web = browser(operator)
    first = web.get("/p/acme/tickets").text
    layouts.clear()
    assert web.get("/p/acme/tickets").text == first
    assert layouts == []


def test_a_flash_is_shown_once_and_the_page_kept_without_it(
    zl, browser, send, operator, client, make_ticket
):
    toured(zl, operator)
    ticket = make_ticket(client)
    web = browser(operator)
    url = f"/p/acme/tickets/{ticket.number}"
    web.get(url)
    send(web, f"{url}/take")
    shown = web.get(url).text
    assert "flashes" in shown
    assert "flashes" not in web.get(url).text


def test_the_navigation_shows_a_new_name(zl, browser, operator, client, make_ticket):
    toured(zl, operator)
    make_ticket(client)
    web = browser(operator)
    assert "Olga" in web.get("/p/acme/tickets").text
    with zl.uow() as uow:
        uow.users.get(operator.portal_id, operator.id).first_name = "Olivia"
        uow.commit()
    assert "Olivia" in web.get("/p/acme/tickets").text


def test_each_person_gets_their_own_page(zl, browser, operator, admin, client, make_ticket):
    toured(zl, operator, admin)
    make_ticket(client)
    assert "Olga" in browser(operator).get("/p/acme/tickets").text
    page = browser(admin).get("/p/acme/tickets").text
    assert ("Ada" in page, "Olga" in page) == (True, False)
