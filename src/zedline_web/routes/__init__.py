"""Route handlers, grouped by what the user does."""

from __future__ import annotations

from typing import Any

from zedline_web.routes import auth, files, live, tickets

ROUTES: list[Any] = [*auth.ROUTES, *files.ROUTES, *live.ROUTES, *tickets.ROUTES]
