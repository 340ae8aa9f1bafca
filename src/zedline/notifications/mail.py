"""Mail adapters: a real SMTP server, or `.eml` files in the data dir when none is set."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from zedline.notifications.model import Email


class MailError(Exception):
    """Delivery failed. `permanent` means retrying cannot help (the server refused for good)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailSender(Protocol):
    def send(self, email: Email, *, default_sender: str) -> None: ...


def to_mime(email: Email, *, default_sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = email.sender or default_sender
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg["Date"] = formatdate(localtime=False)
    headers = dict(email.headers)
    msg["Message-ID"] = headers.pop("Message-ID", None) or make_msgid(domain="zedline")
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(email.text)
    if email.html:
        msg.add_alternative(email.html, subtype="html")
    return msg


class FileMailSender:
    """Writes each message as an .eml file, so a fresh install loses nothing and needs no server."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, email: Email, *, default_sender: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        msg = to_mime(email, default_sender=default_sender)
        name = make_msgid().strip("<>").split("@")[0]
        path = self.directory / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(msg.as_bytes())
        tmp.replace(path)  # readers never see a half-written file


class SmtpMailSender:
    def __init__(  # noqa: PLR0913
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 20.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.use_ssl = use_ssl
        self.timeout = timeout

    def send(self, email: Email, *, default_sender: str) -> None:
        msg = to_mime(email, default_sender=default_sender)
        try:
            if self.use_ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600  # noqa: PLR2004 - SMTP reply classes
            detail = exc.smtp_error.decode(errors="replace") if isinstance(
                exc.smtp_error, bytes
            ) else str(exc.smtp_error)
            raise MailError(f"{exc.smtp_code} {detail}", permanent=permanent) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
