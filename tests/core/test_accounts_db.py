"""Accounts against the real database: uniqueness, login, passwords, reset links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from factories import PASSWORD
from zedline.accounts import services as accounts
from zedline.accounts.model import GENERATED_PASSWORD_TTL, Role
from zedline.errors import Conflict, InvalidInput, PermissionDenied
from zedline.portals import services as portals

NEW_PASSWORD = "battery-staple-77"


def login(zl, email, password=PASSWORD, slug="acme"):
    return accounts.authenticate(zl.uow(), zl.clock, zl.hasher, slug=slug, email=email,
                                 password=password)  # fmt: skip


def login_error(zl, email, password=PASSWORD, slug="acme"):
    with pytest.raises(InvalidInput) as exc:
        login(zl, email, password, slug)
    return exc.value.errors


# -- unique e-mail ----------------------------------------------------------------------------


def test_same_email_in_another_case_in_the_same_portal_is_a_conflict(make_user, client):
    with pytest.raises(Conflict):
        make_user(Role.CLIENT, email="CARL@Client.Test")


def test_same_email_in_another_portal_is_fine(make_user, client, other_portal):
    user = make_user(Role.CLIENT, slug="globex", email=client.email)
    assert (user.portal_id, user.email) == (other_portal.id, client.email)


def test_database_refuses_a_duplicate_email_that_slips_past_the_check(zl, client, monkeypatch):
    # Two registrations racing: both pass the check, the unique constraint decides.
    monkeypatch.setattr("zedline.persistence.repositories.UserRepository.email_taken",
                        lambda *_: False)  # fmt: skip
    with pytest.raises(Conflict) as exc:
        accounts.register_client(zl.uow(), zl.clock, zl.hasher, zl.notifier, slug="acme",
                                 first_name="C", last_name="C", email=client.email)  # fmt: skip
    assert "e-mail" in exc.value.message


def test_unknown_portal_slug_is_not_found(zl):
    with pytest.raises(Exception, match="no portal"):
        login(zl, "x@example.test", slug="nowhere")


# -- authenticate ------------------------------------------------------------------------------


def test_right_password_logs_in_and_records_the_time(zl, client):
    assert login(zl, client.email).last_login_at == zl.clock.now()


def test_login_email_is_case_insensitive(zl, client):
    assert login(zl, "  CARL@client.test ").id == client.id


def test_wrong_password_and_unknown_email_give_the_same_message(zl, client):
    assert login_error(zl, client.email, "wrong-password-1") == login_error(
        zl, "nobody@client.test"
    )


def test_malformed_email_gives_the_same_message_too(zl, client):
    assert login_error(zl, "not an email") == login_error(zl, "nobody@client.test")


def test_deactivated_user_cannot_log_in(zl, client):
    with zl.uow() as uow:
        uow.users.get(client.portal_id, client.id).deactivate()
        uow.commit()
    assert "deactivated" in login_error(zl, client.email)["email"]


def test_disabled_portal_refuses_login(zl, client):
    portals.set_portal_active(zl.uow(), "acme", active=False)
    with pytest.raises(PermissionDenied):
        login(zl, client.email)


@pytest.fixture
def invited(zl, portal):
    """(user, generated password) of someone added without a password."""
    return accounts.add_user(zl.uow(), zl.clock, zl.hasher, zl.notifier, slug="acme",
                             email="new@client.test", role=Role.CLIENT, first_name="N",
                             last_name="New")  # fmt: skip


def test_generated_password_works_before_it_expires(zl, clock, invited):
    clock.advance(GENERATED_PASSWORD_TTL - timedelta(minutes=1))
    assert login(zl, "new@client.test", invited[1]).must_change_password


def test_expired_generated_password_is_refused(zl, clock, invited):
    clock.advance(GENERATED_PASSWORD_TTL)
    assert "expired" in login_error(zl, "new@client.test", invited[1])["password"]


# -- change_password ----------------------------------------------------------------------------


def test_first_login_change_needs_no_current_password(zl, invited):
    accounts.change_password(zl.uow(), zl.hasher, invited[0], new_password=NEW_PASSWORD)
    assert not login(zl, "new@client.test", NEW_PASSWORD).must_change_password


def test_first_login_change_retires_the_generated_password(zl, invited):
    accounts.change_password(zl.uow(), zl.hasher, invited[0], new_password=NEW_PASSWORD)
    assert login_error(zl, "new@client.test", invited[1])


def test_later_change_needs_the_current_password(zl, client):
    with pytest.raises(InvalidInput) as exc:
        accounts.change_password(zl.uow(), zl.hasher, client, new_password=NEW_PASSWORD,
                                 current_password="wrong-password-1")  # fmt: skip
    assert "current_password" in exc.value.errors


def test_later_change_with_the_current_password_works(zl, client):
    accounts.change_password(zl.uow(), zl.hasher, client, new_password=NEW_PASSWORD,
                             current_password=PASSWORD)  # fmt: skip
    assert login(zl, client.email, NEW_PASSWORD).id == client.id


def test_weak_new_password_is_refused(zl, client):
    with pytest.raises(InvalidInput) as exc:
        accounts.change_password(zl.uow(), zl.hasher, client, new_password="1234",
                                 current_password=PASSWORD)  # fmt: skip
    assert "new_password" in exc.value.errors


def test_password_change_ends_other_sessions(zl, client):
    accounts.change_password(zl.uow(), zl.hasher, client, new_password=NEW_PASSWORD,
                             current_password=PASSWORD)  # fmt: skip
    with zl.reader() as uow:
        assert accounts.load_actor(uow, client.portal_id, client.id, client.auth_version) is None


# -- password reset -------------------------------------------------------------------------------


@pytest.fixture
def token(zl, client):
    accounts.request_password_reset(zl.uow(), zl.clock, zl.notifier, slug="acme",
                                    email=client.email)  # fmt: skip
    with zl.reader() as uow:
        mails = [m for m in uow.outbox.due(zl.clock.now(), 100) if m.event == "password_reset"]
    (mail,) = mails
    return re.search(r"password-reset/([A-Za-z0-9_-]+)", mail.payload["text"]).group(1)


def reset(zl, token):
    return accounts.reset_password(zl.uow(), zl.clock, zl.hasher, slug="acme", token=token,
                                   new_password=NEW_PASSWORD)  # fmt: skip


def test_reset_link_sets_a_new_password(zl, client, token):
    reset(zl, token)
    assert login(zl, client.email, NEW_PASSWORD).id == client.id


def test_reset_link_works_only_once(zl, token):
    reset(zl, token)
    with pytest.raises(InvalidInput) as exc:
        reset(zl, token)
    assert "token" in exc.value.errors


def test_reset_link_expires(zl, clock, token):
    clock.advance(accounts.RESET_TTL)
    with pytest.raises(InvalidInput) as exc:
        reset(zl, token)
    assert "token" in exc.value.errors


def test_reset_link_is_still_good_just_before_it_expires(zl, clock, client, token):
    clock.advance(accounts.RESET_TTL - timedelta(seconds=1))
    assert reset(zl, token).id == client.id


def test_unknown_reset_link_is_refused(zl, token):
    with pytest.raises(InvalidInput):
        reset(zl, token + "x")


def test_reset_for_an_unknown_email_sends_nothing(zl, portal):
    accounts.request_password_reset(zl.uow(), zl.clock, zl.notifier, slug="acme",
                                    email="nobody@client.test")  # fmt: skip
    with zl.reader() as uow:
        assert uow.outbox.pending_count() == 0
