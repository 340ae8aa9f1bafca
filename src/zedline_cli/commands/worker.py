"""`zedline worker`: delivers the outbox, fires reminders, announces passed deadlines."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from zedline_cli.commands import state


def worker(
    ctx: typer.Context,
    *,
    once: Annotated[bool, typer.Option("--once", help="Do one round and print it.")] = False,
) -> None:
    """Run the background worker until Ctrl-C (or SIGTERM), or one round with --once."""
    from zedline.worker import Worker  # noqa: PLC0415

    zl = state(ctx).core()
    work = Worker(zl)
    if once:
        counts = work.run_once()
        typer.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
        return
    stop = threading.Event()

    def ask_to_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    typer.echo("The worker is running; press Ctrl-C to stop.")
    try:
        work.run_forever(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    typer.echo("The worker stopped.")
