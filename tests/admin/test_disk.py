"""Disk space: what the admin page reads, the admins' quota warnings, a deleted portal's files."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from zedline.accounts import people
from zedline.accounts.model import Role
from zedline.errors import InvalidInput, NotFound
from zedline.persistence import tables as t
from zedline.portals import disk
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import Upload

QUOTA = 1000


@pytest.fixture
def small_quota(zl, admin):
    portals.set_quota(zl.uow(), admin, quota_bytes=QUOTA)


def _upload(size, name="file.bin"):
    return Upload(name, "application/octet-stream", io.BytesIO(b"x" * size))


@pytest.fixture
def open_with(zl, client):
    def run(*sizes, who=None, subject="With files"):
        return tickets.open_ticket(
            zl.uow(),
            zl.clock,
            zl.notifier,
            who or client,
            {"subject": subject, "description": "see files"},
            files=zl.files,
            uploads=[_upload(size, f"f{size}.bin") for size in sizes],
            limits=zl.file_limits,
        )

    return run


def _alerts(zl, portal):
    """(event, recipient, subject) of every quota mail in the outbox, oldest first."""
    o = t.outbox.c
    with zl.reader() as uow:
        rows = uow.session.execute(
            select(o.event, o.recipient, o.subject)
            .where(o.portal_id == portal.id, o.event.in_([disk.WARNING_EVENT, disk.FULL_EVENT]))
            .order_by(o.id)
        ).all()
    return [tuple(r) for r in rows]


def _used(zl, portal):
    with zl.reader() as uow:
        return uow.portals.get(portal.id).used_bytes


# -- the read side -------------------------------------------------------------------------


def test_usage_counts_the_uploaded_bytes(zl, admin, small_quota, open_with):
    open_with(100, 250)
    with zl.reader() as uow:
        usage = disk.disk_usage(uow, admin)
    assert (usage.quota_bytes, usage.used_bytes, usage.free_bytes) == (QUOTA, 350, 650)
    assert (usage.percent, usage.step, usage.level) == (35, 35, 0)


@pytest.mark.parametrize(
    ("used", "step"), [(0, 0), (1, 5), (120, 10), (130, 15), (990, 95), (999, 95), (1000, 100)]
)
def test_the_bar_step_never_hides_use_and_is_full_only_when_full(used, step):
    assert disk.DiskUsage(QUOTA, used).step == step


def test_biggest_files_come_largest_first_with_their_ticket(zl, admin, small_quota, open_with):
    first = open_with(10, 300, subject="First")
    second = open_with(200, subject="Second")
    with zl.reader() as uow:
        files = disk.biggest_files(uow, admin)
    assert [(f.filename, f.size, f.ticket_number) for f in files] == [
        ("f300.bin", 300, first.number),
        ("f200.bin", 200, second.number),
        ("f10.bin", 10, first.number),
    ]


def test_biggest_tickets_sum_their_files(zl, admin, small_quota, open_with):
    first = open_with(100, 150, subject="First")
    second = open_with(200, subject="Second")
    open_with(subject="No files")
    with zl.reader() as uow:
        rows = disk.biggest_tickets(uow, admin)
    assert [(r.number, r.subject, r.files, r.size) for r in rows] == [
        (first.number, "First", 2, 250),
        (second.number, "Second", 1, 200),
    ]


def test_the_lists_stop_at_ten(zl, admin, open_with):
    for n in range(12):
        open_with(n + 1)
    with zl.reader() as uow:
        assert len(disk.biggest_files(uow, admin)) == 10
        assert len(disk.biggest_tickets(uow, admin)) == 10
        assert disk.biggest_files(uow, admin)[0].size == 12


def test_other_portals_files_are_not_counted(zl, admin, other_portal, open_with, make_user):
    stranger = make_user(Role.CLIENT, slug="globex", email="s@globex.test")
    open_with(500, who=stranger)
    with zl.reader() as uow:
        assert disk.biggest_files(uow, admin) == []
        assert disk.biggest_tickets(uow, admin) == []
        assert disk.disk_usage(uow, admin).used_bytes == 0


def test_an_operator_cannot_read_the_disk_page(zl, operator):
    with zl.reader() as uow, pytest.raises(NotFound):
        disk.disk_usage(uow, operator)


# -- warnings at 80% and 100% ----------------------------------------------------------------


def test_crossing_80_percent_mails_each_active_admin_once(
    zl, portal, admin, operator, small_quota, open_with, make_user
):
    second = make_user(Role.ADMIN, email="second@acme.test")
    gone = make_user(Role.ADMIN, email="gone@acme.test")
    people.deactivate_user(zl.uow(), zl.clock, admin, gone.id)
    open_with(700)
    assert _alerts(zl, portal) == []
    open_with(150)  # 70% -> 85%
    alerts = _alerts(zl, portal)
    assert sorted(r for _, r, _ in alerts) == ["admin@acme.test", second.email]
    assert all(e == disk.WARNING_EVENT and "80% of the disk space" in s for e, _, s in alerts)


def test_a_small_upload_above_80_percent_does_not_mail_again(zl, portal, small_quota, open_with):
    open_with(850)
    assert len(_alerts(zl, portal)) == 1
    open_with(10)
    open_with(10)
    assert len(_alerts(zl, portal)) == 1


def test_reaching_100_percent_mails_that_the_space_is_full(zl, portal, small_quota, open_with):
    open_with(850)
    open_with(150)  # exactly full
    assert _used(zl, portal) == QUOTA
    alerts = _alerts(zl, portal)
    assert len(alerts) == 2
    assert alerts[-1][0] == disk.WARNING_EVENT
    assert "the disk space is full" in alerts[-1][2]


def test_jumping_past_both_thresholds_sends_one_mail(zl, portal, small_quota, open_with):
    open_with(100)
    open_with(900)
    alerts = _alerts(zl, portal)
    assert len(alerts) == 1
    assert "full" in alerts[0][2]


def test_a_reply_with_files_warns_too(zl, portal, client, small_quota, open_with):
    ticket = open_with(500)
    tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, client, ticket.number, body="more",
        visibility=Visibility.PUBLIC, files=zl.files, uploads=[_upload(400)],
        limits=zl.file_limits,
    )  # fmt: skip
    assert [e for e, _, _ in _alerts(zl, portal)] == [disk.WARNING_EVENT]


def test_after_a_higher_quota_crossing_80_percent_warns_again(
    zl, portal, admin, small_quota, open_with
):
    open_with(850)
    portals.set_quota(zl.uow(), admin, quota_bytes=2 * QUOTA)  # back to 42%
    open_with(10)
    assert len(_alerts(zl, portal)) == 1
    open_with(800)  # 1660 of 2000: 83%
    assert len(_alerts(zl, portal)) == 2


def test_the_mail_names_the_figures_and_links_the_disk_page(
    zl, portal, small_quota, open_with, mailbox_outbox
):
    open_with(850)
    payload = mailbox_outbox()[0]
    assert "850 B of 1000 B (85%)" in payload["text"]
    assert "http://testserver.local/p/acme/admin/disk" in payload["text"]
    assert "http://testserver.local/p/acme/admin/disk" in payload["html"]


@pytest.fixture
def mailbox_outbox(zl, portal):
    def payloads():
        o = t.outbox.c
        with zl.reader() as uow:
            return list(
                uow.session.scalars(
                    select(o.payload)
                    .where(o.portal_id == portal.id, o.event == disk.WARNING_EVENT)
                    .order_by(o.id)
                )
            )

    return payloads


# -- refused uploads -------------------------------------------------------------------------


def test_a_refused_upload_saves_nothing_and_says_why(zl, portal, small_quota, open_with):
    open_with(900)
    with pytest.raises(InvalidInput) as err:
        open_with(200, subject="Too big")
    assert "not enough disk space" in err.value.errors["files"]
    assert _used(zl, portal) == 900
    with zl.reader() as uow:
        assert (
            uow.session.scalar(select(t.tickets.c.id).where(t.tickets.c.subject == "Too big"))
            is None
        )
    stored = [p for p in zl.files.root.rglob("*") if p.is_file()]
    assert len(stored) == 1  # only the first upload's file


def test_a_refused_upload_warns_the_admins_once_an_hour(zl, portal, clock, small_quota, open_with):
    open_with(900)
    before = len(_alerts(zl, portal))
    for _ in range(3):
        with pytest.raises(disk.SpaceRefused):
            open_with(200)
    full = [a for a in _alerts(zl, portal)[before:] if a[0] == disk.FULL_EVENT]
    assert [r for _, r, _ in full] == ["admin@acme.test"]
    assert "an upload was refused" in full[0][2]
    clock.advance(timedelta(minutes=61))
    with pytest.raises(disk.SpaceRefused):
        open_with(200)
    assert len([a for a in _alerts(zl, portal) if a[0] == disk.FULL_EVENT]) == 2


def test_a_refused_reply_warns_the_admins(zl, portal, client, small_quota, open_with):
    ticket = open_with(900)
    with pytest.raises(disk.SpaceRefused):
        tickets.post_message(
            zl.uow(), zl.clock, zl.notifier, client, ticket.number, body="more",
            visibility=Visibility.PUBLIC, files=zl.files, uploads=[_upload(200)],
            limits=zl.file_limits,
        )  # fmt: skip
    assert [e for e, _, _ in _alerts(zl, portal)][-1] == disk.FULL_EVENT


def test_other_bad_input_does_not_warn(zl, portal, small_quota, client):
    with pytest.raises(InvalidInput):
        tickets.open_ticket(
            zl.uow(), zl.clock, zl.notifier, client, {"subject": "", "description": ""},
            files=zl.files, uploads=[_upload(2000)], limits=zl.file_limits,
        )  # fmt: skip
    assert _alerts(zl, portal) == []


# -- deleting a portal -----------------------------------------------------------------------


def test_deleting_a_portal_removes_its_files_and_keeps_the_others(
    zl, portal, other_portal, open_with, make_user
):
    open_with(10, 20)
    stranger = make_user(Role.CLIENT, slug="globex", email="s@globex.test")
    open_with(30, who=stranger)
    with zl.reader() as uow:
        rows = uow.session.execute(select(t.attachments.c.storage_key, t.attachments.c.portal_id))
        keys = dict(rows.all())
    paths = {key: zl.files.path(key) for key in keys}
    assert all(p.exists() for p in paths.values())

    portals.delete_portal(zl.uow(), "acme", files=zl.files)

    assert {key: paths[key].exists() for key in keys} == {
        key: owner == other_portal.id for key, owner in keys.items()
    }
