"""Sessions, CSRF, rate limits, security headers, and errors that never leak."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from litestar.testing import TestClient

from zedline import build
from zedline.accounts import services as accounts
from zedline_web.app import create_app
from zedline_web.ratelimit import DEFAULT_RULES, RateLimiter, RedisCounters, Rule
from zedline_web.security import CONTENT_SECURITY_POLICY

PASSWORD = "correct-horse-42"


def _set_cookies(response, name):
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]


def _users(zl, portal):
    with zl.reader() as uow:
        return uow.users.count(portal.id)


# --- the session cookie ---------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(web, portal, client, post_form):
    web.get("/p/acme/login")
    response = post_form(
        web,
        "/p/acme/login",
        {"email": client.email, "password": PASSWORD},
        follow_redirects=False,
    )
    (cookie,) = _set_cookies(response, "zl_session")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain http base URL


def test_session_cookie_is_secure_when_the_site_is_https(settings, clock, portal, client, csrf):
    https = settings.model_copy(update={"base_url": "https://help.example.test"})
    core = build(https, clock=clock, fast_hashing=True)
    try:
        with TestClient(create_app(core), base_url="https://testserver.local") as web:
            web.get("/p/acme/login")
            response = web.post(
                "/p/acme/login",
                data={"email": client.email, "password": PASSWORD, "_csrf_token": csrf(web)},
                follow_redirects=False,
            )
            (cookie,) = _set_cookies(response, "zl_session")
            assert "secure" in [p.strip().lower() for p in cookie.split(";")]
    finally:
        core.close()


def test_anonymous_pages_set_no_session_cookie(web, portal):
    response = web.get("/p/acme/login")
    assert _set_cookies(response, "zl_session") == []


def test_login_rotates_the_session_id(web, portal, client, other_client, login, post_form):
    login(web, "acme", client.email, PASSWORD)
    first = web.cookies.get("zl_session")
    assert first
    # Logging in again (as someone else) from a browser that has a session gets a new id,
    # and the old id is dead.
    web.get("/p/acme/login")
    post_form(web, "/p/acme/login", {"email": other_client.email, "password": PASSWORD})
    second = web.cookies.get("zl_session")
    assert second
    assert second != first
    web.cookies.clear()
    web.cookies.set("zl_session", first)
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 303


def test_a_planted_session_id_is_never_adopted(web, portal, client, login):
    planted = "a" * 64
    web.cookies.set("zl_session", planted, domain="testserver.local", path="/")
    login(web, "acme", client.email, PASSWORD)
    assert web.cookies.get("zl_session") != planted
    # The attacker, who knows only the planted id, is not logged in.
    web.cookies.clear()
    web.cookies.set("zl_session", planted, domain="testserver.local", path="/")
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 303


def test_a_session_of_one_portal_does_not_log_in_to_another(
    web, portal, other_portal, client, login
):
    login(web, "acme", client.email, PASSWORD)
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 200
    other = web.get("/p/globex/tickets", follow_redirects=False)
    assert other.status_code == 303
    assert other.headers["location"].startswith("/p/globex/login")


def test_a_password_change_elsewhere_ends_the_session(web, zl, portal, client, login):
    login(web, "acme", client.email, PASSWORD)
    accounts.change_password(
        zl.uow(), zl.hasher, client, new_password="fresh-pass-123", current_password=PASSWORD
    )
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 303


# --- CSRF -----------------------------------------------------------------------------------


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(web, zl, portal):
    web.get("/p/acme/register")
    before = _users(zl, portal)
    response = web.post(
        "/p/acme/register",
        data={"first_name": "Eve", "last_name": "Forger", "email": "eve@example.test"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "reload the page" in response.text
    assert _users(zl, portal) == before


def test_a_form_with_a_wrong_csrf_token_is_refused(web, zl, portal, client):
    web.get("/p/acme/login")
    response = web.post(
        "/p/acme/login",
        data={"email": client.email, "password": PASSWORD, "_csrf_token": "0" * 128},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert _set_cookies(response, "zl_session") == []


def test_logout_without_csrf_token_keeps_the_session(web, client, login):
    login(web, "acme", client.email, PASSWORD)
    assert web.post("/p/acme/logout", follow_redirects=False).status_code == 403
    assert web.get("/p/acme/tickets", follow_redirects=False).status_code == 200


def test_every_form_carries_the_csrf_field(web, portal):
    for path in ("/p/acme/register", "/p/acme/login", "/p/acme/password-reset"):
        page = web.get(path)
        token = web.cookies.get("zl_csrf")
        assert f'name="_csrf_token" value="{token}"' in page.text, path


# --- rate limits ----------------------------------------------------------------------------


def test_login_attempts_for_one_account_are_limited(web, clock, portal, client, post_form):
    web.get("/p/acme/login")
    bad = {"email": client.email, "password": "wrong-guess-1"}
    for _ in range(DEFAULT_RULES["login-account"].limit):
        assert post_form(web, "/p/acme/login", bad).status_code == 422
    blocked = post_form(web, "/p/acme/login", {"email": client.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many attempts" in blocked.text
    assert blocked.headers["content-type"].startswith("text/html")
    assert "zl_session" not in web.cookies
    # Another account from the same place is not blocked by this one's limit.
    other = post_form(web, "/p/acme/login", {"email": "x@example.test", "password": "whatever1"})
    assert other.status_code == 422
    # When the window has passed, the right password works again.
    clock.advance(timedelta(minutes=5))
    ok = post_form(web, "/p/acme/login", {"email": client.email, "password": PASSWORD})
    assert ok.url.path == "/p/acme/tickets"


@pytest.fixture
def strict_web(zl):
    rules = {**DEFAULT_RULES, "register-ip": Rule(2), "reset-ip": Rule(2), "login-ip": Rule(3)}
    app = create_app(zl, limiter=RateLimiter(zl.clock, rules=rules))
    with TestClient(app, base_url="http://testserver.local") as client:
        yield client


def test_registrations_from_one_ip_are_limited(strict_web, zl, portal, post_form):
    for n in range(2):
        response = post_form(
            strict_web,
            "/p/acme/register",
            {"first_name": "A", "last_name": f"B{n}", "email": f"a{n}@example.test"},
        )
        assert response.status_code == 200
    before = _users(zl, portal)
    blocked = post_form(
        strict_web,
        "/p/acme/register",
        {"first_name": "A", "last_name": "C", "email": "c@example.test"},
    )
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert _users(zl, portal) == before


def test_password_reset_requests_from_one_ip_are_limited(strict_web, portal, post_form, mailbox):
    for n in range(2):
        ok = post_form(strict_web, "/p/acme/password-reset", {"email": f"x{n}@example.test"})
        assert ok.status_code == 200
    blocked = post_form(strict_web, "/p/acme/password-reset", {"email": "admin@acme.test"})
    assert blocked.status_code == 429
    assert mailbox.deliver() == []


def test_login_attempts_from_one_ip_are_limited_across_accounts(strict_web, portal, post_form):
    for n in range(3):
        response = post_form(
            strict_web, "/p/acme/login", {"email": f"u{n}@example.test", "password": "x" * 9}
        )
        assert response.status_code == 422
    blocked = post_form(
        strict_web, "/p/acme/login", {"email": "admin@acme.test", "password": PASSWORD}
    )
    assert blocked.status_code == 429


def test_rate_limiter_counts_in_windows_of_the_clock(clock):
    limiter = RateLimiter(clock, rules={"r": Rule(2, timedelta(minutes=1))})
    assert limiter.hit("r", "k") is None
    assert limiter.hit("r", "k") is None
    wait = limiter.hit("r", "k")
    assert wait is not None
    assert 1 <= wait <= 60
    assert limiter.hit("r", "other") is None
    clock.advance(timedelta(seconds=wait))
    assert limiter.hit("r", "k") is None
    limiter.reset()
    assert limiter.hit("r", "k") is None


# --- headers --------------------------------------------------------------------------------


EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize("path", ["/p/acme/", "/p/acme/login", "/p/nowhere/", "/no/such/path"])
def test_security_headers_on_every_response(web, portal, path):
    response = web.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["permissions-policy"]


def test_csp_forbids_inline_script_framing_and_foreign_forms():
    for part in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert part in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_security_headers_on_a_csrf_failure(web, portal):
    web.get("/p/acme/login")
    response = web.post("/p/acme/login", data={"email": "a@b.cd", "password": "x"})
    assert response.status_code == 403
    assert response.headers["x-frame-options"] == "DENY"


def test_logged_in_pages_are_not_stored(web, client, login):
    login(web, "acme", client.email, PASSWORD)
    assert web.get("/p/acme/tickets").headers["cache-control"] == "no-store"


# --- errors ---------------------------------------------------------------------------------


def test_an_unexpected_error_is_a_500_page_without_a_traceback(web, portal, post_form, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret-internal-detail in /srv/zedline/app.py")

    monkeypatch.setattr(accounts, "register_client", explode)
    response = post_form(
        web,
        "/p/acme/register",
        {"first_name": "Rita", "last_name": "Reader", "email": "rita@example.test"},
    )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_unknown_path_is_an_html_404(web):
    response = web.get("/p/acme/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.skipif(
    not os.environ.get("ZEDLINE_TEST_REDIS_URL"), reason="needs ZEDLINE_TEST_REDIS_URL"
)
def test_rate_limiter_counts_in_redis(clock):
    counters = RedisCounters(os.environ["ZEDLINE_TEST_REDIS_URL"], namespace="zedline-test:rl")
    counters.reset()
    limiter = RateLimiter(clock, counters, rules={"r": Rule(2, timedelta(minutes=1))})
    assert [limiter.hit("r", "k") for _ in range(2)] == [None, None]
    assert limiter.hit("r", "k") is not None
    clock.advance(timedelta(minutes=1))
    assert limiter.hit("r", "k") is None
    counters.reset()
