"""The request form builder: adding, editing, moving, removing and restoring fields, and the
preview of the form clients see."""

from __future__ import annotations

import html
import re

import pytest

from zedline.forms import services as forms
from zedline.forms.model import FieldKind

FORM = "/p/acme/admin/form"


def fields(zl, portal, *, active_only=False):
    with zl.reader() as uow:
        return list(uow.form_fields.list(portal.id, active_only=active_only))


def by_key(zl, portal, key):
    return next(f for f in fields(zl, portal) if f.key == key)


def snapshot(zl, portal):
    """Everything about the form, to prove that a refused change changed nothing."""
    return [
        (f.key, f.label, f.kind, f.position, f.required, f.options, f.help_text,
         f.client_visible, f.active)
        for f in fields(zl, portal)
    ]  # fmt: skip


def error_at(page: str, control_id: str) -> str:
    """The message shown under a control (its `<id>-error` element), unescaped."""
    match = re.search(rf'id="{control_id}-error">.*?<span>(.*?)</span>', page, re.DOTALL)
    assert match, f"no message at {control_id}"
    return html.unescape(match.group(1))


def preview_of(page: str) -> str:
    return page.split('id="preview-h"', 1)[1]


def field_list(page: str) -> str:
    return page.split('id="fields-h"', 1)[1].split('id="add-h"', 1)[0]


DEVICE = {
    "label": "Device type",
    "kind": "select",
    "options": "Laptop\nPrinter\n\nPhone\n",
    "help_text": "The one that fails",
    "required": "on",
    "audience": "client",
}


@pytest.fixture
def device(zl, admin):
    return forms.add_field(
        zl.uow(), admin, label="Device type", kind="select", options=["Laptop", "Printer"]
    )


# -- adding --------------------------------------------------------------------------------


def test_select_field_with_options_is_added_at_the_end(admin_web, post_form, zl, portal):
    page = post_form(admin_web, FORM, DEVICE)
    assert page.status_code == 200
    assert page.url.path == FORM
    added = fields(zl, portal)[-1]
    assert (added.key, added.kind, added.options, added.required, added.help_text) == (
        "device_type", FieldKind.SELECT, ["Laptop", "Printer", "Phone"], True, "The one that fails"
    )  # fmt: skip


def test_added_field_shows_in_the_list_and_the_preview(admin_web, post_form):
    page = post_form(admin_web, FORM, DEVICE).text
    assert "Device type" in field_list(page)
    assert "Choice (one)" in field_list(page)
    preview = preview_of(page)
    assert 'name="f_device_type"' in preview
    assert all(f">{o}</option>" in preview for o in ("Laptop", "Printer", "Phone"))


def test_required_date_field_is_added(admin_web, post_form, zl, portal):
    post_form(
        admin_web,
        FORM,
        {"label": "Purchase date", "kind": "date", "required": "on", "audience": "client"},
    )
    added = by_key(zl, portal, "purchase_date")
    assert (added.kind, added.required, added.client_visible) == (FieldKind.DATE, True, True)


def test_operator_only_field_is_badged_and_left_out_of_the_preview(admin_web, post_form):
    page = post_form(
        admin_web, FORM, {"label": "Priority", "kind": "text", "audience": "staff"}
    ).text
    assert "Only operators see it" in field_list(page)
    assert 'name="f_priority"' not in preview_of(page)


@pytest.mark.parametrize(
    ("change", "control", "message"),
    [
        ({"label": "   "}, "in_label", "The field needs a label"),
        ({"label": "x" * 256}, "in_label", "The label is longer than 255 characters"),
        ({"options": " \n "}, "in_options", "A choice field needs at least one option"),
        ({"options": "A\nA"}, "in_options", "Options must be different from each other"),
        ({"kind": "blob"}, "in_kind", "Choose one of the field types"),
        ({"audience": "everyone"}, "in_audience", "Choose who fills this field"),
    ],
)
def test_bad_new_field_is_refused_at_the_field(
    admin_web, post_form, zl, portal, change, control, message
):
    before = snapshot(zl, portal)
    page = post_form(admin_web, FORM, {**DEVICE, **change})
    assert page.status_code == 422
    assert error_at(page.text, control) == message
    assert snapshot(zl, portal) == before


def test_refused_new_field_keeps_what_was_typed(admin_web, post_form):
    page = post_form(admin_web, FORM, {**DEVICE, "label": ""}).text
    assert "Laptop\nPrinter\n\nPhone" in page
    assert 'value="The one that fails"' in page
    assert re.search(r'<option value="select"[^>]* selected>', page)


# -- editing -------------------------------------------------------------------------------


def test_edit_page_shows_the_field(admin_web, device):
    page = admin_web.get(f"{FORM}/{device.id}").text
    assert 'value="Device type"' in page
    assert "Laptop\nPrinter" in page


def test_field_is_changed(admin_web, post_form, zl, portal, device):
    page = post_form(
        admin_web,
        f"{FORM}/{device.id}",
        {"label": "Device", "kind": "multiselect", "options": "Laptop\nPhone",
         "help_text": "", "audience": "staff"},
    )  # fmt: skip
    assert page.url.path == FORM
    changed = by_key(zl, portal, "device_type")
    assert (changed.label, changed.kind, changed.options, changed.client_visible) == (
        "Device", FieldKind.MULTISELECT, ["Laptop", "Phone"], False
    )  # fmt: skip


def test_bad_change_is_refused_at_the_field(admin_web, post_form, zl, portal, device):
    before = snapshot(zl, portal)
    page = post_form(
        admin_web, f"{FORM}/{device.id}", {"label": "", "kind": "select", "options": "Laptop",
                                           "audience": "client"},
    )  # fmt: skip
    assert page.status_code == 422
    assert error_at(page.text, "in_label") == "The field needs a label"
    assert snapshot(zl, portal) == before


def test_subject_keeps_its_type(admin_web, post_form, zl, portal):
    subject = by_key(zl, portal, "subject")
    before = snapshot(zl, portal)
    page = post_form(
        admin_web, f"{FORM}/{subject.id}",
        {"label": "Topic", "kind": "textarea", "required": "on", "audience": "client"},
    )  # fmt: skip
    assert page.status_code == 422
    assert "The subject and description keep their type" in page.text
    assert snapshot(zl, portal) == before


def test_subject_can_be_renamed(admin_web, post_form, zl, portal):
    subject = by_key(zl, portal, "subject")
    post_form(
        admin_web, f"{FORM}/{subject.id}",
        {"label": "Topic", "kind": "text", "required": "on", "audience": "client"},
    )  # fmt: skip
    assert by_key(zl, portal, "subject").label == "Topic"


def test_unknown_field_is_not_found(admin_web, post_form):
    assert admin_web.get(f"{FORM}/999999").status_code == 404
    assert post_form(admin_web, f"{FORM}/999999/retire", {}).status_code == 404


# -- order ---------------------------------------------------------------------------------


def test_field_moves_up(admin_web, post_form, zl, portal, device):
    post_form(admin_web, f"{FORM}/{device.id}/move", {"direction": "up"})
    assert [f.key for f in fields(zl, portal)] == ["subject", "device_type", "description"]


def test_field_moves_down(admin_web, post_form, zl, portal, device):
    subject = by_key(zl, portal, "subject")
    post_form(admin_web, f"{FORM}/{subject.id}/move", {"direction": "down"})
    assert [f.key for f in fields(zl, portal)] == ["description", "subject", "device_type"]


def test_move_without_a_direction_is_refused(admin_web, post_form, zl, portal, device):
    before = snapshot(zl, portal)
    page = post_form(admin_web, f"{FORM}/{device.id}/move", {"direction": "sideways"})
    assert page.status_code == 422
    assert "Choose to move the field up or down" in page.text
    assert snapshot(zl, portal) == before


# -- removing and restoring ----------------------------------------------------------------


def test_removed_field_is_listed_apart_and_no_longer_asked(
    admin_web, client_web, post_form, zl, portal, device
):
    page = post_form(admin_web, f"{FORM}/{device.id}/retire", {}).text
    assert not by_key(zl, portal, "device_type").active
    assert "Device type" not in field_list(page)
    assert "Device type" in page.split('id="retired-h"', 1)[1]
    assert 'name="f_device_type"' not in client_web.get("/p/acme/tickets/new").text


def test_removed_field_is_restored(admin_web, post_form, zl, portal, admin, device):
    forms.retire_field(zl.uow(), admin, device.id)
    page = post_form(admin_web, f"{FORM}/{device.id}/restore", {}).text
    assert by_key(zl, portal, "device_type").active
    assert "Device type" in field_list(page)


@pytest.mark.parametrize("key", ["subject", "description"])
def test_subject_and_description_cannot_be_removed(admin_web, post_form, zl, portal, key):
    field = by_key(zl, portal, key)
    page = post_form(admin_web, f"{FORM}/{field.id}/retire", {})
    assert page.status_code == 422
    row = page.text.split(f'id="field-{field.id}"', 1)[1].split("</li>", 1)[0]
    assert "The subject and the description cannot be removed" in row
    assert by_key(zl, portal, key).active


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
@pytest.mark.parametrize("path", ["", "/{id}"])
def test_builder_pages_are_not_found_for_others(request, who, path, zl, portal, device):
    web = request.getfixturevalue(who)
    assert web.get(FORM + path.format(id=device.id)).status_code == 404


@pytest.mark.parametrize("who", ["operator_web", "client_web"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("", DEVICE),
        ("/{id}", {**DEVICE, "label": "Hacked"}),
        ("/{id}/move", {"direction": "up"}),
        ("/{id}/retire", {}),
        ("/{id}/restore", {}),
    ],
)
def test_builder_actions_are_not_found_for_others(
    request, post_form, who, path, data, zl, portal, device
):
    web = request.getfixturevalue(who)
    before = snapshot(zl, portal)
    assert post_form(web, FORM + path.format(id=device.id), data).status_code == 404
    assert snapshot(zl, portal) == before
