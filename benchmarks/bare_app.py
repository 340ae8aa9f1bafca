"""The stack's ceiling: Litestar + Jinja2 + one primary-key read, nothing of ZEDLine's.

Served by uvicorn exactly like the helpdesk, so every helpdesk figure is also a ratio to it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from jinja2 import Environment
from litestar import Litestar, get
from litestar.response import Response
from sqlalchemy import create_engine, text

_ENV = Environment(autoescape=True)
_PAGE = _ENV.from_string(
    "<!doctype html><html><head><title>#{{ number }}</title></head>"
    "<body><h1>#{{ number }} {{ subject }}</h1><p>{{ updated_at }}</p></body></html>"
)
_local = threading.local()


def _engine() -> Any:
    if not hasattr(_local, "engine"):
        _local.engine = create_engine(os.environ["BARE_DATABASE_URL"])
    return _local.engine


@get("/t/{portal_id:int}/{number:int}", sync_to_thread=True)
def ticket(portal_id: int, number: int) -> Response[str]:
    with _engine().connect() as conn:
        row = conn.execute(
            text(
                "SELECT number, subject, updated_at FROM tickets "
                "WHERE portal_id = :p AND number = :n"
            ),
            {"p": portal_id, "n": number},
        ).one()
    return Response(_PAGE.render(**row._mapping), media_type="text/html")  # noqa: SLF001


app = Litestar([ticket])
