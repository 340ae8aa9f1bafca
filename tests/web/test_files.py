"""Attachment downloads: access-checked, always a download unless a safe image asks inline."""

from __future__ import annotations

import io

import pytest

from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import Upload
from zedline_web.routes.files import content_disposition, served_type

PASSWORD = "correct-horse-42"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _open_with(zl, requester, *files):
    uploads = [Upload(name, ctype, io.BytesIO(data)) for name, ctype, data in files]
    return tickets.open_ticket(
        zl.uow(),
        zl.clock,
        zl.notifier,
        requester,
        {"subject": "Files", "description": "See the files."},
        files=zl.files,
        uploads=uploads,
        limits=zl.file_limits,
    )


def _attachments(zl, actor, number):
    with zl.reader() as uow:
        ticket = uow.tickets.get_for(actor, number)
        return {a.filename: a for a in uow.attachments.list_for(actor, ticket)}


def _url(number, attachment, query=""):
    return f"/p/acme/tickets/{number}/files/{attachment.id}{query}"


@pytest.fixture
def ticket_with_files(zl, client):
    ticket = _open_with(
        zl,
        client,
        ("screen.png", "image/png", PNG),
        ("drawing.svg", "image/svg+xml", SVG),
        ("page.html", "text/html", HTML),
        ("отчёт «март».pdf", "application/pdf", b"%PDF-1.4 fake"),
    )
    return ticket, _attachments(zl, client, ticket.number)


def test_owner_downloads_a_file_as_an_attachment(web, client, login, ticket_with_files):
    ticket, files = ticket_with_files
    login(web, "acme", client.email, PASSWORD)
    response = web.get(_url(ticket.number, files["screen.png"]))
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response.headers["cache-control"]


def test_a_safe_image_is_inline_only_when_asked(web, client, login, ticket_with_files):
    ticket, files = ticket_with_files
    login(web, "acme", client.email, PASSWORD)
    response = web.get(_url(ticket.number, files["screen.png"], "?inline=1"))
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline;")


@pytest.mark.parametrize("name", ["drawing.svg", "page.html"])
def test_active_content_is_always_an_opaque_download(web, client, login, ticket_with_files, name):
    ticket, files = ticket_with_files
    login(web, "acme", client.email, PASSWORD)
    for query in ("", "?inline=1"):
        response = web.get(_url(ticket.number, files[name], query))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


def test_a_non_ascii_name_is_encoded_per_rfc_5987(web, client, login, ticket_with_files):
    ticket, files = ticket_with_files
    login(web, "acme", client.email, PASSWORD)
    response = web.get(_url(ticket.number, files["отчёт «март».pdf"]))
    disposition = response.headers["content-disposition"]
    assert (
        "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%C2%AB%D0%BC%D0%B0%D1%80%D1%82%C2%BB.pdf"
        in disposition
    )
    assert response.headers["content-type"] == "application/octet-stream"


def test_staff_download_a_clients_file(web, operator, login, ticket_with_files):
    ticket, files = ticket_with_files
    login(web, "acme", operator.email, PASSWORD)
    assert web.get(_url(ticket.number, files["page.html"])).content == HTML


def test_another_client_gets_404(web, other_client, login, ticket_with_files):
    ticket, files = ticket_with_files
    login(web, "acme", other_client.email, PASSWORD)
    response = web.get(_url(ticket.number, files["screen.png"]))
    assert response.status_code == 404
    assert PNG not in response.content
    assert 'href="/p/acme/"' in response.text  # a friendly page with the way back


def test_an_internal_file_is_404_for_the_client_and_served_to_staff(
    web, zl, client, operator, login, ticket_with_files
):
    ticket, _ = ticket_with_files
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        ticket.number,
        body="Internal log attached.",
        visibility=Visibility.INTERNAL,
        files=zl.files,
        uploads=[Upload("internal.log", "text/plain", io.BytesIO(b"secret"))],
        limits=zl.file_limits,
    )
    internal = _attachments(zl, operator, ticket.number)["internal.log"]
    login(web, "acme", client.email, PASSWORD)
    assert web.get(_url(ticket.number, internal)).status_code == 404
    web.cookies.clear()
    login(web, "acme", operator.email, PASSWORD)
    assert web.get(_url(ticket.number, internal)).content == b"secret"


def test_a_file_asked_for_under_another_ticket_is_404(web, zl, client, login, ticket_with_files):
    _, files = ticket_with_files
    other = _open_with(zl, client)
    login(web, "acme", client.email, PASSWORD)
    assert web.get(_url(other.number, files["screen.png"])).status_code == 404


def test_a_file_of_another_portal_is_404(
    web, zl, other_portal, make_user, login, ticket_with_files
):
    from zedline.accounts.model import Role  # noqa: PLC0415

    ticket, files = ticket_with_files
    stranger = make_user(Role.OPERATOR, slug="globex", email="op@globex.test")
    login(web, "globex", stranger.email, PASSWORD)
    response = web.get(f"/p/globex/tickets/{ticket.number}/files/{files['screen.png'].id}")
    assert response.status_code == 404


def test_download_needs_a_login(web, ticket_with_files):
    ticket, files = ticket_with_files
    response = web.get(_url(ticket.number, files["screen.png"]), follow_redirects=False)
    assert response.status_code == 303
    assert "/p/acme/login?next=" in response.headers["location"]


def test_a_file_missing_from_storage_is_404(web, zl, client, login, ticket_with_files):
    ticket, files = ticket_with_files
    zl.files.delete(files["screen.png"].storage_key)
    login(web, "acme", client.email, PASSWORD)
    assert web.get(_url(ticket.number, files["screen.png"])).status_code == 404


@pytest.mark.parametrize(
    ("stored", "inline", "expected"),
    [
        ("image/png", True, ("image/png", "inline")),
        ("IMAGE/JPEG; charset=x", True, ("image/jpeg", "inline")),
        ("image/webp", False, ("image/webp", "attachment")),
        ("image/gif", True, ("image/gif", "inline")),
        ("image/svg+xml", True, ("application/octet-stream", "attachment")),
        ("text/html", True, ("application/octet-stream", "attachment")),
        ("application/xml", True, ("application/octet-stream", "attachment")),
        ("text/javascript", True, ("application/octet-stream", "attachment")),
        ("application/pdf", True, ("application/octet-stream", "attachment")),
    ],
)
def test_served_type(stored, inline, expected):
    assert served_type(stored, want_inline=inline) == expected


def test_content_disposition_fallback_has_no_quotes_or_control_characters():
    header = content_disposition("attachment", 'a"b\\c;\r\n.txt')
    assert header.startswith('attachment; filename="a_b_c___.txt"; ')
    assert "\r" not in header
    assert "\n" not in header
