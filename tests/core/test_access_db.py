"""Every load of a ticket, message or attachment goes through an access function (real DB)."""

from __future__ import annotations

import io

import pytest

from factories import PASSWORD
from zedline.accounts import services as accounts
from zedline.accounts.model import Role
from zedline.errors import InvalidInput, NotFound
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility
from zedline.tickets.services import Upload


def post(zl, actor, number, body, visibility, *files):
    uploads = [Upload(name, "text/plain", io.BytesIO(b"data")) for name in files]
    return tickets.post_message(
        zl.uow(), zl.clock, zl.notifier, actor, number, body=body, visibility=visibility,
        files=zl.files, uploads=uploads, limits=zl.file_limits,
    )  # fmt: skip


@pytest.fixture
def ticket(make_ticket, client):
    return make_ticket(client)


# -- tickets -------------------------------------------------------------------------------------


def test_requester_gets_own_ticket(zl, ticket, client):
    with zl.reader() as uow:
        assert uow.tickets.get_for(client, ticket.number).id == ticket.id


def test_client_asking_for_another_clients_ticket_gets_not_found(zl, ticket, other_client):
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.tickets.get_for(other_client, ticket.number)


def test_client_asking_by_id_for_another_clients_ticket_gets_not_found(zl, ticket,
                                                                       other_client):  # fmt: skip
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.tickets.get_by_id_for(other_client, ticket.id)


def test_operator_gets_any_ticket_of_the_portal(zl, ticket, operator):
    with zl.reader() as uow:
        assert uow.tickets.get_for(operator, ticket.number).id == ticket.id


def test_operator_of_one_portal_cannot_reach_a_number_only_another_portal_has(
    zl, ticket, operator, other_portal, make_user
):
    foreign_client = make_user(Role.CLIENT, slug="globex", email="g@client.test")
    foreign = [
        tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, foreign_client,
                            {"subject": f"s{i}", "description": "d"})
        for i in range(2)
    ][-1]  # fmt: skip
    # globex has #1 and #2, acme only #1: acme's operator must not get globex's #2.
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.tickets.get_for(operator, foreign.number)


def test_operator_of_one_portal_cannot_load_a_foreign_ticket_by_id(
    zl, operator, other_portal, make_user
):
    foreign_client = make_user(Role.CLIENT, slug="globex", email="g@client.test")
    foreign = tickets.open_ticket(zl.uow(), zl.clock, zl.notifier, foreign_client,
                                  {"subject": "s", "description": "d"})  # fmt: skip
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.tickets.get_by_id_for(operator, foreign.id)


def test_deactivated_operator_gets_not_found(zl, ticket, operator):
    operator.deactivate()
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.tickets.get_for(operator, ticket.number)


# -- messages ------------------------------------------------------------------------------------


@pytest.fixture
def conversation(zl, ticket, operator):
    post(zl, operator, ticket.number, "internal note", Visibility.INTERNAL)
    post(zl, operator, ticket.number, "public reply", Visibility.PUBLIC)
    return ticket


def bodies(zl, actor, ticket):
    with zl.reader() as uow:
        return [m.body for m in uow.messages.list_for(actor, ticket)]


def test_staff_list_every_message(zl, conversation, operator):
    assert bodies(zl, operator, conversation) == [
        "It jams on every second page.", "internal note", "public reply",
    ]  # fmt: skip


def test_client_listing_messages_never_gets_internal_ones(zl, conversation, client):
    assert bodies(zl, client, conversation) == ["It jams on every second page.", "public reply"]


def test_another_client_cannot_list_the_messages(zl, conversation, other_client):
    with pytest.raises(NotFound):
        bodies(zl, other_client, conversation)


def test_client_cannot_load_an_internal_message_by_id(zl, conversation, operator, client):
    with zl.reader() as uow:
        internal = next(m for m in uow.messages.list_for(operator, conversation) if m.is_internal)
        with pytest.raises(NotFound):
            uow.messages.get_for(client, conversation, internal.id)


def test_client_never_sees_internal_events(zl, ticket, operator, client):
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    with zl.reader() as uow:
        kinds = {e.public for e in uow.messages.events_for(client, ticket)}
    assert kinds == {True}


# -- attachments ---------------------------------------------------------------------------------


@pytest.fixture
def files(zl, ticket, operator):
    """(public attachment, internal attachment) of `ticket`."""
    post(zl, operator, ticket.number, "see file", Visibility.PUBLIC, "public.txt")
    post(zl, operator, ticket.number, "see file", Visibility.INTERNAL, "internal.txt")
    with zl.reader() as uow:
        atts = {a.filename: a for a in uow.attachments.list_for(operator, ticket)}
    return atts["public.txt"], atts["internal.txt"]


def test_file_of_an_internal_message_is_internal(files):
    assert [a.visibility for a in files] == [Visibility.PUBLIC, Visibility.INTERNAL]


def test_client_downloads_a_public_attachment(zl, ticket, client, files):
    with zl.reader() as uow:
        assert uow.attachments.get_for(client, ticket, files[0].id).id == files[0].id


def test_client_cannot_download_an_internal_attachment(zl, ticket, client, files):
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.attachments.get_for(client, ticket, files[1].id)


def test_operator_downloads_an_internal_attachment(zl, ticket, operator, files):
    with zl.reader() as uow:
        assert uow.attachments.get_for(operator, ticket, files[1].id).id == files[1].id


def test_client_attachment_list_leaves_out_internal_files(zl, ticket, client, files):
    with zl.reader() as uow:
        assert [a.filename for a in uow.attachments.list_for(client, ticket)] == ["public.txt"]


def test_another_client_cannot_download_a_public_attachment(zl, ticket, other_client, files):
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.attachments.get_for(other_client, ticket, files[0].id)


def test_attachment_asked_through_another_ticket_is_not_found(zl, ticket, client, files,
                                                              make_ticket):  # fmt: skip
    own_other = make_ticket(client, subject="Another")
    with zl.reader() as uow, pytest.raises(NotFound):
        uow.attachments.get_for(client, own_other, files[0].id)


def test_uploads_count_against_the_quota(zl, portal, files):
    with zl.reader() as uow:
        assert uow.portals.get(portal.id).used_bytes == 8


# -- portals --------------------------------------------------------------------------------------


def test_client_of_one_portal_logs_in_there(zl, client):
    user = accounts.authenticate(zl.uow(), zl.clock, zl.hasher, slug="acme",
                                 email=client.email, password=PASSWORD)  # fmt: skip
    assert user.id == client.id


def test_client_of_one_portal_cannot_log_into_another(zl, client, other_portal):
    with pytest.raises(InvalidInput):
        accounts.authenticate(zl.uow(), zl.clock, zl.hasher, slug="globex",
                              email=client.email, password=PASSWORD)  # fmt: skip


# -- the fakes follow the same rule ---------------------------------------------------------------


@pytest.fixture
def everyone(client, other_client, operator, make_user, other_portal):
    """Who might ask for `client`'s ticket: the requester, a stranger, staff, and outsiders."""
    admin = make_user(Role.ADMIN)
    inactive = make_user(Role.OPERATOR)
    inactive.deactivate()
    foreign_admin = make_user(Role.ADMIN, slug=other_portal.slug, email="boss@globex.test")
    return [client, other_client, operator, admin, inactive, foreign_admin]


def test_database_access_rule_is_the_one_the_fakes_use(zl, ticket, everyone):
    actors = everyone
    with zl.reader() as uow:
        loaded = uow.tickets.get_by_id_for(actors[0], ticket.id)

        def reachable(actor):
            try:
                uow.tickets.get_for(actor, ticket.number)
            except NotFound:
                return False
            return True

        assert [reachable(a) for a in actors] == [loaded.visible_to(a) for a in actors]


# -- the ticket page's rows follow the same rules ------------------------------------------------


def test_page_rows_reach_whom_get_for_reaches(zl, ticket, everyone):
    with zl.reader() as uow:

        def reachable(load, actor):
            try:
                load(actor, ticket.number)
            except NotFound:
                return False
            return True

        page = [reachable(uow.tickets.page_for, a) for a in everyone]
        assert page == [reachable(uow.tickets.get_for, a) for a in everyone]
        assert page == [True, False, True, True, False, False]


def test_page_rows_give_a_client_no_internal_message_event_or_file(
    zl, conversation, files, operator, client
):
    tickets.take_ticket(zl.uow(), zl.clock, operator, conversation.number)
    with zl.reader() as uow:
        staff = uow.tickets.page_for(operator, conversation.number)
        own = uow.tickets.page_for(client, conversation.number)
        listed = (
            uow.messages.list_for(client, conversation),
            uow.messages.events_for(client, conversation),
            uow.attachments.list_for(client, conversation),
        )
    assert any(m.visibility is Visibility.INTERNAL for m in staff.messages)
    assert any(not e.public for e in staff.events)
    assert {a.filename for a in staff.attachments} == {"public.txt", "internal.txt"}
    assert [m.id for m in own.messages] == [m.id for m in listed[0]]
    assert [e.id for e in own.events] == [e.id for e in listed[1]]
    assert [a.id for a in own.attachments] == [a.id for a in listed[2]]
    assert [a.filename for a in own.attachments] == ["public.txt"]
