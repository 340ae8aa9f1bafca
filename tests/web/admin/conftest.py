"""Fixtures for the admin pages: a test client logged in per role, through the login page.

admin_web     the `web` client, logged in as the acme portal's admin
operator_web  another client, logged in as the acme operator
client_web    another client, logged in as the acme client
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from factories import PASSWORD
from zedline.accounts.model import User
from zedline.portals.model import Portal

WEB_BASE = "http://testserver.local"
Login = Callable[..., httpx.Response]


@pytest.fixture
def admin_web(
    web: TestClient[Litestar], portal: Portal, admin: User, login: Login
) -> TestClient[Litestar]:
    login(web, portal.slug, admin.email, PASSWORD)
    return web


def _logged_in(app: Litestar, portal: Portal, user: User, login: Login) -> TestClient[Litestar]:
    # Not entered as a context manager: `web` already runs the app's lifespan, and two at once
    # leave anyio streams behind.
    client = TestClient(app, base_url=WEB_BASE)
    login(client, portal.slug, user.email, PASSWORD)
    return client


@pytest.fixture
def operator_web(
    app: Litestar, portal: Portal, operator: User, login: Login
) -> TestClient[Litestar]:
    return _logged_in(app, portal, operator, login)


@pytest.fixture
def client_web(app: Litestar, portal: Portal, client: User, login: Login) -> TestClient[Litestar]:
    return _logged_in(app, portal, client, login)
