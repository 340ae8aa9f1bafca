"""The admin's disk space page, the quota form, and what uploaders and admins see at the quota."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from litestar.testing import TestClient

from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.services import Upload
from zedline_web.sessions import RotatingSessionConfig

WEB_BASE = "http://testserver.local"
DISK = "/p/acme/admin/disk"
KB = 1024
MB = 1024 * 1024


@pytest.fixture
def as_user(app):
    def open_as(user):
        web = TestClient(
            app, base_url=WEB_BASE, session_config=RotatingSessionConfig(key="zl_session")
        )
        web.set_session_data({"pid": user.portal_id, "uid": user.id, "av": user.auth_version})
        return web

    return open_as


@pytest.fixture
def send():
    def post(web, url, data=None, files=None):
        token = web.cookies.get("zl_csrf")
        if token is None:
            web.get("/static/zedline.css")
            token = web.cookies.get("zl_csrf")
        return web.post(
            url, data={**(data or {}), "_csrf_token": token}, files=files, follow_redirects=True
        )

    return post


@pytest.fixture
def upload(zl, client):
    def run(size, name="file.bin", subject="With a file"):
        return tickets.open_ticket(
            zl.uow(),
            zl.clock,
            zl.notifier,
            client,
            {"subject": subject, "description": "see the file"},
            files=zl.files,
            uploads=[Upload(name, "application/octet-stream", io.BytesIO(b"x" * size))],
            limits=zl.file_limits,
        )

    return run


def _quota(zl, portal):
    with zl.reader() as uow:
        return uow.portals.get(portal.id).quota_bytes


def _text_of(html, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def test_the_page_shows_quota_use_and_the_largest_files(zl, as_user, admin, upload):
    portals.set_quota(zl.uow(), admin, quota_bytes=100 * KB)
    small = upload(10 * KB, "notes.txt", "Small one")
    big = upload(50 * KB, "scan.pdf", "Big one")
    page = as_user(admin).get(DISK).text
    assert _text_of(page, "disk-used") == "60.0 KB"
    assert _text_of(page, "disk-free") == "40.0 KB"
    assert _text_of(page, "disk-quota") == "100.0 KB"
    assert _text_of(page, "disk-percent") == "60% used"
    assert 'class="meter__fill meter--60"' in page
    files = page.split('id="largest-files"', 1)[1].split("</table>", 1)[0]
    assert files.index("scan.pdf") < files.index("notes.txt")
    assert f'href="/p/acme/tickets/{big.number}"' in files
    biggest = page.split('id="largest-tickets"', 1)[1].split("</table>", 1)[0]
    assert biggest.index(f"#{big.number}") < biggest.index(f"#{small.number}")
    assert "style=" not in page


def test_an_empty_portal_shows_an_empty_bar(as_user, admin):
    page = as_user(admin).get(DISK).text
    assert 'class="meter__fill meter--0"' in page
    assert "No files have been attached yet." in page
    assert 'name="quota" value="1"' in page  # 1 GB, the default
    assert re.search(r'<option value="GB" selected>', page)


def test_above_80_percent_the_page_warns(zl, as_user, admin, upload):
    portals.set_quota(zl.uow(), admin, quota_bytes=100 * KB)
    upload(85 * KB)
    page = as_user(admin).get(DISK).text
    assert "meter meter--warn" in page
    assert "Less than 20% of the quota is left" in page


@pytest.mark.parametrize(
    ("amount", "unit", "expected", "flash"),
    [
        ("250", "MB", 250 * MB, "The quota is now 250 MB."),
        ("2,5", "GB", int(2.5 * 1024 * MB), "The quota is now 2.5 GB."),
    ],
)
def test_changing_the_quota(zl, portal, as_user, send, admin, amount, unit, expected, flash):
    page = send(as_user(admin), f"{DISK}/quota", {"quota": amount, "unit": unit})
    assert page.status_code == 200
    assert flash in page.text
    assert _quota(zl, portal) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("lots", "GB", "Enter the quota as a number"),
        ("0", "GB", "The quota must be more than zero"),
        ("-1", "MB", "The quota must be more than zero"),
        ("5", "TB", "Choose MB or GB"),
        ("99999999", "GB", "at most"),
        ("NaN", "GB", "Enter the quota as a number"),
    ],
)
def test_a_bad_quota_is_refused_at_the_field(
    zl, portal, as_user, send, admin, amount, unit, message
):
    page = send(as_user(admin), f"{DISK}/quota", {"quota": amount, "unit": unit})
    assert page.status_code == 422
    assert message in page.text
    assert 'class="field__error"' in page.text
    assert _quota(zl, portal) == 1024 * MB


def test_the_quota_cannot_go_below_what_is_used(zl, portal, as_user, send, admin, upload):
    upload(2 * MB)
    page = send(as_user(admin), f"{DISK}/quota", {"quota": "1", "unit": "MB"})
    assert page.status_code == 422
    assert "cannot be below the space already used" in page.text
    assert 'value="1"' in page.text
    assert _quota(zl, portal) == 1024 * MB


def test_an_operator_cannot_change_the_quota(zl, portal, as_user, send, operator):
    page = send(as_user(operator), f"{DISK}/quota", {"quota": "5", "unit": "MB"})
    assert page.status_code == 404
    assert _quota(zl, portal) == 1024 * MB


# -- at the quota: the uploader's answer and the admins' e-mail ----------------------------


@pytest.fixture
def nearly_full(zl, admin, upload, mailbox):
    portals.set_quota(zl.uow(), admin, quota_bytes=10 * KB)
    ticket = upload(9 * KB)  # crosses 80%
    mailbox.deliver()
    return ticket


def test_the_new_request_form_says_the_space_is_full(zl, as_user, send, client, nearly_full):
    page = send(
        as_user(client),
        "/p/acme/tickets/new",
        {"f_subject": "Logs", "f_description": "attached"},
        files={"files": ("big.log", b"x" * 2 * KB, "text/plain")},
    )
    assert page.status_code == 422
    assert 'id="in_files-error"' in page.text
    assert "not enough disk space" in page.text
    assert 'value="Logs"' in page.text


def test_the_reply_form_says_the_space_is_full(as_user, send, client, nearly_full):
    page = send(
        as_user(client),
        f"/p/acme/tickets/{nearly_full.number}/reply",
        {"body": "one more"},
        files={"files": ("big.log", b"x" * 2 * KB, "text/plain")},
    )
    assert page.status_code == 422
    assert 'id="reply-files-error"' in page.text
    assert "not enough disk space" in page.text
    assert "one more" in page.text


def _disk_mails(mailbox):
    return [m for m in mailbox.to("admin@acme.test") if "disk space" in m.subject]


def test_crossing_80_percent_mails_the_admin_once(zl, admin, upload, mailbox):
    portals.set_quota(zl.uow(), admin, quota_bytes=10 * KB)
    upload(7 * KB)
    assert _disk_mails(mailbox) == []
    upload(int(1.5 * KB))
    warned = _disk_mails(mailbox)
    assert [m.subject for m in warned] == ["Acme Support: 80% of the disk space is used"]
    assert "http://testserver.local/p/acme/admin/disk" in warned[0].text
    upload(100)
    assert len(_disk_mails(mailbox)) == 1


def test_reaching_100_percent_mails_the_admin(zl, admin, upload, mailbox, nearly_full):
    upload(1 * KB)
    assert _disk_mails(mailbox)[-1].subject == "Acme Support: the disk space is full"


def test_refused_uploads_mail_the_admin_at_most_once_an_hour(
    as_user, send, client, clock, mailbox, nearly_full
):
    web = as_user(client)

    def attach():
        return send(
            web,
            f"/p/acme/tickets/{nearly_full.number}/reply",
            {"body": "again"},
            files={"files": ("big.log", b"x" * 2 * KB, "text/plain")},
        )

    for _ in range(3):
        assert attach().status_code == 422
    refused = [m for m in _disk_mails(mailbox) if "refused" in m.subject]
    assert len(refused) == 1
    assert "2.0 KB" in refused[0].text
    clock.advance(timedelta(minutes=30))
    attach()
    assert len([m for m in _disk_mails(mailbox) if "refused" in m.subject]) == 1
    clock.advance(timedelta(minutes=31))
    attach()
    assert len([m for m in _disk_mails(mailbox) if "refused" in m.subject]) == 2
