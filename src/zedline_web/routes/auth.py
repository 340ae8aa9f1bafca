"""The doors of a portal: its home page, registration, login, logout, passwords."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from zedline.accounts import services as accounts
from zedline.accounts.model import User
from zedline.errors import Conflict, InvalidInput
from zedline.i18n import N_, translate, translate_all
from zedline_web.context import (
    SESSION_AUTH,
    SESSION_PORTAL,
    SESSION_USER,
    MaybeActorDep,
    PortalDep,
    PortalInfo,
    ZlDep,
)
from zedline_web.ratelimit import RateLimiter
from zedline_web.sessions import end_session, start_session
from zedline_web.templating import flash, render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
AFTER_WELCOME = "after_welcome"
REGISTERED = "registered_email"
MAX_NEXT = 2000


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def _base(portal: PortalInfo) -> str:
    return f"/p/{portal.slug}/"


def _home_of(portal: PortalInfo) -> str:
    return f"/p/{portal.slug}/tickets"


def _see(url: str) -> Redirect:
    return Redirect(url, status_code=HTTP_303_SEE_OTHER)


def safe_next(portal: PortalInfo, value: str | None) -> str | None:
    """`value` if it is a page of this portal on this site, else None (no open redirect)."""
    if not value or len(value) > MAX_NEXT:
        return None
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):  # noqa: PLR2004
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(_base(portal)):
        return None
    if "/.." in parts.path or "//" in parts.path:
        return None
    return value


def _limiter(request: Request[Any, Any, Any]) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def _ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _account_key(portal: PortalInfo, email: str) -> str:
    return f"{portal.id}:{email.strip().lower()[:254]}"


def _log_in(request: Request[Any, Any, Any], portal: PortalInfo, user: User) -> None:
    start_session(
        request,
        {SESSION_PORTAL: portal.id, SESSION_USER: user.id, SESSION_AUTH: user.auth_version},
    )


# --- the portal's front door ----------------------------------------------------------------


@get("/p/{slug:str}/", sync_to_thread=True)
def portal_home(
    request: Request[Any, Any, Any], portal: PortalDep, maybe_actor: MaybeActorDep
) -> Template | Redirect:
    if maybe_actor is not None:
        return _see(_home_of(portal))
    return render(request, "portal_home.html", portal=portal)


# --- registration ---------------------------------------------------------------------------


def _register_form(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    already_registered: bool = False,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "auth/register.html",
        portal=portal,
        values=values or {"first_name": "", "last_name": "", "email": ""},
        errors=errors or {},
        already_registered=already_registered,
        nav_active="register",
        status_code=status_code,
    )


@get("/p/{slug:str}/register", sync_to_thread=True)
def register_page(
    request: Request[Any, Any, Any], portal: PortalDep, maybe_actor: MaybeActorDep
) -> Template | Redirect:
    if maybe_actor is not None:
        return _see(_home_of(portal))
    return _register_form(request, portal)


@post("/p/{slug:str}/register", sync_to_thread=True)
def register(
    request: Request[Any, Any, Any], portal: PortalDep, zl: ZlDep, data: Form
) -> Template | Redirect:
    values = {k: _text(data, k)[:500] for k in ("first_name", "last_name", "email")}
    _limiter(request).check([("register-ip", _ip(request))])
    try:
        user = accounts.register_client(
            zl.uow(), zl.clock, zl.hasher, zl.notifier, slug=portal.slug, **values
        )
    except InvalidInput as exc:
        return _register_form(
            request,
            portal,
            values=values,
            errors=translate_all(portal.language, exc.errors),
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    except Conflict:
        return _register_form(
            request,
            portal,
            values=values,
            errors={"email": N_("this e-mail address is already registered here")},
            already_registered=True,
            status_code=HTTP_409_CONFLICT,
        )
    request.session[REGISTERED] = user.email
    return _see(f"{_base(portal)}register/done")


@get("/p/{slug:str}/register/done", sync_to_thread=True)
def register_done(request: Request[Any, Any, Any], portal: PortalDep) -> Template:
    email = request.session.pop(REGISTERED, None) if "session" in request.scope else None
    return render(request, "auth/register_done.html", portal=portal, email=email)


# --- login and logout -----------------------------------------------------------------------


def _login_form(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    *,
    email: str = "",
    next_url: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "auth/login.html",
        portal=portal,
        email=email,
        next_url=next_url or "",
        errors=errors or {},
        nav_active="login",
        status_code=status_code,
    )


@get("/p/{slug:str}/login", sync_to_thread=True)
def login_page(
    request: Request[Any, Any, Any],
    portal: PortalDep,
    maybe_actor: MaybeActorDep,
) -> Template | Redirect:
    target = safe_next(portal, request.query_params.get("next"))
    if maybe_actor is not None:
        return _see(target or _home_of(portal))
    return _login_form(request, portal, next_url=target)


@post("/p/{slug:str}/login", sync_to_thread=True)
def login(
    request: Request[Any, Any, Any], portal: PortalDep, zl: ZlDep, data: Form
) -> Template | Redirect:
    email = _text(data, "email")[:500]
    password = _text(data, "password")[:2048]
    target = safe_next(portal, _text(data, "next"))
    _limiter(request).check(
        [("login-ip", _ip(request)), ("login-account", _account_key(portal, email))]
    )
    try:
        user = accounts.authenticate(
            zl.uow(), zl.clock, zl.hasher, slug=portal.slug, email=email, password=password
        )
    except InvalidInput as exc:
        return _login_form(
            request,
            portal,
            email=email,
            next_url=target,
            errors=translate_all(portal.language, exc.errors),
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    _log_in(request, portal, user)
    if user.must_change_password:
        if target:
            request.session[AFTER_WELCOME] = target
        return _see(f"{_base(portal)}welcome")
    return _see(target or _home_of(portal))


@post("/p/{slug:str}/logout", sync_to_thread=False)
def logout(request: Request[Any, Any, Any], slug: FromPath[str]) -> Redirect:
    end_session(request)
    return _see(f"/p/{slug}/")


# --- choosing a password at first login -----------------------------------------------------


def _welcome_form(
    request: Request[Any, Any, Any],
    portal: PortalInfo,
    actor: User,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "auth/welcome.html",
        portal=portal,
        person=actor,
        errors=errors or {},
        status_code=status_code,
    )


@get("/p/{slug:str}/welcome", sync_to_thread=True)
def welcome_page(
    request: Request[Any, Any, Any], portal: PortalDep, maybe_actor: MaybeActorDep
) -> Template | Redirect:
    if maybe_actor is None:
        return _see(f"{_base(portal)}login")
    if not maybe_actor.must_change_password:
        return _see(_home_of(portal))
    return _welcome_form(request, portal, maybe_actor)


@post("/p/{slug:str}/welcome", sync_to_thread=True)
def choose_password(
    request: Request[Any, Any, Any],
    portal: PortalDep,
    maybe_actor: MaybeActorDep,
    zl: ZlDep,
    data: Form,
) -> Template | Redirect:
    if maybe_actor is None:
        return _see(f"{_base(portal)}login")
    if not maybe_actor.must_change_password:
        return _see(_home_of(portal))
    try:
        user = accounts.change_password(
            zl.uow(), zl.hasher, maybe_actor, new_password=_text(data, "new_password")
        )
    except InvalidInput as exc:
        return _welcome_form(
            request,
            portal,
            maybe_actor,
            errors=translate_all(portal.language, exc.errors),
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    target = safe_next(portal, request.session.get(AFTER_WELCOME))
    # The password change ended every session of this user, this one included: start afresh.
    _log_in(request, portal, user)
    flash(request, "success", N_("Your password is saved. Use it the next time you log in."))
    return _see(target or _home_of(portal))


# --- forgotten password ---------------------------------------------------------------------


@get("/p/{slug:str}/password-reset", sync_to_thread=True)
def reset_request_page(request: Request[Any, Any, Any], portal: PortalDep) -> Template:
    email = _text(dict(request.query_params), "email")[:254]
    return render(request, "auth/reset_request.html", portal=portal, email=email, errors={})


@post("/p/{slug:str}/password-reset", sync_to_thread=True)
def reset_request(
    request: Request[Any, Any, Any], portal: PortalDep, zl: ZlDep, data: Form
) -> Template:
    email = _text(data, "email")[:500]
    _limiter(request).check(
        [("reset-ip", _ip(request)), ("reset-account", _account_key(portal, email))]
    )
    try:
        accounts.request_password_reset(
            zl.uow(), zl.clock, zl.notifier, slug=portal.slug, email=email
        )
    except InvalidInput as exc:
        return render(
            request,
            "auth/reset_request.html",
            portal=portal,
            email=email,
            errors=translate_all(portal.language, exc.errors),
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return render(request, "auth/reset_sent.html", portal=portal, email=email)


def _reset_invalid(request: Request[Any, Any, Any], portal: PortalInfo, reason: str) -> Template:
    return render(
        request,
        "auth/reset_invalid.html",
        portal=portal,
        reason=reason,
        status_code=HTTP_400_BAD_REQUEST,
    )


@get("/p/{slug:str}/password-reset/{token:str}", sync_to_thread=True)
def reset_form_page(
    request: Request[Any, Any, Any], portal: PortalDep, zl: ZlDep, token: FromPath[str]
) -> Template:
    try:
        person = accounts.check_reset_token(zl.reader(), zl.clock, slug=portal.slug, token=token)
    except InvalidInput as exc:
        return _reset_invalid(
            request, portal, translate(portal.language, next(iter(exc.errors.values())))
        )
    return render(
        request, "auth/reset_form.html", portal=portal, token=token, person=person, errors={}
    )


@post("/p/{slug:str}/password-reset/{token:str}", sync_to_thread=True)
def reset_password(
    request: Request[Any, Any, Any], portal: PortalDep, zl: ZlDep, token: FromPath[str], data: Form
) -> Template | Redirect:
    try:
        accounts.reset_password(
            zl.uow(),
            zl.clock,
            zl.hasher,
            slug=portal.slug,
            token=token,
            new_password=_text(data, "new_password"),
        )
    except InvalidInput as exc:
        if "token" in exc.errors:
            return _reset_invalid(request, portal, translate(portal.language, exc.errors["token"]))
        person = None
        try:
            person = accounts.check_reset_token(
                zl.reader(), zl.clock, slug=portal.slug, token=token
            )
        except InvalidInput as again:
            return _reset_invalid(request, portal, next(iter(again.errors.values())))
        return render(
            request,
            "auth/reset_form.html",
            portal=portal,
            token=token,
            person=person,
            errors=translate_all(portal.language, exc.errors),
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
        )
    flash(request, "success", N_("Your new password is set. Log in with it."))
    return _see(f"{_base(portal)}login")


ROUTES: list[Any] = [
    portal_home,
    register_page,
    register,
    register_done,
    login_page,
    login,
    logout,
    welcome_page,
    choose_password,
    reset_request_page,
    reset_request,
    reset_form_page,
    reset_password,
]
