"""The whole path in real Chromium: a client registers, reads the credentials mail, logs in,
opens a request with an attachment; an operator takes it, writes an internal note and a public
reply; the client sees the reply arrive without reloading, and never the note."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from zedline.worker import Worker

NOTE = "Internal: the warranty ran out in March"
REPLY = "Hello Carl, please restart the printer and try again."
TIMEOUT = 15_000


@pytest.fixture
def worker(zl) -> Iterator[Worker]:
    """The outbox worker, as `zedline serve` runs it: a thread delivering mail."""
    stop = threading.Event()
    w = Worker(zl)
    thread = threading.Thread(target=w.run_forever, args=(stop,), kwargs={"interval": 0.2})
    thread.start()
    yield w
    stop.set()
    thread.join(timeout=10)


def wait_for_mail(mailbox, address: str) -> str:
    """The text of the first mail to `address`, once the worker has delivered it."""
    arrived = threading.Event()
    for _ in range(300):
        if mailbox.to(address):
            break
        arrived.wait(0.05)
    mails = mailbox.to(address)
    assert mails, f"no mail reached {address}"
    return mails[0].text


def register_and_log_in(page: Page, base: str, mailbox, shots) -> None:
    page.goto(f"{base}/p/acme/")
    page.get_by_role("link", name="Register").first.click()
    page.fill("input[name=first_name]", "Carl")
    page.fill("input[name=last_name]", "Client")
    page.fill("input[name=email]", "carl@client.test")
    page.screenshot(path=shots / "01-register.png", full_page=True)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("carl@client.test").first).to_be_visible()
    page.screenshot(path=shots / "02-check-mail.png", full_page=True)

    text = wait_for_mail(mailbox, "carl@client.test")
    password = re.search(r"Password:\s+(\S+)", text)
    assert password, text
    login_url = re.search(r"(http://\S+/login)", text)
    assert login_url, text

    page.goto(login_url.group(1))
    page.fill("input[name=email]", "carl@client.test")
    page.fill("input[name=password]", password.group(1))
    page.get_by_role("button", name="Log in").click()
    page.fill("input[name=new_password]", "carls-own-password-42")
    page.screenshot(path=shots / "03-choose-password.png", full_page=True)
    page.get_by_role("button", name="Save my password").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets"))


def open_request(page: Page, base: str, shots, tmp_path) -> None:
    page.get_by_role("link", name="New request").first.click()
    page.fill("input[name=f_subject]", "The printer jams")
    page.fill("textarea[name=f_description]", "It jams on every second page since Monday.")
    photo = tmp_path / "jam.txt"
    photo.write_text("paper path diagram")
    page.set_input_files("input[name=files]", str(photo))
    page.screenshot(path=shots / "04-new-request.png", full_page=True)
    page.get_by_role("button", name="Send request").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets/1$"))
    expect(page.get_by_text("jam.txt").first).to_be_visible()
    page.screenshot(path=shots / "05-client-ticket.png", full_page=True)


def operator_answers(page: Page, base: str, operator, shots) -> None:
    page.goto(f"{base}/p/acme/login")
    page.fill("input[name=email]", operator.email)
    page.fill("input[name=password]", "correct-horse-42")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/p/acme/tickets"))
    page.screenshot(path=shots / "06-journal.png", full_page=True)
    page.get_by_role("link", name=re.compile("The printer jams")).first.click()
    page.get_by_role("button", name="Take it").click()
    expect(page.get_by_text("Olga Operator").first).to_be_visible()

    page.locator("input[name=visibility][value=internal]").check()
    page.fill("textarea[name=body]", NOTE)
    page.screenshot(path=shots / "07-internal-note.png", full_page=True)
    page.get_by_role("button", name="Save internal note").click()
    expect(page.get_by_text(NOTE)).to_be_visible()

    page.locator("input[name=visibility][value=public]").check()
    page.fill("textarea[name=body]", REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    page.screenshot(path=shots / "08-operator-ticket.png", full_page=True)


def test_client_sees_the_reply_live_and_never_the_note(
    browser, live_server, zl, mailbox, operator, worker, shots, tmp_path
):
    client_page = browser.new_page(viewport={"width": 390, "height": 844})
    client_page.set_default_timeout(TIMEOUT)
    register_and_log_in(client_page, live_server, mailbox, shots)
    open_request(client_page, live_server, shots, tmp_path)

    operator_page = browser.new_page(viewport={"width": 1280, "height": 900})
    operator_page.set_default_timeout(TIMEOUT)
    operator_answers(operator_page, live_server, operator, shots)

    # No reload: the reply arrives through the live stream.
    expect(client_page.get_by_text(REPLY)).to_be_visible(timeout=TIMEOUT)
    client_page.screenshot(path=shots / "09-client-sees-reply.png", full_page=True)
    assert NOTE not in client_page.content()
