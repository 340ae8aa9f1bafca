"""Shared fixtures: a fresh core on SQLite (default) or PostgreSQL for every test.

Set ZEDLINE_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
the same suite against PostgreSQL: the schema is migrated once per run and every table is
emptied before each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from zedline import Settings, Zedline, build
from zedline.accounts import services as accounts
from zedline.accounts.model import Role, User
from zedline.clock import FixedClock
from zedline.persistence.database import make_engine
from zedline.persistence.tables import metadata
from zedline.portals import services as portals
from zedline.portals.model import Portal
from zedline.tickets import services as tickets
from zedline.tickets.model import Ticket

PG_URL = os.environ.get("ZEDLINE_TEST_DATABASE_URL")
BASE_URL = "http://testserver.local"
PASSWORD = "correct-horse-42"


def pytest_report_header() -> str:
    return f"zedline database: {'PostgreSQL' if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated once per run: a template SQLite file, or the PostgreSQL database."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
    data = tmp_path_factory.mktemp("template-data")
    zl = build(Settings(data_dir=data, database_url=url), fast_hashing=True)
    zl.upgrade_database()
    zl.close()
    return url


def _fresh_url(migrated_url: str, tmp_path: Path) -> str:
    if PG_URL:
        engine = make_engine(migrated_url)
        names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return migrated_url
    path = tmp_path / "zedline.sqlite3"
    shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> FixedClock:
    now = datetime.now(UTC).replace(microsecond=0)
    return FixedClock(now)


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=_fresh_url(migrated_url, tmp_path),
        base_url=BASE_URL,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        mail_from="Helpdesk <helpdesk@zedline.test>",
    )


@pytest.fixture
def zl(settings: Settings, clock: FixedClock) -> Iterator[Zedline]:
    core = build(settings, clock=clock, fast_hashing=True)
    yield core
    core.close()


@pytest.fixture
def portal(zl: Zedline) -> Portal:
    return portals.provision_portal(
        zl.uow(),
        zl.clock,
        zl.hasher,
        slug="acme",
        name="Acme Support",
        admin_email="admin@acme.test",
        admin_password=PASSWORD,
        admin_first_name="Ada",
        admin_last_name="Admin",
    ).portal


@pytest.fixture
def other_portal(zl: Zedline) -> Portal:
    return portals.provision_portal(
        zl.uow(),
        zl.clock,
        zl.hasher,
        slug="globex",
        name="Globex Help",
        admin_email="admin@globex.test",
        admin_password=PASSWORD,
    ).portal


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(zl: Zedline, portal: Portal) -> MakeUser:
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.CLIENT,
        *,
        slug: str | None = None,
        email: str | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        n = next(counter)
        user, _ = accounts.add_user(
            zl.uow(),
            zl.clock,
            zl.hasher,
            zl.notifier,
            slug=slug or portal.slug,
            email=email or f"{role.value}{n}@example.test",
            role=role,
            first_name=first_name,
            last_name=last_name or f"{role.value.title()}{n}",
            password=password,
        )
        return user

    return make


@pytest.fixture
def admin(zl: Zedline, portal: Portal) -> User:
    with zl.reader() as uow:
        user = uow.users.find_by_email(portal.id, "admin@acme.test")
    assert user is not None
    return user


@pytest.fixture
def operator(make_user: MakeUser) -> User:
    return make_user(Role.OPERATOR, email="olga@acme.test", first_name="Olga", last_name="Operator")


@pytest.fixture
def client(make_user: MakeUser) -> User:
    return make_user(Role.CLIENT, email="carl@client.test", first_name="Carl", last_name="Client")


@pytest.fixture
def other_client(make_user: MakeUser) -> User:
    return make_user(Role.CLIENT, email="dora@client.test", first_name="Dora", last_name="Other")


MakeTicket = Callable[..., Ticket]


@pytest.fixture
def make_ticket(zl: Zedline) -> MakeTicket:
    def make(
        requester: User,
        subject: str = "The printer jams",
        description: str = "It jams on every second page.",
        **answers: object,
    ) -> Ticket:
        return tickets.open_ticket(
            zl.uow(),
            zl.clock,
            zl.notifier,
            requester,
            {"subject": subject, "description": description, **answers},
        )

    return make
