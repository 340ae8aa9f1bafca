"""A portal's own outgoing mail server: the sender its people see and the SMTP server it uses.

Without own settings a portal's mail goes through the platform's server, from the platform's
address with the portal's name. The SMTP password is kept encrypted (`zedline.secrets`) and is
never shown again, never logged and never part of a repr.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.utils import parseaddr
from typing import TYPE_CHECKING

from zedline.accounts.model import User
from zedline.clock import Clock
from zedline.errors import InvalidInput
from zedline.i18n import N_, gettext_for
from zedline.notifications.mail import (
    FileMailSender,
    MailError,
    MailSender,
    SmtpMailSender,
)
from zedline.notifications.model import Email
from zedline.secrets import SecretBox, SecretError

if TYPE_CHECKING:
    # Only for annotations: the schema (persistence.tables) imports this module's enum,
    # and the unit of work imports the schema.
    from zedline.persistence.unit_of_work import UnitOfWork

MAX_NAME = 120
MAX_ADDRESS = 254
MAX_HOST = 253
MAX_USERNAME = 255
MAX_PASSWORD = 255
# A test e-mail answers while the admin waits for the page: a short timeout.
TEST_TIMEOUT = 10.0
DELIVERY_TIMEOUT = 20.0
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$")
_IPV6_RE = re.compile(r"^\[?[0-9A-Fa-f:.]+\]?$")
_EMAIL_RE = re.compile(
    r"^[^@\s<>\"(),;:\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$"
)


class Security(enum.StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


@dataclass(eq=False)
class PortalMailSettings:
    portal_id: int
    sender_name: str
    sender_address: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    # Fernet token; "" when no password is kept. Hidden from repr like the password itself.
    smtp_password_encrypted: str = field(repr=False)
    security: Security
    updated_at: datetime

    @property
    def has_password(self) -> bool:
        return bool(self.smtp_password_encrypted)

    def from_header(self, fallback_name: str = "") -> str:
        """The From of the portal's mail: `"Sender name" <address>`."""
        local, domain = self.sender_address.rsplit("@", 1)
        name = self.sender_name or fallback_name
        return str(Address(display_name=name, username=local, domain=domain))

    def describe(self) -> str:
        return f"{self.smtp_host}:{self.smtp_port}"

    def mailer(self, box: SecretBox, *, timeout: float = DELIVERY_TIMEOUT) -> SmtpMailSender:
        """An SMTP sender for these settings.

        Raises:
            SecretError: the stored password cannot be decrypted (the platform secret changed).
        """
        password = box.decrypt(self.smtp_password_encrypted) if self.has_password else None
        return SmtpMailSender(
            self.smtp_host,
            self.smtp_port,
            username=self.smtp_username or None,
            password=password,
            starttls=self.security is Security.STARTTLS,
            use_ssl=self.security is Security.SSL,
            timeout=timeout,
        )


@dataclass(frozen=True)
class MailSettingsInput:
    """What the admin typed. `password` empty keeps the saved one unless `remove_password`."""

    sender_name: str = ""
    sender_address: str = ""
    smtp_host: str = ""
    smtp_port: str = ""
    smtp_username: str = ""
    password: str = field(default="", repr=False)
    remove_password: bool = False
    security: str = Security.NONE.value


@dataclass(frozen=True)
class MailSettingsView:
    """The settings as a page may show them: never the password, only whether one is kept."""

    sender_name: str
    sender_address: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    security: Security
    has_password: bool
    updated_at: datetime


@dataclass(frozen=True)
class TestResult:
    ok: bool
    # "accepted by smtp.example.com:587", or the server's refusal / the connection error.
    answer: str
    to: str
    through: str


@dataclass(frozen=True)
class MailRoute:
    """How one portal's mail leaves: the sender adapter and the From it uses (None: unchanged)."""

    sender: MailSender
    from_header: str | None


def _one_line(value: str) -> str:
    return " ".join(value.split())


def valid_address(value: str) -> bool:
    return len(value) <= MAX_ADDRESS and bool(_EMAIL_RE.fullmatch(value))


def _validate_sender(data: MailSettingsInput, errors: dict[str, str]) -> tuple[str, str]:
    name = _one_line(data.sender_name)
    if len(name) > MAX_NAME:
        errors["sender_name"] = N_(
            "the sender name is longer than %(max)s characters", max=MAX_NAME
        )
    address = data.sender_address.strip()
    if not address:
        errors["sender_address"] = N_("enter the address your mail is sent from")
    elif not valid_address(address):
        errors["sender_address"] = N_(
            "“%(address)s” is not an e-mail address", address=address[:80]
        )
    return name, address


def _validate_server(data: MailSettingsInput, errors: dict[str, str]) -> tuple[str, int]:
    host = data.smtp_host.strip()
    if not host:
        errors["smtp_host"] = N_("enter the SMTP server's host name")
    elif len(host) > MAX_HOST or not (_HOST_RE.fullmatch(host) or _IPV6_RE.fullmatch(host)):
        errors["smtp_host"] = N_("enter a host name such as smtp.example.com, without a port")
    raw_port = data.smtp_port.strip()
    if not raw_port:
        errors["smtp_port"] = N_("enter the SMTP port (587 for STARTTLS, 465 for SSL, 25 for none)")
        return host, 0
    if not raw_port.isdigit() or not 1 <= int(raw_port[:6]) <= 65535:  # noqa: PLR2004
        errors["smtp_port"] = N_("the port is a number from 1 to 65535")
        return host, 0
    return host, int(raw_port)


def _validate(data: MailSettingsInput) -> tuple[str, str, str, int, str, Security]:
    errors: dict[str, str] = {}
    name, address = _validate_sender(data, errors)
    host, port = _validate_server(data, errors)
    username = data.smtp_username.strip()
    if len(username) > MAX_USERNAME or "\n" in username:
        errors["smtp_username"] = N_(
            "the user name is longer than %(max)s characters", max=MAX_USERNAME
        )
    if len(data.password) > MAX_PASSWORD or any(c in data.password for c in "\r\n"):
        errors["password"] = N_("the password is longer than %(max)s characters", max=MAX_PASSWORD)
    try:
        security = Security(data.security)
    except ValueError:
        errors["security"] = N_("choose none, STARTTLS or SSL")
        security = Security.NONE
    if errors:
        raise InvalidInput(errors)
    return name, address, host, port, username, security


def _view(settings: PortalMailSettings) -> MailSettingsView:
    return MailSettingsView(
        sender_name=settings.sender_name,
        sender_address=settings.sender_address,
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        smtp_username=settings.smtp_username,
        security=settings.security,
        has_password=settings.has_password,
        updated_at=settings.updated_at,
    )


def mail_settings(uow: UnitOfWork, actor: User) -> MailSettingsView | None:
    """The portal's own settings, or None when it uses the platform's.

    Raises:
        PermissionDenied: the actor is not an admin.
    """
    actor.require_admin("see the mail settings")
    with uow:
        found = uow.mail_settings.get(actor.portal_id)
        return _view(found) if found is not None else None


def save_mail_settings(
    uow: UnitOfWork, clock: Clock, box: SecretBox, actor: User, data: MailSettingsInput
) -> MailSettingsView:
    """Create or change the portal's own mail settings.

    Raises:
        PermissionDenied: the actor is not an admin.
        InvalidInput: a field is bad (keyed by the input's field names); nothing is changed.
    """
    actor.require_admin("change the mail settings")
    name, address, host, port, username, security = _validate(data)
    with uow:
        settings = uow.mail_settings.get(actor.portal_id)
        if settings is None:
            settings = PortalMailSettings(
                portal_id=actor.portal_id,
                sender_name=name,
                sender_address=address,
                smtp_host=host,
                smtp_port=port,
                smtp_username=username,
                smtp_password_encrypted="",
                security=security,
                updated_at=clock.now(),
            )
            uow.mail_settings.add(settings)
        settings.sender_name = name
        settings.sender_address = address
        settings.smtp_host = host
        settings.smtp_port = port
        settings.smtp_username = username
        settings.security = security
        settings.updated_at = clock.now()
        if data.password:
            settings.smtp_password_encrypted = box.encrypt(data.password)
        elif data.remove_password:
            settings.smtp_password_encrypted = ""
        view = _view(settings)
        uow.commit()
    return view


def use_platform_mail(uow: UnitOfWork, actor: User) -> bool:
    """Forget the portal's own settings (and password); its mail goes through the platform's.

    Returns whether there were settings to forget.

    Raises:
        PermissionDenied: the actor is not an admin.
    """
    actor.require_admin("change the mail settings")
    with uow:
        removed = uow.mail_settings.delete(actor.portal_id)
        uow.commit()
    return removed


def portal_mail_route(box: SecretBox, uow: UnitOfWork, portal_id: int) -> MailRoute | None:
    """The way out for mail of `portal_id`: its own server, or None for the platform's.

    Raises:
        MailError (temporary): the portal's stored password cannot be decrypted.
    """
    settings = uow.mail_settings.get(portal_id)
    if settings is None:
        return None
    try:
        mailer = settings.mailer(box)
    except SecretError as exc:
        raise MailError(
            "the portal's SMTP password cannot be decrypted; enter it again in the mail settings"
        ) from exc
    return MailRoute(sender=mailer, from_header=settings.from_header())


def _platform_answer(mailer: MailSender) -> str:
    if isinstance(mailer, SmtpMailSender):
        return f"accepted by {mailer.host}:{mailer.port}"
    if isinstance(mailer, FileMailSender):
        return "written to the platform's mail folder (the platform has no SMTP server set)"
    return "accepted by the platform's mail adapter"


def send_test_email(
    uow: UnitOfWork,
    box: SecretBox,
    actor: User,
    *,
    platform_mailer: MailSender,
    platform_sender: str,
    to: str = "",
) -> TestResult:
    """Send a test e-mail now, through the portal's server (or the platform's), and report
    what the server answered. No transaction is open while the server is talked to.

    Raises:
        PermissionDenied: the actor is not an admin.
        InvalidInput: `to` is not an e-mail address (field `to`).
    """
    actor.require_admin("send a test e-mail")
    to = to.strip() or actor.email
    if not valid_address(to):
        raise InvalidInput({"to": N_("“%(address)s” is not an e-mail address", address=to[:80])})
    with uow:
        portal = uow.portals.get(actor.portal_id)
        settings = uow.mail_settings.get(actor.portal_id)
        portal_name = portal.name
        lang = portal.language
    values = {"portal": portal_name, "name": actor.first_name}
    email = Email(
        to=to,
        subject=gettext_for(lang, "Test e-mail from %(portal)s") % values,
        text=gettext_for(
            lang,
            "Hello %(name)s,\n\nThis is a test e-mail from the %(portal)s helpdesk. If you read"
            " this, its mail settings work.\n",
        )
        % values,
    )
    if settings is None:
        through = "the platform's mail server"
        mailer = platform_mailer
        answer_ok = _platform_answer(platform_mailer)
        email = Email(
            to=email.to,
            subject=email.subject,
            text=email.text,
            sender=_with_name(platform_sender, portal_name),
        )
    else:
        through = settings.describe()
        try:
            mailer = settings.mailer(box, timeout=TEST_TIMEOUT)
        except SecretError:
            return TestResult(
                ok=False,
                answer="the saved SMTP password cannot be decrypted; enter it again",
                to=to,
                through=through,
            )
        answer_ok = f"accepted by {through}"
        email = Email(
            to=email.to,
            subject=email.subject,
            text=email.text,
            sender=settings.from_header(portal_name),
        )
    try:
        mailer.send(email, default_sender=platform_sender)
    except MailError as exc:
        return TestResult(ok=False, answer=str(exc), to=to, through=through)
    return TestResult(ok=True, answer=answer_ok, to=to, through=through)


def _with_name(sender: str, name: str) -> str:
    address = parseaddr(sender)[1]
    if "@" not in address:
        return sender
    local, domain = address.rsplit("@", 1)
    return str(Address(display_name=name, username=local, domain=domain))
