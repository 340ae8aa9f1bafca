"""Use cases of a portal's people (portal admins, and staff for clients)."""

from __future__ import annotations

from collections.abc import Callable

from zedline.accounts.model import (
    GENERATED_PASSWORD_TTL,
    Invitation,
    Role,
    User,
    clean_name,
    generate_password,
    normalize_email,
)
from zedline.accounts.passwords import PasswordHasher
from zedline.clock import Clock
from zedline.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from zedline.i18n import N_, Translatable
from zedline.live import Change
from zedline.notifications.services import Notifier
from zedline.persistence.unit_of_work import UnitOfWork

STAFF_ROLES = (Role.ADMIN, Role.OPERATOR)

# The staff roles as a sentence names them ("… already is an operator").
ROLE_WORDS = {Role.ADMIN: N_("an admin"), Role.OPERATOR: N_("an operator")}


def _staff_role(role: str | Role) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed not in STAFF_ROLES:
        raise InvalidInput({"role": N_("choose operator or admin")})
    assert parsed is not None  # noqa: S101 - narrowed above
    return parsed


def invite_staff(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    notifier: Notifier,
    actor: User,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str | Role,
) -> User:
    """An admin adds an operator or admin; the invitation e-mail carries URL, login, password.

    Raises:
        PermissionDenied: not an admin.
        InvalidInput: per field.
        Conflict: the e-mail already has an account in this portal.
    """
    actor.require_admin("add operators and admins")
    parsed_role = _staff_role(role)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    checks: list[tuple[str, Callable[[], str]]] = [
        ("first_name", lambda: clean_name(first_name, "first_name", "first name")),
        ("last_name", lambda: clean_name(last_name, "last_name", "last name")),
        ("email", lambda: normalize_email(email)),
    ]
    for key, check in checks:
        try:
            values[key] = check()
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    with uow:
        portal = uow.portals.get(actor.portal_id)
        if uow.users.email_taken(portal.id, values["email"]):
            raise Conflict(
                N_("%(email)s already has an account in this portal", email=values["email"])
            )
        now = clock.now()
        password = generate_password()
        user = User(
            portal_id=portal.id,
            id=uow.next_id(),
            email=values["email"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            role=parsed_role,
            password_hash=hasher.hash(password),
            created_at=now,
        )
        user.set_generated_password(user.password_hash, now)
        uow.users.add(user)
        uow.invitations.add(
            Invitation(
                portal.id, uow.next_id(), user.id, actor.id, now, now + GENERATED_PASSWORD_TTL
            )
        )
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
                "reason": "invitation",
                "inviter_name": actor.full_name,
                "login_url": notifier.portal_url(portal, "login"),
                "expires_at": user.password_expires_at,
            },
        )
        uow.commit()
    return user


def _other_active_admins(uow: UnitOfWork, user: User) -> int:
    return sum(
        1 for u in uow.users.staff(user.portal_id) if u.is_admin and u.active and u.id != user.id
    )


def change_role(uow: UnitOfWork, actor: User, user_id: int, *, role: str | Role) -> User:
    """Make an operator an admin or the reverse. The portal always keeps an active admin.

    Raises:
        PermissionDenied: not an admin; InvalidInput: not a staff role, or the last admin.
    """
    actor.require_admin("change roles")
    new_role = _staff_role(role)
    with uow:
        user = uow.users.get(actor.portal_id, user_id)
        if not user.is_staff:
            raise InvalidInput({"role": N_("clients cannot be given a staff role")})
        if user.role is new_role:
            role_word = Translatable(ROLE_WORDS[new_role], {})  # shown in the reader's language
            raise InvalidTransition(
                N_("%(name)s already is %(role)s", name=user.full_name, role=role_word)
            )
        if user.is_admin and _other_active_admins(uow, user) == 0:
            raise InvalidInput({"role": N_("the portal needs at least one active admin")})
        user.role = new_role
        # Pages already open with the old role must not keep its powers.
        user.auth_version += 1
        uow.commit()
    return user


def deactivate_user(uow: UnitOfWork, clock: Clock, actor: User, user_id: int) -> int:
    """Deactivate a person: their sessions end at once; an operator's active tickets become
    visibly unassigned (with a history line). Returns how many tickets were unassigned.

    Raises:
        PermissionDenied: an operator deactivating staff, or a client at all.
        InvalidInput: yourself, or the last active admin.
    """
    actor.require_staff("deactivate accounts")
    with uow:
        user = uow.users.get(actor.portal_id, user_id)
        if user.is_staff and not actor.is_admin:
            raise PermissionDenied(N_("only admins deactivate operators and admins"))
        if user.id == actor.id:
            raise InvalidInput({"user": N_("you cannot deactivate yourself")})
        if not user.active:
            raise InvalidTransition(N_("%(name)s is already deactivated", name=user.full_name))
        if user.is_admin and _other_active_admins(uow, user) == 0:
            raise InvalidInput({"user": N_("the portal needs at least one active admin")})
        user.deactivate()
        unassigned = 0
        for ticket in uow.tickets.assigned_to(user.portal_id, user.id):
            uow.tickets.add_event(ticket.unassign(by=actor, at=clock.now(), event_id=uow.next_id()))
            uow.announce(Change(ticket.portal_id, ticket.number, "assignee", public=False))
            unassigned += 1
        uow.commit()
    return unassigned


def reactivate_user(uow: UnitOfWork, actor: User, user_id: int) -> User:
    actor.require_staff("reactivate accounts")
    with uow:
        user = uow.users.get(actor.portal_id, user_id)
        if user.is_staff and not actor.is_admin:
            raise PermissionDenied(N_("only admins reactivate operators and admins"))
        if user.active:
            raise InvalidTransition(N_("%(name)s is already active", name=user.full_name))
        user.activate()
        uow.commit()
    return user
