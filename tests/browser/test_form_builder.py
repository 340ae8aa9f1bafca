"""The request form builder in real Chromium: an admin adds a choice field and a required date
field and sees them in the preview; a client then fills the new form, is stopped at the missing
date with the input kept, and sends the request with both answers."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from factories import PASSWORD

TIMEOUT = 15_000


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/p/acme/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets"), timeout=TIMEOUT)


def add_field(page: Page, label: str, kind: str, options: str = "", *, required: bool) -> None:
    page.fill("#in_label", label)
    page.select_option("#in_kind", kind)
    if options:
        page.fill("#in_options", options)
    if required:
        page.check("#in_required")
    page.get_by_role("button", name="Add the field").click()
    expect(page.locator(".alert--success")).to_contain_text(label, timeout=TIMEOUT)


def build_form(page: Page, base: str, shots) -> None:
    log_in(page, base, "admin@acme.test")
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("link", name="Request form").first.click()
    expect(page.get_by_role("heading", name="Request form")).to_be_visible()

    # The options box is only for choice fields; typing draws the new field in the preview.
    expect(page.locator("#in_options")).to_be_hidden()
    page.select_option("#in_kind", "select")
    expect(page.locator("#in_options")).to_be_visible()
    page.fill("#in_label", "Device type")
    page.fill("#in_options", "Laptop\nPrinter\nPhone")
    new_field = page.locator("[data-fb-preview]")
    expect(new_field.locator("option")).to_have_text(["…", "Laptop", "Printer", "Phone"])
    page.get_by_role("button", name="Add the field").click()
    expect(page.locator(".alert--success")).to_contain_text("Device type", timeout=TIMEOUT)

    add_field(page, "Purchase date", "date", required=True)

    preview = page.locator(".fb-preview")
    expect(preview.locator("select[name=f_device_type] option")).to_have_text(
        ["Choose…", "Laptop", "Printer", "Phone"]
    )
    expect(preview.locator("input[name=f_purchase_date][type=date][required]")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / "01-builder.png", full_page=True)


def test_admin_builds_the_form_and_a_client_fills_it(browser, live_server, shots, zl, client):
    admin_page = browser.new_page(viewport={"width": 1280, "height": 900})
    build_form(admin_page, live_server, shots)
    admin_page.close()

    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, client.email)
    page.get_by_role("link", name="New request").first.click()
    page.fill("input[name=f_subject]", "The laptop does not start")
    page.fill("textarea[name=f_description]", "Black screen since this morning.")
    page.select_option("select[name=f_device_type]", "Laptop")

    # The browser itself stops the form first; the server's check is the one that counts, so
    # switch the browser's off and send without the date.
    page.get_by_role("button", name="Send request").click()
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    assert page.eval_on_selector("input[name=f_purchase_date]", "e => e.validity.valueMissing")
    page.eval_on_selector("form[action$='/tickets/new']", "f => { f.noValidate = true; }")
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#f_purchase_date-error")).to_have_text(
        "This field is required", timeout=TIMEOUT
    )
    expect(page.locator("input[name=f_subject]")).to_have_value("The laptop does not start")
    expect(page.locator("select[name=f_device_type]")).to_have_value("Laptop")
    page.screenshot(path=shots / "02-client-form-missing-date.png", full_page=True)

    page.fill("input[name=f_purchase_date]", "2025-03-14")
    page.select_option("select[name=f_device_type]", "Printer")
    page.get_by_role("button", name="Send request").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets/\d+$"), timeout=TIMEOUT)
    page.screenshot(path=shots / "03-client-request-sent.png", full_page=True)

    number = int(page.url.rsplit("/", 1)[1])
    with zl.reader() as uow:
        ticket = uow.tickets.get_for(client, number)
        assert ticket.subject == "The laptop does not start"
        assert ticket.answers["device_type"] == "Printer"
        assert ticket.answers["purchase_date"] == "2025-03-14"
