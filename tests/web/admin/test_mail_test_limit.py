"""The admin's test e-mail is rate-limited per portal: it could otherwise mail anyone, endlessly."""

from __future__ import annotations

import re
from datetime import timedelta

from zedline.portals import services as portals

TEST_MAIL = "/p/acme/admin/mail/test"
LIMIT = 5


def send_tests(web, post_form, count):
    return [post_form(web, TEST_MAIL, {"to": f"me{n}@acme.test"}) for n in range(count)]


def test_test_emails_up_to_the_limit_are_sent(admin_web, post_form, mailbox):
    pages = send_tests(admin_web, post_form, LIMIT)
    assert ([p.status_code for p in pages], len(mailbox.sent)) == ([200] * LIMIT, LIMIT)


def test_one_test_email_over_the_limit_answers_429_and_sends_nothing(admin_web, post_form, mailbox):
    send_tests(admin_web, post_form, LIMIT)
    over = post_form(admin_web, TEST_MAIL, {"to": "one-more@acme.test"})
    assert (over.status_code, int(over.headers["Retry-After"]) > 0, len(mailbox.sent)) == (
        429,
        True,
        LIMIT,
    )
    assert re.search(
        r"Too many test e-mails from this portal\. Please wait \d+ minutes?", over.text
    )
    assert "No test e-mail was sent" in over.text


def test_the_limit_ends_with_its_window(admin_web, post_form, mailbox, clock):
    send_tests(admin_web, post_form, LIMIT + 1)
    clock.advance(timedelta(minutes=10))
    again = post_form(admin_web, TEST_MAIL, {"to": "later@acme.test"})
    assert (again.status_code, mailbox.sent[-1].to) == (200, "later@acme.test")


def test_the_limit_message_speaks_the_portals_language(admin_web, post_form, zl, admin):
    portals.update_portal_settings(
        zl.uow(), admin, name="Acme Support", timezone="UTC", language="ru"
    )
    send_tests(admin_web, post_form, LIMIT)
    over = post_form(admin_web, TEST_MAIL, {"to": "one-more@acme.test"})
    assert (over.status_code, bool(re.search(r"Подождите \d+ минут", over.text))) == (429, True)
