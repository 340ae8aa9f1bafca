"""Composing notifications into the outbox, and delivering the outbox."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import N_, translations
from zedline.notifications.mail import MailError, MailSender
from zedline.notifications.model import (
    NAME_SLOT,
    Channel,
    Email,
    SharedBody,
    new_message,
)
from zedline.notifications.rules import NotificationTemplate
from zedline.notifications.sandbox import TemplateProblem, safe_context
from zedline.notifications.sandbox import render as render_sandboxed
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


def _language_of(values: Mapping[str, Any] | Context) -> str:
    # A mail speaks the language of the portal it is sent from.
    portal_language = getattr(values.get("portal"), "language", None)
    return str(values.get("lang") or portal_language or DEFAULT_LANGUAGE)


def _language(ctx: Context) -> str:
    return _language_of(ctx)


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    return translations(_language(ctx)).gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return translations(_language(ctx)).ngettext(singular, plural, n)


def _environment(loader: FileSystemLoader, *, autoescape: bool, **options: Any) -> Environment:
    """Mail templates with `_()` / {% trans %} in the language of the portal that sends."""
    env = Environment(
        loader=loader,
        autoescape=autoescape,  # noqa: S701 - False only for the text/plain parts
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        **options,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SharedNotice:
    """A notice rendered once for many recipients, with `NAME_SLOT` for the first name."""

    subject: str
    body_id: int


class Notifier:
    """Renders an event's e-mail and writes it to the outbox in the caller's transaction."""

    def __init__(self, *, base_url: str, mail_from: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.mail_from = mail_from
        address = parseaddr(mail_from)[1]
        self.from_address = address if "@" in address else "support@localhost"
        self.domain = self.from_address.rsplit("@", 1)[1]
        loader = FileSystemLoader(TEMPLATES)
        self._text = _environment(
            loader,
            autoescape=False,  # text/plain parts, never shown as HTML
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # User text goes into HTML mail: always escaped.
        self._html = _environment(loader, autoescape=True)
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def portal_url(self, portal: Portal, path: str = "") -> str:
        return f"{self.base_url}/p/{portal.slug}/{path.lstrip('/')}"

    def sender(self, portal: Portal) -> str:
        """The From of a portal's mail: its name, at the platform's address."""
        return _sender(portal.name, self.from_address)

    def thread_id(self, portal: Portal, number: int) -> str:
        """The Message-ID every mail about ticket `number` refers to, so clients group them."""
        return f"<ticket-{number}.{portal.slug}.{portal.id}@{self.domain}>"

    def render(self, event: str, context: Mapping[str, Any]) -> Rendered:
        subject = self._text.get_template(f"{event}.subject.txt").render(context)
        text = self._text.get_template(f"{event}.txt").render(context)
        html = self._html.get_template(f"{event}.html").render(context)
        return Rendered(" ".join(subject.split()), _tidy(text), html)

    def render_custom(self, template: NotificationTemplate, context: Mapping[str, Any]) -> Rendered:
        """A portal's own subject and text, rendered in the sandbox with plain values only;
        the HTML part is the text in the mail layout.

        Raises:
            TemplateProblem: the template fails on this context; it must not be sent.
        """
        values = safe_context(context)
        lang = _language_of(context)
        subject = " ".join(render_sandboxed(template.subject, values, lang=lang).split())
        if not subject:
            raise TemplateProblem(None, N_("the subject is empty"))
        text = _tidy(render_sandboxed(template.body, values, lang=lang))
        paragraphs = [p.splitlines() for p in text.split("\n\n") if p.strip()]
        html = self._html.get_template("custom_notice.html").render(
            {**context, "paragraphs": paragraphs}
        )
        return Rendered(subject, text, html)

    def on_enqueue(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after a transaction that wrote mail commits (wakes a worker)."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _wake(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:  # the mail is committed; a missed wake-up only delays it
                log.exception("outbox listener failed")

    def enqueue(
        self,
        uow: UnitOfWork,
        clock: Clock,
        portal: Portal,
        *,
        to: str,
        event: str,
        context: Mapping[str, Any],
        sensitive: bool = False,
        thread: str | None = None,
        thread_root: bool = False,
        kind: str | None = None,
        custom: NotificationTemplate | None = None,
        shared: dict[tuple[str, bool], SharedNotice] | None = None,
    ) -> tuple[int, int]:
        """Render template `event` and add the mail to the outbox of the current transaction;
        returns the message's key (portal id, id).

        `thread` is the Message-ID of the conversation's root; `thread_root=True` makes this
        mail that root itself. `kind` names the occasion for the outbox (default: `event`).
        `custom` is the portal's own text for it; when it fails on this mail's values, the
        built-in text is sent instead, so a broken template never loses a notification.
        `shared` lets the mails of one event to many people share one rendering of the
        built-in text (pass the same dict for each recipient): a new request mails every
        operator, and rendering fifty notices would cost more than the request itself. The
        text and HTML are then stored once (`SharedBody`) and each message names them and
        its recipient's first name.
        """
        ctx = {"portal": portal, "portal_url": self.portal_url(portal), **context}
        rendered: Rendered | None = None
        if custom is not None:
            try:
                rendered = self.render_custom(custom, ctx)
            except TemplateProblem as exc:
                log.warning(
                    "custom template %r of portal %s failed, built-in text sent: %s",
                    custom.event,
                    portal.id,
                    exc,
                )
        now = clock.now()
        if rendered is None and shared is not None and isinstance(ctx.get("user"), User):
            # The built-in notice differs between its recipients only by the greeting's
            # name: render it once per audience, store its body once, name it per message.
            user: User = ctx["user"]
            key = (event, bool(ctx.get("for_staff")))
            once = shared.get(key)
            if once is None:
                stand_in = replace(user, first_name=NAME_SLOT)
                body = self.render(event, {**ctx, "user": stand_in})
                stored = SharedBody.of(portal.id, uow.next_id(), body.text, body.html, now)
                uow.outbox.add_body(stored)
                once = shared[key] = SharedNotice(body.subject, stored.id)
            subject = once.subject.replace(NAME_SLOT, user.first_name)
            payload: dict[str, Any] = {"body": once.body_id, "name": user.first_name}
        else:
            rendered = rendered or self.render(event, ctx)
            subject = rendered.subject
            payload = {"text": rendered.text, "html": rendered.html}
        message_id = uow.next_id()
        headers: dict[str, str] = {}
        if thread and thread_root:
            headers["Message-ID"] = thread
        else:
            # Stored with the message, so a retried delivery keeps its Message-ID and a
            # mail client drops the duplicate.
            headers["Message-ID"] = f"<m{message_id}.{portal.id}@{self.domain}>"
            if thread:
                headers["In-Reply-To"] = thread
                headers["References"] = thread
        uow.outbox.add(
            new_message(
                portal_id=portal.id,
                message_id=message_id,
                channel=Channel.EMAIL,
                recipient=to,
                subject=subject[:998],
                payload={**payload, "sender": self.sender(portal), "headers": headers},
                at=now,
                event=(kind or event)[:64],
                sensitive=sensitive,
            )
        )
        uow.after_commit(self._wake)
        return portal.id, message_id


@lru_cache(maxsize=4096)
def _sender(name: str, address: str) -> str:
    return str(Address(display_name=name, addr_spec=address))


SIGNATURE = "-- "


def _tidy(text: str) -> str:
    """No trailing blanks and at most one empty line in a row, for a clean text part."""
    # The signature separator keeps its trailing space: mail clients recognise it by that.
    lines = [line if line == SIGNATURE else line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retrying: int
    failed: int

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.failed


class Route(Protocol):
    """A portal's own way out: the adapter that sends and the From it writes (None: as queued)."""

    @property
    def sender(self) -> MailSender: ...

    @property
    def from_header(self) -> str | None: ...


RouteFinder = Callable[[UnitOfWork, int], Route | None]


# How long a claimed message is hidden from other workers while it is being sent. A worker
# that dies mid-send leaves it to be sent again after this: at least once, never never.
LEASE = timedelta(minutes=5)


def deliver_outbox(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    sender: MailSender,
    *,
    default_sender: str,
    limit: int = 50,
    routes: RouteFinder | None = None,
    batch: int = 10,
) -> DeliveryReport:
    """Send what is due, at least once, up to `limit` messages.

    Messages are claimed `batch` at a time by pushing their next attempt a lease into the
    future and committing; they are sent outside any transaction (an SMTP server may be slow,
    and SQLite must not hold its write lock meanwhile); the results of a batch are recorded
    in a second transaction. Two short writes per batch rather than per message keep the
    database's write lock free for the people using the helpdesk while a big notice goes
    out. A process that dies between the two leaves those messages to be sent again when the
    lease runs out (each keeps its Message-ID, so mail clients drop the duplicate).

    `routes(uow, portal_id)` names a portal's own way out (its SMTP server and From), or None
    for `sender`; it is asked in the claiming transaction, for every message, so a changed
    setting applies to the very next mail.
    """
    delivered = retrying = failed = handled = 0
    while handled < limit:
        claimed = _claim(uow_factory, clock, routes, min(batch, limit - handled))
        if not claimed:
            break
        handled += len(claimed)
        results: list[tuple[tuple[int, int], MailError | None]] = []
        for key, email, problem, route in claimed:
            via, outgoing = sender, email
            if route is not None:
                via = route.sender
                if email is not None and route.from_header:
                    outgoing = replace(email, sender=route.from_header)
            results.append(
                (key, problem or _send(via, outgoing, default_sender=default_sender, key=key))
            )
        with uow_factory() as uow:
            for key, error in results:
                message = uow.outbox.get(*key)
                if not message.pending:
                    continue  # another worker finished it after our lease ran out
                if error is None:
                    message.mark_delivered(clock.now())
                    delivered += 1
                    continue
                message.mark_failed(str(error), clock.now(), permanent=error.permanent)
                if message.failed_at is not None:
                    failed += 1
                    log.warning(
                        "gave up outbox message %s of portal %s after %s attempt(s): %s",
                        message.id,
                        message.portal_id,
                        message.attempts,
                        error,
                    )
                else:
                    retrying += 1
                    log.info(
                        "outbox message %s of portal %s not delivered (attempt %s), "
                        "next try at %s: %s",
                        message.id,
                        message.portal_id,
                        message.attempts,
                        message.next_attempt_at.isoformat(),
                        error,
                    )
            uow.commit()
    return DeliveryReport(delivered, retrying, failed)


Claimed = tuple[tuple[int, int], Email | None, MailError | None, Route | None]


def _claim(
    uow_factory: Callable[[], UnitOfWork], clock: Clock, routes: RouteFinder | None, n: int
) -> list[Claimed]:
    claimed: list[Claimed] = []
    with uow_factory() as uow:
        due = uow.outbox.due_on(Channel.EMAIL, clock.now(), n)
        bodies = uow.outbox.bodies((m.portal_id, m.body_id) for m in due)
        for message in due:
            message.next_attempt_at = clock.now() + LEASE
            email: Email | None = None
            problem: MailError | None = None
            route: Route | None = None
            try:
                email = message.email(bodies.get((message.portal_id, message.body_id)))
            except ValueError as exc:
                problem = MailError(str(exc), permanent=True)
            if routes is not None and problem is None:
                try:
                    route = routes(uow, message.portal_id)
                except MailError as exc:
                    problem = exc
            claimed.append(((message.portal_id, message.id), email, problem, route))
        uow.commit()
    return claimed


def _send(
    sender: MailSender, email: Email | None, *, default_sender: str, key: tuple[int, int]
) -> MailError | None:
    if email is None:
        return MailError("nothing to send", permanent=True)
    try:
        sender.send(email, default_sender=default_sender)
    except MailError as exc:
        return exc
    except Exception as exc:
        # A bug in an adapter must not stop the queue: this message retries with backoff
        # and is given up after MAX_ATTEMPTS; the others go on.
        log.exception("mail adapter failed on outbox message %s of portal %s", key[1], key[0])
        return MailError(f"{type(exc).__name__}: {exc}")
    return None
