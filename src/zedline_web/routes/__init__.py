"""Route handlers, grouped by what the user does."""

from __future__ import annotations

from typing import Any

from zedline_web.routes import (
    admin_mail,
    admin_people,
    admin_portal,
    admin_stats,
    auth,
    files,
    live,
    tickets,
    tour,
)

ROUTES: list[Any] = [
    *auth.ROUTES,
    *files.ROUTES,
    *live.ROUTES,
    *tickets.ROUTES,
    *admin_portal.ROUTES,
    *admin_people.ROUTES,
    *admin_stats.ROUTES,
    *admin_mail.ROUTES,
    *tour.ROUTES,
]
