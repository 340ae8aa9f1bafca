"""With ZEDLINE_PORTAL_DOMAIN, `{slug}.{domain}/` serves the same portal as `/p/{slug}/`."""

import pytest
from litestar.testing import TestClient

from zedline import build
from zedline_web.app import create_app
from zedline_web.hosts import portal_from_host, rewrite_path


@pytest.fixture
def domain_web(settings, clock, portal):
    core = build(
        settings.model_copy(update={"portal_domain": "help.example"}),
        clock=clock,
        fast_hashing=True,
    )
    with TestClient(create_app(core), base_url="http://acme.help.example") as web:
        yield web
    core.close()


def test_subdomain_serves_the_portal_login(domain_web):
    page = domain_web.get("/login")
    assert (page.status_code, "Acme Support" in page.text) == (200, True)


def test_portal_paths_still_work_on_the_subdomain(domain_web):
    assert domain_web.get("/p/acme/login").status_code == 200


def test_unknown_subdomain_is_not_found(domain_web):
    assert domain_web.get("/login", headers={"host": "nope.help.example"}).status_code == 404


def test_other_hosts_are_not_rewritten(domain_web):
    assert domain_web.get("/login", headers={"host": "example.org"}).status_code == 404


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("acme.help.example", "acme"),
        ("ACME.help.example:8000", "acme"),
        ("help.example", None),
        ("a.b.help.example", None),
        ("evil.example", None),
        ("-x.help.example", None),
    ],
)
def test_portal_from_host(host, slug):
    assert portal_from_host(host, "help.example") == slug


def test_platform_paths_are_kept():
    assert [rewrite_path(p, "acme") for p in ("/static/zedline.css", "/healthz", "/", "/x")] == [
        "/static/zedline.css",
        "/healthz",
        "/p/acme/",
        "/p/acme/x",
    ]
