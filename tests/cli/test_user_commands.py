"""`zedline user add` and `zedline invite`."""

from __future__ import annotations

import email
import json
from email.policy import default as default_policy

import pytest

PASSWORD = "correct-horse-42"


@pytest.fixture
def acme(cli):
    result = cli(
        "portal",
        "create",
        "acme",
        "--name",
        "Acme Support",
        "--admin-email",
        "admin@acme.test",
        "--admin-password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output


def add(cli, *extra, slug="acme", address="olga@acme.test", role="operator"):
    return cli(
        "user",
        "add",
        slug,
        address,
        "--role",
        role,
        "--first-name",
        "Olga",
        "--last-name",
        "Novak",
        *extra,
    )


def users(cli):
    return json.loads(cli("portal", "show", "acme", "--json").stdout)["users"]


def mails(mail_dir):
    return [
        email.message_from_bytes(p.read_bytes(), policy=default_policy)
        for p in sorted(mail_dir.glob("*.eml"))
    ]


def test_user_add_with_password(cli, acme, mail_dir):
    result = add(cli, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added operator Olga Novak <olga@acme.test> to portal 'acme'.\n"
    assert users(cli) == 2
    assert mails(mail_dir) == []


def test_user_add_without_password_mails_one(cli, acme, mail_dir):
    result = add(cli, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["credentials_mailed"] is True
    [mail] = mails(mail_dir)
    assert mail["To"] == "olga@acme.test"


def test_bad_role_is_a_usage_error(cli, acme):
    result = add(cli, "--password", PASSWORD, role="boss")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert users(cli) == 1


def test_bad_email_is_refused_and_nothing_is_added(cli, acme):
    result = add(cli, "--password", PASSWORD, address="olga-at-acme")
    assert result.exit_code == 1
    assert result.stderr == "error: EMAIL: enter an e-mail address like name@example.com\n"
    assert users(cli) == 1


def test_every_bad_field_gets_its_line(cli, acme):
    result = cli(
        "user", "add", "acme", "x", "--role", "client", "--first-name", " ", "--last-name", "Novak"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: --first-name: enter a first name",
        "error: EMAIL: enter an e-mail address like name@example.com",
    ]


def test_user_add_to_unknown_portal(cli, acme):
    result = add(cli, "--password", PASSWORD, slug="nope")
    assert result.exit_code == 1
    assert result.stderr == "error: no portal 'nope'\n"


def test_same_email_twice_is_a_conflict(cli, acme):
    add(cli, "--password", PASSWORD)
    result = add(cli, "--password", PASSWORD)
    assert result.exit_code == 1
    assert result.stderr == "error: olga@acme.test already has an account in this portal\n"


def test_invite_mails_login_url_login_and_password(cli, acme, mail_dir):
    result = cli(
        "invite", "acme", "Carl@Client.test", "--first-name", "Carl", "--last-name", "Client"
    )
    assert result.exit_code == 0, result.output
    assert "http://testserver.local/p/acme/login" in result.stdout
    [mail] = mails(mail_dir)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == "carl@client.test"
    assert "http://testserver.local/p/acme/login" in text
    assert "carl@client.test" in text


def test_invite_json(cli, acme):
    result = cli(
        "invite",
        "acme",
        "carl@client.test",
        "--first-name",
        "Carl",
        "--last-name",
        "Client",
        "--json",
    )
    out = json.loads(result.stdout)
    assert (out["role"], out["email"], out["credentials_mailed"]) == (
        "client",
        "carl@client.test",
        True,
    )


def test_invite_to_unknown_portal(cli, acme, mail_dir):
    result = cli(
        "invite", "nope", "carl@client.test", "--first-name", "Carl", "--last-name", "Client"
    )
    assert result.exit_code == 1
    assert result.stderr == "error: no portal 'nope'\n"
    assert mails(mail_dir) == []


def test_worker_once_reports_its_round(cli, acme):
    result = cli("worker", "--once")
    assert result.exit_code == 0, result.output
    assert "delivered: 0" in result.stdout
