"""`zedline portal ...` and `zedline db upgrade`: success paths and one-line refusals."""

from __future__ import annotations

import email
import json
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from zedline.errors import NotFound
from zedline_cli.commands import error_lines

PASSWORD = "correct-horse-42"


def create(cli, slug="acme", *extra, email_="admin@acme.test"):
    return cli("portal", "create", slug, "--name", "Acme Support", "--admin-email", email_, *extra)


def slugs(cli):
    result = cli("portal", "list", "--json")
    assert result.exit_code == 0, result.output
    return [row["slug"] for row in json.loads(result.stdout)]


def read_mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=default_policy)  # type: ignore[misc]
        for p in sorted(mail_dir.glob("*.eml"))
    ]


def body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_create_prints_where_to_log_in(cli):
    result = create(cli, "acme", "--admin-password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "http://testserver.local/p/acme/login" in result.stdout
    assert slugs(cli) == ["acme"]


def test_create_with_a_password_sends_no_mail(cli, mail_dir):
    assert create(cli, "acme", "--admin-password", PASSWORD).exit_code == 0
    assert list(mail_dir.glob("*.eml")) == []


def test_create_without_password_prints_and_mails_a_generated_one(cli, mail_dir):
    result = create(cli, "acme", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    password = out["generated_password"]
    assert out["credentials_mailed"] is True
    [mail] = read_mails(mail_dir)
    assert mail["To"] == "admin@acme.test"
    text = body(mail)
    assert password in text
    assert "http://testserver.local/p/acme/login" in text


def test_create_json_names_the_portal(cli):
    result = create(cli, "acme", "--admin-password", PASSWORD, "--json")
    out = json.loads(result.stdout)
    assert (out["slug"], out["admin_email"], out["generated_password"]) == (
        "acme",
        "admin@acme.test",
        None,
    )


def test_second_identical_create_fails_with_one_line(cli):
    assert create(cli, "acme", "--admin-password", PASSWORD).exit_code == 0
    result = create(cli, "acme", "--admin-password", PASSWORD)
    assert result.exit_code == 1
    assert result.stderr == "error: a portal with the slug 'acme' already exists\n"


@pytest.mark.parametrize(
    ("slug", "admin_email", "field"),
    [("Bad Slug!", "admin@acme.test", "SLUG"), ("acme", "not-an-email", "--admin-email")],
)
def test_bad_create_input_fails_and_writes_nothing(cli, slug, admin_email, field):
    result = create(cli, slug, "--admin-password", PASSWORD, email_=admin_email)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}: ")
    assert len(result.stderr.splitlines()) == 1
    assert slugs(cli) == []


def test_weak_password_is_refused(cli):
    result = create(cli, "acme", "--admin-password", "1234")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --admin-password: ")
    assert slugs(cli) == []


def test_a_fresh_empty_database_works_with_just_portal_create(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = cli(
        "portal",
        "create",
        "fresh",
        "--name",
        "Fresh",
        "--admin-email",
        "a@fresh.test",
        "--admin-password",
        PASSWORD,
        env={"ZEDLINE_DATABASE_URL": url},
    )
    assert result.exit_code == 0, result.output
    listed = cli("portal", "list", "--json", env={"ZEDLINE_DATABASE_URL": url})
    assert [row["slug"] for row in json.loads(listed.stdout)] == ["fresh"]


def test_db_upgrade_creates_then_reports_up_to_date(cli, tmp_path):
    env = {"ZEDLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    first = cli("db", "upgrade", env=env)
    second = cli("db", "upgrade", env=env)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.stdout.startswith("Created the database schema")
    assert second.stdout.startswith("The database schema is already up to date")


def test_list_shows_portals_in_a_table(cli):
    create(cli, "acme", "--admin-password", PASSWORD)
    result = cli("portal", "list")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split()[:4] == ["acme", "active", "0", "1"]


def test_list_without_portals_says_how_to_make_one(cli):
    result = cli("portal", "list")
    assert "zedline portal create" in result.stdout


def test_show_describes_the_portal(cli):
    create(cli, "acme", "--admin-password", PASSWORD)
    result = cli("portal", "show", "acme", "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert (out["admins"], out["url"], out["tickets"]) == (
        ["admin@acme.test"],
        "http://testserver.local/p/acme/",
        0,
    )
    human = cli("portal", "show", "acme")
    assert "Admins:    admin@acme.test" in human.stdout


@pytest.mark.parametrize(
    "args",
    [("show", "nope"), ("disable", "nope"), ("enable", "nope"), ("delete", "nope", "--yes")],
)
def test_unknown_portal_fails_with_one_line(cli, args):
    create(cli, "acme", "--admin-password", PASSWORD)
    result = cli("portal", *args)
    assert result.exit_code == 1
    assert result.stderr == "error: no portal 'nope'\n"


def test_disable_then_enable(cli):
    create(cli, "acme", "--admin-password", PASSWORD)
    assert cli("portal", "disable", "acme").exit_code == 0
    assert json.loads(cli("portal", "show", "acme", "--json").stdout)["active"] is False
    assert cli("portal", "enable", "acme").exit_code == 0
    assert json.loads(cli("portal", "show", "acme", "--json").stdout)["active"] is True


def test_disabling_twice_is_refused(cli):
    create(cli, "acme", "--admin-password", PASSWORD)
    cli("portal", "disable", "acme")
    result = cli("portal", "disable", "acme")
    assert result.exit_code == 1
    assert result.stderr == "error: portal 'acme' is already disabled\n"


def test_delete_needs_yes(cli):
    create(cli, "acme", "--admin-password", PASSWORD)
    refused = cli("portal", "delete", "acme")
    assert refused.exit_code == 1
    assert "add --yes to confirm" in refused.stderr
    assert slugs(cli) == ["acme"]
    done = cli("portal", "delete", "acme", "--yes")
    assert done.exit_code == 0
    assert slugs(cli) == []


def test_debug_shows_the_traceback_instead(cli):
    result = cli("--debug", "portal", "show", "nope")
    assert result.exit_code == 1
    assert isinstance(result.exception, NotFound)


def test_invalid_settings_give_one_line(cli):
    result = cli("portal", "list", env={"ZEDLINE_SMTP__PORT": "many"})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid setting ZEDLINE_SMTP__PORT: ")
    assert len(result.stderr.splitlines()) == 1


def test_missing_tables_point_at_db_upgrade():
    exc = OperationalError("SELECT 1", {}, Exception("no such table: portals"))
    [line] = error_lines(exc) or []
    assert line.endswith("run `zedline db upgrade` first")


def test_no_command_shows_help(cli):
    result = cli()
    assert "portal" in result.output


def test_create_with_a_language_writes_the_defaults_in_it(cli, zl):
    result = create(cli, "acme", "--admin-password", PASSWORD, "--language", "ru", "--json")
    assert (result.exit_code, json.loads(result.stdout)["language"]) == (0, "ru")
    with zl.reader() as uow:
        portal = uow.portals.get_by_slug("acme")
        first = uow.statuses.list(portal.id)[0]
    assert (portal.language, first.operator_label) == ("ru", "Новая")


def test_create_with_an_unknown_language_is_refused(cli):
    result = create(cli, "acme", "--admin-password", PASSWORD, "--language", "xx")
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "error: --language: choose English or Russian",
    )
