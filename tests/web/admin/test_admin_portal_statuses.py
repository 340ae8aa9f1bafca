"""The statuses page: grouped by category, renamed inline, added, made default, moved,
retired and restored; the refusals are shown at the status."""

from __future__ import annotations

import html
import re

import pytest

from zedline.tickets import statuses as core
from zedline.tickets.model import Category

PAGE = "/p/acme/admin/statuses"


def all_statuses(zl, portal):
    with zl.reader() as uow:
        return list(uow.statuses.list(portal.id))


def in_category(zl, portal, category):
    return [s for s in all_statuses(zl, portal) if s.category is category]


def snapshot(zl, portal):
    return [
        (s.id, s.category, s.operator_label, s.client_label, s.position, s.is_default, s.active)
        for s in all_statuses(zl, portal)
    ]


def row(page: str, status_id: int) -> str:
    return page.split(f'id="status-{status_id}"', 1)[1].split("</li>", 1)[0]


def error_at(page: str, control_id: str) -> str:
    match = re.search(rf'id="{control_id}-error">.*?<span>(.*?)</span>', page, re.DOTALL)
    assert match, f"no message at {control_id}"
    return html.unescape(match.group(1))


@pytest.fixture
def second_waiting(zl, admin):
    return core.add_status(
        zl.uow(), admin, category="waiting", operator_label="Waiting for parts",
        client_label="We ordered a part",
    )  # fmt: skip


def test_statuses_are_grouped_by_category_with_both_labels(admin_web, zl, portal):
    page = admin_web.get(PAGE).text
    waiting = in_category(zl, portal, Category.WAITING)[0]
    section = page.split('id="cat-waiting-h"', 1)[1].split("</section>", 1)[0]
    assert 'value="Waiting for client"' in section
    assert 'value="Waiting for your reply"' in section
    assert f'id="status-{waiting.id}"' in section
    assert "Default for new requests" in page.split('id="cat-new-h"', 1)[1].split("</section>")[0]


# -- adding --------------------------------------------------------------------------------


def test_status_is_added(admin_web, post_form, zl, portal):
    page = post_form(
        admin_web, PAGE,
        {"category": "waiting", "operator_label": "Waiting for parts",
         "client_label": "We ordered a part"},
    )  # fmt: skip
    assert page.url.path == PAGE
    added = in_category(zl, portal, Category.WAITING)[-1]
    assert (added.operator_label, added.client_label) == ("Waiting for parts", "We ordered a part")


@pytest.mark.parametrize(
    ("change", "control", "message"),
    [
        ({"category": ""}, "in_category", "Choose a category"),
        ({"category": "lost"}, "in_category", "Choose a category"),
        ({"operator_label": " "}, "in_operator_label", "Enter a label"),
        ({"client_label": ""}, "in_client_label", "Enter a label"),
        ({"client_label": "x" * 61}, "in_client_label", "At most 60 characters"),
        ({"operator_label": "in PROGRESS"}, "in_operator_label", "A status with this label exists"),
    ],
)
def test_bad_new_status_is_refused_at_the_field(
    admin_web, post_form, zl, portal, change, control, message
):
    before = snapshot(zl, portal)
    data = {"category": "open", "operator_label": "Escalated", "client_label": "Escalated"}
    page = post_form(admin_web, PAGE, {**data, **change})
    assert page.status_code == 422
    assert error_at(page.text, control) == message
    assert snapshot(zl, portal) == before


def test_refused_new_status_keeps_what_was_typed(admin_web, post_form):
    page = post_form(
        admin_web, PAGE, {"category": "open", "operator_label": "Escalated", "client_label": ""}
    ).text
    assert 'value="Escalated"' in page
    assert re.search(r'<option value="open" selected>', page)


# -- renaming ------------------------------------------------------------------------------


def test_status_is_renamed(admin_web, post_form, zl, portal):
    waiting = in_category(zl, portal, Category.WAITING)[0]
    post_form(
        admin_web, f"{PAGE}/{waiting.id}",
        {"operator_label": "On hold", "client_label": "Waiting for you"},
    )  # fmt: skip
    renamed = in_category(zl, portal, Category.WAITING)[0]
    assert (renamed.operator_label, renamed.client_label) == ("On hold", "Waiting for you")


def test_bad_rename_is_refused_at_the_status(admin_web, post_form, zl, portal):
    waiting = in_category(zl, portal, Category.WAITING)[0]
    before = snapshot(zl, portal)
    page = post_form(
        admin_web, f"{PAGE}/{waiting.id}", {"operator_label": "On hold", "client_label": " "}
    )
    assert page.status_code == 422
    assert error_at(page.text, f"st-{waiting.id}-cl") == "Enter a label"
    assert 'value="On hold"' in row(page.text, waiting.id)
    assert snapshot(zl, portal) == before


def test_unknown_status_is_not_found(admin_web, post_form):
    page = post_form(admin_web, f"{PAGE}/999999", {"operator_label": "A", "client_label": "B"})
    assert page.status_code == 404


# -- default -------------------------------------------------------------------------------


def test_open_status_is_made_default(admin_web, post_form, zl, portal):
    opened = in_category(zl, portal, Category.OPEN)[0]
    post_form(admin_web, f"{PAGE}/{opened.id}/default", {})
    assert [s.id for s in all_statuses(zl, portal) if s.is_default] == [opened.id]


def test_waiting_status_cannot_be_default(admin_web, post_form, zl, portal):
    waiting = in_category(zl, portal, Category.WAITING)[0]
    before = snapshot(zl, portal)
    page = post_form(admin_web, f"{PAGE}/{waiting.id}/default", {})
    assert page.status_code == 422
    assert "New tickets start in an active new or open status" in row(page.text, waiting.id)
    assert snapshot(zl, portal) == before


# -- retiring ------------------------------------------------------------------------------


def test_status_is_retired_and_restored(admin_web, post_form, zl, portal, second_waiting):
    post_form(admin_web, f"{PAGE}/{second_waiting.id}/retire", {})
    assert not in_category(zl, portal, Category.WAITING)[-1].active
    page = post_form(admin_web, f"{PAGE}/{second_waiting.id}/restore", {})
    assert in_category(zl, portal, Category.WAITING)[-1].active
    assert "Retired" not in row(page.text, second_waiting.id)


def test_default_status_cannot_be_retired(admin_web, post_form, zl, portal):
    default = next(s for s in all_statuses(zl, portal) if s.is_default)
    before = snapshot(zl, portal)
    page = post_form(admin_web, f"{PAGE}/{default.id}/retire", {})
    assert page.status_code == 422
    assert "Choose another default status first" in row(page.text, default.id)
    assert snapshot(zl, portal) == before


def test_last_status_of_a_category_cannot_be_retired(admin_web, post_form, zl, portal):
    closed = in_category(zl, portal, Category.CLOSED)[0]
    before = snapshot(zl, portal)
    page = post_form(admin_web, f"{PAGE}/{closed.id}/retire", {})
    assert page.status_code == 422
    assert "Each category keeps at least one status" in html.unescape(row(page.text, closed.id))
    assert snapshot(zl, portal) == before


# -- order ---------------------------------------------------------------------------------


def test_status_moves_up_within_its_category(admin_web, post_form, zl, portal, second_waiting):
    first = in_category(zl, portal, Category.WAITING)[0]
    post_form(admin_web, f"{PAGE}/{second_waiting.id}/move", {"direction": "up"})
    assert [s.id for s in in_category(zl, portal, Category.WAITING)] == [
        second_waiting.id, first.id
    ]  # fmt: skip


def test_status_moves_down_within_its_category(admin_web, post_form, zl, portal, second_waiting):
    first = in_category(zl, portal, Category.WAITING)[0]
    post_form(admin_web, f"{PAGE}/{first.id}/move", {"direction": "down"})
    assert [s.id for s in in_category(zl, portal, Category.WAITING)] == [
        second_waiting.id, first.id
    ]  # fmt: skip


def test_move_without_a_direction_is_refused(admin_web, post_form, zl, portal, second_waiting):
    before = snapshot(zl, portal)
    page = post_form(admin_web, f"{PAGE}/{second_waiting.id}/move", {"direction": ""})
    assert page.status_code == 422
    assert "Choose to move the status up or down" in row(page.text, second_waiting.id)
    assert snapshot(zl, portal) == before


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
def test_statuses_page_is_not_found_for_others(request, who):
    assert request.getfixturevalue(who).get(PAGE).status_code == 404


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", {"category": "open", "operator_label": "X", "client_label": "Y"}),
        ("/{id}", {"operator_label": "X", "client_label": "Y"}),
        ("/{id}/default", {}),
        ("/{id}/move", {"direction": "up"}),
        ("/{id}/retire", {}),
        ("/{id}/restore", {}),
    ],
)
def test_status_actions_are_not_found_for_others(
    request, post_form, zl, portal, who, path, data, second_waiting
):
    web = request.getfixturevalue(who)
    before = snapshot(zl, portal)
    assert post_form(web, PAGE + path.format(id=second_waiting.id), data).status_code == 404
    assert snapshot(zl, portal) == before
