"""`zedline demo`, the demo generator behind it, and the banner of `serve --demo`."""

from __future__ import annotations

from sqlalchemy import func, select

from zedline.accounts import services as accounts
from zedline.demo import DEMO_PASSWORD, ensure_demo_portal, logins_for
from zedline.persistence import tables as t
from zedline_cli.commands.serve import demo_banner, public_host


def portal_id(db, slug="demo"):
    with db.connect() as conn:
        return conn.scalar(select(t.portals.c.id).where(t.portals.c.slug == slug))


def fingerprint(db, slug="demo"):
    """What a run made, with times relative to the first ticket (the data ends "now")."""
    pid = portal_id(db, slug)
    with db.connect() as conn:
        tickets = conn.execute(
            select(
                t.tickets.c.number,
                t.tickets.c.subject,
                t.tickets.c.category,
                t.tickets.c.created_at,
                t.tickets.c.rating,
            )
            .where(t.tickets.c.portal_id == pid)
            .order_by(t.tickets.c.number)
        ).all()
        bodies = conn.execute(
            select(t.tickets.c.number, t.messages.c.body)
            .join(
                t.tickets,
                (t.tickets.c.portal_id == t.messages.c.portal_id)
                & (t.tickets.c.id == t.messages.c.ticket_id),
            )
            .where(t.messages.c.portal_id == pid)
            .order_by(t.tickets.c.number, t.messages.c.created_at, t.messages.c.body)
        ).all()
    start = tickets[0].created_at
    return [(*row[:3], row.created_at - start, row.rating) for row in tickets], bodies


def test_demo_makes_the_tickets_numbered_without_gaps(cli, db):
    result = cli("demo", "--tickets", "300")
    assert result.exit_code == 0, result.output
    pid = portal_id(db)
    with db.connect() as conn:
        numbers = conn.scalars(
            select(t.tickets.c.number)
            .where(t.tickets.c.portal_id == pid)
            .order_by(t.tickets.c.number)
        ).all()
        seq = conn.scalar(select(t.portals.c.ticket_seq).where(t.portals.c.id == pid))
    assert numbers == list(range(1, 301))
    assert seq == 300


def test_demo_tickets_use_the_portals_statuses(cli, db):
    cli("demo", "--tickets", "300")
    pid = portal_id(db)
    with db.connect() as conn:
        statuses = dict(
            conn.execute(
                select(t.statuses.c.id, t.statuses.c.category).where(t.statuses.c.portal_id == pid)
            ).all()
        )
        rows = conn.execute(
            select(t.tickets.c.status_id, t.tickets.c.category).where(t.tickets.c.portal_id == pid)
        ).all()
    assert all(statuses[status_id] == category for status_id, category in rows)
    # Realistic: most of the history is closed, and some requests are still being worked.
    categories = [category.value for _, category in rows]
    assert categories.count("closed") > len(rows) // 2
    assert {"new", "open"} <= set(categories)


def test_demo_messages_belong_to_tickets_of_the_same_portal(cli, db):
    cli("demo", "--tickets", "300", "--portals", "2")
    with db.connect() as conn:
        orphans = conn.scalar(
            select(func.count())
            .select_from(t.messages)
            .outerjoin(
                t.tickets,
                (t.tickets.c.portal_id == t.messages.c.portal_id)
                & (t.tickets.c.id == t.messages.c.ticket_id),
            )
            .where(t.tickets.c.id.is_(None))
        )
        per_ticket = conn.scalar(
            select(func.count())
            .select_from(t.messages)
            .where(t.messages.c.portal_id == portal_id(db))
        )
    assert orphans == 0
    assert per_ticket >= 300


def test_demo_timestamps_tell_a_consistent_story(cli, db):
    cli("demo", "--tickets", "300")
    with db.connect() as conn:
        rows = conn.execute(select(t.tickets).where(t.tickets.c.portal_id == portal_id(db))).all()
    for row in rows:
        steps = [row.created_at, row.first_response_at, row.resolved_at, row.closed_at]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), row.number
        assert row.updated_at >= max(present)
        assert (row.closed_at is not None) == (row.category.value == "closed")
        assert (row.assignee_id is None) == (row.category.value == "new")


def test_demo_is_reproducible_with_the_same_seed(cli, db):
    cli("demo", "--tickets", "300", "--seed", "7")
    first = fingerprint(db)
    assert cli("portal", "delete", "demo", "--yes").exit_code == 0
    cli("demo", "--tickets", "300", "--seed", "7")
    assert fingerprint(db) == first


def test_a_different_seed_gives_different_data(cli, db):
    cli("demo", "--tickets", "300", "--seed", "7")
    first = fingerprint(db)
    cli("portal", "delete", "demo", "--yes")
    cli("demo", "--tickets", "300", "--seed", "8")
    assert fingerprint(db) != first


def test_small_portals_get_twenty_tickets_each(cli, db):
    result = cli("demo", "--tickets", "300", "--portals", "3")
    assert result.exit_code == 0, result.output
    with db.connect() as conn:
        counts = dict(
            conn.execute(
                select(t.portals.c.slug, t.portals.c.ticket_seq).order_by(t.portals.c.slug)
            ).all()
        )
    assert counts == {"demo": 300, "demo-2": 20, "demo-3": 20}


def test_running_demo_twice_adds_nothing(cli, db):
    cli("demo", "--tickets", "300")
    result = cli("demo", "--tickets", "300")
    assert result.exit_code == 0
    assert "Portal 'demo' already exists; nothing was added to it." in result.stdout
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.tickets)) == 300


def test_demo_refuses_zero_tickets(cli):
    result = cli("demo", "--tickets", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--tickets'" in result.output


def test_attachments_point_at_real_files(zl, db, settings):
    ensure_demo_portal(zl, tickets=300)
    with db.connect() as conn:
        keys = conn.scalars(select(t.attachments.c.storage_key)).all()
    assert keys
    assert all((settings.data_dir / "files" / key).is_file() for key in keys)


def test_demo_logins_work(zl):
    logins = ensure_demo_portal(zl)
    for address in (logins.admin_email, logins.operator_email, logins.client_email):
        user = accounts.authenticate(
            zl.uow(), zl.clock, zl.hasher, slug="demo", email=address, password=DEMO_PASSWORD
        )
        assert user.email == address


def test_ensure_demo_portal_reuses_an_existing_demo(zl, db):
    ensure_demo_portal(zl, tickets=40)
    ensure_demo_portal(zl, tickets=40)
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.tickets)) == 40


def test_banner_shows_url_and_logins():
    banner = demo_banner("http://127.0.0.1:8000", logins_for("demo"))
    assert "http://127.0.0.1:8000/p/demo/" in banner
    lines = {line.split()[0]: line.split()[1:] for line in banner.splitlines() if line.strip()}
    assert lines["Admin"] == ["admin@demo.example.com", "password:", DEMO_PASSWORD]
    assert lines["Operator"] == ["operator@demo.example.com", "password:", DEMO_PASSWORD]
    assert lines["Client"] == ["client@demo.example.com", "password:", DEMO_PASSWORD]


def test_links_never_point_at_a_wildcard_address():
    wildcard = "0.0.0.0"  # noqa: S104 - the wildcard is the input here
    assert public_host(wildcard) == "127.0.0.1"
    assert public_host("::1") == "[::1]"
    assert public_host("helpdesk.local") == "helpdesk.local"


def test_bulk_rows_are_stored_like_the_orm_stores_them(zl, db):
    ensure_demo_portal(zl, tickets=40)
    with db.connect() as conn:
        portal = conn.execute(select(t.portals.c.created_at)).scalar_one()
        # Read back without the column type, so the stored form itself is compared.
        raw = conn.exec_driver_sql("SELECT created_at, category FROM tickets").first()
    assert raw is not None
    assert isinstance(raw[1], str)
    if db.dialect.name == "sqlite":
        assert len(raw[0]) == len(portal.replace(tzinfo=None).isoformat(" ", "microseconds"))
    else:
        assert raw[0].tzinfo is not None
