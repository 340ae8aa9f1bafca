"""A Russian portal speaks Russian on its pages and in its e-mails; an English one is unchanged."""

from __future__ import annotations

import re

import pytest
from tests.factories import PASSWORD

from zedline.portals import services as portals

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def russian(zl, admin):
    return portals.update_portal_settings(
        zl.uow(), admin, name="Acme Support", timezone="Europe/Moscow", language="ru"
    )


def test_the_login_page_of_a_russian_portal_is_in_russian(web, russian):
    page = web.get("/p/acme/login").text
    assert '<html lang="ru">' in page
    for words in ("Войти", "Адрес эл. почты", "Пароль", "Забыли пароль?", "Впервые здесь?"):
        assert words in page
    assert "Forgot your password?" not in page


def test_the_login_page_of_an_english_portal_stays_english(web, portal):
    page = web.get("/p/acme/login").text
    assert '<html lang="en">' in page
    assert "Forgot your password?" in page
    assert "New here?" in page
    assert not CYRILLIC.search(page)


def test_a_client_sees_the_ticket_page_and_the_menu_in_russian(
    web, login, russian, client, make_ticket
):
    make_ticket(client, subject="Принтер")
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/tickets/1").text
    for words in (
        "Заявка №1",
        "Напишите сообщение",
        "Мои заявки",
        "Выйти",
        "История",
        "создал(а) заявку",
    ):
        assert words in page, words
    for english in ("Write a message", "My requests", "Log out", "opened the request"):
        assert english not in page, english


def test_an_operator_sees_the_work_panel_in_russian(
    web, login, russian, admin, client, make_ticket
):
    make_ticket(client)
    login(web, "acme", admin.email, PASSWORD)
    page = web.get("/p/acme/tickets/1").text
    for words in (
        "Работа с заявкой",
        "Исполнитель",
        "Взять себе",
        "Ответ клиенту",
        "Внутренняя заметка",
    ):
        assert words in page, words


def test_a_flash_after_an_action_is_in_russian(web, login, post_form, russian, client, make_ticket):
    make_ticket(client)
    login(web, "acme", client.email, PASSWORD)
    page = post_form(web, "/p/acme/tickets/1/reply", {"body": "Ещё вопрос"})
    assert "Сообщение отправлено." in page.text


def test_the_new_request_form_and_its_errors_summary_are_in_russian(
    web, login, post_form, russian, client
):
    login(web, "acme", client.email, PASSWORD)
    form = web.get("/p/acme/tickets/new").text
    assert tuple(
        w for w in ("Новая заявка", "Отправить заявку", "Приложить файлы") if w in form
    ) == ("Новая заявка", "Отправить заявку", "Приложить файлы")
    sent = post_form(web, "/p/acme/tickets/new", {})
    assert sent.status_code == 422
    assert re.search(r"Пожалуйста, исправьте( \d+ пункт(а|ов)?)?:", sent.text)


def test_a_russian_portal_sends_the_credentials_e_mail_in_russian(web, post_form, mailbox, russian):
    web.get("/p/acme/register")
    post_form(
        web,
        "/p/acme/register",
        {"first_name": "Анна", "last_name": "Петрова", "email": "anna@client.test"},
    )
    mail = mailbox.last("anna@client.test")
    assert mail.subject == "Добро пожаловать в Acme Support"
    assert "Здравствуйте, Анна!" in mail.text
    assert re.search(r"^Пароль:\s+\S+$", mail.text, re.MULTILINE)
    assert "Спасибо за регистрацию" in mail.html
    assert "Thank you" not in mail.text + mail.html


def test_an_english_portal_sends_the_credentials_e_mail_in_english(web, post_form, mailbox, portal):
    web.get("/p/acme/register")
    post_form(
        web,
        "/p/acme/register",
        {"first_name": "Ann", "last_name": "Lee", "email": "ann@client.test"},
    )
    mail = mailbox.last("ann@client.test")
    assert mail.subject == "Welcome to Acme Support"
    assert mailbox.password_in(mail)
    assert "Hello Ann," in mail.text
    assert not CYRILLIC.search(mail.text + mail.html)


def test_an_admin_page_of_a_russian_portal_is_in_russian(web, login, russian, admin):
    login(web, "acme", admin.email, PASSWORD)
    page = web.get("/p/acme/admin/portal").text
    for words in ("Настройки", "Часовой пояс", "Язык", "Сохранить настройки"):
        assert words in page, words
