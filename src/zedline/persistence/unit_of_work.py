"""The unit of work: one transaction, rolled back unless the use case commits."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from zedline.errors import ConcurrentChange, Conflict
from zedline.live import Change
from zedline.persistence import repositories as r
from zedline.persistence.database import WRITE_OPTION
from zedline.persistence.ids import IdGenerator
from zedline.persistence.numbers import IN_TRANSACTION, TicketNumbers

STALE_MESSAGE = "someone else changed this request at the same time; reload and try again"


class UnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit rolls back.

    `readonly=True` opens a reading transaction (on SQLite a deferred one, so page loads
    never wait for the write lock).
    """

    session: Session

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ids: IdGenerator,
        *,
        readonly: bool = False,
        publish: Callable[[list[Change]], None] | None = None,
        numbers: TicketNumbers | None = None,
    ) -> None:
        self._ids = ids
        # Without its own ticket counter (an embedding app's unit of work), numbers are
        # taken inside the transaction, as on SQLite.
        self._numbers = numbers or IN_TRANSACTION
        self._publish = publish
        self._changes: list[Change] = []
        self.readonly = readonly
        self._factory = sessions
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> Self:
        if not self.readonly:
            # Leased before the transaction opens: on SQLite a second connection could not
            # write while this one holds the write lock.
            self._ids.ensure_node()
        self.session = self._factory()
        self._after_commit = []
        self._changes = []
        self.portals = r.PortalRepository(self.session, self._numbers)
        self.users = r.UserRepository(self.session)
        self.invitations = r.InvitationRepository(self.session)
        self.password_resets = r.PasswordResetRepository(self.session)
        self.statuses = r.StatusRepository(self.session)
        self.form_fields = r.FormFieldRepository(self.session)
        self.tickets = r.TicketRepository(self.session)
        self.messages = r.MessageRepository(self.session)
        self.attachments = r.AttachmentRepository(self.session)
        self.reminders = r.ReminderRepository(self.session)
        self.outbox = r.OutboxRepository(self.session)
        self.mail_settings = r.PortalMailSettingsRepository(self.session)
        self.notification_rules = r.NotificationRuleRepository(self.session)
        self.notification_templates = r.NotificationTemplateRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.readonly and self.session.in_transaction():
            # Uncommitted writes are undone, and what they touched is expired.
            self.rollback()
        # Closing ends any reading transaction without expiring what was loaded, so objects
        # read in the block stay usable (detached) after it.
        self.session.close()
        self._after_commit = []
        self._changes = []
        # A flush before commit (a repository's add, an autoflush before a query) meets the
        # same refusals as the commit itself and must give the same answer, not a 500.
        if isinstance(exc, IntegrityError):
            raise Conflict(_integrity_message(exc)) from exc
        if isinstance(exc, StaleDataError):
            raise ConcurrentChange(STALE_MESSAGE) from exc

    def next_id(self) -> int:
        return self._ids.next_id()

    def take_ids(self, n: int) -> list[int]:
        return self._ids.take(n)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the transaction has committed (live updates, waking workers)."""
        self._after_commit.append(callback)

    def announce(self, change: Change) -> None:
        """Tell live watchers about `change` once (and only if) this transaction commits."""
        self._changes.append(change)

    def flush(self) -> None:
        try:
            self.outbox.write_new()
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(_integrity_message(exc)) from exc

    def commit(self) -> None:
        """Commit, turning database refusals into Conflict.

        Raises:
            Conflict: a unique or foreign key refused the change, or another writer changed
                the same ticket first (optimistic locking).
        """
        try:
            self.outbox.write_new()
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(_integrity_message(exc)) from exc
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrentChange(STALE_MESSAGE) from exc
        except OperationalError as exc:
            self.session.rollback()
            if "database is locked" in str(exc):
                raise Conflict("the database is busy; try again in a moment") from exc
            raise
        callbacks, self._after_commit = self._after_commit, []
        changes, self._changes = self._changes, []
        if changes and self._publish is not None:
            self._publish(changes)
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []
        self._changes = []


def _integrity_message(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "slug" in text:
        return "a portal with this slug already exists"
    if "email" in text:
        return "a user with this e-mail already exists in this portal"
    if "number" in text:
        return "that ticket number is taken; try again"
    if "foreign key" in text:
        return "the change refers to something that does not exist in this portal"
    return "the change conflicts with existing data"


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(writing, reading) session factories; made once, in bootstrap."""
    writing = sessionmaker(
        bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
    )
    reading = sessionmaker(bind=engine, expire_on_commit=False)
    return writing, reading
