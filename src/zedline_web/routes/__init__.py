"""Route handlers, grouped by what the user does."""

from __future__ import annotations

from typing import Any

from zedline_web.routes import auth, tickets

ROUTES: list[Any] = [*auth.ROUTES, *tickets.ROUTES]
