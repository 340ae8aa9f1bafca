"""The ticket pages of a Russian portal — the journal, the client's list, the ticket page and
the request form — say every word in Russian; an English portal's are unchanged.

The Russian portal is made in Russian, so its statuses and request form are Russian too, and
its people and requests have Russian names: any English left on a page is the interface's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tests.factories import PASSWORD

from zedline.accounts.model import Role
from zedline.forms import services as forms
from zedline.portals import services as portals

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
# Words of the ticket pages that were English before they were translated.
ENGLISH = (
    "Journal",
    "My requests",
    "New request",
    "Requests of",
    "Show everyone",
    "request",
    "requests",
    "Subject",
    "Client",
    "Status",
    "Assignee",
    "Last activity",
    "Deadline",
    "Unassigned",
    "Unread",
    "New activity",
    "Newest activity",
    "Anyone",
    "Mine",
    "Active",
    "Waiting",
    "Resolved",
    "Closed",
    "All",
    "Filter by",
    "Sort",
    "Search",
    "Find a client",
    "Nothing found",
    "No requests",
    "No client",
    "Nothing more",
    "Yes",
    "Send",
    "Cancel",
    "Attach",
)
DATA = re.compile(r"\S+@\S+|ZEDLine Support|\bUTC\b")
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}


class _Visible(HTMLParser):
    """The text a person sees or hears on a page: text nodes and the attributes read out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "svg", "template"}:
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "svg", "template"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(html: str) -> list[str]:
    """The words of ENGLISH on the page, then any other Latin word but the product's name,
    e-mail addresses and time zone names (data)."""
    text = DATA.sub(" ", visible(html))
    listed = [word for word in ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]
    return listed + sorted(set(re.findall(r"[A-Za-z]{2,}", text)) - set(listed))


@pytest.fixture
def ru(zl):
    return portals.provision_portal(
        zl.uow(),
        zl.clock,
        zl.hasher,
        slug="romashka",
        name="Ромашка",
        admin_email="irina@romashka.test",
        admin_password=PASSWORD,
        admin_first_name="Ирина",
        admin_last_name="Смирнова",
        language="ru",
    ).portal


@pytest.fixture
def anna(ru, make_user):
    return make_user(
        Role.CLIENT, slug="romashka", email="anna@romashka.test", first_name="Анна",
        last_name="Петрова",
    )  # fmt: skip


@pytest.fixture
def operator_web(web, login, ru):
    login(web, "romashka", "irina@romashka.test", PASSWORD)
    return web


@pytest.fixture
def client_web(web, login, anna):
    login(web, "romashka", anna.email, PASSWORD)
    return web


def _printer(make_ticket, who, subject="Не печатает принтер"):
    return make_ticket(who, subject=subject, description="Застревает бумага.")


def test_the_journal_is_in_russian(operator_web, anna, make_ticket):
    _printer(make_ticket, anna)
    page = operator_web.get("/p/romashka/tickets").text
    shown = visible(page)
    for words in (
        "Журнал",
        "1 заявка",
        "Тема",
        "Клиент",
        "Статус",
        "Исполнитель",
        "Последняя активность",
        "Срок",
        "Без исполнителя",
        "Не назначен",
        "Непрочитанная",
        "Активные",
        "Все",
        "Мои",
        "Фильтр по статусу",
        "Поиск по номеру, теме или тексту сообщений",
    ):
        assert words in shown, words
    assert english_left(page) == []


@pytest.mark.parametrize(("count", "words"), [(2, "2 заявки"), (5, "5 заявок")])
def test_the_journal_counts_requests_with_russian_plurals(
    operator_web, anna, make_ticket, count, words
):
    for n in range(count):
        _printer(make_ticket, anna, subject=f"Заявка {n}")
    assert words in visible(operator_web.get("/p/romashka/tickets").text)


def test_the_journal_of_one_client_and_its_search_are_in_russian(operator_web, anna, make_ticket):
    _printer(make_ticket, anna)
    mine = operator_web.get(f"/p/romashka/tickets?category=all&client={anna.id}").text
    assert "Заявки клиента <strong>Анна Петрова</strong> (anna@romashka.test)" in mine
    assert "Показать заявки всех клиентов" in mine
    nobody = operator_web.get("/p/romashka/tickets?who=Борис").text
    assert "По запросу «Борис» клиентов не найдено." in visible(nobody)
    nothing = operator_web.get("/p/romashka/tickets?q=сканер").text
    assert "Ничего не найдено" in visible(nothing)
    assert "С этими фильтрами по запросу «сканер» заявок нет." in visible(nothing)
    assert (english_left(mine), english_left(nobody), english_left(nothing)) == ([], [], [])


def test_an_empty_journal_is_in_russian(operator_web):
    page = operator_web.get("/p/romashka/tickets").text
    assert "Здесь заявок нет" in visible(page)
    assert english_left(page) == []


def test_the_client_list_is_in_russian(client_web, anna, make_ticket):
    _printer(make_ticket, anna)
    page = client_web.get("/p/romashka/tickets").text
    shown = visible(page)
    for words in ("Мои заявки", "Новая заявка", "Тема", "Статус", "Последняя активность"):
        assert words in shown, words
    assert english_left(page) == []


def test_an_empty_client_list_is_in_russian(client_web):
    page = client_web.get("/p/romashka/tickets").text
    assert "Заявок пока нет" in visible(page)
    assert english_left(page) == []


def test_the_ticket_page_is_in_russian_for_the_client(client_web, anna, make_ticket):
    _printer(make_ticket, anna)
    page = client_web.get("/p/romashka/tickets/1").text
    assert "Заявка №1" in visible(page)
    assert english_left(page) == []


def test_the_ticket_page_is_in_russian_for_the_operator(operator_web, anna, make_ticket):
    _printer(make_ticket, anna)
    page = operator_web.get("/p/romashka/tickets/1").text
    shown = visible(page)
    for words in ("Работа с заявкой", "Исполнитель", "Срок", "Клиент", "История"):
        assert words in shown, words
    assert english_left(page) == []


def test_the_new_request_form_is_in_russian(client_web):
    page = client_web.get("/p/romashka/tickets/new").text
    shown = visible(page)
    for words in ("Новая заявка", "Тема", "Отправить заявку", "Отмена"):
        assert words in shown, words
    assert english_left(page) == []


def test_a_saved_request_is_confirmed_in_russian(client_web, post_form):
    client_web.get("/p/romashka/tickets/new")
    page = post_form(
        client_web,
        "/p/romashka/tickets/new",
        {"f_subject": "Не печатает принтер", "f_description": "Застревает бумага."},
    )
    assert "Заявка №1 сохранена. Мы ответим здесь и по эл. почте." in visible(page.text)


def test_a_form_error_of_the_web_adapter_is_in_russian(operator_web, post_form, anna, make_ticket):
    _printer(make_ticket, anna)
    page = post_form(operator_web, "/p/romashka/tickets/1/delegate", {"assignee": ""})
    assert page.status_code == 422
    assert "выберите коллегу" in visible(page.text)


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Сначала напишите сообщение"), ("я" * 50_001, "Сообщение длиннее 50000 символов")],
    ids=["empty", "too-long"],
)
def test_a_form_error_of_the_core_is_in_russian(
    operator_web, post_form, anna, make_ticket, body, message
):
    _printer(make_ticket, anna)
    page = post_form(
        operator_web, "/p/romashka/tickets/1/reply", {"body": body, "visibility": "public"}
    )
    assert page.status_code == 422
    assert message.lower() in visible(page.text).lower()
    assert english_left(page.text) == []


def test_a_conflict_is_reported_in_russian(operator_web, post_form, anna, make_ticket):
    _printer(make_ticket, anna)
    page = post_form(operator_web, "/p/romashka/tickets/1/take", {"version": "0"})
    assert page.status_code == 409
    assert "Тем временем заявку изменил кто-то другой." in visible(page.text)


def test_a_page_a_client_may_not_see_is_not_found_in_russian(client_web, post_form):
    page = post_form(client_web, "/p/romashka/tickets/1/take", {"version": "1"})
    assert page.status_code == 404
    assert "Такой страницы нет" in visible(page.text)


def test_the_english_journal_is_unchanged(web, login, admin, client, make_ticket):
    make_ticket(client)
    make_ticket(client)
    login(web, "acme", admin.email, PASSWORD)
    page = web.get("/p/acme/tickets").text
    for words in (
        '<h1 class="page-header__title">Journal</h1>',
        "<span>2 requests</span>",
        '<th scope="col">Last activity</th>',
        '<span class="unassigned">Unassigned</span>',
        '<td class="journal__assignee" data-label="Assignee">',
        '<span class="unread-dot" title="Unread"></span><span class="sr-only">Unread: </span>',
        '<caption class="sr-only">Requests, newest activity first</caption>',
        'placeholder="#123, subject or text…"',
    ):
        assert words in page, words
    chips = re.findall(r'class="chip[^"]*" href="[^"]*"[^>]*>(?:<span class="chip__dot"></span>)?'
                       r"([^<]+?) ?<", page)  # fmt: skip
    assert chips[:10] == [
        "Active", "New", "Open", "Waiting", "Resolved", "Closed", "All", "Anyone", "Mine",
        "Unassigned",
    ]  # fmt: skip
    assert not CYRILLIC.search(page)


def test_the_english_client_list_is_unchanged(web, login, client, make_ticket):
    make_ticket(client)
    login(web, "acme", client.email, PASSWORD)
    page = web.get("/p/acme/tickets").text
    for words in (
        "<title>My requests · Acme Support</title>",
        "Newest activity first. We answer here and by e-mail.",
        '<caption class="sr-only">Your requests, newest activity first</caption>',
    ):
        assert words in page, words
    assert not CYRILLIC.search(page)


def test_a_checkbox_answer_is_shown_in_russian_to_the_client(zl, client_web, anna, make_ticket):
    with zl.reader() as uow:
        irina = uow.users.find_by_email(anna.portal_id, "irina@romashka.test")
    field = forms.add_field(zl.uow(), irina, label="Срочно", kind="checkbox")
    make_ticket(anna, subject="Не печатает", description="Бумага.", **{field.key: True})
    page = client_web.get("/p/romashka/tickets/1").text
    assert "<dt>Срочно</dt><dd>Да</dd>" in page
    assert english_left(page) == []
