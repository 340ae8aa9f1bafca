"""Ticket e-mails speak the portal's language: subjects, headlines, labels and the text part."""

from __future__ import annotations

import re

import pytest

from zedline.errors import InvalidInput
from zedline.i18n import translate
from zedline.notifications import admin as na
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def russian(zl, admin):
    return portals.update_portal_settings(
        zl.uow(), admin, name="Acme Support", timezone="Europe/Moscow", language="ru"
    )


def status_of(zl, portal, category):
    with zl.reader() as uow:
        return next(s for s in uow.statuses.list(portal.id) if s.category is category)


def opened(zl, inbox, make_ticket, client):
    make_ticket(client, subject="Принтер", description="Зажёвывает бумагу.")
    zl.deliver_mail()


def test_a_russian_portals_client_gets_the_acknowledgement_in_russian(
    zl, inbox, russian, operator, client, make_ticket
):
    opened(zl, inbox, make_ticket, client)
    mail = inbox.one(client.email)
    assert mail.subject == "[#1] Мы получили вашу заявку: Принтер"
    for words in (
        "Здравствуйте, Carl!",
        "Мы получили вашу заявку №1 «Принтер».",
        "Ваша заявка:",
        "Заявка: #1",
        "Открыть заявку №1:",
        "Ответы на это письмо не читаются",
    ):
        assert words in mail.text, words
    assert "Мы получили вашу заявку №1" in mail.html


def test_a_russian_portals_operator_gets_the_new_request_notice_in_russian(
    zl, inbox, russian, operator, client, make_ticket
):
    opened(zl, inbox, make_ticket, client)
    mail = inbox.one(operator.email)
    assert mail.subject == "[#1] Новая заявка от Carl Client: Принтер"
    for words in ("Carl Client создал(а) заявку №1.", "Carl Client пишет:", "Клиент:", "Статус:"):
        assert words in mail.text, words
    assert "Hello" not in mail.text + mail.html


def test_a_russian_client_hears_of_a_reply_and_a_status_change_in_russian(
    zl, inbox, russian, portal, operator, client, make_ticket
):
    opened(zl, inbox, make_ticket, client)
    inbox.clear()
    tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, operator, 1, body="Попробуйте так.",
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    resolved = status_of(zl, portal, Category.RESOLVED)
    tickets.change_status(zl.uow(), zl.clock, zl.notifier, operator, 1, status_id=resolved.id)
    zl.deliver_mail()
    reply, status = inbox.to(client.email)
    assert (reply.subject, status.subject) == (
        "[#1] Новый ответ: Принтер",
        f"[#1] {resolved.client_label}: Принтер",
    )
    assert "Olga из Acme Support ответил(а) на вашу заявку №1." in reply.text
    assert f"Статус вашей заявки №1 теперь «{resolved.client_label}»." in status.text
    assert "Если проблема решена, пожалуйста, подтвердите это" in status.text


def test_an_english_portals_mails_stay_english(zl, inbox, portal, operator, client, make_ticket):
    make_ticket(client, subject="Printer")
    zl.deliver_mail()
    ack, notice = inbox.one(client.email), inbox.one(operator.email)
    assert (ack.subject, notice.subject) == (
        "[#1] We received your request: Printer",
        "[#1] New request from Carl Client: Printer",
    )
    assert "Hello Carl," in ack.text
    assert "Open request #1:" in ack.text
    assert not CYRILLIC.search(ack.text + ack.html + notice.text + notice.html)


# -- the sandboxed default text and an admin's own text -----------------------------------


def test_the_built_in_text_previews_in_russian_on_a_real_request(
    zl, inbox, russian, admin, client, make_ticket
):
    make_ticket(client, subject="Принтер")
    draft = na.template_draft(zl.reader(), admin, "reply")
    shown = na.preview_template(
        zl.reader(), zl.notifier, admin, "reply", subject=draft.subject, body=draft.body
    )
    assert shown.rendered.subject == "[#1] Новый ответ: Принтер"
    assert shown.rendered.text.startswith("Здравствуйте, Carl!\n")
    assert "Открыть заявку №1:" in shown.rendered.text


def test_an_own_text_may_use_the_portals_translations(
    zl, inbox, russian, admin, client, make_ticket
):
    make_ticket(client)
    shown = na.preview_template(
        zl.reader(), zl.notifier, admin, "reply",
        subject="{{ _('Reminder: %(subject)s', subject=ticket.subject) }}",
        body="{% trans %}Your note{% endtrans %}",
    )  # fmt: skip
    assert (shown.rendered.subject, shown.rendered.text) == (
        "Напоминание: The printer jams",
        "Ваша заметка\n",
    )


def test_a_broken_text_is_still_refused_with_line_and_reason(zl, russian, admin):
    with pytest.raises(InvalidInput) as caught:
        na.save_template(
            zl.uow(), zl.clock, zl.notifier, admin, "reply",
            subject="{{ subject }}", body="{{ _('Your note') }}\n{{ nope }}",
        )  # fmt: skip
    reason = caught.value.errors["body"]
    assert (reason, translate("ru", reason)) == (
        "line 2: unknown variable “nope”",
        "строка 2: неизвестная переменная «nope»",
    )
