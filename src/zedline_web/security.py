"""Security headers on every response, set in one place.

Installed as the application's `before_send` hook, so it also covers answers that never reach a
route (an unknown path, a failed CSRF check). A handler that needs a stricter header (a file
download's sandbox CSP) sets it itself; headers already present are left alone.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Everything under a portal is about one person or one portal: never stored by a browser or a
# proxy (logged-in pages, forms with CSRF tokens, downloads, the API).
PRIVATE_PREFIX = "/p/"


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if str(scope.get("path", "")).startswith(PRIVATE_PREFIX) and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
