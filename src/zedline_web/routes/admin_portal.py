"""The portal admin's own pages: the overview, the request form builder, the statuses and the
portal's settings with its share link and QR code.

Every page and action answers 404 to anyone but a portal admin, so operators and clients never
learn these pages exist. Changes go through the core's use cases; an action answers with a
redirect back and a flash, or re-renders its page with the message at the bad field (422).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

import segno
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from zedline import Zedline
from zedline.errors import InvalidInput, NotFound
from zedline.forms import services as forms
from zedline.forms.model import SYSTEM_KEYS, FieldKind, FormField
from zedline.i18n import LANGUAGES, N_, gettext_for, translate_all
from zedline.portals import queries as portal_queries
from zedline.portals import services as portals
from zedline.tickets import statuses
from zedline.tickets.model import Category, Status
from zedline_web.context import ActorDep, PortalDep, PortalInfo, ZlDep
from zedline_web.forms import admin_only, form_text
from zedline_web.templating import flash, render, sentences

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

CLIENT, STAFF = "client", "staff"
DIRECTIONS = {"up": -1, "down": 1}
# A form with more fields than this ("things a new admin usually adds") counts as built.
DEFAULT_FIELD_COUNT = 2
QR_SCALE_SVG = 6
QR_SCALE_PNG = 10


# -- helpers -------------------------------------------------------------------------------


def _url(portal: PortalInfo, path: str = "") -> str:
    return f"/p/{portal.slug}/admin/{path}"


def _t(portal: PortalInfo, message: str, **values: str) -> str:
    """`message` in the portal's language, with `{name}` places filled from `values`."""
    text = gettext_for(portal.language, message)
    return text.format(**values) if values else text


def _int(value: str) -> int | None:
    value = value.strip()
    if not value.isdigit() or len(value) > 18:  # noqa: PLR2004 - a 63-bit id
        return None
    return int(value)


def _overview_links(portal: PortalInfo) -> dict[str, str]:
    return {
        "form": _url(portal, "form"),
        "mail": _url(portal, "mail"),
        "people": _url(portal, "people"),
        "portal": _url(portal, "portal") + "#share",
    }


# -- overview ------------------------------------------------------------------------------


@get("/p/{slug:str}/admin", sync_to_thread=True, name="admin_home")
def home(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    with zl.reader() as uow:
        detail = portal_queries.portal_detail(uow, portal.slug)
        field_count = len(uow.form_fields.list(portal.id, active_only=True))
    return render(
        request, "admin/home.html", portal=portal, section="home", detail=detail,
        form_built=field_count > DEFAULT_FIELD_COUNT, links=_overview_links(portal),
    )  # fmt: skip


# -- the request form builder --------------------------------------------------------------


def _all_fields(zl: Zedline, portal: PortalInfo) -> list[FormField]:
    with zl.reader() as uow:
        return list(uow.form_fields.list(portal.id))


def _field_values(field: FormField | None = None) -> dict[str, Any]:
    """The editor's values: empty for a new field, or those of `field`."""
    if field is None:
        return {
            "label": "", "kind": FieldKind.TEXT.value, "options": "", "help_text": "",
            "required": False, "audience": CLIENT,
        }  # fmt: skip
    return {
        "label": field.label,
        "kind": field.kind.value,
        "options": "\n".join(field.options),
        "help_text": field.help_text,
        "required": field.required,
        "audience": CLIENT if field.client_visible else STAFF,
    }


def _posted_field(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "label": form_text(data, "label"),
        "kind": form_text(data, "kind"),
        "options": form_text(data, "options"),
        "help_text": form_text(data, "help_text"),
        "required": form_text(data, "required") == "on",
        "audience": form_text(data, "audience"),
    }


def _field_args(values: Mapping[str, Any]) -> dict[str, Any]:
    """The use case's arguments from the editor's values (InvalidInput for a bad audience)."""
    if values["audience"] not in (CLIENT, STAFF):
        raise InvalidInput({"audience": N_("choose who fills this field")})
    return {
        "label": values["label"],
        "kind": values["kind"],
        "required": values["required"],
        "options": [line.strip() for line in str(values["options"]).splitlines()],
        "help_text": values["help_text"],
        "client_visible": values["audience"] == CLIENT,
    }


def _field_errors(portal: PortalInfo, exc: InvalidInput) -> dict[str, str]:
    errors = translate_all(portal.language, exc.errors)
    # The key is made from the label, so a problem with it is a problem with the label.
    if "key" in errors:
        errors.setdefault("label", errors.pop("key"))
    if "client_visible" in errors:
        errors["audience"] = errors.pop("client_visible")
    return sentences(errors)


def _render_builder(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    row_errors: Mapping[int, str] | None = None,
    status_code: int = 200,
) -> Template:
    fields = _all_fields(zl, portal)
    active = [f for f in fields if f.active]
    return render(
        request, "admin/form.html", portal=portal, section="form", fields=active,
        retired=[f for f in fields if not f.active],
        preview=[f for f in active if f.client_visible], system_keys=SYSTEM_KEYS,
        values=dict(values or _field_values()), errors=dict(errors or {}),
        row_errors=dict(row_errors or {}), status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/form", sync_to_thread=True, name="admin_form")
def form_builder(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_builder(request, zl, portal)


@post("/p/{slug:str}/admin/form", sync_to_thread=True, name="admin_form_add")
def add_field(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = _posted_field(data)
    try:
        field = forms.add_field(zl.uow(), actor, **_field_args(values))
    except InvalidInput as exc:
        return _render_builder(
            request, zl, portal, values=values, errors=_field_errors(portal, exc), status_code=422
        )
    flash(request, "success", _t(portal, "The field “{label}” is on the form.", label=field.label))
    return Redirect(_url(portal, "form") + f"#field-{field.id}")


def _field(zl: Zedline, portal: PortalInfo, field_id: int) -> FormField:
    for f in _all_fields(zl, portal):
        if f.id == field_id:
            return f
    raise NotFound("no such form field")


def _render_edit(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    field: FormField,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request, "admin/form_edit.html", portal=portal, section="form", field=field,
        system=field.key in SYSTEM_KEYS, values=dict(values or _field_values(field)),
        errors=dict(errors or {}), status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/form/{field_id:int}", sync_to_thread=True, name="admin_form_field")
def edit_field(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    field_id: FromPath[int],
) -> Template:
    admin_only(actor)
    return _render_edit(request, portal, _field(zl, portal, field_id))


@post("/p/{slug:str}/admin/form/{field_id:int}", sync_to_thread=True, name="admin_form_save")
def save_field(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    field_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)
    field = _field(zl, portal, field_id)
    values = _posted_field(data)
    if field.key in SYSTEM_KEYS:
        # The page shows these as fixed; a hand-made request changing them is still refused
        # by the use case.
        values["audience"] = values["audience"] or CLIENT
    try:
        saved = forms.update_field(zl.uow(), actor, field_id, **_field_args(values))
    except InvalidInput as exc:
        return _render_edit(
            request,
            portal,
            field,
            values=values,
            errors=_field_errors(portal, exc),
            status_code=422,
        )
    flash(request, "success", _t(portal, "The field “{label}” is saved.", label=saved.label))
    return Redirect(_url(portal, "form") + f"#field-{saved.id}")


def _field_action(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    field_id: int,
    action: Any,
    success: str,
) -> Template | Redirect:
    """Run a list action on one field; a refusal is shown at that field's row (422)."""
    try:
        action()
    except InvalidInput as exc:
        message = next(iter(sentences(translate_all(portal.language, exc.errors)).values()), "")
        return _render_builder(request, zl, portal, row_errors={field_id: message}, status_code=422)
    flash(request, "success", success)
    return Redirect(_url(portal, "form") + f"#field-{field_id}")


@post("/p/{slug:str}/admin/form/{field_id:int}/move", sync_to_thread=True, name="admin_form_move")
def move_field(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    field_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)
    offset = DIRECTIONS.get(form_text(data, "direction"))

    def run() -> None:
        if offset is None:
            raise InvalidInput({"direction": N_("choose to move the field up or down")})
        forms.move_field(zl.uow(), actor, field_id, offset=offset)

    return _field_action(request, zl, portal, field_id, run, _t(portal, "The field is moved."))


@post(
    "/p/{slug:str}/admin/form/{field_id:int}/retire",
    sync_to_thread=True,
    name="admin_form_retire",
)
def retire_field(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    field_id: FromPath[int],
) -> Template | Redirect:
    admin_only(actor)
    return _field_action(
        request, zl, portal, field_id, lambda: forms.retire_field(zl.uow(), actor, field_id),
        _t(portal, "The field is removed from the form. Answers already given keep showing."),
    )  # fmt: skip


@post(
    "/p/{slug:str}/admin/form/{field_id:int}/restore",
    sync_to_thread=True,
    name="admin_form_restore",
)
def restore_field(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    field_id: FromPath[int],
) -> Template | Redirect:
    admin_only(actor)
    return _field_action(
        request, zl, portal, field_id, lambda: forms.restore_field(zl.uow(), actor, field_id),
        _t(portal, "The field is back on the form, at its old place."),
    )  # fmt: skip


# -- statuses ------------------------------------------------------------------------------


def _statuses(zl: Zedline, portal: PortalInfo) -> list[Status]:
    with zl.reader() as uow:
        return list(uow.statuses.list(portal.id))


def _render_statuses(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    row_values: Mapping[int, Mapping[str, str]] | None = None,
    row_errors: Mapping[int, Mapping[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    all_statuses = _statuses(zl, portal)
    groups = [(c, [s for s in all_statuses if s.category is c]) for c in Category]
    return render(
        request, "admin/statuses.html", portal=portal, section="statuses", groups=groups,
        values=dict(values or {"category": "", "operator_label": "", "client_label": ""}),
        errors=dict(errors or {}), row_values=dict(row_values or {}),
        row_errors=dict(row_errors or {}), status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/statuses", sync_to_thread=True, name="admin_statuses")
def statuses_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_statuses(request, zl, portal)


def _labels(data: Mapping[str, Any]) -> dict[str, str]:
    return {k: form_text(data, k) for k in ("operator_label", "client_label")}


@post("/p/{slug:str}/admin/statuses", sync_to_thread=True, name="admin_statuses_add")
def add_status(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = {"category": form_text(data, "category"), **_labels(data)}
    try:
        status = statuses.add_status(zl.uow(), actor, **values)
    except InvalidInput as exc:
        return _render_statuses(
            request,
            zl,
            portal,
            values=values,
            errors=sentences(translate_all(portal.language, exc.errors)),
            status_code=422,
        )
    label = status.operator_label
    flash(request, "success", _t(portal, "The status “{label}” is added.", label=label))
    return Redirect(_url(portal, "statuses") + f"#status-{status.id}")


def _status_action(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    status_id: int,
    action: Any,
    success: str,
    values: Mapping[str, str] | None = None,
) -> Template | Redirect:
    """Run an action on one status; a refusal is shown at that status's row (422)."""
    try:
        action()
    except InvalidInput as exc:
        errors = sentences(translate_all(portal.language, exc.errors))
        return _render_statuses(
            request, zl, portal, row_errors={status_id: errors},
            row_values={status_id: values} if values else None, status_code=422,
        )  # fmt: skip
    flash(request, "success", success)
    return Redirect(_url(portal, "statuses") + f"#status-{status_id}")


@post(
    "/p/{slug:str}/admin/statuses/{status_id:int}",
    sync_to_thread=True,
    name="admin_statuses_rename",
)
def rename_status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    status_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)
    values = _labels(data)
    return _status_action(
        request, zl, portal, status_id,
        lambda: statuses.rename_status(zl.uow(), actor, status_id, **values),
        _t(portal, "The status is renamed."), values,
    )  # fmt: skip


@post(
    "/p/{slug:str}/admin/statuses/{status_id:int}/default",
    sync_to_thread=True,
    name="admin_statuses_default",
)
def default_status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    status_id: FromPath[int],
) -> Template | Redirect:
    admin_only(actor)
    return _status_action(
        request, zl, portal, status_id,
        lambda: statuses.set_default_status(zl.uow(), actor, status_id),
        _t(portal, "New requests now start in this status."),
    )  # fmt: skip


def _offset_in_category(items: Sequence[Status], status_id: int, step: int) -> int:
    """How far to move a status in the portal's whole order so that it passes the next
    status of its own category (the page shows the statuses grouped by category)."""
    index = next((i for i, s in enumerate(items) if s.id == status_id), None)
    if index is None:
        raise NotFound("no such status")
    category = items[index].category
    same = [i for i, s in enumerate(items) if s.category is category]
    at = same.index(index)
    if not 0 <= at + step < len(same):
        return 0
    return same[at + step] - index


@post(
    "/p/{slug:str}/admin/statuses/{status_id:int}/move",
    sync_to_thread=True,
    name="admin_statuses_move",
)
def move_status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    status_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)
    step = DIRECTIONS.get(form_text(data, "direction"))

    def run() -> None:
        if step is None:
            raise InvalidInput({"direction": N_("choose to move the status up or down")})
        offset = _offset_in_category(_statuses(zl, portal), status_id, step)
        if offset:
            statuses.move_status(zl.uow(), actor, status_id, offset=offset)

    return _status_action(request, zl, portal, status_id, run, _t(portal, "The status is moved."))


@post(
    "/p/{slug:str}/admin/statuses/{status_id:int}/retire",
    sync_to_thread=True,
    name="admin_statuses_retire",
)
def retire_status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    status_id: FromPath[int],
) -> Template | Redirect:
    admin_only(actor)
    return _status_action(
        request, zl, portal, status_id,
        lambda: statuses.retire_status(zl.uow(), actor, status_id),
        _t(portal, "The status is retired. Requests that have it keep it until changed."),
    )  # fmt: skip


@post(
    "/p/{slug:str}/admin/statuses/{status_id:int}/restore",
    sync_to_thread=True,
    name="admin_statuses_restore",
)
def restore_status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    status_id: FromPath[int],
) -> Template | Redirect:
    admin_only(actor)
    return _status_action(
        request, zl, portal, status_id,
        lambda: statuses.restore_status(zl.uow(), actor, status_id),
        _t(portal, "The status can be chosen again."),
    )  # fmt: skip


# -- portal settings and sharing -----------------------------------------------------------


@cache
def _zone_groups() -> list[tuple[str, list[str]]]:
    """Time zones by region ("Europe", "America", ...), UTC first; legacy names left out."""
    groups: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        if portals.valid_timezone(name) and name != "UTC":
            groups.setdefault(name.split("/", 1)[0], []).append(name)
    return [("UTC", ["UTC"]), *sorted(groups.items())]


def _portal_link(zl: Zedline, portal: PortalInfo) -> str:
    return f"{zl.settings.base_url.rstrip('/')}/p/{portal.slug}/"


def _render_portal(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    current = {"name": portal.name, "timezone": portal.timezone, "language": portal.language}
    return render(
        request, "admin/portal.html", portal=portal, section="portal",
        values=dict(values or current), errors=dict(errors or {}), zones=_zone_groups(),
        languages=LANGUAGES, link=_portal_link(zl, portal), status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/portal", sync_to_thread=True, name="admin_portal")
def portal_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_portal(request, zl, portal)


@post("/p/{slug:str}/admin/portal", sync_to_thread=True, name="admin_portal_save")
def save_portal(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = {k: form_text(data, k) for k in ("name", "timezone", "language")}
    try:
        saved = portals.update_portal_settings(zl.uow(), actor, **values)
    except InvalidInput as exc:
        return _render_portal(
            request,
            zl,
            portal,
            values=values,
            errors=sentences(translate_all(portal.language, exc.errors)),
            status_code=422,
        )
    # In the portal's new language: the next page is shown in it.
    flash(request, "success", gettext_for(saved.language, "The portal's settings are saved."))
    return Redirect(_url(portal, "portal"))


def _qr(zl: Zedline, portal: PortalInfo) -> segno.QRCode:
    return segno.make(_portal_link(zl, portal), error="m")


@get("/p/{slug:str}/admin/portal/qr.svg", sync_to_thread=True, name="admin_portal_qr_svg")
def qr_svg(zl: ZlDep, portal: PortalDep, actor: ActorDep) -> Response[bytes]:
    admin_only(actor)
    out = io.BytesIO()
    _qr(zl, portal).save(
        out, kind="svg", scale=QR_SCALE_SVG, dark="#000", light="#fff", xmldecl=False,
        title=portal.name,
    )  # fmt: skip
    return Response(out.getvalue(), media_type="image/svg+xml")


@get("/p/{slug:str}/admin/portal/qr.png", sync_to_thread=True, name="admin_portal_qr_png")
def qr_png(zl: ZlDep, portal: PortalDep, actor: ActorDep) -> Response[bytes]:
    admin_only(actor)
    out = io.BytesIO()
    _qr(zl, portal).save(out, kind="png", scale=QR_SCALE_PNG, dark="#000", light="#fff")
    return Response(
        out.getvalue(),
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{portal.slug}-qr.png"'},
    )


ROUTES: list[Any] = [
    home,
    form_builder,
    add_field,
    edit_field,
    save_field,
    move_field,
    retire_field,
    restore_field,
    statuses_page,
    add_status,
    rename_status,
    default_status,
    move_status,
    retire_status,
    restore_status,
    portal_page,
    save_portal,
    qr_svg,
    qr_png,
]
