"""Mail adapters: a real SMTP server, or `.eml` files in the data dir when none is set."""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from zedline.notifications.model import Email

SMTP_PERMANENT = range(500, 600)


class MailError(Exception):
    """Delivery failed. `permanent` means retrying cannot help (the server refused for good)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailSender(Protocol):
    def send(self, email: Email, *, default_sender: str) -> None:
        """Hand the e-mail over for delivery.

        Raises:
            MailError: it was not accepted; `permanent` says whether a retry can help.
        """
        ...


def _address(value: str) -> Address:
    name, addr = parseaddr(value)
    if "@" not in addr:
        raise MailError(f"not an e-mail address: {value!r}", permanent=True)
    local, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=local, domain=domain)


def to_mime(email: Email, *, default_sender: str) -> EmailMessage:
    """The MIME form of `email`: multipart/alternative (text, then HTML).

    Raises:
        MailError (permanent): an address or header cannot be written (e.g. a line break in it).
    """
    msg = EmailMessage()
    try:
        msg["From"] = _address(email.sender or default_sender)
        msg["To"] = _address(email.to)
        msg["Subject"] = email.subject
        msg["Date"] = formatdate(usegmt=True)
        headers = dict(email.headers)
        msg["Message-ID"] = headers.pop("Message-ID", None) or make_msgid(domain="zedline")
        # Tells vacation responders and ticket systems not to answer automatically.
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        for name, value in headers.items():
            msg[name] = value
        msg.set_content(email.text)
        if email.html:
            msg.add_alternative(email.html, subtype="html")
    except (ValueError, TypeError) as exc:
        raise MailError(f"the message cannot be written: {exc}", permanent=True) from exc
    return msg


class FileMailSender:
    """Writes each message as an .eml file, so a fresh install loses nothing and needs no server."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, email: Email, *, default_sender: str) -> None:
        msg = to_mime(email, default_sender=default_sender)
        # Sorts by time in a directory listing; the random part keeps names unique.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{uuid.uuid4().hex[:12]}"
        path = self.directory / f"{name}.eml"
        tmp = self.directory / f".{name}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(msg.as_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            # Readers looking for *.eml never see a half-written file.
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise MailError(f"cannot write {path.name}: {exc.strerror or exc}") from exc


class SmtpMailSender:
    """Sends through an SMTP server: plain, STARTTLS or SSL, with a login when configured.

    Failures about one message (a 5xx reply to its recipient or content) are permanent.
    Everything else (a 4xx reply, a refused connection, a timeout, and problems of the
    server's configuration such as a refused login) is temporary: the outbox retries, so
    fixing the settings lets the queue drain instead of losing mail.
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 20.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.starttls = starttls
        self.use_ssl = use_ssl
        self.timeout = timeout
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        # Never the password: this object may end up in a log line or a traceback.
        return (
            f"SmtpMailSender(host={self.host!r}, port={self.port}, username={self.username!r}, "
            f"starttls={self.starttls}, use_ssl={self.use_ssl})"
        )

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, email: Email, *, default_sender: str) -> None:
        msg = to_mime(email, default_sender=default_sender)
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot connect to {self.host}:{self.port}: {_describe(exc)}") from exc
        with client:
            try:
                if self.starttls and not self.use_ssl:
                    client.starttls(context=self._context())
                if self.username:
                    client.login(self.username, self._password or "")
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(f"SMTP session setup failed: {_describe(exc)}") from exc
            try:
                client.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                raise MailError(
                    f"recipient refused: {_describe(exc)}",
                    permanent=all(code in SMTP_PERMANENT for code in codes),
                ) from exc
            except smtplib.SMTPSenderRefused as exc:
                # The sender address is the platform's setting, not this message's fault.
                raise MailError(f"sender refused: {_describe(exc)}") from exc
            except smtplib.SMTPResponseException as exc:
                raise MailError(_describe(exc), permanent=exc.smtp_code in SMTP_PERMANENT) from exc
            except smtplib.SMTPNotSupportedError as exc:
                # An internationalised address the server cannot take: retrying cannot help.
                raise MailError(_describe(exc), permanent=True) from exc
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(_describe(exc)) from exc


def _describe(exc: BaseException) -> str:
    """A one-line reason for logs and `last_error`; SMTP replies never contain our password."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
