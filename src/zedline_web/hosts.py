"""Portal subdomains: with ZEDLINE_PORTAL_DOMAIN=help.example, `acme.help.example/tickets`
serves the same page as `/p/acme/tickets`.

The request path is rewritten before routing, so every route, check and link stays the one
under /p/{slug}/ (links written as /p/{slug}/... work on the subdomain too).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar

from zedline_web.context import end_page_reader

# Paths that are the platform's, not a portal's, on any host.
PLATFORM_PREFIXES = ("/p/", "/static/", "/healthz", "/schema")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")


def portal_from_host(host: str, domain: str) -> str | None:
    """The portal slug a Host header names under `domain`, if any."""
    name = host.split(":", 1)[0].strip().lower().rstrip(".")
    suffix = "." + domain.lower().strip(".")
    if not name.endswith(suffix):
        return None
    slug = name[: -len(suffix)]
    return slug if _LABEL.fullmatch(slug) else None


def rewrite_path(path: str, slug: str) -> str:
    if path.startswith(PLATFORM_PREFIXES) or path in ("/p", "/schema"):
        return path
    return f"/p/{slug}{path if path.startswith('/') else '/' + path}"


class PortalHostApp(Litestar):
    """Litestar, plus the subdomain rewrite in front of routing."""

    portal_domain: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        domain = self.portal_domain
        if domain and scope.get("type") in ("http", "websocket"):
            host = next(
                (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), ""
            )
            slug = portal_from_host(host, domain)
            if slug is not None:
                path = rewrite_path(scope["path"], slug)
                if path != scope["path"]:
                    scope = {**scope, "path": path, "raw_path": path.encode()}
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A page that returned early (a redirect, an error) leaves its reader open.
            end_page_reader(scope)
