"""`zedline demo`: realistic generated data, with a progress bar."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zedline_cli.commands import state


def demo(
    ctx: typer.Context,
    *,
    portals: Annotated[
        int, typer.Option("--portals", min=1, help="Portals: 'demo' and N-1 small ones.")
    ] = 1,
    tickets: Annotated[
        int, typer.Option("--tickets", min=1, help="Tickets in the big portal 'demo'.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same data.")] = 1,
) -> None:
    """Fill demo portals with realistic people, requests and conversations.

    Portals that already exist are left untouched, so running it twice adds nothing.
    """
    from zedline.demo import (  # noqa: PLC0415
        SMALL_PORTAL_TICKETS,
        generate,
        logins_for,
    )

    zl = state(ctx).core()
    total = tickets + SMALL_PORTAL_TICKETS * (portals - 1)
    started = time.perf_counter()
    with Progress(
        TextColumn("Generating tickets"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("tickets", total=total)
        summary = generate(
            zl,
            portals=portals,
            tickets=tickets,
            seed=seed,
            progress=lambda n: bar.advance(task, n),
        )
    elapsed = time.perf_counter() - started
    for made in summary.portals:
        if not made.created:
            typer.echo(f"Portal '{made.slug}' already exists; nothing was added to it.")
            continue
        typer.echo(
            f"Portal '{made.slug}': {made.tickets:,} tickets, {made.messages:,} messages, "
            f"{made.events:,} history events, {made.attachments:,} attachments, "
            f"{made.operators:,} operators, {made.clients:,} clients."
        )
    if not summary.created:
        typer.echo("Nothing added: every demo portal already exists.")
        return
    typer.echo(f"Done in {elapsed:.1f} s.")
    base = zl.settings.base_url.rstrip("/")
    for made in summary.created:
        logins = logins_for(made.slug)
        typer.echo(
            f"{base}/p/{made.slug}/  admin {logins.admin_email}, operator "
            f"{logins.operator_email}, client {logins.client_email}; password {logins.password}"
        )
