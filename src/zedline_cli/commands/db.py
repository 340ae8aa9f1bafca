"""`zedline db upgrade`."""

from __future__ import annotations

import typer

from zedline_cli.commands import state

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the schema on an empty database, or migrate it to the newest revision."""
    from zedline.bootstrap import current_revision  # noqa: PLC0415

    zl = state(ctx).core(upgrade=False)
    before = current_revision(zl.engine)
    zl.upgrade_database()
    after = current_revision(zl.engine)
    if before == after:
        typer.echo(f"The database schema is already up to date (revision {after}).")
    elif before is None:
        typer.echo(f"Created the database schema (revision {after}).")
    else:
        typer.echo(f"Upgraded the database schema from revision {before} to {after}.")
