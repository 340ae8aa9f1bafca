"""A notice to many people: rendered once, yet each mail greets its own recipient; and
delivered in batches, up to the limit asked for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zedline.accounts.model import Role
from zedline.notifications import admin as notification_admin
from zedline.notifications.services import NAME_SLOT
from zedline.persistence import tables as t
from zedline.tickets import services as tickets


@pytest.fixture
def team(make_user, operator):
    tricky = make_user(
        Role.OPERATOR, email="ann@acme.test", first_name="Ann & <Bo>", last_name="Quote"
    )
    plain = make_user(Role.OPERATOR, email="pete@acme.test", first_name="Pete")
    return [(operator, "Olga"), (tricky, "Ann &amp; &lt;Bo&gt;"), (plain, "Pete")]


@pytest.fixture
def renderings(zl, monkeypatch):
    """Counts the renderings of the built-in text."""
    calls: list[str] = []
    render = zl.notifier.render

    def counting(event, context):
        calls.append(event)
        return render(event, context)

    monkeypatch.setattr(zl.notifier, "render", counting)
    return calls


def open_request(zl, client):
    tickets.open_ticket(
        zl.uow(), zl.clock, zl.notifier, client, {"subject": "Printer", "description": "Jams."}
    )
    zl.deliver_mail()


def test_each_operator_is_greeted_by_name_in_both_parts(zl, client, team, inbox, renderings):
    open_request(zl, client)

    # One rendering for the client's acknowledgement, one for every staff notice.
    assert len(renderings) == 2
    for user, html_name in team:
        mail = inbox.one(user.email)
        assert f"Hello {user.first_name}," in mail.text
        assert f"Hello {html_name}," in mail.html
        assert NAME_SLOT not in mail.everything
    assert "Hello Carl," in inbox.one(client.email).text


def test_the_staff_notice_is_stored_once_and_the_clients_mail_whole(zl, client, team):
    tickets.open_ticket(
        zl.uow(), zl.clock, zl.notifier, client, {"subject": "Printer", "description": "Jams."}
    )

    with zl.engine.connect() as conn:
        bodies = conn.execute(select(t.outbox_bodies.c.id)).scalars().all()
        payloads = dict(conn.execute(select(t.outbox.c.recipient, t.outbox.c.payload)).all())
    # One body for the four operators' notices; the client's acknowledgement is its own.
    assert (len(bodies), len(payloads)) == (1, 5)
    mine = payloads.pop(client.email)
    assert ("body" not in mine, "Hello Carl," in mine["text"]) == (True, True)
    assert {p["body"] for p in payloads.values()} == set(bodies)
    assert not any({"text", "html"} & set(p) for p in payloads.values())
    assert {p["name"] for p in payloads.values()} == {"Olga", "Ann & <Bo>", "Pete", "Ada"}


def test_a_portal_text_is_rendered_for_each_recipient(zl, admin, client, team, inbox):
    notification_admin.save_template(
        zl.uow(),
        zl.clock,
        zl.notifier,
        admin,
        "ticket_created_staff",
        subject="New: {{ ticket.subject }}",
        body="Dear {{ user.first_name|upper }}, a request came in.",
    )
    open_request(zl, client)

    for user, _ in team:
        assert f"Dear {user.first_name.upper()}," in inbox.one(user.email).text


def test_mail_goes_out_in_batches_up_to_the_limit(zl, client, make_user, inbox):
    for n in range(23):
        make_user(Role.OPERATOR, email=f"op{n}@acme.test", first_name=f"Op{n}")
    tickets.open_ticket(
        zl.uow(), zl.clock, zl.notifier, client, {"subject": "A", "description": "B."}
    )
    queued = 1 + 23 + 1  # the client's acknowledgement, the operators' and the admin's notices

    first = zl.deliver_mail(limit=12)  # a batch of 10, then one of 2
    assert first.delivered == 12
    rest = zl.deliver_mail()
    assert rest.delivered == queued - 12
    assert len(inbox.received) == queued
    assert zl.deliver_mail().delivered == 0
