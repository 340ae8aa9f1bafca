"""The admin's People pages: operators and admins, clients, and what each action does."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from tests.factories import PASSWORD

from zedline.accounts.model import Role
from zedline.tickets import services as tickets
from zedline_web.sessions import RotatingSessionConfig

WEB_BASE = "http://testserver.local"
PEOPLE = "/p/acme/admin/people"
CLIENTS = "/p/acme/admin/people/clients"


@pytest.fixture
def as_user(app):
    """as_user(user) -> a TestClient logged in as `user` (its session as the login sets it)."""

    def open_as(user):
        web = TestClient(
            app, base_url=WEB_BASE, session_config=RotatingSessionConfig(key="zl_session")
        )
        web.set_session_data({"pid": user.portal_id, "uid": user.id, "av": user.auth_version})
        return web

    return open_as


@pytest.fixture
def send():
    def post(web, url, data=None):
        token = web.cookies.get("zl_csrf")
        if token is None:
            web.get("/static/zedline.css")
            token = web.cookies.get("zl_csrf")
        return web.post(url, data={**(data or {}), "_csrf_token": token}, follow_redirects=True)

    return post


def _user(zl, portal, email):
    with zl.reader() as uow:
        return uow.users.find_by_email(portal.id, email)


def _row(html, user_id):
    match = re.search(rf'<tr id="person-{user_id}".*?</tr>', html, re.DOTALL)
    assert match, f"no row for person {user_id}"
    return match.group(0)


# -- who may see the pages -----------------------------------------------------------------


@pytest.mark.parametrize("url", [PEOPLE, CLIENTS, "/p/acme/admin/disk"])
def test_admin_sees_the_page(as_user, admin, url):
    assert as_user(admin).get(url).status_code == 200


@pytest.mark.parametrize("url", [PEOPLE, CLIENTS, "/p/acme/admin/disk"])
@pytest.mark.parametrize("who", ["operator", "client"])
def test_others_get_404(request, as_user, url, who):
    user = request.getfixturevalue(who)
    assert as_user(user).get(url).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"first_name": "Eve", "last_name": "New", "email": "eve@acme.test", "role": "admin"}),
        ("/{id}/role", {"role": "admin"}),
        ("/{id}/deactivate", {}),
        ("/{id}/reactivate", {}),
        ("/{id}/credentials", {}),
    ],
)
def test_operator_cannot_manage_people(zl, portal, as_user, send, operator, make_user, path, data):
    other = make_user(Role.OPERATOR, email="other@acme.test")
    response = send(as_user(operator), PEOPLE + path.format(id=other.id), data)
    assert response.status_code == 404
    after = _user(zl, portal, "other@acme.test")
    assert (after.role, after.active, after.auth_version) == (
        Role.OPERATOR,
        True,
        other.auth_version,
    )
    assert _user(zl, portal, "eve@acme.test") is None


def test_operator_cannot_see_the_deactivation_page(as_user, operator, client):
    assert as_user(operator).get(f"{PEOPLE}/{client.id}/deactivate").status_code == 404


# -- operators and admins ------------------------------------------------------------------


def test_the_list_shows_people_with_their_open_tickets(
    zl, as_user, admin, operator, client, make_ticket
):
    for _ in range(2):
        ticket = make_ticket(client)
        tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    page = as_user(admin).get(PEOPLE).text
    row = _row(page, operator.id)
    assert "Olga Operator" in row
    assert "olga@acme.test" in row
    assert "Operator" in row
    assert "Active" in row
    assert re.search(r'people-table__num num">2<', row)
    assert "never" in row  # never logged in
    assert "Carl Client" not in page  # clients are on the other tab


def test_adding_an_operator_mails_url_login_and_a_working_password(
    zl, portal, app, as_user, send, admin, mailbox, login
):
    response = send(
        as_user(admin),
        PEOPLE,
        {"first_name": "Eve", "last_name": "Newton", "email": "Eve@Acme.test", "role": "operator"},
    )
    assert response.status_code == 200
    assert "Eve Newton is added" in response.text
    assert _user(zl, portal, "eve@acme.test").role is Role.OPERATOR
    mail = mailbox.last("eve@acme.test")
    assert "http://testserver.local/p/acme/login" in mail.text
    assert "eve@acme.test" in mail.text
    with TestClient(app, base_url=WEB_BASE) as web:
        page = login(web, "acme", "eve@acme.test", mailbox.password_in(mail))
        assert page.status_code == 200


def test_adding_with_bad_fields_shows_messages_and_keeps_the_input(
    zl, portal, as_user, send, admin, mailbox
):
    response = send(
        as_user(admin),
        PEOPLE,
        {"first_name": "Eve", "last_name": "", "email": "not-an-email", "role": "operator"},
    )
    assert response.status_code == 422
    assert 'id="in_last_name-error"' in response.text
    assert 'id="in_email-error"' in response.text
    assert 'value="Eve"' in response.text
    assert _user(zl, portal, "not-an-email") is None
    assert mailbox.deliver() == []


def test_adding_a_client_role_is_refused_at_the_role(zl, portal, as_user, send, admin):
    response = send(
        as_user(admin),
        PEOPLE,
        {"first_name": "Eve", "last_name": "N", "email": "eve@acme.test", "role": "client"},
    )
    assert response.status_code == 422
    assert 'id="in_role-error"' in response.text
    assert _user(zl, portal, "eve@acme.test") is None


def test_adding_a_taken_email_is_refused_at_the_field(zl, portal, as_user, send, admin, operator):
    response = send(
        as_user(admin),
        PEOPLE,
        {"first_name": "O", "last_name": "Two", "email": "olga@acme.test", "role": "admin"},
    )
    assert response.status_code == 422
    assert "already has an account" in response.text
    assert _user(zl, portal, "olga@acme.test").first_name == "Olga"


def test_making_an_operator_an_admin_and_back(zl, portal, as_user, send, admin, operator):
    web = as_user(admin)
    page = send(web, f"{PEOPLE}/{operator.id}/role", {"role": "admin"})
    assert "Olga Operator is now an admin." in page.text
    assert _user(zl, portal, "olga@acme.test").role is Role.ADMIN
    page = send(web, f"{PEOPLE}/{operator.id}/role", {"role": "operator"})
    assert "Olga Operator is now an operator." in page.text
    assert _user(zl, portal, "olga@acme.test").role is Role.OPERATOR


def test_a_bad_role_is_refused(zl, portal, as_user, send, admin, operator):
    page = send(as_user(admin), f"{PEOPLE}/{operator.id}/role", {"role": "client"})
    assert page.status_code == 422
    assert "Choose operator or admin" in _row(page.text, operator.id)
    assert _user(zl, portal, "olga@acme.test").role is Role.OPERATOR


def test_the_last_admin_keeps_the_role(zl, portal, as_user, send, admin):
    page = send(as_user(admin), f"{PEOPLE}/{admin.id}/role", {"role": "operator"})
    assert page.status_code == 422
    assert "at least one active admin" in _row(page.text, admin.id)
    assert _user(zl, portal, "admin@acme.test").role is Role.ADMIN


def test_an_admin_cannot_deactivate_themselves(zl, portal, as_user, send, admin, make_user):
    make_user(Role.ADMIN, email="second@acme.test")
    web = as_user(admin)
    assert f"{PEOPLE}/{admin.id}/deactivate" not in web.get(PEOPLE).text
    page = send(web, f"{PEOPLE}/{admin.id}/deactivate")
    assert page.status_code == 422
    assert "You cannot deactivate yourself" in _row(page.text, admin.id)
    assert _user(zl, portal, "admin@acme.test").active


def test_the_deactivation_page_asks_and_says_what_happens(
    zl, as_user, admin, operator, client, make_ticket
):
    ticket = make_ticket(client)
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    page = as_user(admin).get(f"{PEOPLE}/{operator.id}/deactivate")
    assert page.status_code == 200
    assert "Deactivate Olga Operator?" in page.text
    assert "1 active request(s) assigned to them become unassigned" in page.text
    assert f'action="{PEOPLE}/{operator.id}/deactivate"' in page.text


def test_deactivating_an_operator_ends_their_session_and_unassigns_their_tickets(
    zl, portal, as_user, send, admin, operator, client, make_ticket
):
    numbers = []
    for _ in range(2):
        ticket = make_ticket(client)
        tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
        numbers.append(ticket.number)
    operator_web = as_user(operator)
    assert operator_web.get("/p/acme/tickets").url.path == "/p/acme/tickets"
    admin_web = as_user(admin)

    page = send(admin_web, f"{PEOPLE}/{operator.id}/deactivate")

    assert page.status_code == 200
    assert "Olga Operator is deactivated and logged out everywhere." in page.text
    assert "2 active request(s) they were assigned are now unassigned" in page.text
    assert "Deactivated" in _row(page.text, operator.id)
    assert operator_web.get("/p/acme/tickets").url.path == "/p/acme/login"
    journal = admin_web.get("/p/acme/tickets?assignee=unassigned").text
    for number in numbers:
        assert f'href="/p/acme/tickets/{number}"' in journal


def test_the_last_active_admin_cannot_be_deactivated_by_another_admin(
    zl, portal, as_user, send, admin, make_user
):
    second = make_user(Role.ADMIN, email="second@acme.test")
    send(as_user(second), f"{PEOPLE}/{admin.id}/deactivate")
    assert not _user(zl, portal, "admin@acme.test").active
    page = send(as_user(admin), f"{PEOPLE}/{second.id}/deactivate")
    # the deactivated admin's own session has ended
    assert page.url.path == "/p/acme/login"
    assert _user(zl, portal, "second@acme.test").active


def test_reactivating_lets_them_log_in_again(
    zl, portal, app, as_user, send, admin, operator, login
):
    web = as_user(admin)
    send(web, f"{PEOPLE}/{operator.id}/deactivate")
    page = send(web, f"{PEOPLE}/{operator.id}/reactivate")
    assert "Olga Operator can log in again." in page.text
    assert "Active" in _row(page.text, operator.id)
    with TestClient(app, base_url=WEB_BASE) as fresh:
        assert login(fresh, "acme", "olga@acme.test", PASSWORD).status_code == 200


def test_reactivating_an_active_person_says_so(as_user, send, admin, operator):
    page = send(as_user(admin), f"{PEOPLE}/{operator.id}/reactivate")
    assert page.status_code == 422
    assert "already active" in _row(page.text, operator.id)


def test_resending_credentials_mails_a_new_password_that_works(
    app, as_user, send, admin, operator, mailbox, login
):
    page = send(as_user(admin), f"{PEOPLE}/{operator.id}/credentials")
    assert "A new password went to olga@acme.test" in page.text
    password = mailbox.password_in(mailbox.last("olga@acme.test"))
    with TestClient(app, base_url=WEB_BASE) as web:
        web.get("/p/acme/login")
        token = web.cookies.get("zl_csrf")
        old = web.post(
            "/p/acme/login",
            data={"email": "olga@acme.test", "password": PASSWORD, "_csrf_token": token},
        )
        assert old.url.path.endswith("/login")  # the old password stopped working
        assert login(web, "acme", "olga@acme.test", password).status_code == 200


def test_an_unknown_person_is_404(as_user, send, admin):
    assert send(as_user(admin), f"{PEOPLE}/999999/reactivate").status_code == 404
    assert as_user(admin).get(f"{PEOPLE}/999999/deactivate").status_code == 404


def test_a_person_of_another_portal_is_404(zl, other_portal, as_user, send, admin):
    with zl.reader() as uow:
        stranger = uow.users.find_by_email(other_portal.id, "admin@globex.test")
    assert send(as_user(admin), f"{PEOPLE}/{stranger.id}/deactivate").status_code == 404
    assert _user(zl, other_portal, "admin@globex.test").active


# -- clients -------------------------------------------------------------------------------


def test_clients_are_listed_with_their_ticket_counts(
    as_user, admin, client, other_client, make_ticket
):
    for _ in range(3):
        make_ticket(client)
    page = as_user(admin).get(CLIENTS).text
    assert re.search(r'people-table__num num">3<', _row(page, client.id))
    assert re.search(r'people-table__num num">0<', _row(page, other_client.id))
    assert f'href="/p/acme/tickets?client={client.id}&amp;category=all"' in page
    assert 'href="/p/acme/invite"' in page
    assert "Olga" not in page


def test_the_client_link_opens_the_journal_filtered_by_that_client(
    zl, as_user, admin, client, other_client, make_ticket
):
    mine = make_ticket(client, "Carl's printer")
    make_ticket(other_client, "Dora's scanner")
    journal = as_user(admin).get(f"/p/acme/tickets?client={client.id}&category=all").text
    assert f'href="/p/acme/tickets/{mine.number}"' in journal
    assert "Dora&#39;s scanner" not in journal


@pytest.mark.parametrize("query", ["carl@", "CLIE", "carl", "Carl Cli"])
def test_searching_clients_by_the_start_of_name_or_email(
    as_user, admin, client, other_client, query
):
    page = as_user(admin).get(CLIENTS, params={"q": query}).text
    assert f'id="person-{client.id}"' in page
    assert f'id="person-{other_client.id}"' not in page


def test_a_search_without_results_says_so(as_user, admin, client):
    page = as_user(admin).get(CLIENTS, params={"q": "zz%_"}).text
    assert "No client found" in page
    assert 'id="person-' not in page


def test_clients_come_a_page_at_a_time(zl, as_user, admin, make_user):
    for n in range(55):
        make_user(Role.CLIENT, last_name=f"Name{n:02d}")
    web = as_user(admin)
    first = web.get(CLIENTS).text
    ids_first = re.findall(r'id="person-(\d+)"', first)
    assert len(ids_first) == 50
    link = re.search(r'<a [^>]*href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = web.get(link).text
    ids_second = re.findall(r'id="person-(\d+)"', second)
    assert len(ids_second) == 5
    assert not set(ids_first) & set(ids_second)
    assert 'rel="next"' not in second


def test_deactivating_a_client_ends_their_session(zl, portal, as_user, send, admin, client):
    client_web = as_user(client)
    assert client_web.get("/p/acme/tickets").url.path == "/p/acme/tickets"
    page = send(
        as_user(admin), f"{PEOPLE}/{client.id}/deactivate", {"back": "clients", "q": "carl"}
    )
    assert page.url.path == CLIENTS
    assert page.url.params["q"] == "carl"
    assert "Carl Client is deactivated" in page.text
    assert "deactivated" in _row(page.text, client.id)
    assert not _user(zl, portal, "carl@client.test").active
    assert client_web.get("/p/acme/tickets").url.path == "/p/acme/login"


def test_reactivating_a_client_from_the_clients_page(zl, portal, as_user, send, admin, client):
    web = as_user(admin)
    send(web, f"{PEOPLE}/{client.id}/deactivate", {"back": "clients"})
    page = send(web, f"{PEOPLE}/{client.id}/reactivate", {"back": "clients"})
    assert page.url.path == CLIENTS
    assert "Carl Client can log in again." in page.text
    assert _user(zl, portal, "carl@client.test").active


def test_resending_a_client_credentials(as_user, send, admin, client, mailbox):
    page = send(as_user(admin), f"{PEOPLE}/{client.id}/credentials", {"back": "clients"})
    assert page.url.path == CLIENTS
    assert "A new password went to carl@client.test" in page.text
    mail = mailbox.last("carl@client.test")
    assert mailbox.password_in(mail) != PASSWORD


def test_credentials_are_not_sent_to_a_deactivated_client(as_user, send, admin, client, mailbox):
    web = as_user(admin)
    send(web, f"{PEOPLE}/{client.id}/deactivate", {"back": "clients"})
    mailbox.deliver()
    page = send(web, f"{PEOPLE}/{client.id}/credentials", {"back": "clients"})
    assert page.status_code == 422
    assert "Reactivate them first" in _row(page.text, client.id)
    assert mailbox.to("carl@client.test") == []


def test_an_admin_who_makes_themselves_an_operator_leaves_the_admin_pages(
    zl, portal, as_user, send, admin, make_user
):
    make_user(Role.ADMIN, email="second@acme.test")
    page = send(as_user(admin), f"{PEOPLE}/{admin.id}/role", {"role": "operator"})
    assert page.status_code == 200
    # the core ends sessions on a role change, their own included
    assert page.url.path == "/p/acme/login"
    assert _user(zl, portal, "admin@acme.test").role is Role.OPERATOR
