"""Ticket pages: the client's list, the journal, the request form, the ticket page and its
actions, and inviting a client.

Reads go through `zedline.tickets.queries` in a reading unit of work; every change goes
through a use case. Each action answers with a redirect back (PRG) and a flash, or re-renders
the page with a message at each bad field (422) or the latest state after a conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
import anyio.to_thread
from litestar import Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from zedline import Zedline
from zedline.accounts import queries as accounts_queries
from zedline.accounts import services as accounts
from zedline.accounts.model import User
from zedline.errors import Conflict, InvalidInput, NotFound
from zedline.forms.model import FieldKind, FormField
from zedline.i18n import N_, Translatable, gettext_for, translate, translate_all, translations
from zedline.tickets import queries
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import MAX_FILES_PER_MESSAGE, Upload
from zedline_web.context import (
    PAGE_READER,
    ActorDep,
    PortalDep,
    PortalInfo,
    ZlDep,
    end_page_reader,
    page_reader,
)
from zedline_web.forms import form_text
from zedline_web.templating import csrf_token, flash, kept_body, relative_times, render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# Room for the most files one message may carry at the default per-file limit, plus the text.
UPLOAD_BODY_LIMIT = MAX_FILES_PER_MESSAGE * 20 * 1024 * 1024 + 1024 * 1024
CHOOSE_VISIBILITY = N_("choose who sees this: a reply to the client or an internal note")
CONFLICT_TEXT = N_(
    "This request was changed by someone else meanwhile. The page now shows the latest state."
)
NO_SUCH_PAGE = N_("no such page")


# -- helpers -------------------------------------------------------------------------------


def _base(portal: PortalInfo) -> str:
    return f"/p/{portal.slug}"


def _ticket_url(portal: PortalInfo, number: int) -> str:
    return f"{_base(portal)}/tickets/{number}"


def _texts(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if not isinstance(v, UploadFile) and str(v) != ""]


def _files(data: Mapping[str, Any], name: str = "files") -> list[UploadFile]:
    value = data.get(name)
    items = value if isinstance(value, list) else [value]
    # A file input left empty still sends a part with no file name.
    return [f for f in items if isinstance(f, UploadFile) and f.filename]


def _uploads(files: list[UploadFile]) -> list[Upload]:
    return [Upload(f.filename, f.content_type or "", f.file) for f in files]  # type: ignore[arg-type]


def _close(files: list[UploadFile]) -> None:
    for f in files:
        f.file.close()


def _int(value: str) -> int | None:
    value = value.strip()
    if not value.isdigit() or len(value) > 18:  # noqa: PLR2004 - a 63-bit id
        return None
    return int(value)


def _zone(portal: PortalInfo) -> ZoneInfo:
    try:
        return ZoneInfo(portal.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_input(portal: PortalInfo, raw: str, field: str) -> datetime:
    """A `datetime-local` value, read in the portal's time zone, as an aware UTC datetime."""
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput({field: N_("enter a date and a time")}) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=_zone(portal)).astimezone(UTC)


def _version(data: Mapping[str, Any]) -> int | None:
    return _int(form_text(data, "version"))


def _require_staff(actor: User) -> None:
    # A client never learns that a staff page or action exists.
    if not actor.is_staff:
        raise NotFound(NO_SUCH_PAGE)


# -- the lists -----------------------------------------------------------------------------


@get("/p/{slug:str}/tickets", name="tickets", opt={PAGE_READER: True})
async def ticket_list(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    category: FromQuery[str | None] = None,
    assignee: FromQuery[str | None] = None,
    client: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
    before: FromQuery[str | None] = None,
    who: FromQuery[str | None] = None,
) -> Template | Redirect:
    """A client's own requests, or the operators' journal.

    A list is a few indexed reads: it is served in place, which costs less than handing it
    to a worker thread. A search may take longer, so it runs in a thread and the process
    keeps answering everyone else meanwhile."""
    work = partial(
        _ticket_list, request, zl, portal, actor, category=category, assignee=assignee,
        client=client, q=q, sort=sort, after=after, before=before, who=who,
    )  # fmt: skip
    if q or who:
        # A search may wait for its turn: it does not hold the page's connection meanwhile.
        end_page_reader(request.scope)
        return await anyio.to_thread.run_sync(work, limiter=_search_limiter(request))
    return work()


# Searches one process runs at once. More would not finish sooner (a search is CPU work in
# the database engine, and a process serves on one core), but each holds a thread, a pooled
# connection and its buffers meanwhile: with the default forty, a worker that had served
# searches at 16 concurrent users kept 80-100 MB more (docs/benchmarks.md). The others wait
# their turn without blocking the pages.
SEARCHES_AT_ONCE = 2


def _search_limiter(request: Request[Any, Any, Any]) -> anyio.CapacityLimiter:
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = state.get("search_limiter")
    if limiter is None:  # made on first use: a limiter belongs to the running event loop
        limiter = state["search_limiter"] = anyio.CapacityLimiter(SEARCHES_AT_ONCE)
    return limiter


def _ticket_list(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    *,
    category: str | None,
    assignee: str | None,
    client: str | None,
    q: str | None,
    sort: str | None,
    after: str | None,
    before: str | None,
    who: str | None,
) -> Template | Redirect:
    after_cursor = queries.Cursor.decode(after)
    before_cursor = None if after_cursor else queries.Cursor.decode(before)
    live_url = f"{_base(portal)}/live"
    if not actor.is_staff:
        with page_reader(request) as uow:
            mine = queries.client_tickets(uow, actor, after=after_cursor, before=before_cursor)
        url = f"{_base(portal)}/tickets"
        body = kept_body(
            request,
            "tickets/_client_list_body.html",
            portal.language,
            {
                "portal": portal,
                "page": mine,
                "older_url": f"{url}?{urlencode({'after': mine.older})}" if mine.older else None,
                "newer_url": f"{url}?{urlencode({'before': mine.newer})}" if mine.newer else None,
                "agos": relative_times(
                    portal.language,
                    tuple(r.public_updated_at for r in mine.rows),
                    datetime.now(UTC),
                ),
            },
        )
        return render(
            request, "tickets/list_client.html", portal=portal, body=body, live_url=live_url
        )
    flt = queries.JournalFilter.parse(
        category=category, assignee=assignee, client=client, q=q, sort=sort
    )
    with page_reader(request) as uow:
        number = queries.number_in_query(flt.q) if flt.q else None
        if number is not None and queries.ticket_exists(uow, actor, number):
            return Redirect(_ticket_url(portal, number))
        candidates = queries.search_candidates(uow, actor, flt)
        page = queries.journal(
            uow, actor, flt, now=zl.clock.now(), after=after_cursor, before=before_cursor,
            found=candidates,
        )  # fmt: skip
        counts = queries.journal_counts(uow, actor, flt, candidates)
        client_row = (
            accounts_queries.client_by_id(uow, actor, flt.client_id)
            if flt.client_id is not None
            else None
        )
        found = accounts_queries.search_clients(uow, actor, who) if who else []
    lang = portal.language
    body = kept_body(
        request,
        "tickets/_journal_body.html",
        lang,
        {
            "portal": portal,
            "page": page,
            "flt": flt,
            "counts_items": tuple(counts.items()),
            "client_row": client_row,
            "found": tuple(found),
            "who": who or "",
            "chips": _chips(lang),
            "agos": relative_times(lang, tuple(r.updated_at for r in page.rows), datetime.now(UTC)),
        },
        counts=counts,
        link=_journal_link(portal, flt),
    )
    return render(request, "tickets/journal.html", portal=portal, body=body, live_url=live_url)


def _journal_link(portal: PortalInfo, flt: queries.JournalFilter) -> Callable[..., str]:
    def link(**override: Any) -> str:
        params = flt.as_params(
            **{k: v for k, v in override.items() if k not in ("after", "before")}
        )
        for key in ("after", "before"):
            if override.get(key):
                params[key] = str(override[key])
        query = urlencode(params)
        return f"{_base(portal)}/tickets" + (f"?{query}" if query else "")

    return link


@cache
def _chips(lang: str) -> tuple[tuple[str, str], ...]:
    """The journal's filter by status category. Its words name groups of requests ("Active"
    ones), which some languages say unlike the category of one request: hence the context."""
    tr = translations(lang)
    return (
        ("active", tr.pgettext("requests", "Active")),
        ("new", tr.pgettext("requests", "New")),
        ("open", tr.pgettext("requests", "Open")),
        ("waiting", tr.pgettext("requests", "Waiting")),
        ("resolved", tr.pgettext("requests", "Resolved")),
        ("closed", tr.pgettext("requests", "Closed")),
        ("all", tr.pgettext("requests", "All")),
    )


def _requester_id(found: accounts_queries.ClientRow | None) -> int:
    if found is None:
        raise InvalidInput({"requester_email": N_("no client of this portal has this e-mail")})
    return found.id


# -- the request form ----------------------------------------------------------------------


def _form_fields(zl: Zedline, portal: PortalInfo, actor: User) -> list[FormField]:
    with zl.reader() as uow:
        fields = uow.form_fields.list(portal.id, active_only=True)
    return [f for f in fields if actor.is_staff or f.client_visible]


def _render_new(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    fields: list[FormField],
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    requester_email: str = "",
    status_code: int = 200,
) -> Template:
    return render(
        request, "tickets/new.html", portal=portal, fields=fields, values=dict(values or {}),
        errors=dict(errors or {}), requester_email=requester_email, status_code=status_code,
        max_files=MAX_FILES_PER_MESSAGE,
    )  # fmt: skip


@get("/p/{slug:str}/tickets/new", sync_to_thread=False, name="ticket_new")
def new_ticket(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    return _render_new(request, portal, _form_fields(zl, portal, actor))


@post(
    "/p/{slug:str}/tickets/new",
    sync_to_thread=True,
    request_max_body_size=UPLOAD_BODY_LIMIT,
    name="ticket_create",
)
def create_ticket(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    data: MultipartForm,
) -> Template | Redirect:
    fields = _form_fields(zl, portal, actor)
    answers: dict[str, object] = {}
    for f in fields:
        name = f"f_{f.key}"
        if f.kind is FieldKind.MULTISELECT:
            answers[f.key] = _texts(data, name)
        elif f.kind is FieldKind.CHECKBOX:
            answers[f.key] = form_text(data, name) == "on"
        else:
            answers[f.key] = form_text(data, name)
    files = _files(data)
    requester_email = form_text(data, "requester_email").strip() if actor.is_staff else ""
    try:
        requester_id = None
        if requester_email:
            with zl.reader() as uow:
                found = accounts_queries.client_by_email(uow, actor, requester_email)
            requester_id = _requester_id(found)
        ticket = tickets.open_ticket(
            zl.uow(), zl.clock, zl.notifier, actor, answers, files=zl.files,
            uploads=_uploads(files), limits=zl.file_limits, requester_id=requester_id,
        )  # fmt: skip
    except InvalidInput as exc:
        return _render_new(
            request, portal, fields, values=answers, errors=exc.errors,
            requester_email=requester_email, status_code=422,
        )  # fmt: skip
    finally:
        _close(files)
    saved = N_(
        "Request #%(number)s is saved. We will answer here and by e-mail.", number=ticket.number
    )
    flash(request, "success", translate(portal.language, saved))
    return Redirect(_ticket_url(portal, ticket.number))


# -- the ticket page -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    label: str
    text: str
    # Given on an older form: its field was removed or changed so that the answer no longer
    # fits (another type, an option that is gone). Shown all the same, marked.
    older: bool


def _staff_answers(page: queries.TicketPage, lang: str) -> list[AnswerView]:
    """The ticket's answers as staff see them (`TicketPage.staff_answers`), in `lang`."""
    return [
        AnswerView(label, translate(lang, text) if isinstance(text, Translatable) else text, older)
        for label, text, older in page.staff_answers
    ]


def _render_ticket(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    number: int,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    with page_reader(request) as uow:
        page = queries.ticket_page(uow, actor, number)
    answers = _staff_answers(page, portal.language) if actor.is_staff else []
    overdue = page.overdue_at
    shown = {
        "portal": portal,
        "t": page,
        "staff": actor.is_staff,
        "user_id": actor.id,
        "answers": tuple(answers),
        "csrf_token": csrf_token(request),
        "deadline_passed": overdue is not None and overdue < zl.clock.now(),
        "max_files": MAX_FILES_PER_MESSAGE,
    }
    # A form sent back with its messages shows what was typed: rendered, never kept.
    typed = {"errors": translate_all(portal.language, errors or {}), "values": dict(values or {})}
    keep = not errors and not values
    body, aside = (
        kept_body(request, name, portal.language, shown, keep=keep, **typed)
        for name in ("tickets/_ticket_body.html", "tickets/_ticket_aside.html")
    )
    return render(
        request, "tickets/ticket.html", portal=portal, t=page, body=body, aside=aside,
        status_code=status_code, live_url=f"{_base(portal)}/live?ticket={number}",
    )  # fmt: skip


@get("/p/{slug:str}/tickets/{number:int}", name="ticket", opt={PAGE_READER: True})
async def ticket_detail(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
) -> Template:
    """The page is read in place; marking it read is a write, so it runs in a worker thread
    (a write may wait for the database's lock), and only when there is news to mark."""
    page = _render_ticket(request, zl, portal, actor, number)
    if page.context["t"].unread:
        await sync_to_thread(tickets.mark_read, zl.uow(), zl.clock, actor, number)
    return page


def _act(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    number: int,
    *,
    form: str,
    values: Mapping[str, Any],
    action: Callable[[], object],
    success: str,
) -> Template | Redirect:
    """Run a use case for a ticket action: redirect back with `success`, or re-render the
    page with the messages at `form`'s fields (422), or with the latest state (409)."""
    try:
        action()
    except InvalidInput as exc:
        errors = {
            ("__all__" if key == "__all__" else f"{form}.{key}"): message
            for key, message in exc.errors.items()
        }
        return _render_ticket(
            request, zl, portal, actor, number, errors=errors,
            values={f"{form}.{k}": v for k, v in values.items()}, status_code=422,
        )  # fmt: skip
    except Conflict as exc:
        stale = "changed by someone else" in exc.message or "same time" in exc.message
        flash(request, "error", CONFLICT_TEXT if stale else translate(portal.language, exc.text))
        return _render_ticket(request, zl, portal, actor, number, status_code=409)
    flash(request, "success", success)
    return Redirect(_ticket_url(portal, number))


@post(
    "/p/{slug:str}/tickets/{number:int}/reply",
    sync_to_thread=True,
    request_max_body_size=UPLOAD_BODY_LIMIT,
    name="ticket_reply",
)
def reply(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: MultipartForm,
) -> Template | Redirect:
    body = form_text(data, "body")
    files = _files(data)
    chosen = form_text(data, "visibility")

    def send() -> None:
        if actor.is_staff:
            if chosen not in (Visibility.PUBLIC.value, Visibility.INTERNAL.value):
                raise InvalidInput({"visibility": CHOOSE_VISIBILITY})
            visibility = Visibility(chosen)
        else:
            visibility = Visibility.PUBLIC
        tickets.post_message(
            zl.uow(), zl.clock, zl.notifier, actor, number, body=body, visibility=visibility,
            files=zl.files, uploads=_uploads(files), limits=zl.file_limits,
        )  # fmt: skip

    try:
        done = (
            N_("Internal note saved.")
            if chosen == "internal" and actor.is_staff
            else N_("Message sent.")
        )
        return _act(
            request, zl, portal, actor, number, form="reply",
            values={"body": body, "visibility": chosen}, action=send, success=done,
        )  # fmt: skip
    finally:
        _close(files)


@post("/p/{slug:str}/tickets/{number:int}/take", sync_to_thread=True, name="ticket_take")
def take(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    _require_staff(actor)
    return _act(
        request, zl, portal, actor, number, form="take", values={},
        action=lambda: tickets.take_ticket(
            zl.uow(), zl.clock, actor, number, expected_version=_version(data)
        ),
        success=N_("The request is now yours."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/delegate", sync_to_thread=True, name="ticket_delegate")
def delegate(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    _require_staff(actor)
    note = form_text(data, "note")
    to = _int(form_text(data, "assignee"))

    def run() -> None:
        if to is None:
            raise InvalidInput({"assignee": N_("choose a colleague")})
        tickets.delegate_ticket(
            zl.uow(), zl.clock, zl.notifier, actor, number, to_user_id=to, note=note,
            expected_version=_version(data),
        )  # fmt: skip

    return _act(
        request, zl, portal, actor, number, form="delegate",
        values={"assignee": form_text(data, "assignee"), "note": note}, action=run,
        success=N_("The request is handed over."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/status", sync_to_thread=True, name="ticket_status")
def status(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    _require_staff(actor)
    status_id = _int(form_text(data, "status"))

    def run() -> None:
        if status_id is None:
            raise InvalidInput({"status": N_("choose one of this portal's statuses")})
        tickets.change_status(
            zl.uow(), zl.clock, zl.notifier, actor, number, status_id=status_id,
            expected_version=_version(data),
        )  # fmt: skip

    return _act(
        request, zl, portal, actor, number, form="status", values={}, action=run,
        success=N_("Status changed."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/deadline", sync_to_thread=True, name="ticket_deadline")
def deadline(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    _require_staff(actor)
    raw = form_text(data, "deadline")
    clear = form_text(data, "clear") == "1"

    def run() -> None:
        if clear:
            when = None
        elif not raw.strip():
            raise InvalidInput({"deadline": N_("choose a date and a time, or clear the deadline")})
        else:
            when = _local_input(portal, raw, "deadline")
        tickets.set_deadline(
            zl.uow(), zl.clock, actor, number, deadline=when, expected_version=_version(data)
        )

    return _act(
        request, zl, portal, actor, number, form="deadline", values={"deadline": raw},
        action=run, success=N_("Deadline cleared.") if clear else N_("Deadline set."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/reminder", sync_to_thread=True, name="ticket_reminder")
def reminder(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    _require_staff(actor)
    raw = form_text(data, "due_at")
    note = form_text(data, "note")

    def run() -> None:
        if not raw.strip():
            raise InvalidInput({"due_at": N_("choose when to be reminded")})
        tickets.set_reminder(
            zl.uow(), zl.clock, actor, number, due_at=_local_input(portal, raw, "due_at"),
            note=note,
        )  # fmt: skip

    return _act(
        request, zl, portal, actor, number, form="reminder",
        values={"due_at": raw, "note": note}, action=run,
        success=N_("Reminder set. You will get an e-mail when it is due."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/confirm", sync_to_thread=True, name="ticket_confirm")
def confirm(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    def run() -> None:
        tickets.confirm_resolution(
            zl.uow(), zl.clock, zl.notifier, actor, number, expected_version=_version(data)
        )

    if actor.is_staff:
        raise NotFound(NO_SUCH_PAGE)
    return _act(
        request, zl, portal, actor, number, form="confirm", values={}, action=run,
        success=N_("Thank you! The request is closed."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/reopen", sync_to_thread=True, name="ticket_reopen")
def reopen(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    def run() -> None:
        tickets.reopen_ticket(
            zl.uow(), zl.clock, zl.notifier, actor, number, expected_version=_version(data)
        )

    return _act(
        request, zl, portal, actor, number, form="reopen", values={}, action=run,
        success=N_("The request is open again."),
    )  # fmt: skip


@post("/p/{slug:str}/tickets/{number:int}/rate", sync_to_thread=True, name="ticket_rate")
def rate(
    request: Request[Any, Any, Any],
    *,
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    number: FromPath[int],
    data: Form,
) -> Template | Redirect:
    if actor.is_staff:
        raise NotFound(NO_SUCH_PAGE)
    score = _int(form_text(data, "rating"))
    comment = form_text(data, "comment")

    def run() -> None:
        if score is None:
            raise InvalidInput({"rating": N_("choose from 1 to 5 stars")})
        tickets.rate_ticket(zl.uow(), zl.clock, actor, number, score=score, comment=comment)

    return _act(
        request, zl, portal, actor, number, form="rate",
        values={"rating": form_text(data, "rating"), "comment": comment}, action=run,
        success=N_("Thank you for your rating."),
    )  # fmt: skip


# -- inviting a client ---------------------------------------------------------------------


@get("/p/{slug:str}/invite", sync_to_thread=True, name="invite")
def invite_page(request: Request[Any, Any, Any], portal: PortalDep, actor: ActorDep) -> Template:
    _require_staff(actor)
    return render(request, "invite.html", portal=portal, values={}, errors={})


@post("/p/{slug:str}/invite", sync_to_thread=True, name="invite_send")
def invite_send(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    _require_staff(actor)
    values = {k: form_text(data, k) for k in ("first_name", "last_name", "email")}
    try:
        user = accounts.invite_client(
            zl.uow(), zl.clock, zl.hasher, zl.notifier, actor, first_name=values["first_name"],
            last_name=values["last_name"], email=values["email"],
        )  # fmt: skip
    except InvalidInput as exc:
        errors = exc.errors
    except Conflict as exc:
        errors = {"email": exc.text}
    else:
        sent = gettext_for(portal.language, "Invitation sent to %(name)s <%(email)s>.")
        flash(request, "success", sent % {"name": user.full_name, "email": user.email})
        return Redirect(f"{_base(portal)}/invite")
    return render(
        request, "invite.html", portal=portal, values=values, errors=errors, status_code=422
    )


ROUTES: list[Any] = [
    ticket_list,
    new_ticket,
    create_ticket,
    ticket_detail,
    reply,
    take,
    delegate,
    status,
    deadline,
    reminder,
    confirm,
    reopen,
    rate,
    invite_page,
    invite_send,
]
