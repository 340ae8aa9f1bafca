"""Use cases of accounts: adding people, registration, invitation, login, passwords."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from zedline.accounts.model import (
    GENERATED_PASSWORD_TTL,
    Invitation,
    PasswordResetToken,
    Role,
    User,
    check_password_strength,
    clean_name,
    generate_password,
    normalize_email,
)
from zedline.accounts.passwords import PasswordHasher
from zedline.clock import Clock
from zedline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zedline.i18n import N_, gettext_for
from zedline.notifications.services import Notifier
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.portals.model import Portal

RESET_TTL = timedelta(hours=2)
BAD_LOGIN = N_("wrong e-mail or password")


def _clean_person(first_name: str, last_name: str, email: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    out: list[str] = []
    checks: list[Callable[[], str]] = [
        lambda: clean_name(first_name, "first_name", "first name"),
        lambda: clean_name(last_name, "last_name", "last name"),
        lambda: normalize_email(email),
    ]
    for check in checks:
        try:
            out.append(check())
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return out[0], out[1], out[2]


def _active_portal(uow: UnitOfWork, slug: str) -> Portal:
    portal = uow.portals.get_by_slug(slug)
    if not portal.active:
        raise PermissionDenied(N_("the portal '%(slug)s' is disabled", slug=slug))
    return portal


def _new_user(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    portal: Portal,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    password: str | None,
) -> tuple[User, str | None]:
    first_name, last_name, email = _clean_person(first_name, last_name, email)
    if password is not None:
        check_password_strength(password)
    if uow.users.email_taken(portal.id, email):
        raise Conflict(N_("%(email)s already has an account in this portal", email=email))
    now = clock.now()
    generated = None if password is not None else generate_password()
    user = User(
        portal_id=portal.id,
        id=uow.next_id(),
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        password_hash=hasher.hash(password or generated or ""),
        created_at=now,
    )
    if generated is not None:
        user.set_generated_password(user.password_hash, now)
    uow.users.add(user)
    return user, generated


def add_user(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    notifier: Notifier,
    *,
    slug: str,
    email: str,
    role: Role,
    first_name: str,
    last_name: str,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Add a person to a portal (platform admin). With no password, one is generated and mailed.

    Returns the user and the generated password, if one was generated.

    Raises:
        NotFound: no such portal.
        InvalidInput: per field.
        Conflict: the e-mail already has an account in this portal.
    """
    with uow:
        portal = uow.portals.get_by_slug(slug)
        user, generated = _new_user(
            uow,
            clock,
            hasher,
            portal,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            password=password,
        )
        if generated is not None:
            _send_credentials(
                uow,
                clock,
                notifier,
                portal,
                user,
                generated,
                "invitation",
                inviter_name=gettext_for(portal.language, "The %(portal)s team")
                % {"portal": portal.name},
            )
        uow.commit()
    return user, generated


def register_client(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    notifier: Notifier,
    *,
    slug: str,
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    """Self-registration: three fields; the login and a generated password come by e-mail.

    Raises:
        NotFound: no such portal.
        PermissionDenied: the portal is disabled.
        InvalidInput: per field.
        Conflict: the e-mail is already registered (the page offers a password reset).
    """
    with uow:
        portal = _active_portal(uow, slug)
        user, generated = _new_user(
            uow,
            clock,
            hasher,
            portal,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=Role.CLIENT,
            password=None,
        )
        assert generated is not None  # noqa: S101 - no password given, so one was generated
        _send_credentials(uow, clock, notifier, portal, user, generated, "registration")
        uow.commit()
    return user


def invite_client(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    notifier: Notifier,
    actor: User,
    *,
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    """An operator invites a client: the e-mail carries the URL, the login and a password.

    Raises:
        PermissionDenied: the actor is a client.
        InvalidInput: per field.
        Conflict: the e-mail already has an account.
    """
    actor.require_staff("invite clients")
    with uow:
        portal = uow.portals.get(actor.portal_id)
        user, generated = _new_user(
            uow,
            clock,
            hasher,
            portal,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=Role.CLIENT,
            password=None,
        )
        assert generated is not None  # noqa: S101
        now = clock.now()
        uow.invitations.add(
            Invitation(
                portal_id=portal.id,
                id=uow.next_id(),
                user_id=user.id,
                invited_by_id=actor.id,
                created_at=now,
                expires_at=now + GENERATED_PASSWORD_TTL,
            )
        )
        _send_credentials(
            uow,
            clock,
            notifier,
            portal,
            user,
            generated,
            "invitation",
            inviter_name=actor.full_name,
        )
        uow.commit()
    return user


def resend_credentials(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    notifier: Notifier,
    actor: User,
    user_id: int,
) -> None:
    """Staff send a person a fresh generated password (the old one stops working)."""
    actor.require_staff("resend credentials")
    with uow:
        portal = uow.portals.get(actor.portal_id)
        user = uow.users.get(actor.portal_id, user_id)
        if user.is_staff and not actor.is_admin:
            raise PermissionDenied(N_("only admins resend credentials to staff"))
        password = generate_password()
        user.set_generated_password(hasher.hash(password), clock.now())
        _send_credentials(uow, clock, notifier, portal, user, password, "resend")
        uow.commit()


def _send_credentials(
    uow: UnitOfWork,
    clock: Clock,
    notifier: Notifier,
    portal: Portal,
    user: User,
    password: str,
    reason: str,
    *,
    inviter_name: str = "",
) -> None:
    notifier.enqueue(
        uow,
        clock,
        portal,
        to=user.email,
        event="credentials",
        sensitive=True,
        context={
            "user": user,
            "password": password,
            "reason": reason,
            "inviter_name": inviter_name,
            "login_url": notifier.portal_url(portal, "login"),
            "expires_at": user.password_expires_at or clock.now(),
        },
    )


def authenticate(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    *,
    slug: str,
    email: str,
    password: str,
) -> User:
    """Check a login. The same message for an unknown e-mail and a wrong password.

    Raises:
        NotFound: no such portal.
        PermissionDenied: the portal is disabled.
        InvalidInput: wrong e-mail or password, deactivated account, expired password.
    """
    with uow:
        portal = _active_portal(uow, slug)
        try:
            normalized = normalize_email(email)
        except InvalidInput:
            hasher.dummy_verify()
            raise InvalidInput({"email": BAD_LOGIN}) from None
        user = uow.users.find_by_email(portal.id, normalized)
        if user is None:
            hasher.dummy_verify()
            raise InvalidInput({"email": BAD_LOGIN})
        if not hasher.verify(password, user.password_hash):
            raise InvalidInput({"email": BAD_LOGIN})
        if not user.active:
            raise InvalidInput(
                {"email": N_("this account is deactivated; contact the support team")}
            )
        if user.password_expired(clock.now()):
            raise InvalidInput(
                {"password": "this password has expired; use “Forgot password” to get a new one"}
            )
        user.last_login_at = clock.now()
        uow.commit()
    return user


def load_actor(uow: UnitOfWork, portal_id: int, user_id: int, auth_version: int) -> User | None:
    """The user behind a session, if the session is still good (same auth version, active)."""
    try:
        user = uow.users.get(portal_id, user_id)
    except NotFound:
        return None
    return user if session_is_good(user, auth_version) else None


def session_is_good(user: User, auth_version: int) -> bool:
    """A session of `user` made at `auth_version` still counts: the user is active and nothing
    (password change, deactivation, role change) has ended their sessions since."""
    return user.active and user.auth_version == auth_version


def change_password(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    actor: User,
    *,
    new_password: str,
    current_password: str | None = None,
) -> User:
    """Choose a password: at first login (no current password asked) or later (asked).

    Raises:
        InvalidInput: too weak, or the current password is wrong.
    """
    check_password_strength(new_password, "new_password")
    with uow:
        user = uow.users.get(actor.portal_id, actor.id)
        if not user.must_change_password and (
            current_password is None or not hasher.verify(current_password, user.password_hash)
        ):
            raise InvalidInput({"current_password": N_("this is not your current password")})
        if hasher.verify(new_password, user.password_hash):
            raise InvalidInput({"new_password": N_("choose a password different from the old one")})
        user.set_chosen_password(hasher.hash(new_password))
        uow.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(
    uow: UnitOfWork, clock: Clock, notifier: Notifier, *, slug: str, email: str
) -> None:
    """Mail a single-use reset link if the e-mail has an active account; silent otherwise,
    so the form does not reveal who has an account."""
    with uow:
        portal = _active_portal(uow, slug)
        try:
            normalized = normalize_email(email)
        except InvalidInput:
            raise InvalidInput({"email": N_("enter the e-mail address you log in with")}) from None
        user = uow.users.find_by_email(portal.id, normalized)
        if user is None or not user.active:
            return
        token = secrets.token_urlsafe(32)
        now = clock.now()
        uow.password_resets.add(
            PasswordResetToken(
                portal_id=portal.id,
                id=uow.next_id(),
                user_id=user.id,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + RESET_TTL,
            )
        )
        notifier.enqueue(
            uow,
            clock,
            portal,
            to=user.email,
            event="password_reset",
            sensitive=True,
            context={
                "user": user,
                "reset_url": notifier.portal_url(portal, f"password-reset/{token}"),
                "valid_hours": int(RESET_TTL.total_seconds() // 3600),
            },
        )
        uow.commit()


def check_reset_token(uow: UnitOfWork, clock: Clock, *, slug: str, token: str) -> User:
    """Raises InvalidInput if the link is unknown, used or expired."""
    with uow:
        portal = _active_portal(uow, slug)
        found = uow.password_resets.find(portal.id, _token_hash(token))
        if found is None or not found.usable(clock.now()):
            raise InvalidInput({"token": N_("this link has expired or was already used")})
        user = uow.users.get(portal.id, found.user_id)
        # Detached before the block ends, so the caller can read it whatever the uow does.
        uow.session.expunge(user)
        return user


def reset_password(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    *,
    slug: str,
    token: str,
    new_password: str,
) -> User:
    """Use a reset link once: set the new password and end every existing session.

    Raises:
        InvalidInput: bad link or weak password.
    """
    check_password_strength(new_password, "new_password")
    with uow:
        portal = _active_portal(uow, slug)
        found = uow.password_resets.find(portal.id, _token_hash(token))
        now = clock.now()
        if found is None or not found.usable(now):
            raise InvalidInput({"token": N_("this link has expired or was already used")})
        found.used_at = now
        user = uow.users.get(portal.id, found.user_id)
        if not user.active:
            raise InvalidInput({"token": N_("this account is deactivated")})
        user.set_chosen_password(hasher.hash(new_password))
        uow.commit()
    return user


def mark_tour_done(uow: UnitOfWork, actor: User, *, done: bool = True) -> None:
    with uow:
        user = uow.users.get(actor.portal_id, actor.id)
        user.tour_done = done
        uow.commit()
