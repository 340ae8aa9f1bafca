"""Admin pages: the portal's own mail server, and its notification rules and texts.

Every page and action here is for portal admins only; anyone else gets 404. Changes go through
the use cases and answer with a redirect and a flash (PRG), or the page again with the message
at the bad field (422). A saved SMTP password is never written into a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from zedline import Zedline
from zedline.accounts.model import User
from zedline.errors import InvalidInput, NotFound
from zedline.i18n import gettext_for, translate_all, translations
from zedline.notifications import admin as notifications
from zedline.notifications.rules import EVENTS
from zedline.notifications.sandbox import MAX_TEMPLATE_BYTES, VARIABLES
from zedline.portals import mail_settings
from zedline.portals.mail_settings import MailSettingsInput, Security, TestResult
from zedline_web.context import ActorDep, PortalDep, PortalInfo, ZlDep
from zedline_web.forms import admin_only, form_text
from zedline_web.ratelimit import RateLimiter
from zedline_web.templating import flash, render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MAIL_FIELDS = ("sender_name", "sender_address", "smtp_host", "smtp_port", "smtp_username")
MAX_NUMBER_DIGITS = 18


def _t(portal: PortalInfo, text: str, **values: object) -> str:
    return gettext_for(portal.language, text).format(**values)


def _limiter(request: Request[Any, Any, Any]) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def _names(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _mail_url(portal: PortalInfo) -> str:
    return f"/p/{portal.slug}/admin/mail"


def _notifications_url(portal: PortalInfo, event: str | None = None) -> str:
    base = f"/p/{portal.slug}/admin/notifications"
    return f"{base}/{event}" if event else base


# -- mail settings ---------------------------------------------------------------------------


def _render_mail(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    test: TestResult | None = None,
    test_to: str = "",
    limited: str = "",
    status_code: int = 200,
) -> Template:
    current = mail_settings.mail_settings(zl.reader(), actor)
    if values is None:
        values = {
            "sender_name": current.sender_name if current else portal.name,
            "sender_address": current.sender_address if current else "",
            "smtp_host": current.smtp_host if current else "",
            "smtp_port": str(current.smtp_port) if current else "587",
            "smtp_username": current.smtp_username if current else "",
            "security": (current.security if current else Security.STARTTLS).value,
        }
    return render(
        request, "admin/mail.html", portal=portal, section="mail", current=current,
        values=dict(values), errors=translate_all(portal.language, errors or {}), test=test,
        form_errors=translate_all(
            portal.language, {k: v for k, v in (errors or {}).items() if k != "to"}
        ), limited=limited,
        test_to=test_to or actor.email, me=actor,
        securities=[
            (Security.STARTTLS.value, _t(portal, "STARTTLS (usually port 587)")),
            (Security.SSL.value, _t(portal, "SSL/TLS (usually port 465)")),
            (Security.NONE.value, _t(portal, "None (usually port 25)")),
        ],
        status_code=status_code,
    )  # fmt: skip


@get("/p/{slug:str}/admin/mail", sync_to_thread=True, name="admin_mail")
def mail_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    return _render_mail(request, zl, portal, actor)


@post("/p/{slug:str}/admin/mail", sync_to_thread=True, name="admin_mail_save")
def save_mail(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template | Redirect:
    admin_only(actor)
    values = {name: form_text(data, name) for name in (*MAIL_FIELDS, "security")}
    try:
        mail_settings.save_mail_settings(
            zl.uow(), zl.clock, zl.secrets, actor,
            MailSettingsInput(
                **values, password=form_text(data, "password"),
                remove_password=form_text(data, "remove_password") == "on",
            ),
        )  # fmt: skip
    except InvalidInput as exc:
        return _render_mail(
            request, zl, portal, actor, values=values, errors=exc.errors, status_code=422
        )
    flash(request, "success", _t(portal, "The mail settings are saved."))
    return Redirect(_mail_url(portal))


@post("/p/{slug:str}/admin/mail/test", sync_to_thread=True, name="admin_mail_test")
def test_mail(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Template:
    admin_only(actor)
    to = form_text(data, "to").strip()
    wait = _limiter(request).hit("mail-test-portal", portal.slug)
    if wait is not None:
        minutes = max(1, -(-wait // 60))
        limited = translations(portal.language).ngettext(
            "Too many test e-mails from this portal. Please wait %(num)d minute and try again.",
            "Too many test e-mails from this portal. Please wait %(num)d minutes and try again.",
            minutes,
        ) % {"num": minutes}
        page = _render_mail(
            request, zl, portal, actor, test_to=to, limited=limited,
            status_code=HTTP_429_TOO_MANY_REQUESTS,
        )  # fmt: skip
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        result = mail_settings.send_test_email(
            zl.reader(), zl.secrets, actor, platform_mailer=zl.mailer,
            platform_sender=zl.settings.mail_from, to=to,
        )  # fmt: skip
    except InvalidInput as exc:
        return _render_mail(
            request, zl, portal, actor, errors=exc.errors, test_to=to, status_code=422
        )
    return _render_mail(request, zl, portal, actor, test=result, test_to=to)


@post("/p/{slug:str}/admin/mail/platform", sync_to_thread=True, name="admin_mail_platform")
def use_platform(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Redirect:
    admin_only(actor)
    if mail_settings.use_platform_mail(zl.uow(), actor):
        flash(request, "success", _t(portal, "Mail now goes through the platform's server."))
    return Redirect(_mail_url(portal))


# -- notification rules ----------------------------------------------------------------------


@get("/p/{slug:str}/admin/notifications", sync_to_thread=True, name="admin_notifications")
def notifications_page(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep
) -> Template:
    admin_only(actor)
    state = notifications.notification_settings(zl.reader(), actor)
    return render(
        request, "admin/notifications.html", portal=portal, section="notifications",
        events=EVENTS, state=state,
    )  # fmt: skip


@post("/p/{slug:str}/admin/notifications", sync_to_thread=True, name="admin_notifications_save")
def save_rules(
    request: Request[Any, Any, Any], zl: ZlDep, portal: PortalDep, actor: ActorDep, data: Form
) -> Redirect:
    admin_only(actor)
    enabled = []
    for name in _names(data, "on"):
        event, _, audience = name.partition(":")
        enabled.append((event, audience))
    notifications.set_notification_rules(zl.uow(), actor, enabled)
    flash(request, "success", _t(portal, "The notification rules are saved."))
    return Redirect(_notifications_url(portal))


def _number(raw: str | None) -> int | None:
    """A request number typed for the preview; None for "the latest"."""
    value = (raw or "").strip().lstrip("#")
    if not value.isdigit() or len(value) > MAX_NUMBER_DIGITS:
        return None
    return int(value)


def _preview(
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    event: str,
    subject: str,
    body: str,
    number_text: str,
) -> tuple[notifications.Preview | None, dict[str, str]]:
    """The preview of this text on the chosen (or latest) request, or what is wrong."""
    number = _number(number_text)
    if number_text.strip() and number is None:
        return None, {"number": _t(portal, "enter a request number, such as 123")}
    try:
        preview = notifications.preview_template(
            zl.reader(), zl.notifier, actor, event, subject=subject, body=body, number=number
        )
    except NotFound as exc:
        return None, {"number": exc.text}
    except InvalidInput as exc:
        return None, dict(exc.errors)
    return preview, {}


def _render_template_page(
    request: Request[Any, Any, Any],
    zl: Zedline,
    portal: PortalInfo,
    actor: User,
    event: str,
    *,
    subject: str | None = None,
    body: str | None = None,
    number_text: str = "",
    errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    draft = notifications.template_draft(zl.reader(), actor, event)
    subject = draft.subject if subject is None else subject
    body = draft.body if body is None else body
    shown = dict(errors or {})
    preview = None
    if not shown:
        preview, problems = _preview(zl, portal, actor, event, subject, body, number_text)
        if problems:
            shown, status_code = problems, 422
    return render(
        request, "admin/notifications_template.html", portal=portal, section="notifications",
        draft=draft, subject=subject, body=body, errors=translate_all(portal.language, shown),
        preview=preview,
        number_text=number_text, variables=VARIABLES, max_kb=MAX_TEMPLATE_BYTES // 1024,
        status_code=status_code,
    )  # fmt: skip


@get(
    "/p/{slug:str}/admin/notifications/{event:str}",
    sync_to_thread=True,
    name="admin_notification_template",
)
def template_page(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    event: FromPath[str],
    number: FromQuery[str | None] = None,
) -> Template:
    admin_only(actor)
    return _render_template_page(request, zl, portal, actor, event, number_text=number or "")


@post(
    "/p/{slug:str}/admin/notifications/{event:str}",
    sync_to_thread=True,
    name="admin_notification_template_save",
)
def save_template(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    event: FromPath[str],
    data: Form,
) -> Template | Redirect:
    admin_only(actor)
    subject, body = form_text(data, "subject"), form_text(data, "body")
    number_text = form_text(data, "number")
    if form_text(data, "action") == "preview":
        return _render_template_page(
            request, zl, portal, actor, event, subject=subject, body=body, number_text=number_text
        )
    try:
        notifications.save_template(
            zl.uow(), zl.clock, zl.notifier, actor, event, subject=subject, body=body
        )
    except InvalidInput as exc:
        return _render_template_page(
            request, zl, portal, actor, event, subject=subject, body=body,
            number_text=number_text, errors=exc.errors, status_code=422,
        )  # fmt: skip
    flash(request, "success", _t(portal, "The text of this notification is saved."))
    return Redirect(_notifications_url(portal, event))


@post(
    "/p/{slug:str}/admin/notifications/{event:str}/reset",
    sync_to_thread=True,
    name="admin_notification_template_reset",
)
def reset_template(
    request: Request[Any, Any, Any],
    zl: ZlDep,
    portal: PortalDep,
    actor: ActorDep,
    event: FromPath[str],
) -> Redirect:
    admin_only(actor)
    if notifications.reset_template(zl.uow(), actor, event):
        flash(request, "success", _t(portal, "The built-in text is back."))
    return Redirect(_notifications_url(portal, event))


ROUTES: list[Any] = [
    mail_page,
    save_mail,
    test_mail,
    use_platform,
    notifications_page,
    save_rules,
    template_page,
    save_template,
    reset_template,
]
