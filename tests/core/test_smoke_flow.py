from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


def test_client_sees_operator_reply_but_not_internal_note(zl, client, operator, make_ticket):
    ticket = make_ticket(client)
    tickets.take_ticket(zl.uow(), zl.clock, operator, ticket.number)
    for body, visibility in (("note", Visibility.INTERNAL), ("Hello", Visibility.PUBLIC)):
        tickets.post_message(
            zl.uow(),
            zl.clock,
            zl.notifier,
            operator,
            ticket.number,
            body=body,
            visibility=visibility,
        )
    with zl.reader() as uow:
        loaded = uow.tickets.get_for(client, ticket.number)
        bodies = [m.body for m in uow.messages.list_for(client, loaded)]
    assert bodies == ["It jams on every second page.", "Hello"]
