"""The portal's doors: home, registration, login, first password, logout, password reset."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from zedline.accounts.model import Role
from zedline.portals import services as portals

PASSWORD = "correct-horse-42"  # the shared fixtures' password
NEW_PASSWORD = "blue-kettle-runs-7"


def _users(zl, portal):
    with zl.reader() as uow:
        return uow.users.count(portal.id)


# --- portal home ----------------------------------------------------------------------------


def test_portal_home_offers_register_and_login(web, portal):
    page = web.get("/p/acme/")
    assert page.status_code == 200
    assert "Acme Support" in page.text
    assert 'href="/p/acme/register"' in page.text
    assert 'href="/p/acme/login"' in page.text


def test_portal_home_sends_a_logged_in_user_to_the_tickets(web, client, login):
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/p/acme/tickets"


def test_unknown_portal_is_a_404_page(web, portal):
    page = web.get("/p/nowhere/")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    assert "Back to the help desk" not in page.text  # there is no help desk to go back to


def test_disabled_portal_is_a_404_page(web, zl, portal):
    portals.set_portal_active(zl.uow(), slug="acme", active=False)
    assert web.get("/p/acme/").status_code == 404
    assert web.get("/p/acme/login").status_code == 404


# --- registration ---------------------------------------------------------------------------


def test_register_form_has_exactly_three_fields(web, portal):
    page = web.get("/p/acme/register")
    assert page.status_code == 200
    names = {
        n for n in ("first_name", "last_name", "email", "password") if f'name="{n}"' in page.text
    }
    assert names == {"first_name", "last_name", "email"}
    assert 'name="_csrf_token"' in page.text


def test_register_mails_the_credentials_and_says_where(web, portal, post_form, mailbox):
    done = post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "Reader", "email": "Rita@Example.test"},
    )
    assert done.status_code == 200
    assert done.url.path == "/p/acme/register/done"
    assert "Check your e-mail" in done.text
    assert "rita@example.test" in done.text
    mail = mailbox.last("rita@example.test")
    assert "http://testserver.local/p/acme/login" in mail.text
    assert "rita@example.test" in mail.text
    assert len(mailbox.password_in(mail)) >= 8


def test_generated_password_logs_in_and_first_login_forces_a_new_password(
    web, portal, post_form, mailbox
):
    post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "Reader", "email": "rita@example.test"},
    )
    generated = mailbox.password_in(mailbox.last("rita@example.test"))
    web.get("/p/acme/login")
    page = post_form(web, "/p/acme/login", {"email": "rita@example.test", "password": generated})
    assert page.url.path == "/p/acme/welcome"
    assert "Choose" in page.text or "choose" in page.text
    assert page.text.count('type="password"') == 1
    # Every other page sends such a user back here until a password is chosen.
    elsewhere = web.get("/p/acme/tickets", follow_redirects=False)
    assert elsewhere.status_code == 303
    assert elsewhere.headers["location"] == "/p/acme/welcome"

    chosen = post_form(web, "/p/acme/welcome", {"new_password": NEW_PASSWORD})
    assert chosen.status_code == 200
    assert chosen.url.path == "/p/acme/tickets"
    assert web.get("/p/acme/welcome", follow_redirects=False).headers["location"] == (
        "/p/acme/tickets"
    )
    # The old generated password no longer works; the chosen one does.
    web.cookies.clear()
    web.get("/p/acme/login")
    again = post_form(web, "/p/acme/login", {"email": "rita@example.test", "password": generated})
    assert again.status_code == 422
    web.get("/p/acme/login")
    ok = post_form(web, "/p/acme/login", {"email": "rita@example.test", "password": NEW_PASSWORD})
    assert ok.url.path == "/p/acme/tickets"


def test_welcome_rejects_a_weak_password_and_stays(web, portal, post_form, mailbox):
    post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "Reader", "email": "rita@example.test"},
    )
    generated = mailbox.password_in(mailbox.last("rita@example.test"))
    web.get("/p/acme/login")
    post_form(web, "/p/acme/login", {"email": "rita@example.test", "password": generated})
    page = post_form(web, "/p/acme/welcome", {"new_password": "short"})
    assert page.status_code == 422
    assert "Use at least 8 characters" in page.text
    assert web.get("/p/acme/tickets", follow_redirects=False).headers["location"] == (
        "/p/acme/welcome"
    )


def test_welcome_without_login_goes_to_the_login(web, portal):
    page = web.get("/p/acme/welcome", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/p/acme/login"


def test_register_bad_fields_show_each_message_keep_input_and_create_nothing(
    web, zl, portal, post_form, mailbox
):
    before = _users(zl, portal)
    page = post_form(
        web,
        "/p/acme/register",
        {"first_name": "  ", "last_name": "<b>Bold</b>", "email": "not-an-address"},
    )
    assert page.status_code == 422
    assert "Enter a first name" in page.text
    assert "Enter an e-mail address like name@example.com" in page.text
    assert 'value="not-an-address"' in page.text
    assert 'value="&lt;b&gt;Bold&lt;/b&gt;"' in page.text  # kept, and escaped
    assert "<b>Bold</b>" not in page.text
    assert _users(zl, portal) == before
    assert mailbox.deliver() == []


def test_register_too_long_last_name_is_reported_at_its_field(web, portal, post_form):
    page = post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "x" * 81, "email": "rita@example.test"},
    )
    assert page.status_code == 422
    assert "The last name is longer than 80 characters" in page.text
    assert 'value="Rita"' in page.text


def test_register_duplicate_email_says_so_and_links_to_password_reset(
    web, zl, portal, client, post_form
):
    before = _users(zl, portal)
    page = post_form(
        web,
        "/p/acme/register",
        {"first_name": "Carl", "last_name": "Again", "email": client.email.upper()},
    )
    assert page.status_code == 409
    assert "already" in page.text
    assert "/p/acme/password-reset" in page.text
    assert _users(zl, portal) == before


def test_register_while_logged_in_goes_to_the_tickets(web, client, login):
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/register", follow_redirects=False)
    assert page.headers["location"] == "/p/acme/tickets"


# --- login ----------------------------------------------------------------------------------


def test_login_success_goes_to_the_tickets(web, client, login):
    page = login(web, "acme", client.email, PASSWORD)
    assert page.url.path == "/p/acme/tickets"


def test_login_wrong_password_and_unknown_email_get_the_same_answer(web, portal, client, post_form):
    web.get("/p/acme/login")
    wrong = post_form(web, "/p/acme/login", {"email": client.email, "password": "nope-nope-1"})
    unknown = post_form(
        web, "/p/acme/login", {"email": "ghost@example.test", "password": "nope-nope-1"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "Wrong e-mail or password" in wrong.text
    assert "Wrong e-mail or password" in unknown.text
    assert f'value="{client.email}"' in wrong.text
    assert 'type="password" value=""' in wrong.text or "nope-nope-1" not in wrong.text
    assert "zl_session" not in web.cookies


def test_login_of_a_deactivated_account_is_refused(web, zl, portal, client, post_form):
    with zl.uow() as uow:
        uow.users.get(portal.id, client.id).deactivate()
        uow.commit()
    web.get("/p/acme/login")
    page = post_form(web, "/p/acme/login", {"email": client.email, "password": PASSWORD})
    assert page.status_code == 422
    assert "deactivated" in page.text


def test_login_with_an_expired_generated_password_is_refused(
    web, zl, clock, portal, post_form, mailbox
):
    post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "Reader", "email": "rita@example.test"},
    )
    generated = mailbox.password_in(mailbox.last("rita@example.test"))
    clock.advance(timedelta(days=8))
    web.get("/p/acme/login")
    page = post_form(web, "/p/acme/login", {"email": "rita@example.test", "password": generated})
    assert page.status_code == 422
    assert "This password has expired" in page.text


def test_login_honours_a_local_next(web, client, login):
    page = login(web, "acme", client.email, PASSWORD, next="/p/acme/tickets?page=2")
    assert page.url.path == "/p/acme/tickets"
    assert page.url.query == b"page=2"


def test_login_ignores_a_foreign_next(web, portal, client, post_form):
    for bad in (
        "https://evil.test/p/acme/",
        "//evil.test/p/acme/",
        "/p/globex/tickets",
        "/\\evil.test",
        "/p/acme/../../x",
    ):
        web.cookies.clear()
        web.get("/p/acme/login")
        page = post_form(
            web,
            "/p/acme/login",
            {"email": client.email, "password": PASSWORD, "next": bad},
            follow_redirects=False,
        )
        assert page.status_code == 303, bad
        assert page.headers["location"] == "/p/acme/tickets", bad


def test_a_page_that_needs_login_sends_to_login_and_back(web, client, post_form):
    first = web.get("/p/acme/tickets", follow_redirects=False)
    assert first.status_code in (302, 303)
    assert first.headers["location"] == f"/p/acme/login?next={quote('/p/acme/tickets', safe='')}"
    form = web.get(first.headers["location"])
    assert 'name="next" value="/p/acme/tickets"' in form.text
    page = post_form(
        web,
        "/p/acme/login",
        {"email": client.email, "password": PASSWORD, "next": "/p/acme/tickets"},
    )
    assert page.url.path == "/p/acme/tickets"


def test_login_page_for_a_logged_in_user_goes_on(web, client, login):
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/login", follow_redirects=False)
    assert page.status_code == 303


def test_staff_log_in_too(web, operator, admin, login):
    assert login(web, "acme", operator.email, PASSWORD).url.path == "/p/acme/tickets"
    web.cookies.clear()
    assert login(web, "acme", admin.email, PASSWORD).url.path == "/p/acme/tickets"


# --- logout ---------------------------------------------------------------------------------


def test_logout_ends_the_session(web, client, login, post_form):
    login(web, "acme", client.email, PASSWORD)
    old_session = web.cookies.get("zl_session")
    page = post_form(web, "/p/acme/logout", {}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/p/acme/"
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code in (302, 303)
    # The old cookie is dead on the server too, not only forgotten by this browser.
    web.cookies.clear()
    web.cookies.set("zl_session", old_session)
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code in (302, 303)


# --- password reset -------------------------------------------------------------------------


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(
    web, portal, client, post_form, mailbox
):
    web.get("/p/acme/password-reset")
    known = post_form(web, "/p/acme/password-reset", {"email": client.email})
    unknown = post_form(web, "/p/acme/password-reset", {"email": "ghost@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert "If" in known.text
    assert "on its way" in known.text
    assert "on its way" in unknown.text
    assert [m.to for m in mailbox.deliver()] == [client.email]


def test_reset_request_with_a_malformed_address_says_so(web, portal, post_form):
    page = post_form(web, "/p/acme/password-reset", {"email": "nope"})
    assert page.status_code == 422
    assert "Enter the e-mail address you log in with" in page.text


def test_password_reset_end_to_end_and_the_link_works_once(
    web, portal, client, post_form, mailbox, login
):
    post_form(web, "/p/acme/password-reset", {"email": client.email})
    link = mailbox.link_in(mailbox.last(client.email), "/password-reset/")
    path = link.removeprefix("http://testserver.local")
    form = web.get(path)
    assert form.status_code == 200
    assert client.email in form.text
    done = post_form(web, path, {"new_password": NEW_PASSWORD})
    assert done.url.path == "/p/acme/login"
    assert "Your new password is set" in done.text
    login(web, "acme", client.email, NEW_PASSWORD)

    again = web.get(path)
    assert again.status_code == 400
    assert "/p/acme/password-reset" in again.text
    reuse = post_form(web, path, {"new_password": "another-pass-99"})
    assert reuse.status_code == 400
    assert "no longer works" in reuse.text


def test_password_reset_weak_password_keeps_the_link_usable(
    web, portal, client, post_form, mailbox
):
    post_form(web, "/p/acme/password-reset", {"email": client.email})
    path = mailbox.link_in(mailbox.last(client.email), "/password-reset/").removeprefix(
        "http://testserver.local"
    )
    weak = post_form(web, path, {"new_password": "1234567890"})
    assert weak.status_code == 422
    assert "too easy to guess" in weak.text
    assert web.get(path).status_code == 200


def test_expired_reset_link_gets_a_clear_page(web, clock, portal, client, post_form, mailbox):
    post_form(web, "/p/acme/password-reset", {"email": client.email})
    path = mailbox.link_in(mailbox.last(client.email), "/password-reset/").removeprefix(
        "http://testserver.local"
    )
    clock.advance(timedelta(hours=3))
    page = web.get(path)
    assert page.status_code == 400
    assert "expired" in page.text
    assert 'href="/p/acme/password-reset"' in page.text


def test_made_up_reset_link_gets_the_same_clear_page(web, portal):
    page = web.get("/p/acme/password-reset/not-a-real-token")
    assert page.status_code == 400
    assert 'href="/p/acme/password-reset"' in page.text


def test_password_reset_ends_existing_sessions(web, portal, client, post_form, mailbox, login):
    login(web, "acme", client.email, PASSWORD)
    elsewhere = web.cookies.get("zl_session")  # the session of "another browser"
    web.cookies.clear()
    post_form(web, "/p/acme/password-reset", {"email": client.email})
    path = mailbox.link_in(mailbox.last(client.email), "/password-reset/").removeprefix(
        "http://testserver.local"
    )
    post_form(web, path, {"new_password": NEW_PASSWORD})
    web.cookies.clear()
    web.cookies.set("zl_session", elsewhere)
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 303


def test_client_role_user_from_cli_with_password_logs_straight_in(web, make_user, login):
    user = make_user(Role.CLIENT, email="plain@example.test")
    assert login(web, "acme", user.email, PASSWORD).url.path == "/p/acme/tickets"
