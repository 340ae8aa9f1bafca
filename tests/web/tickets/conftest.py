"""Fixtures for the ticket pages: a logged-in browser per user, without the login page.

browser(user) -> a TestClient whose session belongs to `user` (one client per user)
send(web, url, data, files=None) -> response of a POST with the CSRF token, not followed
add_field(key, kind, ...) -> a FormField added to the acme portal's request form
advance(seconds=60) -> moves the FixedClock on
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from zedline import Settings, Zedline
from zedline.accounts.model import User
from zedline.clock import FixedClock
from zedline.forms.model import FieldKind, FormField
from zedline.portals.model import Portal
from zedline_web.sessions import RotatingSessionConfig

WEB_BASE = "http://testserver.local"

Browser = Callable[[User], TestClient[Litestar]]


@pytest.fixture
def browser(app: Litestar) -> Browser:
    # The clients are not entered as context managers: the app has no start-up work, and two
    # lifespans of one app at once leave anyio streams behind.

    def open_as(user: User) -> TestClient[Litestar]:
        config = RotatingSessionConfig(key="zl_session")
        client = TestClient(app, base_url=WEB_BASE, session_config=config)
        client.set_session_data({"pid": user.portal_id, "uid": user.id, "av": user.auth_version})
        return client

    return open_as


def _token(web: TestClient[Litestar]) -> str:
    token = web.cookies.get("zl_csrf")
    if token is None:
        web.get("/healthz")
        token = web.cookies.get("zl_csrf")
    if token is None:
        web.get("/static/zedline.css")
        token = web.cookies.get("zl_csrf")
    assert token, "the app set no CSRF cookie"
    return token


@pytest.fixture
def send() -> Callable[..., httpx.Response]:
    def post(
        web: TestClient[Litestar],
        url: str,
        data: dict[str, Any] | None = None,
        files: Any = None,
        *,
        follow: bool = False,
    ) -> httpx.Response:
        payload = {**(data or {}), "_csrf_token": _token(web)}
        return web.post(url, data=payload, files=files, follow_redirects=follow)

    return post


@pytest.fixture
def add_field(zl: Zedline, portal: Portal) -> Callable[..., FormField]:
    positions = iter(range(10, 1000))

    def add(
        key: str,
        kind: FieldKind,
        *,
        label: str | None = None,
        required: bool = False,
        options: list[str] | None = None,
        client_visible: bool = True,
    ) -> FormField:
        with zl.uow() as uow:
            f = FormField(
                portal_id=portal.id,
                id=uow.next_id(),
                key=key,
                label=label or key.title(),
                kind=kind,
                position=next(positions),
                required=required,
                options=options or [],
                client_visible=client_visible,
            )
            f.check_definition()
            uow.form_fields.add(f)
            uow.commit()
        return f

    return add


@pytest.fixture
def advance(clock: FixedClock) -> Callable[..., None]:
    def move(seconds: int = 60) -> None:
        clock.advance(timedelta(seconds=seconds))

    return move


MAX_UPLOAD = 64 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small attachment limit, so an over-size upload costs nothing."""
    return settings.model_copy(update={"max_upload_bytes": MAX_UPLOAD})


def listed_numbers(html: str) -> list[int]:
    """The ticket numbers linked from a list page's table, in page order."""
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [int(n) for n in re.findall(r'href="/p/acme/tickets/(\d+)"', table)]


def next_link(html: str, rel: str) -> str | None:
    match = re.search(rf'<a [^>]*href="([^"]+)" rel="{rel}"', html)
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def numbers() -> Callable[[str], list[int]]:
    return listed_numbers


@pytest.fixture
def link() -> Callable[[str, str], str | None]:
    return next_link
