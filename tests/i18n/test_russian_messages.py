"""Refusals of the core and the error pages read in the portal's language; English as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.factories import PASSWORD

from zedline.accounts import people
from zedline.accounts import services as accounts
from zedline.accounts.model import Role
from zedline.errors import InvalidInput, InvalidTransition, NotFound
from zedline.i18n import N_, translate
from zedline.persistence import tables as t
from zedline.portals import services as portals


@pytest.fixture
def russian(zl, admin):
    return portals.update_portal_settings(
        zl.uow(), admin, name="Acme Support", timezone="Europe/Moscow", language="ru"
    )


def test_a_marked_message_is_its_english_text():
    message = N_("ticket #%(number)s is already yours", number=7)
    assert (message, str(InvalidInput(message)), translate("en", message)) == (
        "ticket #7 is already yours",
        "ticket #7 is already yours",
        "ticket #7 is already yours",
    )


def test_a_marked_message_is_translated_with_its_values():
    assert translate("ru", N_("ticket #%(number)s is already yours", number=7)) == (
        "заявка №7 уже ваша"
    )


def test_an_error_keeps_the_marked_message_for_the_adapter():
    error = NotFound(N_("there is no request #%(number)s in this portal", number=9))
    assert (error.message, translate("ru", error.text)) == (
        "there is no request #9 in this portal",
        "на этом портале нет заявки №9",
    )


def test_a_wrong_password_is_refused_in_russian(web, post_form, russian, client):
    page = post_form(web, "/p/acme/login", {"email": client.email, "password": "wrong-1234"})
    assert (page.status_code, "Неверный адрес эл. почты или пароль" in page.text) == (422, True)


def test_a_wrong_password_is_refused_in_english_as_before(web, post_form, portal, client):
    page = post_form(web, "/p/acme/login", {"email": client.email, "password": "wrong-1234"})
    assert (page.status_code, "Wrong e-mail or password" in page.text) == (422, True)


def test_a_missing_page_of_a_russian_portal_is_titled_in_russian(web, login, russian, client):
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/tickets/99")
    assert (page.status_code, "<title>Не найдено" in page.text) == (404, True)
    assert "Not found" not in page.text


def test_a_missing_page_of_an_english_portal_is_titled_in_english(web, login, portal, client):
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/tickets/99")
    assert (page.status_code, "Not found" in page.text) == (404, True)


def test_an_invitation_from_a_russian_portal_names_its_team_in_russian(zl, russian):
    accounts.add_user(
        zl.uow(), zl.clock, zl.hasher, zl.notifier, slug="acme", email="oleg@acme.test",
        role=Role.OPERATOR, first_name="Олег", last_name="Петров", password=None,
    )  # fmt: skip
    with zl.engine.connect() as conn:
        payload = conn.scalar(
            select(t.outbox.c.payload).where(t.outbox.c.recipient == "oleg@acme.test")
        )
    assert "Команда Acme Support" in payload["text"]
    assert " team" not in payload["text"]


def test_the_notification_settings_page_of_a_russian_portal_is_in_russian(
    web, login, russian, admin
):
    login(web, "acme", admin.email, PASSWORD)
    page = web.get("/p/acme/admin/notifications").text
    for russian_words in ("Ответ сотрудника", "Клиенту", "Всем операторам", "Срок истёк"):
        assert russian_words in page
    for english in ("Reply from staff", "To the client", "To all operators", "Deadline passed"):
        assert english not in page


def test_a_role_named_in_a_message_is_translated_with_it(zl, admin, make_user):
    olga = make_user(Role.OPERATOR, first_name="Olga", last_name="Orlova")
    with pytest.raises(InvalidTransition) as refused:
        people.change_role(zl.uow(), admin, olga.id, role="operator")
    assert refused.value.message == "Olga Orlova already is an operator"
    assert translate("ru", refused.value.text) == "Olga Orlova уже оператор"
