"""`zedline serve`: the web app under uvicorn, with the outbox worker in a thread."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from zedline_cli.commands import state

if TYPE_CHECKING:
    from zedline.demo import DemoLogins

# An import string, not an import: the two adapters stay independent of each other.
APP = "zedline_web.app:serve_app"


def public_host(host: str) -> str:
    """The host to put into links: a wildcard address is not one a browser can open."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - recognising it, not binding to it
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def demo_banner(base_url: str, logins: DemoLogins) -> str:
    """What `serve --demo` prints: where to go, and who to log in as."""
    url = f"{base_url.rstrip('/')}/p/{logins.slug}/"
    rows = [
        ("Admin", logins.admin_email),
        ("Operator", logins.operator_email),
        ("Client", logins.client_email),
    ]
    width = max(len(email) for _, email in rows)
    lines = [
        "",
        "  ZEDLine Support demo is ready",
        "",
        f"  Open  {url}",
        "",
        *(f"  {role:<9} {email:<{width}}   password: {logins.password}" for role, email in rows),
        "",
    ]
    return "\n".join(lines)


def serve(
    ctx: typer.Context,
    *,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Web processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create (if missing) and show a demo portal.")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Print a line for every request (the proxy in front usually logs them).",
        ),
    ] = False,
) -> None:
    """Serve the helpdesk; mail and reminders are handled by a worker thread in this process."""
    import uvicorn  # noqa: PLC0415 - only this command needs it

    from zedline.worker import Worker, lower_thread_priority  # noqa: PLC0415

    st = state(ctx)
    settings = st.settings
    # The web processes build their own core from the environment: give them the same
    # settings, including what is derived here.
    if "base_url" not in settings.model_fields_set:
        os.environ["ZEDLINE_BASE_URL"] = f"http://{public_host(host)}:{port}"
    os.environ["ZEDLINE_DATA_DIR"] = str(settings.data_dir.resolve())
    # The web processes started from here (--workers 2 and more) use two malloc arenas
    # instead of one per thread: the threads that serve searches and forms each kept their
    # own freed memory, 35-60 MB more per worker after a minute of searches (measured in
    # docs/benchmarks.md). Set it yourself to choose otherwise.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    st.reset_settings()
    zl = st.core()
    base_url = zl.settings.base_url
    if demo:
        from zedline.demo import ensure_demo_portal  # noqa: PLC0415

        typer.echo(demo_banner(base_url, ensure_demo_portal(zl)))
    else:
        typer.echo(f"ZEDLine Support at {base_url}/p/<portal>/ (Ctrl-C to stop)")
    stop = threading.Event()
    work = Worker(zl)

    def background_work() -> None:
        # Mail may wait a few seconds; pages may not: the web processes come first. Only
        # when the pages run in processes of their own: in this process they would share
        # the GIL with a lowered thread, which may hold it while the system runs others.
        if workers > 1:
            lower_thread_priority()
        work.run_forever(stop)

    background = threading.Thread(target=background_work, name="zedline-worker", daemon=True)
    background.start()
    try:
        # No access log unless asked for: formatting and writing a line per request cost a
        # fifth of a journal page's time (631 against 507 pages a second, docs/benchmarks.md).
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, access_log=access_log)
    finally:
        stop.set()
        background.join(timeout=10)
