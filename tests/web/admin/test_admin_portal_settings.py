"""The overview, the portal's settings, the share link with its QR code, and answers given on
an older form as the ticket page shows them."""

from __future__ import annotations

import html
import re

import pytest

from zedline.forms import services as forms
from zedline.tickets import services as tickets
from zedline.tickets.model import Category

SETTINGS = "/p/acme/admin/portal"
LINK = "http://testserver.local/p/acme/"


def portal_row(zl, portal):
    with zl.reader() as uow:
        p = uow.portals.get(portal.id)
        return (p.name, p.timezone, p.language)


def error_at(page: str, control_id: str) -> str:
    match = re.search(rf'id="{control_id}-error">.*?<span>(.*?)</span>', page, re.DOTALL)
    assert match, f"no message at {control_id}"
    return html.unescape(match.group(1))


# -- overview ------------------------------------------------------------------------------


def test_overview_links_the_first_steps(admin_web):
    page = admin_web.get("/p/acme/admin/").text
    for href in ("/p/acme/admin/form", "/p/acme/admin/mail", "/p/acme/admin/people",
                 "/p/acme/admin/portal#share"):  # fmt: skip
        assert f'href="{href}"' in page


def test_overview_counts_open_requests_operators_and_clients(
    admin_web, client, operator, make_ticket, zl
):
    make_ticket(client)
    done = make_ticket(client, subject="Done already")
    with zl.reader() as uow:
        closed = uow.statuses.first_in(done.portal_id, Category.CLOSED)
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, done.number, status_id=closed.id
    )
    page = admin_web.get("/p/acme/admin/").text
    values = re.findall(r'ap-stat__value">([^<]*)<', page)
    assert values == ["1", "1", "1", "0 B"]


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
def test_overview_is_not_found_for_others(request, who):
    assert request.getfixturevalue(who).get("/p/acme/admin/").status_code == 404


# -- settings ------------------------------------------------------------------------------


def test_settings_are_saved(admin_web, post_form, zl, portal):
    page = post_form(
        admin_web, SETTINGS, {"name": "Acme Help", "timezone": "Europe/Berlin", "language": "ru"}
    )
    assert page.url.path == SETTINGS
    assert portal_row(zl, portal) == ("Acme Help", "Europe/Berlin", "ru")


def test_time_zones_are_offered_by_region(admin_web):
    page = admin_web.get(SETTINGS).text
    europe = page.split('<optgroup label="Europe">', 1)[1].split("</optgroup>", 1)[0]
    assert '<option value="Europe/Berlin">' in europe
    assert '<option value="UTC" selected>' in page


@pytest.mark.parametrize(
    ("change", "control", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "in_timezone", "Choose a time zone from the list"),
        ({"timezone": "EST"}, "in_timezone", "Choose a time zone from the list"),
        ({"language": "de"}, "in_language", "Choose English or Russian"),
        ({"name": "  "}, "in_name", "The portal needs a name"),
    ],
)
def test_bad_settings_are_refused_at_the_field(
    admin_web, post_form, zl, portal, change, control, message
):
    before = portal_row(zl, portal)
    data = {"name": "Acme Help", "timezone": "Europe/Berlin", "language": "en"}
    page = post_form(admin_web, SETTINGS, {**data, **change})
    assert page.status_code == 422
    assert error_at(page.text, control).startswith(message)
    assert portal_row(zl, portal) == before


def test_refused_settings_keep_what_was_typed(admin_web, post_form):
    data = {"name": "Acme Help", "timezone": "Europe/Berlin", "language": "de"}
    page = post_form(admin_web, SETTINGS, data).text
    assert 'value="Acme Help"' in page
    assert '<option value="Europe/Berlin" selected>' in page


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
def test_settings_are_not_found_for_others(request, post_form, zl, portal, who):
    web = request.getfixturevalue(who)
    before = portal_row(zl, portal)
    assert web.get(SETTINGS).status_code == 404
    data = {"name": "Hacked", "timezone": "UTC", "language": "en"}
    assert post_form(web, SETTINGS, data).status_code == 404
    assert portal_row(zl, portal) == before


# -- sharing -------------------------------------------------------------------------------


def test_share_link_is_the_portal_url(admin_web):
    page = admin_web.get(SETTINGS).text
    assert f'id="in_link" type="text" value="{LINK}" readonly' in page
    assert 'src="/p/acme/admin/portal/qr.svg"' in page


def test_qr_code_is_an_svg_image(admin_web):
    answer = admin_web.get(f"{SETTINGS}/qr.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in answer.text
    assert "style=" not in answer.text


def test_qr_code_downloads_as_png(admin_web):
    answer = admin_web.get(f"{SETTINGS}/qr.png")
    assert answer.headers["content-type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
@pytest.mark.parametrize("name", ["qr.svg", "qr.png"])
def test_qr_code_is_not_found_for_others(request, who, name):
    assert request.getfixturevalue(who).get(f"{SETTINGS}/{name}").status_code == 404


# -- answers given on an older form --------------------------------------------------------


@pytest.fixture
def answered(zl, admin, client, make_ticket):
    """A ticket with answers to a select field and a text field."""
    device = forms.add_field(
        zl.uow(), admin, label="Device", kind="select", options=["Laptop", "Printer"]
    )
    serial = forms.add_field(zl.uow(), admin, label="Serial number", kind="text")
    ticket = make_ticket(client, device="Printer", serial_number="SN-42")
    return ticket, device, serial


def details(page: str) -> dict[str, bool]:
    """Label -> marked "from an older form", from the ticket page's details."""
    section = page.split('id="details-h"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<div( class=\"answers__old\")?><dt>([^<]*)", section)
    return {label.strip(): bool(old) for old, label in rows}


def test_current_answers_are_not_marked(admin_web, answered):
    ticket, _, _ = answered
    page = admin_web.get(f"/p/acme/tickets/{ticket.number}").text
    assert details(page) == {"Device": False, "Serial number": False}
    assert "from an older form" not in page


def test_answer_of_a_removed_field_is_shown_marked(admin_web, zl, admin, answered):
    ticket, _, serial = answered
    forms.retire_field(zl.uow(), admin, serial.id)
    page = admin_web.get(f"/p/acme/tickets/{ticket.number}").text
    assert details(page) == {"Device": False, "Serial number": True}
    assert "SN-42" in page


def test_answer_that_no_longer_fits_is_shown_marked(admin_web, zl, admin, answered):
    ticket, device, _ = answered
    forms.update_field(
        zl.uow(), admin, device.id, label="Your device", kind="select", required=False,
        options=["Laptop", "Phone"],
    )  # fmt: skip
    page = admin_web.get(f"/p/acme/tickets/{ticket.number}").text
    assert details(page) == {"Your device": True, "Serial number": False}
    assert "Printer" in page


def test_answer_no_field_asks_for_is_shown_marked(admin_web, zl, admin, answered):
    ticket, _, _ = answered
    with zl.uow() as uow:
        stored = uow.tickets.get_for(admin, ticket.number)
        stored.answers = {**stored.answers, "old_question": "An old answer"}
        uow.commit()
    page = admin_web.get(f"/p/acme/tickets/{ticket.number}").text
    assert details(page) == {"Device": False, "Serial number": False, "Old question": True}
    assert "An old answer" in page


def test_client_sees_no_marks(client_web, zl, admin, answered):
    ticket, _, serial = answered
    forms.retire_field(zl.uow(), admin, serial.id)
    page = client_web.get(f"/p/acme/tickets/{ticket.number}").text
    assert "SN-42" in page
    assert "from an older form" not in page
