"""A portal is one support team's helpdesk: its own URL, data, quota and tariff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from zedline.errors import InvalidInput, InvalidTransition
from zedline.i18n import N_

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "static", "schema", "healthz", "p", "www", "mail", "login",
        "logout", "register", "docs", "assets", "media", "files", "support", "help",
        "status", "auth", "account", "platform", "root", "system", "zedline",
    }
)  # fmt: skip
MAX_NAME = 120


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a portal's URL, else raise InvalidInput."""
    if not SLUG_RE.fullmatch(slug) or "--" in slug:
        raise InvalidInput(
            {
                "slug": f"'{slug}' is not a valid portal slug: use 1-48 lowercase letters, "
                "digits and single hyphens, starting and ending with a letter or digit"
            }
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(
            {"slug": N_("'%(slug)s' is reserved; choose another portal slug", slug=slug)}
        )
    return slug


def validate_portal_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput({"name": N_("the portal needs a name")})
    if len(name) > MAX_NAME:
        raise InvalidInput({"name": N_("the name is longer than %(max)s characters", max=MAX_NAME)})
    return name


@dataclass(eq=False)
class Portal:
    id: int
    slug: str
    name: str
    created_at: datetime
    active: bool = True
    timezone: str = "UTC"
    language: str = "en"
    quota_bytes: int = 1024 * 1024 * 1024
    used_bytes: int = 0
    # The last ticket number handed out; advanced only by the repository, inside the
    # transaction that creates the ticket, so numbers have no gaps and no duplicates.
    ticket_seq: int = 0

    def disable(self) -> None:
        if not self.active:
            raise InvalidTransition(N_("portal '%(slug)s' is already disabled", slug=self.slug))
        self.active = False

    def enable(self) -> None:
        if self.active:
            raise InvalidTransition(N_("portal '%(slug)s' is already enabled", slug=self.slug))
        self.active = True

    @property
    def free_bytes(self) -> int:
        return max(self.quota_bytes - self.used_bytes, 0)

    def reserve_space(self, size: int) -> None:
        """Count `size` more bytes against the quota, or refuse when it would pass it."""
        if size < 0:
            raise InvalidInput({"file": N_("a file cannot have a negative size")})
        if self.used_bytes + size > self.quota_bytes:
            raise InvalidInput(
                {"file": N_("this portal's disk space is full; the file was not saved")}
            )
        self.used_bytes += size

    def release_space(self, size: int) -> None:
        self.used_bytes = max(self.used_bytes - size, 0)
