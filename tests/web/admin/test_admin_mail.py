"""The admin's E-mail and Notifications pages: what they show, save, refuse, and to whom."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from zedline.persistence import tables as t

MAIL = "/p/acme/admin/mail"
RULES = "/p/acme/admin/notifications"
TEMPLATE = "/p/acme/admin/notifications/ticket_created"
SMTP_PASSWORD = "s3cret-smtp-Pa55"


def mail_form(**changes):
    data = {
        "sender_name": "Acme Helpdesk",
        "sender_address": "help@acme.test",
        "smtp_host": "127.0.0.1",
        "smtp_port": "2525",
        "smtp_username": "acme",
        "password": "",
        "security": "none",
    }
    data.update(changes)
    return data


@pytest.fixture
def closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


# -- e-mail settings ----------------------------------------------------------------------


def test_mail_page_says_the_platforms_server_is_used(admin_web):
    page = admin_web.get(MAIL)
    assert (page.status_code, "uses the platform's mail server" in page.text) == (200, True)


def test_saving_the_settings_redirects_with_a_flash(admin_web, post_form):
    page = post_form(admin_web, MAIL, mail_form(password=SMTP_PASSWORD))
    assert (page.url.path, "The mail settings are saved." in page.text) == (MAIL, True)


def test_the_page_never_shows_the_password(admin_web, post_form, zl):
    page = post_form(admin_web, MAIL, mail_form(password=SMTP_PASSWORD))
    with zl.engine.connect() as conn:
        token = conn.scalar(select(t.portal_mail_settings.c.smtp_password_encrypted))
    assert (SMTP_PASSWORD in page.text, token in page.text) == (False, False)


def test_the_page_says_a_password_is_saved(admin_web, post_form):
    page = post_form(admin_web, MAIL, mail_form(password=SMTP_PASSWORD))
    assert "A password is saved — leave empty to keep it." in page.text
    assert 'name="remove_password"' in page.text


def test_a_refused_form_does_not_echo_the_password(admin_web, post_form):
    page = post_form(admin_web, MAIL, mail_form(smtp_port="", password=SMTP_PASSWORD))
    assert (page.status_code, SMTP_PASSWORD in page.text) == (422, False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"smtp_port": ""}, "Enter the SMTP port"),
        ({"smtp_port": "65536"}, "The port is a number from 1 to 65535"),
        ({"sender_address": "nope"}, "is not an e-mail address"),
        ({"smtp_host": "smtp.example.com:587"}, "without a port"),
    ],
)
def test_bad_input_is_shown_at_the_field(admin_web, post_form, zl, changes, message):
    page = post_form(admin_web, MAIL, mail_form(**changes))
    with zl.engine.connect() as conn:
        rows = conn.execute(select(t.portal_mail_settings)).all()
    assert (page.status_code, message in page.text, rows) == (422, True, [])


def test_test_email_to_a_closed_port_shows_the_error(admin_web, post_form, closed_port):
    post_form(admin_web, MAIL, mail_form(smtp_port=str(closed_port)))
    page = post_form(admin_web, f"{MAIL}/test", {"to": ""})
    assert "was not accepted" in page.text
    assert f"cannot connect to 127.0.0.1:{closed_port}" in page.text


def test_test_email_through_the_platform_is_reported(admin_web, post_form, mailbox):
    page = post_form(admin_web, f"{MAIL}/test", {"to": "me@acme.test"})
    assert "The server accepted the test e-mail" in page.text
    assert [e.to for e in mailbox.sent] == ["me@acme.test"]


def test_test_email_to_a_bad_address_is_refused(admin_web, post_form):
    page = post_form(admin_web, f"{MAIL}/test", {"to": "nobody"})
    assert (page.status_code, "is not an e-mail address" in page.text) == (422, True)


def test_using_the_platform_again_forgets_the_settings(admin_web, post_form):
    post_form(admin_web, MAIL, mail_form())
    page = post_form(admin_web, f"{MAIL}/platform", {})
    assert "uses the platform's mail server" in page.text


# -- notifications ------------------------------------------------------------------------


def test_rules_page_lists_the_fixed_account_mails(admin_web):
    page = admin_web.get(RULES)
    assert (page.status_code, page.text.count("Always sent")) == (200, 3)


def test_unchecking_a_rule_saves_it_off(admin_web, post_form, zl):
    page = admin_web.get(RULES)
    on = [v for v in _checked(page.text) if v != "ticket_created_staff:operators"]
    page = post_form(admin_web, RULES, {"on": on})
    assert 'value="ticket_created_staff:operators">' in page.text  # no longer checked
    assert 'value="ticket_created_staff:admins" checked>' in page.text


def _checked(html):
    import re  # noqa: PLC0415

    return re.findall(r'name="on" value="([^"]+)" checked', html)


def test_template_page_previews_the_built_in_text_on_the_latest_request(
    admin_web, client, make_ticket
):
    make_ticket(client, subject="Printer on fire")
    page = admin_web.get(TEMPLATE)
    assert (page.status_code, "Preview on request #1" in page.text) == (200, True)
    assert "We received your request: Printer on fire" in page.text


def test_preview_button_renders_the_typed_text(admin_web, post_form, client, make_ticket):
    make_ticket(client, subject="Printer on fire")
    form = {"action": "preview", "subject": "Hi {{ user.first_name }}",
            "body": "About {{ ticket.subject }}", "number": ""}  # fmt: skip
    page = post_form(admin_web, TEMPLATE, form)
    assert ("Hi Carl" in page.text, "About Printer on fire" in page.text) == (True, True)


def test_saving_a_text_uses_it(admin_web, post_form, client, make_ticket):
    make_ticket(client)
    post_form(admin_web, TEMPLATE, {"action": "save", "subject": "Thanks!", "body": "Got it."})
    page = admin_web.get(RULES)
    assert "own text" in page.text


def test_a_broken_text_is_refused_with_its_line(admin_web, post_form, client, make_ticket, zl):
    make_ticket(client)
    page = post_form(admin_web, TEMPLATE, {"action": "save", "subject": "x",
                                           "body": "fine\n{{ ''.__class__ }}"})  # fmt: skip
    with zl.engine.connect() as conn:
        rows = conn.execute(select(t.notification_templates)).all()
    assert (page.status_code, "Line 2: access to “__class__” is not allowed" in page.text) == (
        422,
        True,
    )
    assert rows == []


def test_reset_brings_back_the_built_in_text(admin_web, post_form, client, make_ticket):
    make_ticket(client)
    post_form(admin_web, TEMPLATE, {"action": "save", "subject": "Thanks!", "body": "Got it."})
    page = post_form(admin_web, f"{TEMPLATE}/reset", {})
    assert ("The built-in text is back." in page.text, "{{ subject }}" in page.text) == (True, True)


def test_a_fixed_or_unknown_event_has_no_page(admin_web):
    codes = [admin_web.get(f"{RULES}/{e}").status_code for e in ("password_reset", "nonsense")]
    assert codes == [404, 404]


# -- nobody else --------------------------------------------------------------------------

PAGES = [MAIL, RULES, TEMPLATE]
POSTS = [
    (MAIL, mail_form()),
    (f"{MAIL}/test", {"to": "x@y.test"}),
    (f"{MAIL}/platform", {}),
    (RULES, {"on": []}),
    (TEMPLATE, {"action": "save", "subject": "x", "body": "y"}),
    (TEMPLATE, {"action": "preview", "subject": "x", "body": "y"}),
    (f"{TEMPLATE}/reset", {}),
]


@pytest.mark.parametrize("role", ["operator_web", "client_web"])
def test_pages_are_not_found_for_others(request, role):
    web = request.getfixturevalue(role)
    assert [web.get(url).status_code for url in PAGES] == [404] * len(PAGES)


@pytest.mark.parametrize("role", ["operator_web", "client_web"])
def test_posts_are_not_found_for_others(request, role, post_form, zl):
    web = request.getfixturevalue(role)
    codes = [post_form(web, url, data).status_code for url, data in POSTS]
    with zl.engine.connect() as conn:
        written = [
            conn.execute(select(table)).all()
            for table in (t.portal_mail_settings, t.notification_rules, t.notification_templates)
        ]
    assert (codes, written) == ([404] * len(POSTS), [[], [], []])
