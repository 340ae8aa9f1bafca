"""Use cases of the portal admin: the form builder, statuses, people, portal settings."""

import pytest

from zedline.accounts import people
from zedline.accounts.model import Role
from zedline.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from zedline.forms import services as forms
from zedline.forms.model import FieldKind
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets import statuses
from zedline.tickets.model import Category


def _fields(zl, portal):
    with zl.reader() as uow:
        return list(uow.form_fields.list(portal.id))


def test_added_select_field_is_asked_after_the_defaults(zl, portal, admin):
    forms.add_field(
        zl.uow(),
        admin,
        label="Device type",
        kind="select",
        options=["Laptop", "Printer"],
        required=True,
    )
    assert [f.key for f in _fields(zl, portal)] == ["subject", "description", "device_type"]


def test_select_without_options_is_refused_with_a_message(zl, portal, admin):
    with pytest.raises(InvalidInput) as err:
        forms.add_field(zl.uow(), admin, label="Device", kind="select", options=[" "])
    assert "options" in err.value.errors
    assert len(_fields(zl, portal)) == 2


def test_unknown_kind_is_refused(zl, admin):
    with pytest.raises(InvalidInput) as err:
        forms.add_field(zl.uow(), admin, label="Blob", kind="blob")
    assert set(err.value.errors) == {"kind"}


def test_operator_cannot_change_the_form(zl, operator):
    with pytest.raises(PermissionDenied):
        forms.add_field(zl.uow(), operator, label="X", kind="text")


def test_same_label_gets_a_distinct_key(zl, portal, admin):
    for _ in range(2):
        forms.add_field(zl.uow(), admin, label="Order number", kind="text")
    assert [f.key for f in _fields(zl, portal)][-2:] == ["order_number", "order_number_2"]


def test_retired_field_keeps_answers_on_existing_tickets(zl, portal, admin, client, make_ticket):
    field = forms.add_field(zl.uow(), admin, label="Order", kind="number", required=True)
    ticket = make_ticket(client, order="42")
    forms.retire_field(zl.uow(), admin, field.id)
    with zl.reader() as uow:
        assert uow.tickets.get_for(client, ticket.number).answers == {"order": "42"}


def test_retired_required_field_is_no_longer_asked(zl, admin, client, make_ticket):
    field = forms.add_field(zl.uow(), admin, label="Order", kind="number", required=True)
    forms.retire_field(zl.uow(), admin, field.id)
    assert make_ticket(client).number == 1


def test_subject_cannot_be_removed(zl, portal, admin):
    subject = _fields(zl, portal)[0]
    with pytest.raises(InvalidInput):
        forms.retire_field(zl.uow(), admin, subject.id)


def test_move_field_up_reorders(zl, portal, admin):
    field = forms.add_field(zl.uow(), admin, label="Phone", kind=FieldKind.PHONE)
    forms.move_field(zl.uow(), admin, field.id, offset=-2)
    assert next(f.key for f in _fields(zl, portal)) == "phone"


def _statuses(zl, portal):
    with zl.reader() as uow:
        return list(uow.statuses.list(portal.id))


def test_added_status_is_offered(zl, portal, admin):
    statuses.add_status(
        zl.uow(),
        admin,
        category="waiting",
        operator_label="Waiting for parts",
        client_label="Waiting for parts",
    )
    assert "Waiting for parts" in [s.operator_label for s in _statuses(zl, portal)]


def test_status_label_cannot_be_empty(zl, portal, admin):
    status = _statuses(zl, portal)[1]
    with pytest.raises(InvalidInput) as err:
        statuses.rename_status(zl.uow(), admin, status.id, operator_label=" ", client_label="x")
    assert set(err.value.errors) == {"operator_label"}


def test_last_status_of_a_category_cannot_be_retired(zl, portal, admin):
    closed = next(s for s in _statuses(zl, portal) if s.category is Category.CLOSED)
    with pytest.raises(InvalidInput):
        statuses.retire_status(zl.uow(), admin, closed.id)


def test_default_status_moves_to_open(zl, portal, admin, client, make_ticket):
    opened = next(s for s in _statuses(zl, portal) if s.category is Category.OPEN)
    statuses.set_default_status(zl.uow(), admin, opened.id)
    assert make_ticket(client).category is Category.OPEN


def test_default_status_cannot_be_closed(zl, portal, admin):
    closed = next(s for s in _statuses(zl, portal) if s.category is Category.CLOSED)
    with pytest.raises(InvalidInput):
        statuses.set_default_status(zl.uow(), admin, closed.id)


def test_invited_operator_gets_credentials_mail(zl, portal, admin):
    user = people.invite_staff(
        zl.uow(),
        zl.clock,
        zl.hasher,
        zl.notifier,
        admin,
        email="New.Op@Acme.test",
        first_name="New",
        last_name="Op",
        role="operator",
    )
    with zl.reader() as uow:
        pending = uow.outbox.due(zl.clock.now())
    assert (user.email, user.must_change_password) == ("new.op@acme.test", True)
    assert [m.recipient for m in pending] == ["new.op@acme.test"]


def test_invite_staff_with_client_role_is_refused(zl, admin):
    with pytest.raises(InvalidInput) as err:
        people.invite_staff(
            zl.uow(),
            zl.clock,
            zl.hasher,
            zl.notifier,
            admin,
            email="x@acme.test",
            first_name="X",
            last_name="Y",
            role="client",
        )
    assert set(err.value.errors) == {"role"}


def test_last_admin_cannot_be_demoted(zl, admin):
    with pytest.raises(InvalidInput):
        people.change_role(zl.uow(), admin, admin.id, role=Role.OPERATOR)


def test_promoted_operator_loses_old_sessions(zl, admin, operator):
    user = people.change_role(zl.uow(), admin, operator.id, role="admin")
    assert (user.role, user.auth_version) == (Role.ADMIN, operator.auth_version + 1)


def test_deactivated_operator_tickets_become_unassigned(zl, admin, operator, client, make_ticket):
    ticket = make_ticket(client)
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    assert people.deactivate_user(zl.uow(), zl.clock, admin, operator.id) == 1
    with zl.reader() as uow:
        assert uow.tickets.get_for(admin, ticket.number).assignee_id is None


def test_operator_cannot_deactivate_an_admin(zl, admin, operator):
    with pytest.raises(PermissionDenied):
        people.deactivate_user(zl.uow(), zl.clock, operator, admin.id)


def test_deactivating_twice_is_refused(zl, operator, client):
    people.deactivate_user(zl.uow(), zl.clock, operator, client.id)
    with pytest.raises(InvalidTransition):
        people.deactivate_user(zl.uow(), zl.clock, operator, client.id)


def test_portal_settings_change(zl, admin):
    portal = portals.update_portal_settings(
        zl.uow(), admin, name="Acme Help", timezone="Europe/Berlin", language="ru"
    )
    assert (portal.name, portal.timezone, portal.language) == ("Acme Help", "Europe/Berlin", "ru")


def test_portal_settings_refuse_bad_zone_and_language(zl, admin):
    with pytest.raises(InvalidInput) as err:
        portals.update_portal_settings(
            zl.uow(), admin, name="Acme", timezone="Mars/Base", language="xx"
        )
    assert set(err.value.errors) == {"timezone", "language"}


def test_quota_below_usage_is_refused(zl, admin):
    with pytest.raises(InvalidInput):
        portals.set_quota(zl.uow(), admin, quota_bytes=0)


def test_admin_of_another_portal_cannot_touch_this_form(zl, portal, other_portal):
    with zl.reader() as uow:
        other_admin = uow.users.find_by_email(other_portal.id, "admin@globex.test")
    with pytest.raises(NotFound):
        forms.retire_field(zl.uow(), other_admin, _fields(zl, portal)[1].id)


def test_long_help_text_is_refused(zl, admin):
    with pytest.raises(InvalidInput) as err:
        forms.add_field(zl.uow(), admin, label="Serial", kind="text", help_text="x" * 501)
    assert set(err.value.errors) == {"help_text"}


def test_long_option_is_refused(zl, admin):
    with pytest.raises(InvalidInput) as err:
        forms.add_field(zl.uow(), admin, label="Model", kind="select", options=["y" * 256])
    assert set(err.value.errors) == {"options"}
