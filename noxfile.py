"""Developer and CI sessions: `nox -s tests`, `tests_postgres`, `lint`, `typecheck`, `bench`."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _install(session: nox.Session, *groups: str) -> None:
    session.install("--upgrade", "pip")
    requirements = []
    for group in groups:
        requirements += nox.project.dependency_groups(PYPROJECT, group)
    session.install("-e", ".", *requirements)


def _browser_env() -> dict[str, str]:
    # Browser tests drive the system's Chromium; nothing is downloaded.
    env = {"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        env["ZEDLINE_CHROMIUM"] = chromium
    return env


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite on SQLite (browser tests included when Chromium is installed)."""
    _install(session, "test")
    session.run("pytest", *session.posargs, env=_browser_env())


@nox.session(python=PYTHON)
def tests_postgres(session: nox.Session) -> None:
    """The same suite against PostgreSQL (ZEDLINE_TEST_DATABASE_URL, default: local `test`)."""
    _install(session, "test")
    env = _browser_env()
    env["ZEDLINE_TEST_DATABASE_URL"] = os.environ.get("ZEDLINE_TEST_DATABASE_URL", DEFAULT_PG)
    session.run("pytest", *session.posargs, env=env)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) and the import-linter contracts between the layers."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    _install(session, "typecheck")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The million-ticket benchmark (needs wrk; see docs/benchmarks.md). Pass options after --."""
    _install(session, "test")
    session.run("python", "benchmarks/bench.py", *session.posargs)
