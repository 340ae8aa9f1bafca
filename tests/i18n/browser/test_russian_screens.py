"""Russian pages in real Chromium, wide and narrow: the longer words fit without overflowing."""

from __future__ import annotations

import pytest
from tests.factories import PASSWORD

from zedline.portals import services as portals

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
PAGES = {
    "login": None,
    "journal": "admin",
    "my-requests": "client",
    "new-request": "client",
    "ticket-client": "client",
    "ticket-operator": "admin",
    "admin-portal": "admin",
    "admin-people": "admin",
}
URLS = {
    "login": "/p/acme/login",
    "journal": "/p/acme/tickets",
    "my-requests": "/p/acme/tickets",
    "new-request": "/p/acme/tickets/new",
    "ticket-client": "/p/acme/tickets/1",
    "ticket-operator": "/p/acme/tickets/1",
    "admin-portal": "/p/acme/admin/portal",
    "admin-people": "/p/acme/admin/people",
}
# Elements wider than the page show a horizontal scroll bar: none may stick out. What sticks
# out of a box that clips or scrolls (the status chips scroll sideways on phones; a table head
# kept for screen readers is clipped to nothing) is inside that box, not beyond the page.
OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth;
  const clipped = e => {
    for (let box = e.parentElement; box && box !== document.body; box = box.parentElement) {
      const rect = box.getBoundingClientRect();
      const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
      if ((scrolls || rect.width <= 1) && rect.right <= limit + 1) return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > limit + 1)
    .filter(e => !e.closest('.sr-only, .skip-link, [hidden], details:not([open]) > :not(summary)'))
    .filter(e => !clipped(e))
    .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))
    .concat(document.documentElement.scrollWidth > limit + 1 ? ['html (scrolls sideways)'] : []);
}"""


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/p/acme/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("width", WIDTHS)
def test_russian_pages_fit_the_screen(
    live_server, browser, shots, zl, admin, client, make_ticket, width
):
    portals.update_portal_settings(
        zl.uow(), admin, name="ООО «Ромашка» — поддержка", timezone="Europe/Moscow", language="ru"
    )
    make_ticket(client, subject="Не печатает принтер в бухгалтерии на втором этаже")
    problems = {}
    for name, who in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        if who:
            _log_in(page, live_server, {"client": client.email, "admin": admin.email}[who])
        page.goto(f"{live_server}{URLS[name]}")
        page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
        assert page.locator("html").get_attribute("lang") == "ru"
        wide = page.evaluate(OVERFLOW)
        if wide:
            problems[name] = wide
        context.close()
    assert problems == {}
