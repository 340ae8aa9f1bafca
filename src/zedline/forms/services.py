"""Use cases of the request form builder (portal admins)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from zedline.accounts.model import User
from zedline.errors import InvalidInput, NotFound
from zedline.forms.model import SYSTEM_KEYS, FieldKind, FormField
from zedline.i18n import N_
from zedline.persistence.unit_of_work import UnitOfWork

MAX_FIELDS = 50


def _key_from_label(label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:30] or "field"
    if not base[0].isalpha():
        base = f"f_{base}"[:30]
    key, n = base, 2
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


def _parse_kind(kind: str | FieldKind) -> FieldKind:
    try:
        return FieldKind(kind)
    except ValueError:
        raise InvalidInput({"kind": N_("choose one of the field types")}) from None


def add_field(
    uow: UnitOfWork,
    actor: User,
    *,
    label: str,
    kind: str | FieldKind,
    required: bool = False,
    options: Sequence[str] = (),
    help_text: str = "",
    client_visible: bool = True,
) -> FormField:
    """Add a field at the end of the portal's request form.

    Raises:
        PermissionDenied: not a portal admin.
        InvalidInput: per field (label, kind, options, ...).
    """
    actor.require_admin("change the request form")
    with uow:
        fields = uow.form_fields.list(actor.portal_id)
        if sum(f.active for f in fields) >= MAX_FIELDS:
            raise InvalidInput({"label": N_("a form has at most %(max)s fields", max=MAX_FIELDS)})
        field = FormField(
            portal_id=actor.portal_id,
            id=uow.next_id(),
            key=_key_from_label(label, {f.key for f in fields}),
            label=" ".join(label.split()),
            kind=_parse_kind(kind),
            position=max((f.position for f in fields), default=-1) + 1,
            required=required,
            options=list(options),
            help_text=help_text.strip(),
            client_visible=client_visible,
        )
        field.check_definition()
        uow.form_fields.add(field)
        uow.commit()
    return field


def _get(uow: UnitOfWork, actor: User, field_id: int) -> FormField:
    for f in uow.form_fields.list(actor.portal_id):
        if f.id == field_id:
            return f
    raise NotFound(N_("no such form field"))


def update_field(
    uow: UnitOfWork,
    actor: User,
    field_id: int,
    *,
    label: str,
    kind: str | FieldKind,
    required: bool,
    options: Sequence[str] = (),
    help_text: str = "",
    client_visible: bool = True,
) -> FormField:
    """Change a field. Answers already given on tickets are kept as they were (by key).

    Raises:
        PermissionDenied, NotFound, InvalidInput (the subject and description keep their kind).
    """
    actor.require_admin("change the request form")
    with uow:
        field = _get(uow, actor, field_id)
        new_kind = _parse_kind(kind)
        if field.key in SYSTEM_KEYS:
            if new_kind is not field.kind:
                raise InvalidInput({"kind": N_("the subject and description keep their type")})
            if not client_visible:
                raise InvalidInput({"client_visible": N_("clients always fill this field")})
        field.label = " ".join(label.split())
        field.kind = new_kind
        field.required = required
        field.options = list(options)
        field.help_text = help_text.strip()
        field.client_visible = client_visible
        field.check_definition()
        uow.commit()
    return field


def retire_field(uow: UnitOfWork, actor: User, field_id: int) -> FormField:
    """Stop asking a field. Its answers on existing tickets keep showing.

    Raises:
        PermissionDenied, NotFound, InvalidInput (subject and description stay).
    """
    actor.require_admin("change the request form")
    with uow:
        field = _get(uow, actor, field_id)
        if field.key in SYSTEM_KEYS:
            raise InvalidInput({"field": N_("the subject and the description cannot be removed")})
        field.active = False
        uow.commit()
    return field


def restore_field(uow: UnitOfWork, actor: User, field_id: int) -> FormField:
    actor.require_admin("change the request form")
    with uow:
        field = _get(uow, actor, field_id)
        field.active = True
        uow.commit()
    return field


def move_field(uow: UnitOfWork, actor: User, field_id: int, *, offset: int) -> None:
    """Move a field up (offset -1) or down (+1) among the active fields."""
    actor.require_admin("change the request form")
    with uow:
        active = [f for f in uow.form_fields.list(actor.portal_id) if f.active]
        index = next((i for i, f in enumerate(active) if f.id == field_id), None)
        if index is None:
            raise NotFound(N_("no such form field"))
        target = max(0, min(len(active) - 1, index + offset))
        active.insert(target, active.pop(index))
        for position, f in enumerate(active):
            f.position = position
        uow.commit()
