"""The first-visit tour in real Chromium: an operator's first login shows it on the journal,
Next walks through the steps (on to the ticket page), "Don't show again" ends it for good,
and the Help menu brings it back. Screenshots of two steps at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from factories import PASSWORD
from zedline.accounts.model import Role

TIMEOUT = 15_000


@pytest.fixture
def olga(make_user):
    return make_user(Role.OPERATOR, email="olga@acme.test", first_name="Olga", last_name="Operator")


@pytest.fixture
def a_request(make_user, make_ticket):
    carl = make_user(Role.CLIENT, email="carl@client.test", first_name="Carl", last_name="Client")
    return make_ticket(carl, "The printer jams", "It jams on every second page.")


def tour_done(zl, user) -> bool:
    with zl.reader() as uow:
        return uow.users.get(user.portal_id, user.id).tour_done


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/p/acme/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets$"))


def tour(page: Page):
    return page.get_by_role("dialog")


def expect_step(page: Page, title: str, count: str) -> None:
    dialog = tour(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name=title)).to_be_visible()
    expect(dialog.locator(".tour__count")).to_have_text(count)


def ring_surrounds(page: Page, selector: str) -> bool:
    """The highlight ring settles around the element the step points at."""
    page.wait_for_function(
        """(selector) => {
            const ring = document.querySelector('.tour-ring').getBoundingClientRect();
            const el = document.querySelector(selector).getBoundingClientRect();
            return ring.left <= el.left && ring.top <= el.top
                && ring.right >= el.right && ring.bottom >= el.bottom
                && ring.width - el.width < 20 && ring.height - el.height < 20;
        }""",
        arg=selector,
    )
    return True


def focus_in_tour(page: Page) -> bool:
    return page.evaluate("() => Boolean(document.activeElement.closest('.tour'))")


def test_first_login_tour_walks_through_and_stays_away_once_dismissed(
    browser, live_server, zl, olga, a_request, shots
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT)
    log_in(page, live_server, olga.email)

    # The tour starts by itself, pointing at the journal, with the focus inside it.
    expect_step(page, "The journal", "Step 1 of 10")
    expect(tour(page)).to_have_attribute("aria-labelledby", "tour-title")
    assert ring_surrounds(page, "[data-tour=journal]")
    assert focus_in_tour(page)
    page.screenshot(path=shots / "01-desktop-journal-step.png")

    # Next, arrows and Back move through the steps; Tab stays inside the dialog.
    tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Status filters", "Step 2 of 10")
    assert ring_surrounds(page, "[data-tour=status-chips]")
    page.screenshot(path=shots / "02-desktop-status-step.png")
    page.keyboard.press("ArrowRight")
    expect_step(page, "Mine and Unassigned", "Step 3 of 10")
    page.keyboard.press("ArrowLeft")
    expect_step(page, "Status filters", "Step 2 of 10")
    for _ in range(6):
        page.keyboard.press("Tab")
        assert focus_in_tour(page)
    tour(page).get_by_role("button", name="Next").click()
    tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Search", "Step 4 of 10")
    tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Open a request", "Step 5 of 10")

    # The last step of the journal opens the request, and the tour goes on there.
    tour(page).get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(rf"/p/acme/tickets/{a_request.number}$"))
    expect_step(page, "Take it", "Step 6 of 10")
    assert ring_surrounds(page, "[data-tour=take]")
    page.screenshot(path=shots / "03-desktop-take-step.png")

    # "Don't show again" ends it, in the database too, and a reload does not bring it back.
    with page.expect_response(re.compile(r"/tour/done$")) as answer:
        tour(page).get_by_role("button", name="Don’t show again").click()
    assert answer.value.status == 204
    expect(tour(page)).to_have_count(0)
    assert tour_done(zl, olga) is True
    page.reload()
    expect(page.get_by_role("heading", name="The printer jams")).to_be_visible()
    expect(page.locator("#zl-tour-data")).to_have_count(0)
    expect(tour(page)).to_have_count(0)

    # The Help menu replays it: back to the journal, from the first step.
    page.locator(".help-menu summary").click()
    page.get_by_role("button", name="Take the tour again").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets$"))
    expect_step(page, "The journal", "Step 1 of 10")
    assert tour_done(zl, olga) is False

    # Esc closes it for this tab; the server still has it to show another time.
    page.keyboard.press("Escape")
    expect(tour(page)).to_have_count(0)
    page.reload()
    expect(page.locator("#zl-tour-data")).to_have_count(1)
    expect(tour(page)).to_have_count(0)
    assert tour_done(zl, olga) is False


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_tour_is_a_sheet_at_the_bottom(
    browser, live_server, zl, olga, a_request, shots, scheme
):
    page = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page.set_default_timeout(TIMEOUT)
    log_in(page, live_server, olga.email)

    expect_step(page, "The journal", "Step 1 of 10")
    # The page scrolls the journal into view above the sheet.
    page.wait_for_function(
        """() => {
            const top = document.querySelector('[data-tour=journal]').getBoundingClientRect().top;
            const sheet = document.querySelector('.tour').getBoundingClientRect().top;
            const header = document.querySelector('.site-header').getBoundingClientRect().bottom;
            return top >= header && top < sheet - 40;
        }"""
    )
    box = tour(page).bounding_box()
    assert box is not None
    assert (box["x"], box["width"]) == (0, 390)
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    page.screenshot(path=shots / f"01-phone-{scheme}-journal-step.png")

    tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Status filters", "Step 2 of 10")
    # The control the step explains is in view above the sheet.
    chips = page.locator("[data-tour=status-chips]").bounding_box()
    assert chips is not None
    assert chips["y"] >= 0
    assert chips["y"] + chips["height"] <= tour(page).bounding_box()["y"]
    page.screenshot(path=shots / f"02-phone-{scheme}-status-step.png")

    # Finishing the last step counts as done.
    for _ in range(3):
        tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Open a request", "Step 5 of 10")
    tour(page).get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(rf"/p/acme/tickets/{a_request.number}$"))
    expect_step(page, "Take it", "Step 6 of 10")
    for _ in range(4):
        tour(page).get_by_role("button", name="Next").click()
    expect_step(page, "Reminder", "Step 10 of 10")
    with page.expect_response(re.compile(r"/tour/done$")):
        tour(page).get_by_role("button", name="Finish").click()
    expect(tour(page)).to_have_count(0)
    assert tour_done(zl, olga) is True
