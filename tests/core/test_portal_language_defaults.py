"""A portal starts with statuses and a request form in its language; later they are the admin's."""

from __future__ import annotations

import pytest
from tests.factories import PASSWORD

from zedline.errors import InvalidInput
from zedline.portals import services as portals


def provision(zl, **options):
    return portals.provision_portal(
        zl.uow(), zl.clock, zl.hasher, slug="rus", name="Поддержка",
        admin_email="admin@rus.test", admin_password=PASSWORD, **options,
    )  # fmt: skip


def labels(zl, portal_id):
    with zl.reader() as uow:
        return [(s.operator_label, s.client_label) for s in uow.statuses.list(portal_id)]


def form_labels(zl, portal_id):
    with zl.reader() as uow:
        return [f.label for f in uow.form_fields.list(portal_id)]


def test_a_russian_portal_starts_with_russian_statuses(zl):
    made = provision(zl, language="ru")
    assert (made.portal.language, labels(zl, made.portal.id)) == (
        "ru",
        [
            ("Новая", "Получена"),
            ("В работе", "В работе"),
            ("Ждёт клиента", "Ждём вашего ответа"),
            ("Решена", "Решена — пожалуйста, подтвердите"),
            ("Закрыто", "Закрыто"),
        ],
    )


def test_a_russian_portal_starts_with_a_russian_request_form(zl):
    made = provision(zl, language="ru")
    assert form_labels(zl, made.portal.id) == ["Тема", "Описание"]


def test_a_portal_without_a_language_starts_in_english(zl):
    made = provision(zl)
    assert labels(zl, made.portal.id)[0] == ("New", "Received")


def test_an_unknown_language_is_refused(zl):
    with pytest.raises(InvalidInput) as caught:
        provision(zl, language="de")
    assert caught.value.errors == {"language": "choose English or Russian"}


def test_changing_the_language_leaves_the_statuses_as_the_admin_has_them(zl, portal, admin):
    before = labels(zl, portal.id)
    portals.update_portal_settings(zl.uow(), admin, name=portal.name, timezone="UTC", language="ru")
    assert labels(zl, portal.id) == before
