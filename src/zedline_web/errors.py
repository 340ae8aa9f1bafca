"""The one place where core errors become HTTP answers.

Pages get a friendly HTML page; the JSON API (`/api/`) gets an RFC 9457 problem document
naming the bad fields. Anything a user may not see answers 404, never 403, so its existence
is not revealed. Nothing reaches the user as a 500 with a traceback.
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
from zedline_web.context import LoginRequired, PasswordChangeRequired, PortalInfo

log = logging.getLogger(__name__)

STATUS = {
    NotFound: HTTP_404_NOT_FOUND,
    PermissionDenied: HTTP_403_FORBIDDEN,
    Conflict: HTTP_409_CONFLICT,
    InvalidInput: HTTP_422_UNPROCESSABLE_ENTITY,
}
TITLES = {
    HTTP_400_BAD_REQUEST: "Bad request",
    HTTP_403_FORBIDDEN: "Not allowed",
    HTTP_404_NOT_FOUND: "Not found",
    HTTP_405_METHOD_NOT_ALLOWED: "Not allowed",
    HTTP_409_CONFLICT: "Conflict",
    HTTP_422_UNPROCESSABLE_ENTITY: "Invalid input",
    HTTP_429_TOO_MANY_REQUESTS: "Too many attempts",
    HTTP_500_INTERNAL_SERVER_ERROR: "Something went wrong",
}


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
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": k, "message": v} for k, v in errors.items()]
    return Response(body, status_code=status, media_type="application/problem+json")


CSRF_FAILED = (
    "This form has expired or did not come from this site, so nothing was changed. "
    "Go back, reload the page and send it again."
)


def _page(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    # Only a portal that was found gets its name on the page and a way back to it.
    portal = request.scope.get("zl_portal")
    slug = portal.slug if isinstance(portal, PortalInfo) else None
    return Template(
        "error.html",
        context={
            "status": status,
            "title": TITLES.get(status, "Error"),
            "detail": detail,
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
    return _page(request, status, exc.message)


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
    detail = exc.detail if status < HTTP_500_INTERNAL_SERVER_ERROR else TITLES[500]
    if isinstance(exc, PermissionDeniedException) and "CSRF" in exc.detail:
        detail = CSRF_FAILED
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
    return _page(request, HTTP_500_INTERNAL_SERVER_ERROR, "Please try again in a moment.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ZedlineError: zedline_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
