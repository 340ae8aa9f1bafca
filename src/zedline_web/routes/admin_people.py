"""Admin pages: the people of a portal (operators and admins, clients) and its disk space.

Every page and action here is for portal admins only; anyone else gets 404. Reads go through
`zedline.accounts.queries` and `zedline.portals.disk`; changes through the use cases, each
answered with a redirect and a flash (PRG), or the page again with the message where the
problem is (422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from zedline import Zedline
from zedline.accounts import people, queries
from zedline.accounts import services as accounts
from zedline.accounts.model import User
from zedline.errors import Conflict, InvalidInput
from zedline.i18n import gettext_for, translate, translate_all
from zedline.portals import disk
from zedline.portals import services as portals
from zedline_web.context import ActorDep, PortalDep, PortalInfo, ZlDep
from zedline_web.forms import admin_only, form_text
from zedline_web.templating import flash, render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MAX_SEARCH = 100
UNITS = {"MB": 1024 * 1024, "GB": 1024 * 1024 * 1024}
MAX_QUOTA_BYTES = 1024**5  # a petabyte: anything above is a typo


# -- helpers -------------------------------------------------------------------------------


def _t(portal: PortalInfo, text: str, **values: object) -> str:
    """`text` in the portal's language, with `{name}` placeholders filled in."""
    return gettext_for(portal.language, text).format(**values)


def _people_url(portal: PortalInfo) -> str:
    return f"/p/{portal.slug}/admin/people"


def _clients_url(portal: PortalInfo, q: str = "", after: str = "") -> str:
    params = {k: v for k, v in (("q", q), ("after", after)) if v}
    query = f"?{urlencode(params)}" if params else ""
    return f"/p/{portal.slug}/admin/people/clients{query}"


def _search_text(value: str | None) -> str:
    return " ".join((value or "").split())[:MAX_SEARCH]


# -- operators and admins ------------------------------------------------------------------


def _render_people(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    row_errors: Mapping[int, str] | None = None,
    status_code: int = 200,
) -> Template:
    with zl.reader() as uow:
        rows = queries.staff_rows(uow, actor)
    return render(
        request, "admin/people.html", portal=portal, section="people", rows=rows,
        me=actor.id, values=dict(values or {"role": "operator"}), errors=dict(errors or {}),
        row_errors=dict(row_errors or {}), status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/people", sync_to_thread=True, name="admin_people")
def people_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_people(request, zl, portal, actor)


@post("/p/{slug:str}/admin/people", sync_to_thread=True, name="admin_people_add")
def add_person(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = {k: form_text(data, k).strip() for k in ("first_name", "last_name", "email", "role")}
    try:
        user = people.invite_staff(
            zl.uow(), zl.clock, zl.hasher, zl.notifier, actor, email=values["email"],
            first_name=values["first_name"], last_name=values["last_name"], role=values["role"],
        )  # fmt: skip
    except InvalidInput as exc:
        errors = translate_all(portal.language, exc.errors)
    except Conflict as exc:
        errors = {"email": translate(portal.language, exc.text)}
    else:
        flash(request, "success", _t(
            portal, "{name} is added. The invitation with the address, login and password "
            "went to {email}.", name=user.full_name, email=user.email,
        ))  # fmt: skip
        return Redirect(_people_url(portal))
    return _render_people(request, zl, portal, actor, values=values, errors=errors, status_code=422)


def _back(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    data: Mapping[str, Any],
    user_id: int,
    action: Callable[[], str],
) -> Template | Redirect:
    """Run a row action; redirect to the list it came from with its flash, or show that
    list again with the message in the person's row (422)."""
    to_clients = form_text(data, "back") == "clients"
    q, after = _search_text(form_text(data, "q")), form_text(data, "after")[:300]
    try:
        message = action()
    except InvalidInput as exc:
        text = "; ".join(translate_all(portal.language, exc.errors).values())
        if to_clients:
            return _render_clients(
                request, zl, portal, actor, q=q, after=after, row_errors={user_id: text},
                status_code=422,
            )  # fmt: skip
        return _render_people(
            request, zl, portal, actor, row_errors={user_id: text}, status_code=422
        )
    flash(request, "success", message)
    return Redirect(_clients_url(portal, q, after) if to_clients else _people_url(portal))


@post(
    "/p/{slug:str}/admin/people/{user_id:int}/role", sync_to_thread=True, name="admin_people_role"
)
def change_role(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    user_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)

    def run() -> str:
        user = people.change_role(zl.uow(), actor, user_id, role=form_text(data, "role"))
        if user.is_admin:
            return _t(portal, "{name} is now an admin.", name=user.full_name)
        return _t(portal, "{name} is now an operator.", name=user.full_name)

    answer = _back(request, zl, portal, actor, data, user_id, run)
    if user_id == actor.id and isinstance(answer, Redirect):
        # An admin who made themselves an operator no longer sees these pages.
        return Redirect(f"/p/{portal.slug}/tickets")
    return answer


@get(
    "/p/{slug:str}/admin/people/{user_id:int}/deactivate",
    sync_to_thread=True,
    name="admin_people_deactivate_confirm",
)
def deactivate_confirm(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    user_id: FromPath[int],
    q: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
) -> Template:
    """Asks before deactivating, and says what will happen (works without JavaScript)."""
    admin_only(actor)
    with zl.reader() as uow:
        person = queries.person_row(uow, actor, user_id)
    back = "people" if person.is_staff else "clients"
    cancel = _people_url(portal) if person.is_staff else _clients_url(portal, _search_text(q))
    return render(
        request, "admin/people_deactivate.html", portal=portal, section="people",
        person=person, me=actor.id, back=back, q=_search_text(q), after=(after or "")[:300],
        cancel_url=cancel,
    )  # fmt: skip


@post(
    "/p/{slug:str}/admin/people/{user_id:int}/deactivate",
    sync_to_thread=True,
    name="admin_people_deactivate",
)
def deactivate(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    user_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)

    def run() -> str:
        with zl.reader() as uow:
            person = queries.person_row(uow, actor, user_id)
        unassigned = people.deactivate_user(zl.uow(), zl.clock, actor, user_id)
        text = _t(portal, "{name} is deactivated and logged out everywhere.", name=person.name)
        if unassigned:
            text += " " + _t(
                portal,
                "{n} active request(s) they were assigned are now unassigned in the journal.",
                n=unassigned,
            )
        return text

    return _back(request, zl, portal, actor, data, user_id, run)


@post(
    "/p/{slug:str}/admin/people/{user_id:int}/reactivate",
    sync_to_thread=True,
    name="admin_people_reactivate",
)
def reactivate(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    user_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)

    def run() -> str:
        user = people.reactivate_user(zl.uow(), actor, user_id)
        return _t(portal, "{name} can log in again.", name=user.full_name)

    return _back(request, zl, portal, actor, data, user_id, run)


@post(
    "/p/{slug:str}/admin/people/{user_id:int}/credentials",
    sync_to_thread=True,
    name="admin_people_credentials",
)
def resend_credentials(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    user_id: FromPath[int],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)

    def run() -> str:
        with zl.reader() as uow:
            person = queries.person_row(uow, actor, user_id)
        if not person.active:
            raise InvalidInput({"user": _t(portal, "Reactivate them first: they cannot log in.")})
        accounts.resend_credentials(zl.uow(), zl.clock, zl.hasher, zl.notifier, actor, user_id)
        return _t(
            portal, "A new password went to {email}; the old one no longer works.",
            email=person.email,
        )  # fmt: skip

    return _back(request, zl, portal, actor, data, user_id, run)


# -- clients -------------------------------------------------------------------------------


def _render_clients(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    *,
    q: str,
    after: str,
    row_errors: Mapping[int, str] | None = None,
    status_code: int = 200,
) -> Template:
    with zl.reader() as uow:
        page = queries.client_list(uow, actor, q, after=after or None)
    return render(
        request, "admin/people_clients.html", portal=portal, section="people", page=page,
        q=q, after=after, row_errors=dict(row_errors or {}), status_code=status_code,
        next_url=_clients_url(portal, q, page.next_after) if page.next_after else None,
        first_url=_clients_url(portal, q) if after else None,
    )  # fmt: skip


@get("/p/{slug:str}/admin/people/clients", sync_to_thread=True, name="admin_clients")
def clients_page(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    q: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
) -> Template:
    admin_only(actor)
    return _render_clients(request, zl, portal, actor, q=_search_text(q), after=(after or "")[:300])


# -- disk space ----------------------------------------------------------------------------


def _render_disk(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    with zl.reader() as uow:
        usage = disk.disk_usage(uow, actor)
        files = disk.biggest_files(uow, actor)
        tickets = disk.biggest_tickets(uow, actor)
    if values is None:
        in_gb = usage.quota_bytes % UNITS["GB"] == 0
        unit = "GB" if in_gb else "MB"
        amount = Decimal(usage.quota_bytes) / UNITS[unit]
        values = {"quota": _plain(amount), "unit": unit}
    return render(
        request, "admin/disk.html", portal=portal, section="disk", usage=usage, files=files,
        tickets=tickets, values=dict(values), errors=dict(errors or {}),
        status_code=status_code,
    )  # fmt: skip


def _plain(amount: Decimal) -> str:
    text = f"{amount.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@get("/p/{slug:str}/admin/disk", sync_to_thread=True, name="admin_disk")
def disk_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_disk(request, zl, portal, actor)


def _quota_bytes(portal: PortalInfo, amount: str, unit: str) -> int:
    if unit not in UNITS:
        raise InvalidInput({"unit": _t(portal, "Choose MB or GB.")})
    try:
        value = Decimal(amount.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise InvalidInput({"quota": _t(portal, "Enter the quota as a number, like 5 or 2.5.")})
    if value <= 0:
        raise InvalidInput({"quota": _t(portal, "The quota must be more than zero.")})
    size = int(value * UNITS[unit])
    if size > MAX_QUOTA_BYTES:
        raise InvalidInput({"quota": _t(portal, "The quota can be at most 1,048,576 GB.")})
    return size


@post("/p/{slug:str}/admin/disk/quota", sync_to_thread=True, name="admin_disk_quota")
def change_quota(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = {"quota": form_text(data, "quota").strip()[:40], "unit": form_text(data, "unit")}
    try:
        size = _quota_bytes(portal, values["quota"], values["unit"])
        updated = portals.set_quota(zl.uow(), actor, quota_bytes=size)
    except InvalidInput as exc:
        return _render_disk(
            request,
            zl,
            portal,
            actor,
            values=values,
            errors=translate_all(portal.language, exc.errors),
            status_code=422,
        )
    amount = Decimal(updated.quota_bytes) / UNITS[values["unit"]]
    flash(request, "success", _t(
        portal, "The quota is now {amount} {unit}.", amount=_plain(amount), unit=values["unit"]
    ))  # fmt: skip
    return Redirect(f"/p/{portal.slug}/admin/disk")


ROUTES: list[Any] = [
    people_page,
    add_person,
    change_role,
    deactivate_confirm,
    deactivate,
    reactivate,
    resend_credentials,
    clients_page,
    disk_page,
    change_quota,
]
