"""Full-text search over subjects and messages, per portal."""

import pytest

from zedline.tickets import search
from zedline.tickets import services as tickets
from zedline.tickets.model import Visibility


@pytest.fixture
def three_tickets(zl, client, operator, make_ticket):
    printer = make_ticket(client, subject="Printer jams on page two", description="Paper stuck")
    vpn = make_ticket(client, subject="VPN drops", description="The tunnel closes hourly")
    invoice = make_ticket(client, subject="Invoice question", description="Where is it?")
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        invoice.number,
        body="Ремонт принтера завершён",
        visibility=Visibility.INTERNAL,
    )
    return printer, vpn, invoice


def _found(zl, portal, query):
    with zl.reader() as uow:
        return set(search.matching_ticket_ids(uow, portal.id, query))


def test_subject_word_prefix_matches(zl, portal, three_tickets):
    assert _found(zl, portal, "print") == {three_tickets[0].id}


def test_message_text_matches(zl, portal, three_tickets):
    assert _found(zl, portal, "tunnel") == {three_tickets[1].id}


def test_all_words_must_match(zl, portal, three_tickets):
    assert _found(zl, portal, "tunnel printer") == set()


def test_cyrillic_words_match(zl, portal, three_tickets):
    assert _found(zl, portal, "ремонт") == {three_tickets[2].id}


def test_fts_syntax_in_the_query_is_plain_text(zl, portal, three_tickets):
    assert _found(zl, portal, 'VPN" * ( :') == {three_tickets[1].id}


def test_other_portals_are_not_searched(zl, portal, other_portal, make_user, three_tickets):
    other = make_user(slug=other_portal.slug)
    tickets.open_ticket(
        zl.uow(), zl.clock, zl.notifier, other, {"subject": "Printer in globex", "description": "x"}
    )
    assert _found(zl, portal, "printer") == {three_tickets[0].id}


def test_empty_query_finds_nothing(zl, portal, three_tickets):
    assert _found(zl, portal, " ?! ") == set()


@pytest.fixture
def many_printers(zl, client, make_ticket):
    """Twelve tickets about a printer, a few about other things in between."""
    made = []
    for n in range(12):
        made.append(make_ticket(client, subject=f"Printer {n}", description="It jams."))
        if n % 3 == 0:
            make_ticket(client, subject="VPN drops", description="The tunnel closes.")
    return made


@pytest.mark.parametrize("window", [2, 5, 40])
def test_the_newest_matches_are_found_whatever_the_window(
    zl, portal, many_printers, monkeypatch, window
):
    # PostgreSQL looks among the newest rows first (search.PG_WINDOWS); the answer must be
    # the same as reading every match, whether the window holds enough matches or not.
    monkeypatch.setattr(search, "PG_WINDOWS", {"tickets": window, "messages": window})
    with zl.reader() as uow:
        newest = search.matching_ticket_ids(uow, portal.id, "printer", limit=4)
        every = search.matching_ticket_ids(uow, portal.id, "printer", limit=100)
    assert newest == sorted((t.id for t in many_printers), reverse=True)[:4]
    assert every == sorted((t.id for t in many_printers), reverse=True)


def test_a_kept_window_gives_the_same_answer_as_a_fresh_one(
    zl, client, portal, many_printers, make_ticket, monkeypatch
):
    # PostgreSQL keeps a window's lower bound for a while (search._window_bound); rows
    # written since then are above it and found, and an answer never depends on its age.
    monkeypatch.setattr(search, "PG_WINDOWS", {"tickets": 5, "messages": 5})
    monkeypatch.setattr(search, "_bounds", {})
    with zl.reader() as uow:
        search.matching_ticket_ids(uow, portal.id, "printer", limit=4)
    newer = [make_ticket(client, subject=f"Printer again {n}") for n in range(3)]
    with zl.reader() as uow:
        newest = search.matching_ticket_ids(uow, portal.id, "printer", limit=4)
    assert newest == sorted((t.id for t in newer + many_printers), reverse=True)[:4]
    monkeypatch.setattr(search, "_bounds", {})
    with zl.reader() as uow:
        assert search.matching_ticket_ids(uow, portal.id, "printer", limit=4) == newest
