"""The one place where core errors become HTTP answers.

Pages get a friendly HTML page; the JSON API (`/api/`) gets an RFC 9457 problem document
naming the bad fields. Anything a user may not see answers 404, never 403, so its existence
is not revealed. Nothing reaches the user as a 500 with a traceback.

A page speaks the language of its portal (titles and the core's messages, through the catalog);
the API answers in English, the language of its documentation and of the field names.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from zedline.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ZedlineError
from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import N_, translate, translate_all, translations
from zedline_web.context import LoginRequired, PasswordChangeRequired, PortalInfo
from zedline_web.ratelimit import TooManyAttempts

log = logging.getLogger(__name__)

STATUS = {
    NotFound: HTTP_404_NOT_FOUND,
    PermissionDenied: HTTP_403_FORBIDDEN,
    Conflict: HTTP_409_CONFLICT,
    InvalidInput: HTTP_422_UNPROCESSABLE_ENTITY,
}
TITLES = {
    HTTP_400_BAD_REQUEST: N_("Bad request"),
    HTTP_403_FORBIDDEN: N_("Not allowed"),
    HTTP_404_NOT_FOUND: N_("Not found"),
    HTTP_405_METHOD_NOT_ALLOWED: N_("Not allowed"),
    HTTP_409_CONFLICT: N_("Conflict"),
    HTTP_422_UNPROCESSABLE_ENTITY: N_("Invalid input"),
    HTTP_429_TOO_MANY_REQUESTS: N_("Too many attempts"),
    HTTP_500_INTERNAL_SERVER_ERROR: N_("Something went wrong"),
}
ERROR = N_("Error")


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return "/api/" in request.url.path


def _status_of(exc: ZedlineError) -> int:
    for cls, code in STATUS.items():
        if isinstance(exc, cls):
            return code
    return HTTP_400_BAD_REQUEST


def problem(status: int, detail: str, errors: dict[str, str] | None = None) -> Response[Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, ERROR),
        "status": status,
        "detail": str(detail),
    }
    if errors:
        # Plain str: a message marked with N_ is a subclass the JSON encoder refuses.
        body["errors"] = [{"field": k, "message": str(v)} for k, v in errors.items()]
    return Response(body, status_code=status, media_type="application/problem+json")


CSRF_FAILED = N_(
    "This form has expired or did not come from this site, so nothing was changed. "
    "Go back, reload the page and send it again."
)
TRY_AGAIN = N_("Please try again in a moment.")


def _page(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    # Only a portal that was found gets its name on the page and a way back to it.
    portal = request.scope.get("zl_portal")
    slug = portal.slug if isinstance(portal, PortalInfo) else None
    lang = _language(request)
    return Template(
        "error.html",
        context={
            "status": status,
            "title": translate(lang, TITLES.get(status, ERROR)),
            "detail": translate(lang, detail),
            "slug": slug,
            "portal": portal if slug else None,
            "user": None,
            "csrf_token": "",
            "flashes": [],
            "live_url": None,
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


def zedline_error_handler(request: Request[Any, Any, Any], exc: ZedlineError) -> Response[Any]:
    status = _status_of(exc)
    if isinstance(exc, PermissionDenied) and not _is_api(request):
        status = HTTP_403_FORBIDDEN
    if _is_api(request):
        errors = exc.errors if isinstance(exc, InvalidInput) else None
        return problem(status, exc.message, errors)
    return _page(request, status, _shown(request, exc))


def _language(request: Request[Any, Any, Any]) -> str:
    portal = request.scope.get("zl_portal")
    return portal.language if isinstance(portal, PortalInfo) else DEFAULT_LANGUAGE


def _wait_message(lang: str, retry_after: int) -> str:
    minutes = max(1, -(-retry_after // 60))
    return translations(lang).ngettext(
        "Too many attempts from here. For your safety, please wait %(num)d minute and try again.",
        "Too many attempts from here. For your safety, please wait %(num)d minutes and try again.",
        minutes,
    ) % {"num": minutes}


def _shown(request: Request[Any, Any, Any], exc: ZedlineError) -> str:
    """The error's message in the language of the portal whose page it is."""
    lang = _language(request)
    if isinstance(exc, InvalidInput) and set(exc.errors) != {"__all__"}:
        return "; ".join(
            text if key == "__all__" else f"{key}: {text}"
            for key, text in translate_all(lang, exc.errors).items()
        )
    return translate(lang, exc.text)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    slug = request.path_params.get("slug") if request.scope.get("path_params") else None
    if isinstance(exc, PasswordChangeRequired) and slug and not _is_api(request):
        return Redirect(f"/p/{slug}/welcome", status_code=HTTP_303_SEE_OTHER)
    if isinstance(exc, (LoginRequired, NotAuthorizedException)) and slug and not _is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(
            f"/p/{slug}/login?next={quote(target, safe='')}", status_code=HTTP_303_SEE_OTHER
        )
    status = exc.status_code
    detail: str = exc.detail if status < HTTP_500_INTERNAL_SERVER_ERROR else TITLES[500]
    if isinstance(exc, PermissionDeniedException) and "CSRF" in exc.detail:
        detail = CSRF_FAILED
    if isinstance(exc, TooManyAttempts) and not _is_api(request):
        detail = _wait_message(_language(request), exc.retry_after)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "retry-after"}
    if _is_api(request):
        errors = None
        extra = getattr(exc, "extra", None)
        if isinstance(extra, list):
            errors = {
                str(e.get("key", "body")): str(e.get("message", "invalid"))
                for e in extra
                if isinstance(e, dict)
            }
        response = problem(status, detail, errors)
        response.headers.update(headers)
        return response
    return _page(request, status, detail, headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, TITLES[500])
    return _page(request, HTTP_500_INTERNAL_SERVER_ERROR, TRY_AGAIN)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ZedlineError: zedline_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
