"""The schema itself: the migration matches the models, and the database guards tenancy."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from zedline.accounts.model import Role
from zedline.persistence import tables as t
from zedline.persistence.ids import NODE_BITS, NODE_MASK, SEQ_BITS, IdGenerator
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility

# Full-text search lives in raw SQL of its own migration (FTS5 tables and their shadow tables
# on SQLite, GIN expression indexes on PostgreSQL), deliberately outside the models.
OUTSIDE_THE_MODELS = ("tickets_fts", "messages_fts", "ix_tickets_fts", "ix_messages_fts")


def _modelled(name, _type, _parent):
    return not (name or "").startswith(OUTSIDE_THE_MODELS)


def test_migrated_database_matches_the_models(zl):
    with zl.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _modelled}
        )
        diff = compare_metadata(context, t.metadata)
    assert diff == []


def test_sqlite_enforces_foreign_keys(zl):
    if zl.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite pragma")
    with zl.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgresql_runs_joins_as_written_and_without_jit(zl):
    # The hot queries write their joins in the order that uses the right index; the
    # planner is not asked to search for another (see `database.make_engine`).
    if zl.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    with zl.engine.connect() as conn:
        settings = [
            conn.exec_driver_sql(f"SHOW {name}").scalar() for name in ("join_collapse_limit", "jit")
        ]
    assert settings == ["1", "off"]


def test_every_tenant_table_is_deleted_with_its_portal():
    tenant = {table for table in t.metadata.tables.values() if "portal_id" in table.c}
    assert tenant == set(t.TENANT_TABLES_CHILD_FIRST)


@pytest.fixture
def two_tickets(zl, other_portal, client, make_user, make_ticket):
    """(ticket of acme, ticket of globex)."""
    foreign_client = make_user(Role.CLIENT, slug="globex", email="g@client.test")
    return make_ticket(client), make_ticket(foreign_client)


def insert_message(zl, portal_id, ticket_id, author_id):
    with zl.engine.begin() as conn:
        conn.execute(
            insert(t.messages).values(
                portal_id=portal_id, id=zl.ids.next_id(), ticket_id=ticket_id,
                author_id=author_id, visibility=Visibility.PUBLIC, body="x",
                created_at=zl.clock.now(),
            )
        )  # fmt: skip


def test_message_row_pointing_into_its_own_portal_is_stored(zl, two_tickets, client):
    insert_message(zl, client.portal_id, two_tickets[0].id, client.id)
    with zl.engine.connect() as conn:
        count = conn.scalar(
            select(func.count())
            .select_from(t.messages)
            .where(t.messages.c.ticket_id == two_tickets[0].id)
        )
    assert count == 2  # the description and the inserted row


def test_database_refuses_a_message_pointing_into_another_portal(zl, two_tickets, client):
    with pytest.raises(IntegrityError):
        insert_message(zl, client.portal_id, two_tickets[1].id, client.id)


# -- ids ------------------------------------------------------------------------------------------


def node_of(row_id):
    return (row_id >> SEQ_BITS) & NODE_MASK


@pytest.fixture
def generated(zl):
    """Ids from two generators of one process, taken in turns."""
    first, second = IdGenerator(zl.engine), IdGenerator(zl.engine)
    ids = {first: [], second: []}
    for _ in range(2_000):
        for gen in (first, second):
            ids[gen].append(gen.next_id())
    return list(ids.values())


def test_two_generators_lease_different_nodes(generated):
    assert node_of(generated[0][0]) != node_of(generated[1][0])


def test_ids_of_two_generators_are_unique(generated):
    every = generated[0] + generated[1]
    assert len(set(every)) == len(every)


def test_ids_of_each_generator_increase(generated):
    assert all(ids == sorted(ids) and len(set(ids)) == len(ids) for ids in generated)


def test_ids_fit_in_a_signed_64_bit_column(generated):
    assert max(generated[0] + generated[1]) < 2**63


def test_ids_are_time_ordered_across_generators(zl, generated):
    later = IdGenerator(zl.engine).next_id()
    assert later >> (NODE_BITS + SEQ_BITS) >= max(generated[0] + generated[1]) >> (
        NODE_BITS + SEQ_BITS
    )


def test_ids_of_rows_written_by_a_use_case_are_unique(zl, make_ticket, client, operator):
    ticket = make_ticket(client)
    for i in range(5):
        tickets.post_message(zl.uow(), zl.clock, zl.notifier, operator, ticket.number,
                             body=f"reply {i}", visibility=Visibility.PUBLIC)  # fmt: skip
    with zl.reader() as uow:
        ids = [m.id for m in uow.messages.list_for(operator, ticket)]
    assert len(set(ids)) == 6
