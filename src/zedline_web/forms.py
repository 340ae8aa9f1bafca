"""What every page's form handling shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.datastructures import UploadFile

from zedline.accounts.model import User
from zedline.errors import NotFound


def form_text(data: Mapping[str, Any], name: str) -> str:
    """One text value of a form (the last one when a name repeats; files count as empty)."""
    value = data.get(name)
    if isinstance(value, list):
        value = value[-1] if value else ""
    if value is None or isinstance(value, UploadFile):
        return ""
    return str(value)


def admin_only(actor: User) -> None:
    """Operators and clients never learn that the admin pages exist: 404, not 403."""
    if not actor.is_admin:
        raise NotFound("no such page")
