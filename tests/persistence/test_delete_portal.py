"""Deleting a portal removes every row it owns and nothing of any other portal."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from zedline.accounts import services as accounts
from zedline.accounts.model import Role
from zedline.errors import NotFound
from zedline.notifications import admin as notification_settings
from zedline.persistence import tables as t
from zedline.portals import mail_settings
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import Upload


def fill(zl, slug, make_user):
    """Rows in every tenant table of the portal `slug`."""
    client = make_user(Role.CLIENT, slug=slug, email=f"client@{slug}.test")
    operator = make_user(Role.OPERATOR, slug=slug, email=f"operator@{slug}.test")
    ticket = tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client,
                                 {"subject": "s", "description": "d"})  # fmt: skip
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    tickets.post_message(zl.uow(), zl.clock, zl.notifier, operator, ticket.number,
                         body="note", visibility=Visibility.INTERNAL, files=zl.files,
                         uploads=[Upload("a.txt", "text/plain", io.BytesIO(b"abc"))],
                         limits=zl.file_limits)  # fmt: skip
    tickets.set_reminder(zl.uow(), zl.clock, operator, ticket.number,
                         due_at=zl.clock.now() + timedelta(days=1))  # fmt: skip
    accounts.invite_client(zl.uow(), zl.clock, zl.hasher, zl.notifier, operator,
                           first_name="I", last_name="Nvited",
                           email=f"invited@{slug}.test")  # fmt: skip
    accounts.request_password_reset(zl.uow(), zl.clock, zl.notifier, slug=slug,
                                    email=client.email)  # fmt: skip
    admin = make_user(Role.ADMIN, slug=slug, email=f"admin2@{slug}.test")
    mail_settings.save_mail_settings(
        zl.uow(), zl.clock, zl.secrets, admin,
        mail_settings.MailSettingsInput(sender_address=f"help@{slug}.test",
                                        smtp_host="smtp.example.com", smtp_port="587",
                                        password="pw"),
    )  # fmt: skip
    notification_settings.set_notification_rules(zl.uow(), admin, [])
    notification_settings.save_template(zl.uow(), zl.clock, zl.notifier, admin, "reply",
                                        subject="{{ subject }}", body="{{ headline }}")  # fmt: skip


def rows_by_table(zl, portal_id):
    with zl.engine.connect() as conn:
        return {
            table.name: conn.scalar(
                select(func.count()).select_from(table).where(table.c.portal_id == portal_id)
            )
            for table in t.TENANT_TABLES_CHILD_FIRST
        }


@pytest.fixture
def filled(zl, portal, other_portal, make_user):
    fill(zl, "acme", make_user)
    fill(zl, "globex", make_user)
    return rows_by_table(zl, portal.id), rows_by_table(zl, other_portal.id)


def test_both_portals_have_rows_in_every_tenant_table(filled):
    assert [name for rows in filled for name, n in rows.items() if n == 0] == []


def test_deleting_a_portal_removes_every_row_it_owns(zl, portal, filled):
    portals.delete_portal(zl.uow(), "acme")
    assert set(rows_by_table(zl, portal.id).values()) == {0}


def test_deleting_a_portal_removes_the_portal(zl, portal, filled):
    portals.delete_portal(zl.uow(), "acme")
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.portals.get_by_slug("acme")


def test_deleting_a_portal_keeps_every_row_of_the_other(zl, other_portal, filled):
    portals.delete_portal(zl.uow(), "acme")
    assert rows_by_table(zl, other_portal.id) == filled[1]


def test_deleting_an_unknown_portal_is_not_found(zl, portal):
    with pytest.raises(NotFound):
        portals.delete_portal(zl.uow(), "nowhere")


def test_slug_of_a_deleted_portal_can_be_used_again(zl, portal, filled):
    portals.delete_portal(zl.uow(), "acme")
    again = portals.provision_portal(zl.uow(), zl.clock, zl.hasher, slug="acme", name="Acme 2",
                                     admin_email="admin@acme.test",
                                     admin_password="correct-horse-42")  # fmt: skip
    assert again.portal.id != portal.id
