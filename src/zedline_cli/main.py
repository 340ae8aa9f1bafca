"""The `zedline` command: one Typer app, one error wrapper, the core built only on demand."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from zedline_cli.commands import State, error_lines
from zedline_cli.commands import db as db_commands
from zedline_cli.commands import demo as demo_commands
from zedline_cli.commands import portal as portal_commands
from zedline_cli.commands import serve as serve_commands
from zedline_cli.commands import users as user_commands
from zedline_cli.commands import worker as worker_commands


class ZedlineGroup(TyperGroup):
    """The one place where errors become a line on stderr and an exit code.

    Bad input, a missing portal, a conflict, invalid settings or an unusable database print
    `error: ...` and exit 1 (click's own usage errors exit 2); `--debug` shows the traceback.
    """

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Exception as exc:
            lines = error_lines(exc)
            debug = isinstance(ctx.obj, State) and ctx.obj.debug
            if lines is None or debug:
                raise
            for line in lines:
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=ZedlineGroup,
    name="zedline",
    help="ZEDLine Support: provision portals, serve the helpdesk, run the worker.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    *,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
) -> None:
    ctx.obj = State(debug=debug)
    ctx.call_on_close(ctx.obj.close)


app.add_typer(db_commands.app, name="db")
app.add_typer(portal_commands.app, name="portal")
app.add_typer(user_commands.app, name="user")
app.command("invite")(user_commands.invite)
app.command("demo")(demo_commands.demo)
app.command("serve")(serve_commands.serve)
app.command("worker")(worker_commands.worker)


def run() -> None:
    """Entry point of the `zedline` script."""
    app()
