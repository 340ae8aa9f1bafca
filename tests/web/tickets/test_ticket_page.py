"""The ticket page for clients and staff, and every action on it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from zedline.accounts.model import Role
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility

NOTE = "Contract ran out in May, check with sales"


@pytest.fixture
def ticket(make_ticket, client):
    return make_ticket(client, "VPN drops every hour")


def _url(ticket, action=""):
    return f"/p/acme/tickets/{ticket.number}" + (f"/{action}" if action else "")


def _load(zl, user, number):
    with zl.reader() as uow:
        t = uow.tickets.get_for(user, number)
        messages = list(uow.messages.list_for(user, t))
        reminders = list(uow.reminders.due_for(user, t.id))
        return t, messages, reminders


def _status_id(zl, portal, category):
    with zl.reader() as uow:
        return uow.statuses.first_in(portal.id, category).id


def _resolve(zl, portal, operator, ticket):
    tickets.change_status(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        status_id=_status_id(zl, portal, Category.RESOLVED),
    )


# -- what each role sees ---------------------------------------------------------------------


def test_a_client_never_sees_an_internal_note(zl, browser, client, operator, ticket):
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body=NOTE,
        visibility=Visibility.INTERNAL,
    )
    page = browser(client).get(_url(ticket))
    assert page.status_code == 200
    assert "VPN drops every hour" in page.text
    assert NOTE not in page.text
    assert "Internal" not in page.text


def test_staff_see_the_internal_note_marked_internal(zl, browser, operator, ticket):
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body=NOTE,
        visibility=Visibility.INTERNAL,
    )
    html = browser(operator).get(_url(ticket)).text
    assert NOTE in html
    bubble = html.split("message--internal", 1)[1].split("</li>", 1)[0]
    assert "Internal" in bubble
    assert "icon--lock" in bubble
    assert 'data-live-region="conversation"' in html
    assert 'data-live-url="/p/acme/live?ticket=1"' in html


def test_another_clients_ticket_is_not_found(browser, other_client, ticket):
    assert browser(other_client).get(_url(ticket)).status_code == 404


def test_an_unknown_ticket_is_not_found(browser, operator):
    assert browser(operator).get("/p/acme/tickets/999").status_code == 404


def test_the_staff_page_has_the_client_card_and_history(
    browser, operator, client, ticket, make_ticket
):
    other = make_ticket(client, "Earlier printer issue")
    html = browser(operator).get(_url(ticket)).text
    assert client.email in html
    assert f"client={client.id}" in html
    assert f'href="/p/acme/tickets/{other.number}"' in html
    assert "Carl Client</strong> opened the request" in html


# -- replying ----------------------------------------------------------------------------------


def test_staff_must_choose_who_sees_a_reply(zl, browser, send, operator, ticket):
    r = send(browser(operator), _url(ticket, "reply"), {"body": "Hello there"})
    assert r.status_code == 422
    assert "choose who sees this" in r.text
    assert "Hello there" in r.text  # kept
    assert len(_load(zl, operator, ticket.number)[1]) == 1  # only the description


def test_the_reply_form_preselects_nothing(browser, operator, ticket):
    html = browser(operator).get(_url(ticket)).text
    composer = html.split('id="reply"', 1)[1].split("</form>", 1)[0]
    assert 'name="visibility" value="public" required' in composer
    assert "checked" not in composer


@pytest.mark.parametrize("visibility", ["public", "internal"])
def test_staff_reply_with_a_chosen_visibility(zl, browser, send, operator, ticket, visibility):
    r = send(browser(operator), _url(ticket, "reply"), {"body": "Done", "visibility": visibility})
    assert r.status_code in (302, 303)
    last = _load(zl, operator, ticket.number)[1][-1]
    assert (last.body, last.visibility.value) == ("Done", visibility)


def test_a_client_reply_is_public_even_if_it_asks_otherwise(zl, browser, send, client, ticket):
    r = send(
        browser(client), _url(ticket, "reply"), {"body": "Still broken", "visibility": "internal"}
    )
    assert r.status_code in (302, 303)
    assert _load(zl, client, ticket.number)[1][-1].visibility is Visibility.PUBLIC


def test_an_empty_reply_is_refused_with_a_message(zl, browser, send, client, ticket):
    r = send(browser(client), _url(ticket, "reply"), {"body": "   "})
    assert r.status_code == 422
    assert "write a message first" in r.text


def test_a_reply_with_files(zl, browser, send, client, ticket):
    files = [
        ("files", ("a.txt", io.BytesIO(b"a"), "text/plain")),
        ("files", ("b.txt", io.BytesIO(b"b"), "text/plain")),
    ]
    r = send(browser(client), _url(ticket, "reply"), {"body": "logs"}, files)
    assert r.status_code in (302, 303)
    html = browser(client).get(_url(ticket)).text
    assert "a.txt" in html
    assert "b.txt" in html


def test_a_reply_with_an_over_size_file_saves_nothing(zl, browser, send, client, ticket):
    files = [("files", ("big.bin", io.BytesIO(b"x" * (64 * 1024 + 1)), "application/x"))]
    r = send(browser(client), _url(ticket, "reply"), {"body": "big one"}, files)
    assert r.status_code == 422
    assert "larger than" in r.text
    assert "big one" in r.text
    assert len(_load(zl, client, ticket.number)[1]) == 1


def test_a_closed_ticket_offers_a_new_request_instead_of_a_reply(
    zl, browser, portal, operator, client, ticket
):
    tickets.change_status(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        status_id=_status_id(zl, portal, Category.CLOSED),
    )
    html = browser(client).get(_url(ticket)).text
    assert 'id="reply"' not in html
    assert "Open a new request" in html


# -- operator actions --------------------------------------------------------------------------


def test_take(zl, browser, send, operator, ticket):
    r = send(browser(operator), _url(ticket, "take"), {"version": ticket.version})
    assert r.status_code in (302, 303)
    assert _load(zl, operator, ticket.number)[0].assignee_id == operator.id


@pytest.mark.parametrize("action", ["take", "delegate", "status", "deadline", "reminder"])
def test_a_client_posting_to_staff_actions_gets_404(zl, browser, send, client, ticket, action):
    r = send(browser(client), _url(ticket, action), {"version": ticket.version})
    assert r.status_code == 404
    assert _load(zl, client, ticket.number)[0].version == ticket.version


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    zl, browser, send, operator, admin, ticket
):
    stale = ticket.version
    tickets.take_ticket(zl.uow(), zl.clock, admin, ticket.number)
    r = send(browser(operator), _url(ticket, "take"), {"version": stale})
    assert r.status_code == 409
    assert "changed by someone else meanwhile" in r.text
    assert _load(zl, operator, ticket.number)[0].assignee_id == admin.id


def test_delegate_with_a_note(zl, browser, send, operator, admin, ticket):
    r = send(
        browser(operator),
        _url(ticket, "delegate"),
        {"version": ticket.version, "assignee": str(admin.id), "note": "Please call them"},
    )
    assert r.status_code in (302, 303)
    t, messages, _ = _load(zl, operator, ticket.number)
    assert t.assignee_id == admin.id
    assert messages[-1].is_internal
    assert messages[-1].body == "Please call them"


@pytest.mark.parametrize("assignee", ["", "12345", "client"])
def test_delegate_to_someone_invalid(zl, browser, send, operator, client, ticket, assignee):
    value = str(client.id) if assignee == "client" else assignee
    r = send(
        browser(operator), _url(ticket, "delegate"), {"version": ticket.version, "assignee": value}
    )
    assert r.status_code == 422
    assert 'id="delegate-assignee-error"' in r.text
    assert _load(zl, operator, ticket.number)[0].assignee_id is None


def test_change_status(zl, browser, send, portal, operator, ticket):
    waiting = _status_id(zl, portal, Category.WAITING)
    r = send(
        browser(operator), _url(ticket, "status"), {"version": ticket.version, "status": waiting}
    )
    assert r.status_code in (302, 303)
    assert _load(zl, operator, ticket.number)[0].category is Category.WAITING


@pytest.mark.parametrize("value", ["", "abc", "999"])
def test_change_status_to_nothing_known(zl, browser, send, operator, ticket, value):
    r = send(
        browser(operator), _url(ticket, "status"), {"version": ticket.version, "status": value}
    )
    assert r.status_code == 422
    assert _load(zl, operator, ticket.number)[0].category is Category.NEW


def test_set_and_clear_the_deadline_in_the_portal_time_zone(zl, browser, send, operator, ticket):
    web = browser(operator)
    r = send(
        web, _url(ticket, "deadline"), {"version": ticket.version, "deadline": "2030-03-04T15:30"}
    )
    assert r.status_code in (302, 303)
    t = _load(zl, operator, ticket.number)[0]
    assert t.deadline.isoformat() == "2030-03-04T15:30:00+00:00"  # the portal is on UTC
    r = send(web, _url(ticket, "deadline"), {"version": t.version, "deadline": "", "clear": "1"})
    assert r.status_code in (302, 303)
    assert _load(zl, operator, ticket.number)[0].deadline is None


@pytest.mark.parametrize("value", ["", "next week"])
def test_a_bad_deadline(zl, browser, send, operator, ticket, value):
    r = send(
        browser(operator), _url(ticket, "deadline"), {"version": ticket.version, "deadline": value}
    )
    assert r.status_code == 422
    assert 'id="deadline-deadline-error"' in r.text


def test_set_a_reminder_and_see_it_listed(zl, browser, send, operator, ticket):
    due = (zl.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    web = browser(operator)
    r = send(web, _url(ticket, "reminder"), {"due_at": due, "note": "Call back"})
    assert r.status_code in (302, 303)
    assert len(_load(zl, operator, ticket.number)[2]) == 1
    assert "Call back" in web.get(_url(ticket)).text


def test_a_reminder_in_the_past_is_refused(zl, browser, send, operator, ticket):
    due = (zl.clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = send(browser(operator), _url(ticket, "reminder"), {"due_at": due, "note": "late"})
    assert r.status_code == 422
    assert "choose a time in the future" in r.text
    assert 'value="late"' in r.text
    assert _load(zl, operator, ticket.number)[2] == []


# -- the client's answers to a resolution -------------------------------------------------------


def test_a_resolved_ticket_offers_confirm_and_reopen(zl, browser, portal, operator, client, ticket):
    _resolve(zl, portal, operator, ticket)
    html = browser(client).get(_url(ticket)).text
    assert "Yes, it’s solved" in html
    assert "No, reopen" in html
    assert 'name="rating"' in html


def test_confirm_closes(zl, browser, send, portal, operator, client, ticket):
    _resolve(zl, portal, operator, ticket)
    version = _load(zl, client, ticket.number)[0].version
    r = send(browser(client), _url(ticket, "confirm"), {"version": version})
    assert r.status_code in (302, 303)
    assert _load(zl, client, ticket.number)[0].category is Category.CLOSED


def test_reopen(zl, browser, send, portal, operator, client, ticket):
    _resolve(zl, portal, operator, ticket)
    version = _load(zl, client, ticket.number)[0].version
    r = send(browser(client), _url(ticket, "reopen"), {"version": version})
    assert r.status_code in (302, 303)
    assert _load(zl, client, ticket.number)[0].category is Category.OPEN


def test_confirm_on_a_stale_page_is_a_conflict(zl, browser, send, portal, operator, client, ticket):
    _resolve(zl, portal, operator, ticket)
    r = send(browser(client), _url(ticket, "confirm"), {"version": ticket.version})
    assert r.status_code == 409
    assert _load(zl, client, ticket.number)[0].category is Category.RESOLVED


def test_confirm_when_not_resolved_is_refused(zl, browser, send, client, ticket):
    r = send(browser(client), _url(ticket, "confirm"), {"version": ticket.version})
    assert r.status_code == 422
    assert _load(zl, client, ticket.number)[0].category is Category.NEW


def test_rate_and_see_the_rating(zl, browser, send, portal, operator, client, ticket):
    _resolve(zl, portal, operator, ticket)
    web = browser(client)
    r = send(web, _url(ticket, "rate"), {"rating": "4", "comment": "Quick help"})
    assert r.status_code in (302, 303)
    html = web.get(_url(ticket)).text
    assert "4 out of 5 stars" in html
    assert "Quick help" in html
    assert 'name="rating"' not in html


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_a_rating_out_of_range(zl, browser, send, portal, operator, client, ticket, rating):
    _resolve(zl, portal, operator, ticket)
    r = send(browser(client), _url(ticket, "rate"), {"rating": rating, "comment": "kept"})
    assert r.status_code == 422
    assert "choose from 1 to 5 stars" in r.text
    assert "kept" in r.text
    assert _load(zl, client, ticket.number)[0].rating is None


def test_staff_cannot_rate(browser, send, operator, ticket):
    assert send(browser(operator), _url(ticket, "rate"), {"rating": "5"}).status_code == 404


def test_an_operator_of_another_portal_cannot_act(
    zl, browser, send, other_portal, make_user, ticket
):
    stranger = make_user(Role.OPERATOR, slug="globex")
    r = send(browser(stranger), _url(ticket, "take"), {"version": ticket.version})
    assert r.status_code in (302, 303, 307, 404)
    assert r.status_code == 404 or "/login" in r.headers["location"]
