"""Fixtures for the web tests: the app, a browser-like test client, forms with CSRF, mail.

Fixtures (besides those of tests/conftest.py):
    app         create_app(zl)
    web         litestar TestClient(app), base_url "http://testserver.local", follows redirects
    csrf        csrf(web) -> the token to put in a form's `_csrf_token` field
    post_form   post_form(web, url, data, files=None, **kwargs) -> response (adds the token)
    login       login(web, slug, email, password, next=None) -> the page after the login
    mailbox     mailbox.deliver() -> newly sent e-mails; mailbox.last(to) -> the newest e-mail
                to that address (delivers first); mailbox.to(address); mailbox.sent;
                mailbox.password_in(email); mailbox.link_in(email, "password-reset/")
The core of these tests sends mail to an in-memory collector instead of files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from zedline import Settings, Zedline, build
from zedline.clock import FixedClock
from zedline.notifications.model import Email
from zedline_web.app import create_app

WEB_BASE = "http://testserver.local"
CSRF_COOKIE = "zl_csrf"
SESSION_COOKIE = "zl_session"


class MailCollector:
    """A mail sender that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email, *, default_sender: str) -> None:
        self.sent.append(email)


class Mailbox:
    def __init__(self, zl: Zedline, collector: MailCollector) -> None:
        self.zl = zl
        self.collector = collector

    @property
    def sent(self) -> list[Email]:
        return self.collector.sent

    def deliver(self) -> list[Email]:
        before = len(self.collector.sent)
        self.zl.deliver_mail()
        return self.collector.sent[before:]

    def to(self, address: str) -> list[Email]:
        self.deliver()
        return [e for e in self.collector.sent if e.to == address]

    def last(self, address: str) -> Email:
        found = self.to(address)
        assert found, f"no e-mail to {address}"
        return found[-1]

    @staticmethod
    def password_in(email: Email) -> str:
        """The generated password of a credentials e-mail."""
        match = re.search(r"^Password:\s+(\S+)\s*$", email.text, re.MULTILINE)
        assert match, email.text
        return match.group(1)

    @staticmethod
    def link_in(email: Email, fragment: str) -> str:
        """The first URL in the e-mail's text that contains `fragment`."""
        match = re.search(rf"https?://\S*{re.escape(fragment)}\S*", email.text)
        assert match, email.text
        return match.group(0)


@pytest.fixture
def mail_collector() -> MailCollector:
    return MailCollector()


@pytest.fixture
def zl(settings: Settings, clock: FixedClock, mail_collector: MailCollector) -> Iterator[Zedline]:
    core = build(settings, clock=clock, mailer=mail_collector, fast_hashing=True)
    yield core
    core.close()


@pytest.fixture
def mailbox(zl: Zedline, mail_collector: MailCollector) -> Mailbox:
    return Mailbox(zl, mail_collector)


@pytest.fixture
def app(zl: Zedline) -> Litestar:
    return create_app(zl)


@pytest.fixture
def web(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url=WEB_BASE) as client:
        yield client


def _csrf(web: TestClient[Litestar]) -> str:
    token = web.cookies.get(CSRF_COOKIE)
    if token is None:
        web.get("/static/zedline.css")
        token = web.cookies.get(CSRF_COOKIE)
    assert token, "the app set no CSRF cookie"
    return token


def _post_form(
    web: TestClient[Litestar],
    url: str,
    data: dict[str, Any],
    files: Any = None,
    **kwargs: Any,
) -> httpx.Response:
    return web.post(url, data={**data, "_csrf_token": _csrf(web)}, files=files, **kwargs)


def _login(
    web: TestClient[Litestar],
    slug: str,
    email: str,
    password: str,
    next: str | None = None,  # noqa: A002 - the name of the form field it fills
) -> httpx.Response:
    web.get(f"/p/{slug}/login")
    data = {"email": email, "password": password}
    if next is not None:
        data["next"] = next
    response = _post_form(web, f"/p/{slug}/login", data)
    assert response.status_code == 200, response.text
    assert not response.url.path.endswith("/login"), "the login failed"
    return response


@pytest.fixture
def csrf() -> Callable[[TestClient[Litestar]], str]:
    return _csrf


@pytest.fixture
def post_form() -> Callable[..., httpx.Response]:
    return _post_form


@pytest.fixture
def login() -> Callable[..., httpx.Response]:
    return _login
