"""factory-boy factories for the plain domain dataclasses (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import factory

from zedline.accounts.model import Role, User
from zedline.forms.model import FieldKind, FormField
from zedline.portals.model import Portal
from zedline.tickets.model import Category, Message, Status, Ticket, Visibility

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PORTAL_ID = 1
# The password the shared fixtures (tests/conftest.py) give every user.
PASSWORD = "correct-horse-42"


class PortalFactory(factory.Factory):
    class Meta:
        model = Portal

    id = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"portal-{n}")
    name = factory.Sequence(lambda n: f"Portal {n}")
    created_at = NOW


class UserFactory(factory.Factory):
    class Meta:
        model = User

    portal_id = PORTAL_ID
    id = factory.Sequence(lambda n: 100 + n)
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.CLIENT
    password_hash = "not-a-real-hash"
    created_at = NOW


class StatusFactory(factory.Factory):
    class Meta:
        model = Status

    portal_id = PORTAL_ID
    id = factory.Sequence(lambda n: 1_000 + n)
    category = Category.OPEN
    operator_label = factory.LazyAttribute(lambda o: o.category.value.title())
    client_label = factory.LazyAttribute(lambda o: o.category.value.title())
    position = factory.Sequence(lambda n: n)
    is_default = False
    active = True


class FormFieldFactory(factory.Factory):
    class Meta:
        model = FormField

    portal_id = PORTAL_ID
    id = factory.Sequence(lambda n: 2_000 + n)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    kind = FieldKind.TEXT
    position = factory.Sequence(lambda n: 10 + n)
    required = False
    options = factory.LazyFunction(list)


class TicketFactory(factory.Factory):
    class Meta:
        model = Ticket

    class Params:
        status = factory.SubFactory(StatusFactory, category=Category.NEW, is_default=True)
        requester = factory.SubFactory(UserFactory)

    portal_id = PORTAL_ID
    id = factory.Sequence(lambda n: 3_000 + n)
    number = factory.Sequence(lambda n: n + 1)
    subject = "The printer jams"
    status_id = factory.SelfAttribute("status.id")
    category = factory.SelfAttribute("status.category")
    requester_id = factory.SelfAttribute("requester.id")
    created_at = NOW
    updated_at = NOW
    public_updated_at = NOW


class MessageFactory(factory.Factory):
    class Meta:
        model = Message

    portal_id = PORTAL_ID
    id = factory.Sequence(lambda n: 4_000 + n)
    ticket_id = factory.Sequence(lambda n: 3_000 + n)
    author_id = factory.Sequence(lambda n: 100 + n)
    visibility = Visibility.PUBLIC
    body = "Hello"
    created_at = NOW
