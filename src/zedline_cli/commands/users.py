"""`zedline user add` and `zedline invite`."""

from __future__ import annotations

from typing import Annotated

import typer

from zedline.accounts.model import Role
from zedline_cli.commands import print_json, report_mail, state

app = typer.Typer(help="People of a portal.", no_args_is_help=True)

Slug = Annotated[str, typer.Argument(help="The portal.")]
Email = Annotated[str, typer.Argument(help="The person's e-mail; it is the login.")]
FirstName = Annotated[str, typer.Option("--first-name")]
LastName = Annotated[str, typer.Option("--last-name")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("add")
def add(
    ctx: typer.Context,
    *,
    slug: Slug,
    email: Email,
    role: Annotated[Role, typer.Option("--role", help="What the person may do.")],
    first_name: FirstName,
    last_name: LastName,
    password: Annotated[
        str | None,
        typer.Option("--password", help="Without it, a password is generated and e-mailed."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add an admin, operator or client to a portal."""
    from zedline.accounts.services import add_user  # noqa: PLC0415

    zl = state(ctx).core()
    user, generated = add_user(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        slug=slug,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    report = zl.deliver_mail() if generated is not None else None
    login_url = f"{zl.settings.base_url.rstrip('/')}/p/{slug}/login"
    if as_json:
        print_json(
            {
                "slug": slug,
                "email": user.email,
                "role": user.role.value,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "login_url": login_url,
                "credentials_mailed": None if report is None else report.delivered > 0,
            }
        )
        return
    typer.echo(f"Added {user.role.value} {user.full_name} <{user.email}> to portal '{slug}'.")
    if report is not None:
        typer.echo(f"A generated password was e-mailed to {user.email} (log in at {login_url}).")
        report_mail(report)


def invite(
    ctx: typer.Context,
    *,
    slug: Slug,
    email: Email,
    first_name: FirstName,
    last_name: LastName,
    as_json: JsonOption = False,
) -> None:
    """Invite a client: the e-mail carries the portal's URL, the login and a password."""
    from zedline.accounts.services import add_user  # noqa: PLC0415

    zl = state(ctx).core()
    user, _ = add_user(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        slug=slug,
        email=email,
        role=Role.CLIENT,
        first_name=first_name,
        last_name=last_name,
        password=None,
    )
    report = zl.deliver_mail()
    login_url = f"{zl.settings.base_url.rstrip('/')}/p/{slug}/login"
    if as_json:
        print_json(
            {
                "slug": slug,
                "email": user.email,
                "role": user.role.value,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "login_url": login_url,
                "credentials_mailed": report.delivered > 0,
            }
        )
        return
    typer.echo(f"Invited {user.full_name} <{user.email}> to portal '{slug}'.")
    typer.echo(f"The invitation with the login and a password was e-mailed; log in at {login_url}")
    report_mail(report)
