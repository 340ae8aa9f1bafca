"""Rules of portals and accounts: slugs, names, e-mail addresses, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import NOW, UserFactory
from zedline.accounts.model import (
    GENERATED_PASSWORD_TTL,
    check_password_strength,
    clean_name,
    generate_password,
    normalize_email,
)
from zedline.errors import InvalidInput
from zedline.portals.model import validate_portal_name, validate_slug


@pytest.mark.parametrize("slug", ["acme", "a", "acme-support", "team42", "x" * 48, "4-u"])
def test_valid_slug_is_accepted(slug):
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    ["Acme", "acme support", "-acme", "acme-", "ac--me", "x" * 49, "", "acme_support", "acmé"],
    ids=["uppercase", "space", "leading-hyphen", "trailing-hyphen", "double-hyphen",
         "too-long", "empty", "underscore", "non-ascii"],
)  # fmt: skip
def test_invalid_slug_is_refused_on_the_slug_field(slug):
    with pytest.raises(InvalidInput) as exc:
        validate_slug(slug)
    assert "not a valid portal slug" in exc.value.errors["slug"]


@pytest.mark.parametrize("slug", ["api", "admin", "static"])
def test_reserved_slug_is_refused(slug):
    with pytest.raises(InvalidInput) as exc:
        validate_slug(slug)
    assert "reserved" in exc.value.errors["slug"]


def test_portal_name_collapses_whitespace():
    assert validate_portal_name("  Acme   Support ") == "Acme Support"


@pytest.mark.parametrize(("name", "message"), [("   ", "needs a name"), ("x" * 121, "longer")])
def test_bad_portal_name_is_refused(name, message):
    with pytest.raises(InvalidInput) as exc:
        validate_portal_name(name)
    assert message in exc.value.errors["name"]


def test_email_is_normalised_to_lowercase_and_trimmed():
    assert normalize_email("  Carl.Client@Example.TEST ") == "carl.client@example.test"


def test_emails_differing_only_in_case_normalise_to_the_same():
    assert normalize_email("ADA@acme.test") == normalize_email("ada@ACME.test")


@pytest.mark.parametrize(
    "email", ["carl", "carl@", "@example.com", "carl@example", "carl @example.com",
              "carl@@example.com", "a" * 65 + "@example.com", "carl@example.c"],
)  # fmt: skip
def test_bad_email_is_refused_on_the_email_field(email):
    with pytest.raises(InvalidInput) as exc:
        normalize_email(email)
    assert exc.value.errors == {"email": "enter an e-mail address like name@example.com"}


def test_name_collapses_whitespace():
    assert clean_name("  Mary   Ann ", "first_name", "first name") == "Mary Ann"


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "enter a first name"), ("   ", "enter a first name"),
     ("x" * 81, "the first name is longer than 80 characters")],
)  # fmt: skip
def test_bad_name_is_refused_on_its_field(value, message):
    with pytest.raises(InvalidInput) as exc:
        clean_name(value, "first_name", "first name")
    assert exc.value.errors == {"first_name": message}


def test_strong_password_passes():
    check_password_strength("correct-horse-42")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1!", "use at least 8 characters"), ("12345678901", "too easy to guess"),
     ("aaaabbbb", "too easy to guess"), ("x" * 1025, "use at most 1024 characters")],
    ids=["too-short", "digits-only", "three-distinct-characters", "too-long"],
)  # fmt: skip
def test_weak_password_is_refused_on_the_named_field(password, message):
    with pytest.raises(InvalidInput) as exc:
        check_password_strength(password, "new_password")
    assert message in exc.value.errors["new_password"]


def test_generated_password_has_no_look_alike_characters():
    passwords = "".join(generate_password() for _ in range(50))
    assert not set(passwords) & set("0O1lI")


def test_generated_password_passes_the_strength_check():
    for _ in range(20):
        check_password_strength(generate_password())


def test_generated_password_expires_after_its_ttl():
    user = UserFactory()
    user.set_generated_password("hash", NOW)
    assert (
        user.password_expired(NOW + GENERATED_PASSWORD_TTL - timedelta(seconds=1)),
        user.password_expired(NOW + GENERATED_PASSWORD_TTL),
    ) == (False, True)


def test_chosen_password_never_expires():
    user = UserFactory()
    user.set_generated_password("hash", NOW)
    user.set_chosen_password("other")
    assert not user.password_expired(NOW + timedelta(days=3650))


def test_password_change_ends_existing_sessions():
    user = UserFactory()
    before = user.auth_version
    user.set_chosen_password("other")
    assert user.auth_version == before + 1


def test_deactivation_ends_existing_sessions():
    user = UserFactory()
    before = user.auth_version
    user.deactivate()
    assert (user.active, user.auth_version) == (False, before + 1)
