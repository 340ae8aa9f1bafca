"""Use cases of the platform admin: provisioning and switching portals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from zedline.accounts.model import (
    Role,
    User,
    check_password_strength,
    clean_name,
    generate_password,
    normalize_email,
)
from zedline.accounts.passwords import PasswordHasher
from zedline.clock import Clock
from zedline.errors import Conflict, InvalidInput
from zedline.files import FileStore
from zedline.forms.model import default_fields
from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import LANGUAGES, N_, translator
from zedline.persistence import tables as t
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal, validate_portal_name, validate_slug
from zedline.tickets.model import default_statuses

_LANGUAGE_CHOICE = N_("choose English or Russian")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput({"language": _LANGUAGE_CHOICE})


@dataclass(frozen=True)
class Provisioned:
    portal: Portal
    admin: User
    # Set when no password was given and one was generated (to print or mail once).
    generated_password: str | None


def provision_portal(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_first_name: str = "Portal",
    admin_last_name: str = "Admin",
    quota_bytes: int = 1024 * 1024 * 1024,
    language: str = DEFAULT_LANGUAGE,
) -> Provisioned:
    """Create a portal with its default statuses and request form, and its first admin.

    The statuses' labels and the form's words are written in the portal's `language`; they
    are the admin's to change from then on (a later change of language leaves them as they are).

    Raises:
        InvalidInput: a bad slug, name, language, e-mail or password (per field).
        Conflict: the slug is taken.
    """
    errors: dict[str, str] = {}
    checks: list[Callable[[], object]] = [
        lambda: validate_slug(slug),
        lambda: validate_portal_name(name),
        lambda: normalize_email(admin_email),
        lambda: clean_name(admin_first_name, "first_name", "first name"),
        lambda: clean_name(admin_last_name, "last_name", "last name"),
        lambda: _check_language(language),
    ]
    if admin_password is not None:
        checks.append(lambda: check_password_strength(admin_password, "admin_password"))
    for check in checks:
        try:
            check()
        except InvalidInput as exc:
            errors.update(exc.errors)
    if "email" in errors:
        errors["admin_email"] = errors.pop("email")
    if errors:
        raise InvalidInput(errors)
    now = clock.now()
    with uow:
        if uow.portals.slug_taken(slug):
            raise Conflict(f"a portal with the slug '{slug}' already exists")
        portal = Portal(
            id=uow.next_id(),
            slug=slug,
            name=validate_portal_name(name),
            created_at=now,
            language=language,
            quota_bytes=quota_bytes,
        )
        uow.portals.add(portal)
        uow.flush()
        translate = translator(language)
        for status in default_statuses(portal.id, uow.take_ids(5), translate):
            uow.statuses.add(status)
        for form_field in default_fields(portal.id, uow.take_ids(2), translate):
            uow.form_fields.add(form_field)
        password = admin_password or generate_password()
        admin = User(
            portal_id=portal.id,
            id=uow.next_id(),
            email=normalize_email(admin_email),
            first_name=clean_name(admin_first_name, "first_name", "first name"),
            last_name=clean_name(admin_last_name, "last_name", "last name"),
            role=Role.ADMIN,
            password_hash=hasher.hash(password),
            created_at=now,
        )
        if admin_password is None:
            admin.set_generated_password(admin.password_hash, now)
        uow.users.add(admin)
        uow.commit()
    return Provisioned(portal, admin, None if admin_password else password)


def set_portal_active(uow: UnitOfWork, slug: str, *, active: bool) -> Portal:
    """Disable (no one can log in or open tickets) or enable a portal.

    Raises:
        NotFound: no such portal.
        InvalidTransition: it already is in that state.
    """
    with uow:
        portal = uow.portals.get_by_slug(slug)
        if active:
            portal.enable()
        else:
            portal.disable()
        uow.commit()
    return portal


def delete_portal(uow: UnitOfWork, slug: str, *, files: FileStore | None = None) -> None:
    """Delete a portal and every row it owns, in one transaction; then, with `files`, the
    attachment files it stored.

    Raises:
        NotFound: no such portal.
    """
    with uow:
        portal = uow.portals.get_by_slug(slug)
        a = t.attachments.c
        keys = list(uow.session.scalars(select(a.storage_key).where(a.portal_id == portal.id)))
        uow.portals.delete_with_data(portal)
        uow.commit()
    # Only after the commit: a failed delete keeps both the rows and the files they name.
    # A file left behind by a crash here is unreachable garbage, never a dangling row.
    if files is not None:
        for key in keys:
            files.delete(key)


def update_portal_settings(
    uow: UnitOfWork, actor: User, *, name: str, timezone: str, language: str
) -> Portal:
    """A portal admin renames the portal, sets its time zone and interface/e-mail language.

    Raises:
        PermissionDenied: not an admin of this portal.
        InvalidInput: per field.
    """
    actor.require_admin("change the portal's settings")
    errors: dict[str, str] = {}
    try:
        clean = validate_portal_name(name)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if not valid_timezone(timezone):
        errors["timezone"] = N_("choose a time zone from the list, like Europe/Berlin")
    if language not in LANGUAGES:
        errors["language"] = _LANGUAGE_CHOICE
    if errors:
        raise InvalidInput(errors)
    with uow:
        portal = uow.portals.get(actor.portal_id)
        portal.name, portal.timezone, portal.language = clean, timezone, language
        uow.commit()
    return portal


def set_quota(uow: UnitOfWork, actor: User, *, quota_bytes: int) -> Portal:
    """Raises PermissionDenied, InvalidInput (below what is already used, or not positive)."""
    actor.require_admin("change the disk quota")
    with uow:
        portal = uow.portals.get(actor.portal_id)
        if quota_bytes <= 0:
            raise InvalidInput({"quota": N_("the quota must be positive")})
        if quota_bytes < portal.used_bytes:
            raise InvalidInput({"quota": N_("the quota cannot be below the space already used")})
        portal.quota_bytes = quota_bytes
        uow.commit()
    return portal


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"
