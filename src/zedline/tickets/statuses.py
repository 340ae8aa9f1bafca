"""Use cases of a portal's statuses (portal admins): rename, reorder, add, retire, default."""

from __future__ import annotations

from zedline.accounts.model import User
from zedline.errors import InvalidInput, NotFound
from zedline.i18n import N_
from zedline.persistence.unit_of_work import UnitOfWork
from zedline.tickets.model import Category, Status

MAX_LABEL = 60
MAX_STATUSES = 30


def _labels(operator_label: str, client_label: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    op = " ".join(operator_label.split())
    cl = " ".join(client_label.split())
    for key, value in (("operator_label", op), ("client_label", cl)):
        if not value:
            errors[key] = N_("enter a label")
        elif len(value) > MAX_LABEL:
            errors[key] = N_("at most %(max)s characters", max=MAX_LABEL)
    if errors:
        raise InvalidInput(errors)
    return op, cl


def add_status(
    uow: UnitOfWork, actor: User, *, category: str, operator_label: str, client_label: str
) -> Status:
    """Raises PermissionDenied, InvalidInput."""
    actor.require_admin("change statuses")
    try:
        cat = Category(category)
    except ValueError:
        raise InvalidInput({"category": N_("choose a category")}) from None
    op, cl = _labels(operator_label, client_label)
    with uow:
        statuses = uow.statuses.list(actor.portal_id)
        if len(statuses) >= MAX_STATUSES:
            raise InvalidInput({"operator_label": N_("at most %(max)s statuses", max=MAX_STATUSES)})
        if any(s.operator_label.lower() == op.lower() and s.active for s in statuses):
            raise InvalidInput({"operator_label": N_("a status with this label exists")})
        status = Status(
            actor.portal_id,
            uow.next_id(),
            cat,
            op,
            cl,
            position=max((s.position for s in statuses), default=-1) + 1,
        )
        uow.statuses.add(status)
        uow.commit()
    return status


def rename_status(
    uow: UnitOfWork, actor: User, status_id: int, *, operator_label: str, client_label: str
) -> Status:
    actor.require_admin("change statuses")
    op, cl = _labels(operator_label, client_label)
    with uow:
        status = uow.statuses.get(actor.portal_id, status_id)
        status.operator_label, status.client_label = op, cl
        uow.commit()
    return status


def retire_status(uow: UnitOfWork, actor: User, status_id: int) -> Status:
    """Stop offering a status. Tickets that have it keep it until changed.

    Raises:
        InvalidInput: it is the default, or the last active status of its category.
    """
    actor.require_admin("change statuses")
    with uow:
        statuses = uow.statuses.list(actor.portal_id)
        status = next((s for s in statuses if s.id == status_id), None)
        if status is None:
            raise NotFound(N_("no such status"))
        if status.is_default:
            raise InvalidInput({"status": N_("choose another default status first")})
        if sum(s.active and s.category is status.category for s in statuses) <= 1:
            raise InvalidInput(
                {
                    "status": N_(
                        "each category keeps at least one status ('%(category)s')",
                        category=status.category,
                    )
                }
            )
        status.active = False
        uow.commit()
    return status


def restore_status(uow: UnitOfWork, actor: User, status_id: int) -> Status:
    actor.require_admin("change statuses")
    with uow:
        status = uow.statuses.get(actor.portal_id, status_id)
        status.active = True
        uow.commit()
    return status


def set_default_status(uow: UnitOfWork, actor: User, status_id: int) -> Status:
    """The status new tickets get: an active one of category new or open."""
    actor.require_admin("change statuses")
    with uow:
        statuses = uow.statuses.list(actor.portal_id)
        status = next((s for s in statuses if s.id == status_id), None)
        if status is None:
            raise NotFound(N_("no such status"))
        if not status.active or status.category not in (Category.NEW, Category.OPEN):
            raise InvalidInput({"status": N_("new tickets start in an active new or open status")})
        for s in statuses:
            s.is_default = s.id == status.id
        uow.commit()
    return status


def move_status(uow: UnitOfWork, actor: User, status_id: int, *, offset: int) -> None:
    actor.require_admin("change statuses")
    with uow:
        statuses = list(uow.statuses.list(actor.portal_id))
        index = next((i for i, s in enumerate(statuses) if s.id == status_id), None)
        if index is None:
            raise NotFound(N_("no such status"))
        target = max(0, min(len(statuses) - 1, index + offset))
        statuses.insert(target, statuses.pop(index))
        for position, s in enumerate(statuses):
            s.position = position
        uow.commit()
