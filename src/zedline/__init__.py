"""ZEDLine Support: the core library of a fast, multi-portal helpdesk.

An embedding application builds the core once and calls use cases with a unit of work::

    from zedline import build, Settings
    from zedline.tickets import services as tickets

    zl = build(Settings(database_url="sqlite:///helpdesk.db"))
    zl.upgrade_database()
    ticket = tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, client, {"subject": ..., ...})

Every use case takes the acting user and checks access itself; errors are the
`ZedlineError` tree below.
"""

from zedline.accounts.model import Role, User
from zedline.bootstrap import Zedline, build
from zedline.config import Settings
from zedline.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ZedlineError,
)
from zedline.forms.model import FieldKind, FormField
from zedline.portals.model import Portal
from zedline.tickets.model import Category, Message, Status, Ticket, Visibility

__all__ = [
    "Category",
    "Conflict",
    "FieldKind",
    "FormField",
    "InvalidInput",
    "InvalidTransition",
    "Message",
    "NotFound",
    "PermissionDenied",
    "Portal",
    "Role",
    "Settings",
    "Status",
    "Ticket",
    "User",
    "Visibility",
    "Zedline",
    "ZedlineError",
    "build",
]
