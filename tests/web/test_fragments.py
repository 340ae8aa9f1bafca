"""Rows rendered once and kept (`fragment`): the same row reads the same, anything that
changes what a row shows gives a fresh one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zedline.tickets.model import Category
from zedline.tickets.queries import JournalRow
from zedline_web.templating import make_environment

ROW = JournalRow(
    number=7, subject="<b>Printer</b>", category=Category.OPEN, status_label="In progress",
    client_id=1, client_first_name="Carl", client_last_name="Client",
    assignee_first_name=None, assignee_last_name=None,
    updated_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), deadline=None, unread=True,
    overdue=False,
)  # fmt: skip
PAGE = """{% for r in rows %}{{ fragment("tickets/_journal_row.html", r, slug="acme",
tz="Europe/Berlin", ago=ago) }}{% endfor %}"""


@pytest.fixture
def env():
    return make_environment()


def page(env, rows, *, lang="en", ago="3 minutes ago"):
    return env.from_string(PAGE).render(rows=rows, lang=lang, ago=ago)


def test_a_row_is_rendered_once_and_reads_the_same(env, monkeypatch):
    first = page(env, [ROW])
    renders = []
    template = env.get_template("tickets/_journal_row.html")
    monkeypatch.setattr(template, "render", lambda *a, **k: renders.append(1) or "")
    assert page(env, [ROW, ROW]) == first * 2
    assert renders == []


def test_the_row_shows_its_values_escaped(env):
    html = page(env, [ROW])
    assert "&lt;b&gt;Printer&lt;/b&gt;" in html
    assert 'href="/p/acme/tickets/7"' in html
    assert "3 minutes ago" in html
    assert "2026-11-02 10:30" in html  # Berlin time in the tooltip
    assert "Unassigned" in html


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"unread": False}, "unread-dot"),
        ({"assignee_first_name": "Olga", "assignee_last_name": "Operator"}, "Unassigned"),
        ({"status_label": "Waiting for you"}, "In progress"),
    ],
)
def test_a_changed_row_is_rendered_again(env, change, expected):
    assert expected in page(env, [ROW])
    assert expected not in page(env, [ROW._replace(**change)])


def test_the_time_text_and_the_language_are_part_of_the_key(env):
    assert "5 minutes ago" in page(env, [ROW], ago="5 minutes ago")
    russian = page(env, [ROW], lang="ru")
    assert "Не назначен" in russian
    assert "Unassigned" not in russian
    assert "Unassigned" in page(env, [ROW])
