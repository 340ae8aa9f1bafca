"""The request form: every field kind, kept input on errors, attachments."""

from __future__ import annotations

import io

import pytest

from zedline.forms.model import FieldKind

FILLED = {
    "f_subject": "Laptop will not boot",
    "f_description": "Black screen since Monday.",
    "f_model": "X1 Carbon",
    "f_notes": "Line one\nLine two",
    "f_count": "3",
    "f_since": "2026-01-02",
    "f_area": "Hardware",
    "f_devices": ["Laptop", "Phone"],
    "f_urgent": "on",
    "f_mail": "carl@work.test",
    "f_phone": "+1 555 010 0199",
}


@pytest.fixture
def every_kind(add_field):
    add_field("model", FieldKind.TEXT, label="Model", required=True)
    add_field("notes", FieldKind.TEXTAREA)
    add_field("count", FieldKind.NUMBER, label="How many")
    add_field("since", FieldKind.DATE)
    add_field("area", FieldKind.SELECT, options=["Hardware", "Software"])
    add_field("devices", FieldKind.MULTISELECT, options=["Laptop", "Phone", "Printer"])
    add_field("urgent", FieldKind.CHECKBOX)
    add_field("mail", FieldKind.EMAIL)
    add_field("phone", FieldKind.PHONE)
    add_field("triage", FieldKind.TEXT, label="Triage code", client_visible=False)


def _tickets(zl, user):
    with zl.reader() as uow:
        from zedline.tickets import queries  # noqa: PLC0415

        return queries.client_tickets(uow, user).rows


def test_the_form_renders_every_kind_with_its_control(browser, client, every_kind):
    page = browser(client).get("/p/acme/tickets/new")
    html = page.text
    assert page.status_code == 200
    assert 'type="number"' in html
    assert 'type="date"' in html
    assert '<select class="input" id="f_area"' in html
    assert html.count('name="f_devices"') == 3
    assert 'type="checkbox" id="f_urgent"' in html
    assert 'type="email"' in html
    assert 'type="tel"' in html
    assert '<textarea class="input" rows="5" id="f_notes"' in html
    assert 'name="files" multiple' in html
    assert "Triage code" not in html  # staff-only field


def test_staff_see_staff_only_fields(browser, operator, every_kind):
    assert "Triage code" in browser(operator).get("/p/acme/tickets/new").text


def test_a_filled_form_opens_a_ticket_and_redirects_to_it(zl, browser, send, client, every_kind):
    web = browser(client)
    r = send(web, "/p/acme/tickets/new", FILLED)
    assert r.status_code in (302, 303)
    assert r.headers["location"] == "/p/acme/tickets/1"
    page = web.get("/p/acme/tickets/1")
    assert "Request #1 is saved" in page.text
    assert "Laptop, Phone" in page.text
    assert "X1 Carbon" in page.text
    with zl.reader() as uow:
        ticket = uow.tickets.get_for(client, 1)
        assert ticket.answers["urgent"] is True
        assert ticket.answers["count"] == "3"
        assert ticket.answers["devices"] == ["Laptop", "Phone"]


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("f_subject", "", "this field is required"),
        ("f_model", "", "this field is required"),
        ("f_count", "many", "enter a number"),
        ("f_since", "yesterday", "enter a date as YYYY-MM-DD"),
        ("f_area", "Plumbing", "choose one of the options"),
        ("f_devices", ["Toaster"], "is not one of the choices"),
        ("f_mail", "not-an-email", "enter an e-mail address"),
        ("f_phone", "call me", "enter a phone number"),
    ],
)
def test_bad_input_keeps_everything_typed_and_says_what_is_wrong(
    zl, browser, send, client, every_kind, field, bad, message
):
    web = browser(client)
    r = send(web, "/p/acme/tickets/new", {**FILLED, field: bad})
    assert r.status_code == 422
    assert message in r.text
    assert f'id="{field}-error"' in r.text
    for key, value in FILLED.items():
        if key in (field, "f_urgent"):
            continue
        for v in value if isinstance(value, list) else [value]:
            assert v.split("\n")[0] in r.text
    assert 'id="f_urgent" name="f_urgent" value="on" checked' in r.text
    assert _tickets(zl, client) == ()


def test_several_files_are_attached_to_the_first_message(zl, browser, send, client):
    files = [
        ("files", ("notes.txt", io.BytesIO(b"hello"), "text/plain")),
        ("files", ("shot.png", io.BytesIO(b"\x89PNG" + b"0" * 100), "image/png")),
    ]
    r = send(browser(client), "/p/acme/tickets/new", FILLED | {"f_subject": "With files"}, files)
    assert r.status_code in (302, 303), r.text
    page = browser(client).get(r.headers["location"])
    assert "notes.txt" in page.text
    assert "shot.png" in page.text
    assert "/files/" in page.text


def test_an_over_size_file_is_refused_and_nothing_is_created(zl, browser, send, client):
    big = io.BytesIO(b"x" * (64 * 1024 + 1))
    files = [
        ("files", ("small.txt", io.BytesIO(b"ok"), "text/plain")),
        ("files", ("huge.bin", big, "application/octet-stream")),
    ]
    r = send(browser(client), "/p/acme/tickets/new", FILLED | {"f_subject": "Too big"}, files)
    assert r.status_code == 422
    assert "huge.bin" in r.text
    assert "larger than" in r.text
    assert 'value="Too big"' in r.text
    assert _tickets(zl, client) == ()
    assert not any(p.is_file() for p in zl.settings.files_dir.rglob("*"))


def test_staff_open_a_request_for_a_client_by_email(zl, browser, send, operator, client):
    r = send(browser(operator), "/p/acme/tickets/new", FILLED | {"requester_email": client.email})
    assert r.status_code in (302, 303)
    assert [row.subject for row in _tickets(zl, client)] == [FILLED["f_subject"]]


def test_staff_naming_an_unknown_client_get_a_message(zl, browser, send, operator):
    r = send(
        browser(operator), "/p/acme/tickets/new", FILLED | {"requester_email": "x@nobody.test"}
    )
    assert r.status_code == 422
    assert "no client of this portal has this e-mail" in r.text
    assert 'value="x@nobody.test"' in r.text
