"""The operators' journal: filters, counts, search, keyset pagination, overdue marking."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from zedline.accounts.model import Role
from zedline.tickets import services as tickets
from zedline.tickets.model import Category, Visibility

CHIPS = ["active", "new", "open", "waiting", "resolved", "closed", "all"]


def _status_id(zl, portal, category):
    with zl.reader() as uow:
        return uow.statuses.first_in(portal.id, category).id


def _move(zl, portal, actor, ticket, category):
    tickets.change_status(
        zl.uow(),
        zl.clock,
        zl.notifier,
        actor,
        ticket.number,
        status_id=_status_id(zl, portal, category),
    )


@pytest.fixture
def board(zl, portal, operator, admin, client, other_client, make_ticket, advance):
    """One ticket per category, two of them assigned, from two clients."""
    made = {}
    for cat, requester in [
        (Category.NEW, client),
        (Category.OPEN, client),
        (Category.WAITING, other_client),
        (Category.RESOLVED, client),
        (Category.CLOSED, other_client),
    ]:
        ticket = make_ticket(requester, f"Subject {cat.value}", f"Body text of {cat.value}")
        if cat is not Category.NEW:
            _move(zl, portal, operator, ticket, cat)
        made[cat.value] = ticket.number
        advance()
    tickets.take_ticket(zl.uow(), zl.clock, operator, made["open"])
    tickets.take_ticket(zl.uow(), zl.clock, admin, made["waiting"])
    return made


def _counts(html):
    return dict(
        zip(CHIPS, (int(n) for n in re.findall(r'chip__count">(\d+)<', html)), strict=False)
    )


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        (None, ["waiting", "open", "new"]),
        ("new", ["new"]),
        ("open", ["open"]),
        ("waiting", ["waiting"]),
        ("resolved", ["resolved"]),
        ("closed", ["closed"]),
        ("all", ["closed", "resolved", "waiting", "open", "new"]),
    ],
)
def test_the_category_chips_filter_the_journal(
    browser, operator, board, numbers, category, expected
):
    url = "/p/acme/tickets" + (f"?category={category}" if category else "")
    page = browser(operator).get(url)
    assert page.status_code == 200
    # newest activity first: take_ticket touched "waiting" last, then "open"
    assert sorted(numbers(page.text)) == sorted(board[c] for c in expected)


def test_the_chips_count_each_category(browser, operator, board):
    page = browser(operator).get("/p/acme/tickets")
    assert _counts(page.text) == {
        "active": 3,
        "new": 1,
        "open": 1,
        "waiting": 1,
        "resolved": 1,
        "closed": 1,
        "all": 5,
    }


def test_mine_and_unassigned(browser, operator, board, numbers):
    web = browser(operator)
    assert numbers(web.get("/p/acme/tickets?assignee=mine&category=all").text) == [board["open"]]
    unassigned = numbers(web.get("/p/acme/tickets?assignee=unassigned&category=all").text)
    assert sorted(unassigned) == sorted([board["new"], board["resolved"], board["closed"]])
    mine = web.get("/p/acme/tickets?assignee=mine")
    assert _counts(mine.text)["all"] == 1


def test_filter_by_client(browser, operator, other_client, board, numbers):
    page = browser(operator).get(f"/p/acme/tickets?category=all&client={other_client.id}")
    assert sorted(numbers(page.text)) == sorted([board["waiting"], board["closed"]])
    assert "Dora Other" in page.text


def test_find_a_client_by_name_or_email(browser, operator, other_client, board):
    page = browser(operator).get("/p/acme/tickets?who=dora@")
    assert f"client={other_client.id}" in page.text
    assert "Carl Client" not in page.text.split("<tbody>")[0]


@pytest.mark.parametrize("q", ["Subject waiting", "subject WAITING", "Body text of waiting"])
def test_search_by_subject_and_message_text(browser, operator, board, numbers, q):
    page = browser(operator).get("/p/acme/tickets", params={"q": q, "category": "all"})
    assert numbers(page.text) == [board["waiting"]]


def test_search_treats_like_wildcards_literally(browser, operator, board, numbers):
    page = browser(operator).get("/p/acme/tickets", params={"q": "%", "category": "all"})
    assert numbers(page.text) == []
    assert "Nothing found" in page.text


@pytest.mark.parametrize("form", ["#{n}", "{n}", " # {n} "])
def test_search_by_number_jumps_to_the_ticket(browser, operator, board, form):
    n = board["closed"]
    page = browser(operator).get(
        "/p/acme/tickets", params={"q": form.format(n=n)}, follow_redirects=False
    )
    assert page.status_code in (301, 302, 303, 307)
    assert page.headers["location"] == f"/p/acme/tickets/{n}"


def test_search_for_an_unknown_number_searches_text(browser, operator, board):
    page = browser(operator).get("/p/acme/tickets", params={"q": "#999"}, follow_redirects=False)
    assert page.status_code == 200
    assert "Nothing found" in page.text


def test_internal_message_text_is_searchable_by_staff(zl, browser, operator, board, numbers):
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        board["new"],
        body="zebra-code 42",
        visibility=Visibility.INTERNAL,
    )
    page = browser(operator).get("/p/acme/tickets", params={"q": "zebra-code"})
    assert numbers(page.text) == [board["new"]]


def test_an_overdue_active_ticket_stands_out(zl, browser, operator, board, advance):
    for key in ("new", "resolved"):
        tickets.set_deadline(
            zl.uow(), zl.clock, operator, board[key], deadline=zl.clock.now() + timedelta(hours=1)
        )
    advance(2 * 3600)
    page = browser(operator).get("/p/acme/tickets?category=all")
    rows = page.text.split("<tbody>")[1].split("</tr>")
    overdue = [r for r in rows if "is-overdue" in r and "<tr" in r]
    assert len(overdue) == 1  # a resolved ticket is not overdue
    assert f'href="/p/acme/tickets/{board["new"]}"' in overdue[0]
    assert "Overdue" in overdue[0]


def test_a_client_gets_only_own_list_not_the_journal(browser, client, board):
    page = browser(client).get("/p/acme/tickets?category=all&assignee=unassigned")
    assert "My requests" in page.text
    assert "Subject waiting" not in page.text  # another client's


def test_an_operator_of_another_portal_sees_nothing_here(browser, other_portal, make_user, board):
    stranger = make_user(Role.OPERATOR, slug="globex")
    page = browser(stranger).get("/p/acme/tickets", follow_redirects=False)
    assert page.status_code in (302, 303, 307)
    assert "/p/acme/login" in page.headers["location"]
    other = browser(stranger).get(f"/p/acme/tickets/{board['new']}", follow_redirects=False)
    assert other.status_code in (302, 303, 307)
    assert "/p/acme/login" in other.headers["location"]


def _walk(web, url, numbers, link, rel):
    seen, pages = [], 0
    while url:
        page = web.get(url)
        assert page.status_code == 200
        seen += numbers(page.text)
        url = link(page.text, rel)
        pages += 1
    return seen, page, pages


def test_keyset_pagination_returns_every_ticket_once_in_both_sorts(
    zl, browser, operator, client, make_ticket, advance, numbers, link
):
    made = []
    for i in range(120):
        made.append(make_ticket(client, f"Bulk {i}", "b").number)
        advance(1)
    # deadlines on every third ticket, several equal, so ties are broken by id
    for n in made[::3]:
        tickets.set_deadline(
            zl.uow(), zl.clock, operator, n, deadline=zl.clock.now() + timedelta(days=n % 7 + 1)
        )
    web = browser(operator)

    by_activity, last, pages = _walk(web, "/p/acme/tickets", numbers, link, "next")
    assert pages == 3
    assert sorted(by_activity) == sorted(made)
    assert len(by_activity) == len(set(by_activity))
    back, _, _ = _walk(web, link(last.text, "prev"), numbers, link, "prev")
    assert len(back) == 100

    by_deadline, last, pages = _walk(web, "/p/acme/tickets?sort=deadline", numbers, link, "next")
    assert pages == 3
    assert sorted(by_deadline) == sorted(made)
    assert len(by_deadline) == len(set(by_deadline))
    dated = list(made[::3])
    assert set(by_deadline[: len(dated)]) == set(dated)  # NULLs last
    back, _, _ = _walk(web, link(last.text, "prev"), numbers, link, "prev")
    assert sorted(back) == sorted(by_deadline[:100])


def test_a_mangled_cursor_shows_the_first_page(browser, operator, board, numbers):
    page = browser(operator).get("/p/acme/tickets?after=garbage.x&before=1.2.3")
    assert page.status_code == 200
    assert len(numbers(page.text)) == 3
