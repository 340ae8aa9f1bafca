"""The composition root: the only place where engines, mappers and adapters are created."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from zedline.accounts.passwords import PasswordHasher
from zedline.clock import Clock, SystemClock
from zedline.config import Settings
from zedline.files import FileStore, LocalFileStore
from zedline.live import Change, InMemoryBus, LiveBus, RedisBus
from zedline.notifications.mail import FileMailSender, MailSender, SmtpMailSender
from zedline.notifications.services import DeliveryReport, Notifier, deliver_outbox
from zedline.persistence.database import make_engine
from zedline.persistence.ids import IdGenerator
from zedline.persistence.mapping import start_mappers
from zedline.persistence.numbers import TicketNumbers
from zedline.persistence.unit_of_work import UnitOfWork, session_factories
from zedline.portals.mail_settings import portal_mail_route
from zedline.secrets import SecretBox
from zedline.tickets.services import FileLimits

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "persistence" / "migrations"


@dataclass
class Zedline:
    """Everything a use case needs, built once. An embedding app keeps one of these."""

    settings: Settings
    engine: Engine
    clock: Clock
    hasher: PasswordHasher
    notifier: Notifier
    mailer: MailSender
    files: FileStore
    live: LiveBus
    ids: IdGenerator
    # Encrypts what the platform keeps for portals (their SMTP passwords).
    secrets: SecretBox
    writing_sessions: sessionmaker[Session] = field(repr=False)
    reading_sessions: sessionmaker[Session] = field(repr=False)
    # Each portal's ticket counter (on PostgreSQL with connections of its own).
    numbers: TicketNumbers = field(repr=False)

    def uow(self) -> UnitOfWork:
        """A writing unit of work; use it as `with zl.uow() as uow: ...; uow.commit()`."""
        return UnitOfWork(
            self.writing_sessions, self.ids, publish=self._publish, numbers=self.numbers
        )

    def reader(self) -> UnitOfWork:
        """A reading unit of work for pages and queries (never waits for the write lock)."""
        return UnitOfWork(self.reading_sessions, self.ids, readonly=True)

    @property
    def file_limits(self) -> FileLimits:
        return FileLimits(max_bytes=self.settings.max_upload_bytes)

    def _publish(self, changes: list[Change]) -> None:
        self.live.publish(changes)

    def deliver_mail(self, limit: int = 50) -> DeliveryReport:
        return deliver_outbox(
            self.uow,
            self.clock,
            self.mailer,
            default_sender=self.settings.mail_from,
            limit=limit,
            routes=partial(portal_mail_route, self.secrets),
        )

    def upgrade_database(self) -> None:
        """Bring the schema to the newest migration (creates it on an empty database)."""
        upgrade(self.engine)

    def schema_is_current(self) -> bool:
        return current_revision(self.engine) == head_revision()

    def close(self) -> None:
        self.live.close()
        self.numbers.close()
        self.engine.dispose()


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    mailer: MailSender | None = None,
    fast_hashing: bool = False,
) -> Zedline:
    """Create the engine, mappers, unit-of-work factories, mail, files and live adapters.

    Raises:
        pydantic.ValidationError: the settings (environment or .env) are invalid.
    """
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    start_mappers()
    engine = make_engine(settings.resolved_database_url(), echo=settings.echo_sql)
    if mailer is None:
        if settings.smtp.host:
            mailer = SmtpMailSender(
                settings.smtp.host,
                settings.smtp.port,
                username=settings.smtp.username,
                password=settings.smtp.password.get_secret_value()
                if settings.smtp.password
                else None,
                starttls=settings.smtp.starttls,
                use_ssl=settings.smtp.ssl,
                timeout=settings.smtp.timeout,
            )
        else:
            mailer = FileMailSender(settings.mail_dir)
    live: LiveBus = RedisBus(settings.redis_url) if settings.redis_url else InMemoryBus()
    writing, reading = session_factories(engine)
    return Zedline(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        hasher=PasswordHasher(fast=fast_hashing),
        notifier=Notifier(base_url=settings.base_url, mail_from=settings.mail_from),
        mailer=mailer,
        files=LocalFileStore(settings.files_dir),
        live=live,
        ids=IdGenerator(engine),
        secrets=SecretBox(settings.resolved_secret_key()),
        writing_sessions=writing,
        reading_sessions=reading,
        numbers=TicketNumbers(engine),
    )


def _alembic_config(engine: Engine) -> object:
    from alembic.config import Config  # noqa: PLC0415 - only needed for migrations

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    from alembic import command  # noqa: PLC0415

    command.upgrade(_alembic_config(engine), "head")  # type: ignore[arg-type]


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
