"""Inviting a client, and the number of SQL statements per page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import event

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


def test_staff_see_the_invite_form(browser, operator):
    page = browser(operator).get("/p/acme/invite")
    assert page.status_code == 200
    assert 'name="email"' in page.text


def test_a_client_gets_404_for_the_invite_page(browser, send, client):
    web = browser(client)
    assert web.get("/p/acme/invite").status_code == 404
    r = send(web, "/p/acme/invite", {"first_name": "A", "last_name": "B", "email": "a@b.test"})
    assert r.status_code == 404


def test_an_invitation_is_sent(zl, browser, send, operator):
    web = browser(operator)
    r = send(
        web, "/p/acme/invite", {"first_name": "Nina", "last_name": "New", "email": "Nina@Corp.test"}
    )
    assert r.status_code in (302, 303)
    assert "Invitation sent to Nina New" in web.get("/p/acme/invite").text
    with zl.reader() as uow:
        assert uow.users.find_by_email(operator.portal_id, "nina@corp.test") is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "Nina", "last_name": "New", "email": "nope"}, "email", "enter an e-mail"),
        (
            {"first_name": "", "last_name": "New", "email": "n@corp.test"},
            "first_name",
            "enter a first name",
        ),
        (
            {"first_name": "Nina", "last_name": "New", "email": "carl@client.test"},
            "email",
            "already has an account",
        ),
    ],
)
def test_bad_invitations_keep_the_input(zl, browser, send, operator, client, data, field, message):
    r = send(browser(operator), "/p/acme/invite", data)
    assert r.status_code == 422
    assert message in r.text
    assert f'id="in_{field}-error"' in r.text
    for value in data.values():
        if value:
            assert f'value="{value}"' in r.text


# -- statements per page -----------------------------------------------------------------------


class StatementCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _journal_statements(zl, web):
    web.get("/p/acme/tickets")  # warm up: templates, CSRF cookie
    with StatementCounter(zl.engine) as counter:
        assert web.get("/p/acme/tickets").status_code == 200
    return counter.count


def test_the_journal_costs_the_same_statements_for_10_or_50_tickets(
    zl, browser, operator, admin, client, other_client, make_ticket, advance
):
    web = browser(operator)
    for i in range(10):
        t = make_ticket(client if i % 2 else other_client, f"T{i}")
        if i % 3 == 0:
            tickets.take_ticket(zl.uow(), zl.clock, admin, t.number)
        advance()
    ten = _journal_statements(zl, web)
    for i in range(40):
        make_ticket(client, f"U{i}")
        advance()
    fifty = _journal_statements(zl, web)
    assert ten == fifty
    assert fifty <= 8


def _ticket_statements(zl, web, number):
    web.get(f"/p/acme/tickets/{number}")
    with StatementCounter(zl.engine) as counter:
        assert web.get(f"/p/acme/tickets/{number}").status_code == 200
    return counter.count


@pytest.mark.parametrize("role", ["operator", "client"])
def test_a_ticket_page_costs_the_same_statements_for_1_or_10_messages(
    zl, browser, operator, admin, client, make_ticket, advance, role
):
    ticket = make_ticket(client, "Chatty")
    viewer = operator if role == "operator" else client
    web = browser(viewer)
    one = _ticket_statements(zl, web, ticket.number)
    for i in range(9):
        author = (operator, admin, client)[i % 3]
        internal = author is not client and i % 4 == 1
        visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
        tickets.post_message(
            zl.uow(),
            zl.clock,
            zl.notifier,
            author,
            ticket.number,
            body=f"message {i}",
            visibility=visibility,
            files=zl.files,
            limits=zl.file_limits,
            uploads=[tickets.Upload(f"f{i}.txt", "text/plain", io.BytesIO(b"x"))],
        )
        if i == 4:
            tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
        advance()
    ten = _ticket_statements(zl, web, ticket.number)
    assert web.get(f"/p/acme/tickets/{ticket.number}").text.count("f8.txt") == 1
    assert one == ten
    # The portal and session's user; the ticket with the viewer's read mark; its messages,
    # events and files; the portal's statuses and form fields; the people named; staff also
    # read their reminders and the client's other requests.
    assert ten <= (11 if role == "operator" else 9)
