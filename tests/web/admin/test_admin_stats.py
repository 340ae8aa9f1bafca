"""The statistics pages: an admin's figures of the portal, an operator's own, and the CSV."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from zedline.accounts.model import Role
from zedline.portals import services as portals
from zedline.tickets import services as tickets
from zedline.tickets import statuses
from zedline.tickets.model import Category, Visibility

ADMIN = "admin@acme.test"
PASSWORD = "correct-horse-42"  # the shared fixtures' password


def to_noon(clock) -> None:
    """Moves the clock on to the next 12:00 UTC, so that a few hours stay on one day."""
    now = clock.now()
    clock.advance(timedelta(hours=(12 - now.hour) % 24, minutes=-now.minute, seconds=-now.second))


@pytest.fixture
def worked(zl, portal, client, operator, make_ticket, clock):
    """Yesterday: #1 taken by Olga, answered after 10 min, closed after 2 h 15 min, rated 4.
    Today: #2 and #3 created and left alone. (Times of day: 12:00 to 14:15 UTC.)"""
    to_noon(clock)
    clock.advance(timedelta(days=-1))
    first = make_ticket(client, subject="First")
    tickets.take_ticket(zl.uow(), zl.clock, operator, first.number)
    clock.advance(timedelta(minutes=10))
    tickets.post_message(
        zl.uow(),
        zl.clock,
        zl.notifier,
        operator,
        first.number,
        body="Fixed",
        visibility=Visibility.PUBLIC,
    )
    clock.advance(timedelta(hours=2, minutes=5))
    with zl.reader() as uow:
        closed = uow.statuses.first_in(portal.id, Category.CLOSED)
    tickets.change_status(
        zl.uow(), zl.clock, zl.notifier, operator, first.number, status_id=closed.id
    )
    tickets.rate_ticket(zl.uow(), zl.clock, client, first.number, score=4)
    clock.advance(timedelta(days=1) - timedelta(hours=2, minutes=15))
    make_ticket(client, subject="Second")
    make_ticket(client, subject="Third")
    return first


def logged_in(web, login, email):
    login(web, "acme", email, PASSWORD)
    return web


def figures(html: str) -> dict[str, str]:
    """The key figures of a page: label -> value."""
    found = re.findall(
        r'<dt class="figure__label">.*?</svg>([^<]+)</dt>\s*'
        r'<dd class="figure__value[^"]*">([^<]+)</dd>',
        html,
        re.DOTALL,
    )
    return {label.strip(): value.strip() for label, value in found}


def day_rows(html: str) -> list[tuple[str, str]]:
    """(created, closed) per day from the data table behind the chart."""
    return re.findall(r'<tr><th scope="row">[^<]+</th><td>(\d+)</td><td>(\d+)</td></tr>', html)


def operator_rows(html: str) -> list[list[str]]:
    body = html.split('class="table stats-ops"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.DOTALL)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.DOTALL)
        ]
        for r in rows
    ]


def test_the_admin_sees_the_key_figures_of_the_last_30_days(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    assert figures(page.text) == {
        "Created": "3",
        "Closed": "1",
        "Median first response": "10 min",
        "Median resolution": "2 h 15 min",
    }


def test_the_daily_chart_and_its_data_table_show_each_day(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats?range=7d")
    assert (page.text.count('class="chart"'), day_rows(page.text)[-2:]) == (
        2,
        [("1", "1"), ("2", "0")],
    )


def test_the_period_has_as_many_days_as_chosen(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats?range=90d")
    assert len(day_rows(page.text)) == 90


def test_open_requests_are_drawn_by_status(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    assert re.findall(r'class="chart__row-value"[^>]*>(\d+)<', page.text)[0] == "2"


def test_the_average_rating_and_its_distribution(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    values = re.findall(r'class="chart__row-value"[^>]*>(\d+)<', page.text)
    assert ('aria-label="4 out of 5 stars"' in page.text, values[-5:]) == (
        True,
        ["0", "1", "0", "0", "0"],
    )


def test_the_operator_table_has_each_operators_figures(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    assert ["Olga Operator", "1", "1", "10 min", "4.0"] in operator_rows(page.text)


def test_the_operator_table_sorts_by_closed(web, login, worked):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats?sort=closed")
    assert operator_rows(page.text)[0][0] == "Olga Operator"


def test_a_typed_period_is_shown(web, login, worked, clock):
    today = clock.now().date()
    url = f"/p/acme/admin/stats?from={today.isoformat()}&to={today.isoformat()}"
    page = logged_in(web, login, ADMIN).get(url)
    assert (figures(page.text)["Created"], len(day_rows(page.text))) == ("2", 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-02-01&to=2026-01-01", "The period ends before it starts"),
        ("from=yesterday&to=2026-01-01", "Enter dates as YYYY-MM-DD"),
        ("from=2024-01-01&to=2026-01-01", "Choose at most 366 days"),
        ("range=forever", "Choose one of the periods offered"),
    ],
)
def test_a_bad_period_gets_a_message_and_the_default_period(web, login, worked, query, message):
    page = logged_in(web, login, ADMIN).get(f"/p/acme/admin/stats?{query}")
    assert (page.status_code, message in page.text, len(day_rows(page.text))) == (200, True, 30)


def test_a_status_label_is_escaped_in_the_chart(zl, web, login, admin, portal, worked):
    with zl.reader() as uow:
        new = uow.statuses.first_in(portal.id, Category.NEW)
    statuses.rename_status(
        zl.uow(), admin, new.id, operator_label="<script>x</script>", client_label="New"
    )
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    assert ("<script>x</script>" in page.text, "&lt;script&gt;x&lt;/script&gt;" in page.text) == (
        False,
        True,
    )


def test_the_csv_download_has_the_period_in_its_name(web, login, worked, clock):
    today = clock.now().date().isoformat()
    got = logged_in(web, login, ADMIN).get(f"/p/acme/admin/stats.csv?from={today}&to={today}")
    assert (got.headers["content-type"], got.headers["content-disposition"]) == (
        "text/csv; charset=utf-8",
        f'attachment; filename="statistics-acme-{today}-{today}.csv"',
    )


def test_the_csv_download_has_the_figures(web, login, worked, clock):
    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    today = clock.now().date().isoformat()
    got = logged_in(web, login, ADMIN).get(f"/p/acme/admin/stats.csv?from={yesterday}&to={today}")
    lines = got.text.splitlines()
    assert (lines[:3], "Olga Operator,1,1,600.0,4.0" in lines) == (
        ["day,created,closed", f"{yesterday},1,1", f"{today},2,0"],
        True,
    )


def test_the_page_links_the_csv_of_the_period_shown(web, login, worked, clock):
    today = clock.now().date()
    start = (today - timedelta(days=6)).isoformat()
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats?range=7d")
    assert f'href="/p/acme/admin/stats.csv?from={start}&amp;to={today.isoformat()}"' in page.text


def test_a_csv_with_a_bad_period_goes_back_to_the_page_with_a_message(web, login, worked):
    got = logged_in(web, login, ADMIN).get("/p/acme/admin/stats.csv?from=2026-02-01&to=nope")
    assert (got.url.path, "Enter dates as YYYY-MM-DD" in got.text) == ("/p/acme/admin/stats", True)


def test_days_follow_the_portals_time_zone(zl, web, login, admin, make_ticket, client, clock):
    to_noon(clock)
    portals.update_portal_settings(
        zl.uow(), admin, name="Acme Support", timezone="Pacific/Kiritimati", language="en"
    )
    make_ticket(client)
    local_today = (clock.now() + timedelta(hours=14)).date()
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats?range=7d")
    assert (day_rows(page.text)[-1], "Pacific/Kiritimati" in page.text) == (("1", "0"), True)
    assert local_today.isoformat() in page.text


# -- who may see what ------------------------------------------------------------------------


def test_an_operator_sees_only_own_figures(zl, web, login, make_user, make_ticket, client, worked):
    other = make_user(Role.OPERATOR, first_name="Otto", last_name="Other")
    mine = make_ticket(client, subject="Mine")
    tickets.take_ticket(zl.uow(), zl.clock, other, mine.number)
    page = logged_in(web, login, "olga@acme.test").get("/p/acme/stats")
    assert (figures(page.text)["Taken"], figures(page.text)["Closed"], "Otto" in page.text) == (
        "1",
        "1",
        False,
    )


def test_an_operator_counts_only_requests_assigned_to_them(web, login, worked):
    page = logged_in(web, login, "olga@acme.test").get("/p/acme/stats")
    assert figures(page.text)["Created"] == "1"


def test_an_operators_csv_holds_only_their_row(web, login, worked, clock):
    today = clock.now().date().isoformat()
    got = logged_in(web, login, "olga@acme.test").get(f"/p/acme/stats.csv?from={today}&to={today}")
    operators = got.text.split("operator,taken", 1)[1].strip().splitlines()
    assert [row.split(",")[0] for row in operators[1:]] == ["Olga Operator"]


def test_the_journal_links_the_operators_own_statistics(web, login, worked):
    page = logged_in(web, login, "olga@acme.test").get("/p/acme/tickets")
    assert 'href="/p/acme/stats"' in page.text


@pytest.mark.parametrize(
    "url",
    ["/p/acme/admin/stats", "/p/acme/admin/stats.csv?from=2026-01-01&to=2026-01-02"],
)
def test_an_operator_gets_404_on_the_admin_statistics(web, login, operator, url):
    assert logged_in(web, login, "olga@acme.test").get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/p/acme/admin/stats",
        "/p/acme/admin/stats.csv?from=2026-01-01&to=2026-01-02",
        "/p/acme/stats",
        "/p/acme/stats.csv?from=2026-01-01&to=2026-01-02",
    ],
)
def test_a_client_gets_404_on_statistics(web, login, client, url):
    assert logged_in(web, login, "carl@client.test").get(url).status_code == 404


def test_the_admin_gets_the_statistics_page(web, login, portal):
    assert logged_in(web, login, ADMIN).get("/p/acme/admin/stats").status_code == 200


def test_an_empty_portal_shows_empty_charts(web, login, portal):
    page = logged_in(web, login, ADMIN).get("/p/acme/admin/stats")
    assert "No requests were created or closed in this period" in page.text
