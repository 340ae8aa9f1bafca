"""`zedline portal create | list | show | disable | enable | delete | export | import`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zedline_cli.commands import fail, print_json, report_mail, state

if TYPE_CHECKING:
    from zedline import Zedline
    from zedline.portals.queries import PortalRow
    from zedline.portals.services import Provisioned

app = typer.Typer(help="Provision and manage portals.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("create")
def create(
    ctx: typer.Context,
    *,
    slug: Annotated[str, typer.Argument(help="The portal's URL name: /p/SLUG/.")],
    name: Annotated[str, typer.Option("--name", help="The portal's display name.")],
    admin_email: Annotated[str, typer.Option("--admin-email", help="The first admin's e-mail.")],
    admin_password: Annotated[
        str | None,
        typer.Option("--admin-password", help="Without it, a password is generated and mailed."),
    ] = None,
    admin_first_name: Annotated[str, typer.Option("--admin-first-name")] = "Portal",
    admin_last_name: Annotated[str, typer.Option("--admin-last-name")] = "Admin",
    language: Annotated[
        str,
        typer.Option(
            "--language",
            help="Language of the interface and e-mails, en or ru; the default statuses and "
            "request form are written in it.",
        ),
    ] = "en",
    as_json: JsonOption = False,
) -> None:
    """Create a portal with its default statuses and request form, and its first admin."""
    from zedline.portals.services import provision_portal  # noqa: PLC0415

    zl = state(ctx).core()
    made = provision_portal(
        zl.uow(),
        zl.clock,
        zl.hasher,
        slug=slug,
        name=name,
        admin_email=admin_email,
        admin_password=admin_password,
        admin_first_name=admin_first_name,
        admin_last_name=admin_last_name,
        quota_bytes=zl.settings.default_quota_bytes,
        language=language,
    )
    login_url = zl.notifier.portal_url(made.portal, "login")
    mailed = None
    if made.generated_password is not None:
        _mail_credentials(zl, made)
        report = zl.deliver_mail()
        mailed = report.delivered > 0
        if not as_json:
            report_mail(report)
    if as_json:
        print_json(
            {
                "slug": made.portal.slug,
                "name": made.portal.name,
                "language": made.portal.language,
                "admin_email": made.admin.email,
                "login_url": login_url,
                "generated_password": made.generated_password,
                "credentials_mailed": mailed,
            }
        )
        return
    typer.echo(f"Created portal '{made.portal.slug}' ({made.portal.name}).")
    typer.echo(f"Log in at:   {login_url}")
    typer.echo(f"Admin login: {made.admin.email}")
    if made.generated_password is not None:
        typer.echo(
            f"Password:    {made.generated_password}  (shown once; also e-mailed to the "
            "admin, who chooses a new one at the first login)"
        )


def _mail_credentials(zl: Zedline, made: Provisioned) -> None:
    """Mail the generated password, like an invitation (the outbox delivers it)."""
    assert made.generated_password is not None  # noqa: S101 - only called when generated
    with zl.uow() as uow:
        portal = uow.portals.get(made.portal.id)
        admin = uow.users.get(portal.id, made.admin.id)
        zl.notifier.enqueue(
            uow,
            zl.clock,
            portal,
            to=admin.email,
            event="credentials",
            sensitive=True,
            context={
                "user": admin,
                "password": made.generated_password,
                "reason": "invitation",
                "inviter_name": "The platform administrator",
                "login_url": zl.notifier.portal_url(portal, "login"),
                "expires_at": admin.password_expires_at or zl.clock.now(),
            },
        )
        uow.commit()


def _row_json(row: PortalRow) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name": row.name,
        "active": row.active,
        "created_at": row.created_at.isoformat(),
        "tickets": row.tickets,
        "users": row.users,
        "quota_bytes": row.quota_bytes,
        "used_bytes": row.used_bytes,
    }


@app.command("list")
def list_(ctx: typer.Context, *, as_json: JsonOption = False) -> None:
    """List every portal."""
    from zedline.portals.queries import list_portals  # noqa: PLC0415

    zl = state(ctx).core()
    with zl.reader() as uow:
        rows = list_portals(uow)
    if as_json:
        print_json([_row_json(r) for r in rows])
        return
    if not rows:
        typer.echo("No portals yet. Create one with `zedline portal create`.")
        return
    width = max(len(r.slug) for r in rows)
    typer.echo(f"{'SLUG':<{width}}  {'STATUS':<8}  {'TICKETS':>8}  {'USERS':>6}  NAME")
    for r in rows:
        status = "active" if r.active else "disabled"
        typer.echo(f"{r.slug:<{width}}  {status:<8}  {r.tickets:>8}  {r.users:>6}  {r.name}")


@app.command("show")
def show(
    ctx: typer.Context,
    *,
    slug: Annotated[str, typer.Argument()],
    as_json: JsonOption = False,
) -> None:
    """Show one portal: its admins, people, tickets and disk use."""
    from zedline.portals.queries import portal_detail  # noqa: PLC0415

    zl = state(ctx).core()
    with zl.reader() as uow:
        detail = portal_detail(uow, slug)
    row = detail.row
    portal_url = f"{zl.settings.base_url.rstrip('/')}/p/{row.slug}/"
    if as_json:
        print_json(
            {
                **_row_json(row),
                "url": portal_url,
                "admins": detail.admins,
                "operators": detail.operators,
                "clients": detail.clients,
                "open_tickets": detail.open_tickets,
            }
        )
        return
    lines = [
        ("Portal", f"{row.slug} ({row.name})"),
        ("Status", "active" if row.active else "disabled"),
        ("URL", portal_url),
        ("Created", row.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Admins", ", ".join(detail.admins) or "none"),
        ("Operators", str(detail.operators)),
        ("Clients", str(detail.clients)),
        ("Tickets", f"{row.tickets} ({detail.open_tickets} not yet resolved)"),
        ("Disk", f"{_size(row.used_bytes)} of {_size(row.quota_bytes)}"),
    ]
    for label, value in lines:
        typer.echo(f"{label + ':':<11}{value}")


def _size(n: int) -> str:
    if n < 1024:  # noqa: PLR2004
        return f"{n} B"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 1024:.1f} KB"


@app.command("disable")
def disable(ctx: typer.Context, slug: Annotated[str, typer.Argument()]) -> None:
    """Disable a portal: no one can log in or open requests; nothing is deleted."""
    from zedline.portals.services import set_portal_active  # noqa: PLC0415

    zl = state(ctx).core()
    set_portal_active(zl.uow(), slug, active=False)
    typer.echo(f"Disabled portal '{slug}'.")


@app.command("enable")
def enable(ctx: typer.Context, slug: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled portal again."""
    from zedline.portals.services import set_portal_active  # noqa: PLC0415

    zl = state(ctx).core()
    set_portal_active(zl.uow(), slug, active=True)
    typer.echo(f"Enabled portal '{slug}'.")


@app.command("delete")
def delete(
    ctx: typer.Context,
    *,
    slug: Annotated[str, typer.Argument()],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Delete a portal with all its tickets, people and settings."""
    from zedline.portals.services import delete_portal  # noqa: PLC0415

    if not yes:
        fail(
            f"deleting portal '{slug}' removes all its tickets, people and settings for good; "
            "add --yes to confirm"
        )
    zl = state(ctx).core()
    delete_portal(zl.uow(), slug, files=zl.files)
    typer.echo(f"Deleted portal '{slug}'.")


@app.command("export")
def export(
    ctx: typer.Context,
    *,
    slug: Annotated[str, typer.Argument()],
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
) -> None:
    """Write a portal (people, tickets, conversations, files, settings) to one zip file."""
    from zedline.bootstrap import head_revision  # noqa: PLC0415
    from zedline.portals.transfer import export_portal  # noqa: PLC0415

    if output.exists():
        fail(f"{output} already exists; choose another --output or remove it first")
    if not output.parent.exists():
        fail(f"the folder {output.parent} does not exist")
    zl = state(ctx).core()
    summary = export_portal(
        zl.reader(),
        zl.clock,
        zl.files,
        slug=slug,
        target=output,
        schema_revision=head_revision(),
    )
    tickets = summary.rows.get("tickets", 0)
    typer.echo(
        f"Exported portal '{slug}' to {output}: {tickets} tickets, "
        f"{summary.rows.get('messages', 0)} messages, {summary.files} files."
    )
    if summary.missing_files:
        typer.echo(f"warning: {summary.missing_files} attachment files were missing on disk")


@app.command("import")
def import_(
    ctx: typer.Context,
    *,
    source: Annotated[Path, typer.Argument(help="A zip file made by `portal export`.")],
    slug: Annotated[str | None, typer.Option("--slug", help="Import under another slug.")] = None,
) -> None:
    """Create a portal from an export (in one transaction: all or nothing)."""
    from zedline.bootstrap import head_revision  # noqa: PLC0415
    from zedline.portals.transfer import import_portal  # noqa: PLC0415

    if not source.is_file():
        fail(f"{source} does not exist")
    zl = state(ctx).core()
    summary = import_portal(
        zl.uow(), zl.files, source=source, schema_revision=head_revision(), slug=slug
    )
    typer.echo(
        f"Imported portal '{summary.slug}': {summary.rows.get('tickets', 0)} tickets, "
        f"{summary.rows.get('users', 0)} people, {summary.files} files."
    )
