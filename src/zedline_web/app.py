"""The Litestar application factory."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig

from zedline import Zedline, build
from zedline_web.context import get_zl, load_portal, require_actor, session_actor
from zedline_web.errors import EXCEPTION_HANDLERS
from zedline_web.hosts import PortalHostApp
from zedline_web.ratelimit import RateLimiter, RedisCounters
from zedline_web.routes import ROUTES
from zedline_web.security import add_security_headers
from zedline_web.sessions import RotatingSessionConfig, SessionFileStore
from zedline_web.templating import make_environment

STATIC = Path(__file__).parent / "static"
SESSION_MAX_AGE = 14 * 24 * 3600
GC_YOUNG_THRESHOLD = 20_000


@get("/healthz", sync_to_thread=False, include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _session_store(zl: Zedline) -> Store:
    if zl.settings.redis_url:
        from litestar.stores.redis import RedisStore  # noqa: PLC0415 - optional dependency

        return RedisStore.with_client(url=zl.settings.redis_url, namespace="zedline-sessions")
    # Files under the data dir: shared by every web process on the machine, no service needed.
    return SessionFileStore(zl.settings.data_dir / "sessions")


def _rate_limiter(zl: Zedline) -> RateLimiter:
    # Counters in Redis when configured (shared by every web process), else in this process.
    if zl.settings.redis_url:
        return RateLimiter(zl.clock, RedisCounters(zl.settings.redis_url))
    return RateLimiter(zl.clock)


def create_app(zedline: Zedline | None = None, *, limiter: RateLimiter | None = None) -> Litestar:
    """Build the web application around a core (built from the environment when not given).

    `limiter` replaces the login/registration rate limiter (tests pass their own rules).
    """
    zl = zedline or build()
    secure = zl.settings.base_url.startswith("https://")
    sessions = RotatingSessionConfig(
        key="zl_session",
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        exclude=["/static/", "/healthz"],
    )
    csrf = CSRFConfig(
        secret=zl.settings.resolved_secret_key(),
        cookie_name="zl_csrf",
        cookie_samesite="lax",
        cookie_secure=secure,
        cookie_httponly=True,
        exclude=["/p/[^/]+/api/", "/healthz"],
    )

    def _on_shutdown(app: Litestar) -> None:  # noqa: ARG001 - the hook's signature
        if zedline is None:
            zl.close()

    app = PortalHostApp(
        route_handlers=[
            healthz,
            create_static_files_router(path="/static", directories=[STATIC], name="static"),
            # One router for all pages: Litestar registers a handler again for every sibling
            # added to its path one by one, wrapping a sync handler twice; a router is
            # registered in one go.
            Router(path="/", route_handlers=ROUTES),
        ],
        dependencies={
            "zl": Provide(get_zl, sync_to_thread=False),
            # A portal and a user are one indexed read each: cheaper in place than the hand-off
            # to a worker thread (see docs/benchmarks.md).
            "portal": Provide(load_portal, sync_to_thread=False),
            "actor": Provide(require_actor, sync_to_thread=False),
            "maybe_actor": Provide(session_actor, sync_to_thread=False),
        },
        middleware=[sessions.middleware],
        csrf_config=csrf,
        stores={"sessions": _session_store(zl)},
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(make_environment())
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        on_shutdown=[_on_shutdown],
        state=_state(zl, limiter or _rate_limiter(zl)),
        debug=False,
    )
    app.portal_domain = zl.settings.portal_domain
    return app


def serve_app() -> Litestar:
    """The application as a server process runs it (`zedline serve`, or any ASGI server:
    `uvicorn --factory zedline_web.app:serve_app`): built from the environment, with the
    garbage collector tuned for serving."""
    app = create_app()
    _tune_garbage_collector()
    return app


def _tune_garbage_collector() -> None:
    """Everything built so far lives as long as the process: keep it out of the collector's
    sight (`gc.freeze`), and collect the youngest objects less often. A page makes and drops
    thousands of small objects, nearly all freed at once by reference counting; with the
    default threshold (700) the collector would also walk them hundreds of times a second."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def _state(zl: Zedline, limiter: RateLimiter) -> Any:
    from litestar.datastructures import State  # noqa: PLC0415

    return State({"zl": zl, "limiter": limiter})
