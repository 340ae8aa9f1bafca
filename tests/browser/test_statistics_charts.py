"""The statistics page in real Chromium: an admin opens it and the SVG charts are drawn,
on a desktop and on a phone; an operator opens their own figures from the journal."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from zedline.accounts import services as accounts
from zedline.accounts.model import Role, User
from zedline.clock import FixedClock
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility

PASSWORD = "correct-horse-42"  # the shared fixtures' password
TIMEOUT = 15_000
SUBJECTS = ["Printer jams", "VPN drops", "New laptop", "Password reset", "Invoice copy"]


def _user(zl, role: Role, email: str, first: str, last: str) -> User:
    user, _ = accounts.add_user(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        slug="acme",
        email=email,
        role=role,
        first_name=first,
        last_name=last,
        password=PASSWORD,
    )
    return user


@pytest.fixture
def busy_portal(zl):
    """Four weeks of work: a few requests a day, taken, answered, closed and rated by three
    operators, each action at its own moment in the past."""
    portal = portals.provision_portal(
        zl.uow(),
        zl.clock,
        zl.hasher,
        slug="acme",
        name="Acme Support",
        admin_email="admin@acme.test",
        admin_password=PASSWORD,
        admin_first_name="Ada",
        admin_last_name="Admin",
    ).portal
    staff = [
        _user(zl, Role.OPERATOR, "olga@acme.test", "Olga", "Operator"),
        _user(zl, Role.OPERATOR, "ivan@acme.test", "Ivan", "Petrov"),
        _user(zl, Role.OPERATOR, "mia@acme.test", "Mia", "Chen"),
    ]
    client = _user(zl, Role.CLIENT, "carl@client.test", "Carl", "Client")
    with zl.reader() as uow:
        closed = uow.statuses.first_in(portal.id, Category.CLOSED)
    rnd = random.Random(7)  # noqa: S311 - made-up data, the same every run
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    for back in range(27, -1, -1):
        for n in range(rnd.randint(1, 6)):
            clock = FixedClock(start - timedelta(days=back, minutes=-37 * n))
            ticket = tickets.open_ticket(
                zl.uow(),
                clock,
                zl.notifier,
                client,
                {"subject": rnd.choice(SUBJECTS), "description": "Please help."},
            )
            if back < 2 and n % 2:
                continue  # the newest stay open
            who = staff[(back + n) % len(staff)]
            clock.advance(timedelta(minutes=rnd.randint(3, 50)))
            tickets.take_ticket(zl.uow(), clock, who, ticket.number)
            clock.advance(timedelta(minutes=rnd.randint(1, 90)))
            tickets.post_message(
                zl.uow(),
                clock,
                zl.notifier,
                who,
                ticket.number,
                body="On it.",
                visibility=Visibility.PUBLIC,
            )
            if rnd.random() < 0.2:
                continue  # still being worked on
            clock.advance(timedelta(hours=rnd.randint(1, 40)))
            tickets.change_status(
                zl.uow(), clock, zl.notifier, who, ticket.number, status_id=closed.id
            )
            if rnd.random() < 0.7:
                score = rnd.choice([3, 4, 4, 5, 5, 5])
                tickets.rate_ticket(zl.uow(), clock, client, ticket.number, score=score)
    return portal


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/p/acme/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=TIMEOUT)


def drawn_charts(page: Page) -> list[dict[str, float]]:
    """The bounding boxes of the charts the page shows."""
    boxes = []
    for chart in page.locator("svg.chart").all():
        if chart.is_visible():
            box = chart.bounding_box()
            assert box is not None
            boxes.append(box)
    return boxes


def test_the_admin_sees_the_charts_on_a_desktop(live_server, browser, busy_portal, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "admin@acme.test")
    page.goto(f"{live_server}/p/acme/admin/stats")
    expect(
        page.get_by_role("img", name="Requests created and closed per day").first
    ).to_be_visible()
    boxes = drawn_charts(page)
    page.screenshot(path=shots / "01-admin-desktop.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=shots / "01-admin-desktop-dark.png", full_page=True)
    # The wide daily chart, open requests by status and the ratings; the phone chart is hidden.
    assert len(boxes) == 3
    assert all(b["width"] > 200 and b["height"] > 30 for b in boxes)


def test_the_admin_sees_the_charts_on_a_phone(live_server, browser, busy_portal, shots):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    log_in(page, live_server, "admin@acme.test")
    page.goto(f"{live_server}/p/acme/admin/stats?range=7d")
    expect(page.locator(".chart-figure__narrow svg.chart")).to_be_visible()
    boxes = drawn_charts(page)
    page.screenshot(path=shots / "02-admin-phone.png", full_page=True)
    page.locator(".card", has=page.locator("#daily-h")).screenshot(
        path=shots / "02-phone-chart.png"
    )
    assert len(boxes) == 3
    assert all(200 < b["width"] <= 390 and b["height"] > 30 for b in boxes)


def test_the_bars_of_the_daily_chart_have_a_size(live_server, browser, busy_portal):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "admin@acme.test")
    page.goto(f"{live_server}/p/acme/admin/stats?range=7d")
    bar = page.locator(".chart-figure__wide rect.chart__bar").last.bounding_box()
    assert bar is not None
    assert bar["width"] > 10
    assert bar["height"] > 5


def test_an_operator_opens_own_figures_from_the_journal(live_server, browser, busy_portal, shots):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "olga@acme.test")
    page.goto(f"{live_server}/p/acme/tickets")
    page.get_by_role("link", name="My statistics").click()
    expect(page.get_by_role("heading", name="My statistics")).to_be_visible()
    page.screenshot(path=shots / "03-operator-own.png", full_page=True)
    assert len(drawn_charts(page)) == 3
    assert page.get_by_text("Ivan Petrov").count() == 0
