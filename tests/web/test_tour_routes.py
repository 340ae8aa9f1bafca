"""The first-visit tour's server side: the flag it keeps, the steps the page carries, and the
help page that explains the same without JavaScript."""

from __future__ import annotations

import json
import re

import pytest

from factories import PASSWORD
from zedline.accounts.model import Role
from zedline.accounts.services import mark_tour_done

TOUR_DATA = re.compile(
    r'<script type="application/json" id="zl-tour-data">(.*?)</script>', re.DOTALL
)
CLIENT_TEXT = "All your requests are listed here"
OPERATOR_TEXT = "Take the request to make it yours"
ADMIN_TEXT = "Choose which fields clients fill in"


@pytest.fixture
def people(admin, operator, client):
    return {"admin": admin, "operator": operator, "client": client}


def _tour_done(zl, user) -> bool:
    with zl.reader() as uow:
        return uow.users.get(user.portal_id, user.id).tour_done


def _as(web, login, user):
    login(web, "acme", user.email, PASSWORD)
    return user


def _tour_data(html: str) -> dict | None:
    found = TOUR_DATA.search(html)
    return json.loads(found.group(1)) if found else None


# -- the tour on the pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "first", "last"),
    [
        ("client", "new-request", "write"),
        ("operator", "journal", "reminder"),
        ("admin", "journal", "admin-stats"),
    ],
)
def test_a_first_login_page_carries_the_tour_of_the_role(web, login, people, role, first, last):
    _as(web, login, people[role])

    data = _tour_data(web.get("/p/acme/tickets").text)

    assert data is not None
    ids = [s["id"] for s in data["steps"]]
    assert (ids[0], ids[-1]) == (first, last)
    assert data["done"] == "/p/acme/tour/done"
    assert data["start"] == "/p/acme/tickets"
    assert data["csrf"]
    assert all(s["title"] and s["text"] and s["target"] for s in data["steps"])


def test_only_the_admin_tour_has_the_settings_steps(web, login, people):
    _as(web, login, people["operator"])

    data = _tour_data(web.get("/p/acme/tickets").text)

    assert data is not None
    assert not [s for s in data["steps"] if s["id"].startswith(("settings", "admin-"))]


def test_the_tour_data_is_not_on_the_page_once_done(web, login, zl, people):
    user = _as(web, login, people["operator"])
    assert _tour_data(web.get("/p/acme/tickets").text) is not None

    mark_tour_done(zl.uow(), user, done=True)

    page = web.get("/p/acme/tickets").text
    assert _tour_data(page) is None
    assert 'action="/p/acme/tour/replay"' in page  # the Help menu can still bring it back


def test_logged_out_pages_have_no_tour_and_no_help_menu(web, people):
    page = web.get("/p/acme/login").text

    assert _tour_data(page) is None
    assert "/tour/replay" not in page


def test_pages_of_a_logged_in_user_have_the_help_menu(web, login, people):
    _as(web, login, people["client"])

    page = web.get("/p/acme/tickets").text

    assert 'href="/p/acme/help"' in page
    assert "Take the tour again" in page
    assert '<script defer src="/static/tour.js"></script>' in page


def test_the_tour_script_is_served(web):
    response = web.get("/static/tour.js")

    assert response.status_code == 200
    assert "zl-tour-data" in response.text


# -- "Don't show again" and finishing -------------------------------------------------------


@pytest.mark.parametrize("role", ["client", "operator", "admin"])
def test_done_marks_the_tour_done(web, login, post_form, zl, people, role):
    user = _as(web, login, people[role])

    response = post_form(web, "/p/acme/tour/done", {}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/p/acme/tickets"
    assert _tour_done(zl, user) is True


def test_done_from_the_script_answers_with_no_content(web, login, post_form, zl, people):
    user = _as(web, login, people["operator"])

    response = post_form(web, "/p/acme/tour/done", {}, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 204
    assert _tour_done(zl, user) is True


def test_done_goes_back_to_a_page_of_the_portal(web, login, post_form, people):
    _as(web, login, people["operator"])

    response = post_form(web, "/p/acme/tour/done", {"next": "/p/acme/help"}, follow_redirects=False)

    assert response.headers["location"] == "/p/acme/help"


@pytest.mark.parametrize("target", ["https://evil.test/p/acme/", "//evil.test/", "/p/globex/"])
def test_done_never_sends_elsewhere(web, login, post_form, people, target):
    _as(web, login, people["operator"])

    response = post_form(web, "/p/acme/tour/done", {"next": target}, follow_redirects=False)

    assert response.headers["location"] == "/p/acme/tickets"


def test_done_without_the_csrf_token_changes_nothing(web, login, zl, people):
    user = _as(web, login, people["operator"])

    response = web.post("/p/acme/tour/done", data={}, follow_redirects=False)

    assert response.status_code == 403
    assert _tour_done(zl, user) is False


def test_done_with_a_wrong_csrf_token_changes_nothing(web, login, zl, people):
    user = _as(web, login, people["operator"])

    response = web.post(
        "/p/acme/tour/done",
        data={},
        headers={"X-CSRFToken": "not-the-token", "X-Requested-With": "fetch"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert _tour_done(zl, user) is False


def test_done_while_logged_out_goes_to_the_login(web, post_form, zl, people):
    response = post_form(web, "/p/acme/tour/done", {}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/p/acme/login")
    assert _tour_done(zl, people["operator"]) is False


def test_done_in_another_portal_is_not_a_login_there(
    web, login, post_form, zl, people, other_portal
):
    user = _as(web, login, people["operator"])

    response = post_form(web, "/p/globex/tour/done", {}, follow_redirects=False)

    assert response.headers["location"].startswith("/p/globex/login")
    assert _tour_done(zl, user) is False


# -- "Take the tour again" ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["client", "operator", "admin"])
def test_replay_brings_the_tour_back(web, login, post_form, zl, people, role):
    user = _as(web, login, people[role])
    mark_tour_done(zl.uow(), user, done=True)

    response = post_form(web, "/p/acme/tour/replay", {})

    assert response.status_code == 200
    assert response.url.path == "/p/acme/tickets"
    assert _tour_data(response.text) is not None
    assert _tour_done(zl, user) is False


def test_replay_without_the_csrf_token_changes_nothing(web, login, zl, people):
    user = _as(web, login, people["client"])
    mark_tour_done(zl.uow(), user, done=True)

    response = web.post("/p/acme/tour/replay", data={}, follow_redirects=False)

    assert response.status_code == 403
    assert _tour_done(zl, user) is True


def test_replay_while_logged_out_goes_to_the_login(web, post_form, zl, people):
    mark_tour_done(zl.uow(), people["client"], done=True)

    response = post_form(web, "/p/acme/tour/replay", {}, follow_redirects=False)

    assert response.headers["location"].startswith("/p/acme/login")
    assert _tour_done(zl, people["client"]) is True


# -- the help page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown", "not_shown"),
    [
        ("client", [CLIENT_TEXT], [OPERATOR_TEXT, ADMIN_TEXT]),
        ("operator", [OPERATOR_TEXT], [CLIENT_TEXT, ADMIN_TEXT]),
        ("admin", [OPERATOR_TEXT, ADMIN_TEXT], [CLIENT_TEXT]),
    ],
)
def test_the_help_page_explains_the_controls_of_the_role(
    web, login, people, role, shown, not_shown
):
    _as(web, login, people[role])

    response = web.get("/p/acme/help")

    assert response.status_code == 200
    text = response.text.replace("&#39;", "'")
    for sentence in shown:
        assert sentence in text
    for sentence in not_shown:
        assert sentence not in text


def test_the_help_page_offers_the_tour_as_a_form(web, login, people):
    _as(web, login, people["client"])

    page = web.get("/p/acme/help").text

    form = r'class="help-tour" method="post" action="/p/acme/tour/replay" data-tour-replay>\s*'
    form += r'<input type="hidden" name="_csrf_token"'
    assert re.search(form, page)


def test_the_help_page_needs_a_login(web, portal):
    response = web.get("/p/acme/help")

    assert response.url.path == "/p/acme/login"
    assert "next=%2Fp%2Facme%2Fhelp" in str(response.url)


def test_the_help_page_of_an_unknown_portal_is_not_found(web):
    assert web.get("/p/nowhere/help").status_code == 404


@pytest.mark.parametrize("role", [Role.CLIENT, Role.OPERATOR])
def test_every_help_sentence_is_one_sentence(web, login, make_user, role):
    user = make_user(role)
    _as(web, login, user)

    page = web.get("/p/acme/help").text

    sentences = re.findall(r"<dd>(.*?)</dd>", page)
    assert sentences
    assert all(s.count(". ") == 0 and s.endswith(".") for s in sentences)
