"""Run the `zedline` command in-process against the test database of the shared fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from zedline import Settings
from zedline.persistence.database import make_engine
from zedline_cli.main import app

Cli = Callable[..., Result]


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # No .env file of the checkout may leak into the settings.
    monkeypatch.chdir(tmp_path)
    return {
        "ZEDLINE_DATA_DIR": str(settings.data_dir),
        "ZEDLINE_DATABASE_URL": str(settings.database_url),
        "ZEDLINE_BASE_URL": settings.base_url,
        "ZEDLINE_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ZEDLINE_MAIL_FROM": settings.mail_from,
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={**cli_env, **(env or {})})

    return invoke


@pytest.fixture
def db(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(str(settings.database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def mail_dir(settings: Settings) -> Path:
    return settings.data_dir / "mail"
