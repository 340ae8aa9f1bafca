"""What every command shares: the lazily built core, output helpers, and the error wrapper."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from zedline import Settings, Zedline
    from zedline.notifications.services import DeliveryReport

# How InvalidInput field names read on the command line.
FIELD_LABELS = {
    "slug": "SLUG",
    "name": "--name",
    "admin_email": "--admin-email",
    "admin_password": "--admin-password",
    "language": "--language",
    "email": "EMAIL",
    "password": "--password",
    "first_name": "--first-name",
    "last_name": "--last-name",
    "portals": "--portals",
    "tickets": "--tickets",
}


class State:
    """Built once per invocation by the root callback; the core only when a command asks."""

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug
        self._settings: Settings | None = None
        self._core: Zedline | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from zedline import Settings  # noqa: PLC0415 - commands without a DB stay fast

            self._settings = Settings()
        return self._settings

    def reset_settings(self) -> None:
        """Read the environment again (after `serve` has filled in what it derived)."""
        if self._core is not None:
            msg = "the core is already built"
            raise RuntimeError(msg)
        self._settings = None

    def core(self, *, upgrade: bool = True) -> Zedline:
        """The core, with its schema brought to the newest migration first (unless told not
        to: `db upgrade` does that itself)."""
        if self._core is None:
            from zedline import build  # noqa: PLC0415

            core = build(self.settings)
            try:
                if upgrade and not core.schema_is_current():
                    core.upgrade_database()
            except BaseException:
                core.close()
                raise
            self._core = core
        return self._core

    def close(self) -> None:
        if self._core is not None:
            self._core.close()
            self._core = None


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - the root callback always sets it
        msg = "the zedline callback did not run"
        raise TypeError(msg)
    return obj


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def fail(message: str) -> NoReturn:
    """One line on stderr and exit code 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def report_mail(report: DeliveryReport) -> None:
    if report.retrying or report.failed:
        warn(
            f"{report.retrying + report.failed} e-mail(s) could not be sent now; "
            "`zedline worker` (or `zedline serve`) retries them"
        )


def error_lines(exc: BaseException) -> list[str] | None:
    """The one-line reasons for an error a user can fix, or None for a bug."""
    from pydantic import ValidationError  # noqa: PLC0415
    from sqlalchemy.exc import OperationalError, ProgrammingError  # noqa: PLC0415

    from zedline.errors import InvalidInput, ZedlineError  # noqa: PLC0415

    if isinstance(exc, InvalidInput):
        return [
            msg if key == "__all__" else f"{FIELD_LABELS.get(key, key)}: {msg}"
            for key, msg in exc.errors.items()
        ]
    if isinstance(exc, ZedlineError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return [
            f"invalid setting ZEDLINE_{'__'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
    if isinstance(exc, OperationalError | ProgrammingError):
        text = str(exc.orig or exc).strip()
        first = text.splitlines()[0] if text else type(exc).__name__
        missing = "no such table" in text or ("relation" in text and "does not exist" in text)
        if missing:
            return [
                f"the database has no ZEDLine schema yet ({first}); run `zedline db upgrade` first"
            ]
        if isinstance(exc, OperationalError):
            return [f"cannot use the database: {first}"]
    return None
