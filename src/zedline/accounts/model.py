"""Users of a portal (admins, operators, clients) and invitations."""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from zedline.errors import InvalidInput, PermissionDenied
from zedline.i18n import N_

# Deliberately simple: a local part, an @, a domain with a dot. The mail server is the judge.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,63}$")
MAX_NAME = 80
MIN_PASSWORD = 8
GENERATED_PASSWORD_TTL = timedelta(days=7)
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    CLIENT = "client"


def normalize_email(email: str) -> str:
    """The form an e-mail is stored and compared in: trimmed, lowercase."""
    email = email.strip().lower()
    if not EMAIL_RE.fullmatch(email) or len(email) > 254:  # noqa: PLR2004 - RFC 5321
        raise InvalidInput({"email": N_("enter an e-mail address like name@example.com")})
    return email


# Whole sentences per name, so a translation can inflect the noun.
_NAME_MESSAGES = {
    "first name": (
        N_("enter a first name"),
        N_("the first name is longer than %(max)s characters", max=MAX_NAME),
    ),
    "last name": (
        N_("enter a last name"),
        N_("the last name is longer than %(max)s characters", max=MAX_NAME),
    ),
}


def clean_name(value: str, field: str, label: str) -> str:
    value = " ".join(value.split())
    empty, too_long = _NAME_MESSAGES.get(
        label, (f"enter a {label}", f"the {label} is longer than {MAX_NAME} characters")
    )
    if not value:
        raise InvalidInput({field: empty})
    if len(value) > MAX_NAME:
        raise InvalidInput({field: too_long})
    return value


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput({field: N_("use at least %(min)s characters", min=MIN_PASSWORD)})
    if len(password) > 1024:  # noqa: PLR2004 - hashing megabytes is a denial of service
        raise InvalidInput({field: N_("use at most 1024 characters")})
    if password.isdigit() or len(set(password)) < 4:  # noqa: PLR2004
        raise InvalidInput({field: N_("this password is too easy to guess")})


def generate_password(length: int = 12) -> str:
    """A password a person can type from an e-mail: no look-alike characters."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


@dataclass(eq=False)
class User:
    portal_id: int
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    password_hash: str
    created_at: datetime
    active: bool = True
    # A generated password (registration, invitation, resend) must be replaced at first login
    # and stops working at `password_expires_at` if it never was.
    must_change_password: bool = False
    password_expires_at: datetime | None = None
    last_login_at: datetime | None = None
    # Bumped whenever existing sessions must end (password change, deactivation, role change).
    auth_version: int = 1
    tour_done: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.OPERATOR)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require_staff(self, doing: str) -> None:
        if not self.is_staff:
            raise PermissionDenied(f"only operators and admins can {doing}")

    def require_admin(self, doing: str) -> None:
        if not self.is_admin:
            raise PermissionDenied(f"only portal admins can {doing}")

    def password_expired(self, at: datetime) -> bool:
        return (
            self.must_change_password
            and self.password_expires_at is not None
            and at >= self.password_expires_at
        )

    def set_generated_password(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash
        self.must_change_password = True
        self.password_expires_at = at + GENERATED_PASSWORD_TTL
        self.auth_version += 1

    def set_chosen_password(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.must_change_password = False
        self.password_expires_at = None
        self.auth_version += 1

    def deactivate(self) -> None:
        self.active = False
        self.auth_version += 1

    def activate(self) -> None:
        self.active = True


@dataclass(eq=False)
class Invitation:
    portal_id: int
    id: int
    user_id: int
    invited_by_id: int | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None


@dataclass(eq=False)
class PasswordResetToken:
    """A single-use, expiring link to choose a new password. Only the hash is stored."""

    portal_id: int
    id: int
    user_id: int
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, at: datetime) -> bool:
        return self.used_at is None and at < self.expires_at
