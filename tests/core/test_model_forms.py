"""The request form: field definitions, and answers checked against them, kind by kind."""

from __future__ import annotations

import pytest

from factories import FormFieldFactory
from zedline.errors import InvalidInput
from zedline.forms.model import (
    DESCRIPTION_KEY,
    MAX_TEXT,
    MAX_TEXTAREA,
    SUBJECT_KEY,
    FieldKind,
    default_fields,
    validate_answers,
)

CHOICES = ["Printer", "Network", "E-mail"]


def make_field(kind, *, required=False, key="answer", options=None, **kw):
    if options is None:
        options = list(CHOICES) if kind.has_options else []
    return FormFieldFactory(kind=kind, key=key, required=required, options=options, **kw)


def answer(kind, raw, *, required=False):
    """Validate one answer through the public entry point; return the stored value or None."""
    f = make_field(kind, required=required)
    return validate_answers([f], {"answer": raw}, staff=False).get("answer")


def error(kind, raw, *, required=False):
    f = make_field(kind, required=required)
    with pytest.raises(InvalidInput) as exc:
        validate_answers([f], {"answer": raw}, staff=False)
    return exc.value.errors["answer"]


# -- definitions ------------------------------------------------------------------------


def test_valid_choice_field_definition_keeps_trimmed_options():
    f = make_field(FieldKind.SELECT, options=[" Printer ", "Network", "  "])
    f.check_definition()
    assert f.options == ["Printer", "Network"]


def test_select_without_options_is_refused():
    f = make_field(FieldKind.SELECT, options=["  "])
    with pytest.raises(InvalidInput) as exc:
        f.check_definition()
    assert exc.value.errors == {"options": "a choice field needs at least one option"}


def test_multiselect_with_duplicate_options_is_refused():
    f = make_field(FieldKind.MULTISELECT, options=["A", "A "])
    with pytest.raises(InvalidInput) as exc:
        f.check_definition()
    assert exc.value.errors == {"options": "options must be different from each other"}


def test_options_of_a_non_choice_field_are_dropped():
    f = make_field(FieldKind.TEXT, options=["stray"])
    f.check_definition()
    assert f.options == []


@pytest.mark.parametrize("key", [SUBJECT_KEY, DESCRIPTION_KEY])
def test_system_field_must_stay_required(key):
    kind = FieldKind.TEXT if key == SUBJECT_KEY else FieldKind.TEXTAREA
    optional = make_field(kind, key=key, required=False)
    required = make_field(kind, key=key, required=True)
    required.check_definition()
    with pytest.raises(InvalidInput) as exc:
        optional.check_definition()
    assert "always required" in exc.value.errors["required"]


@pytest.mark.parametrize("key", ["Subject", "1st", "with space", "x" * 41, "_lead"])
def test_bad_field_key_is_refused(key):
    with pytest.raises(InvalidInput) as exc:
        make_field(FieldKind.TEXT, key=key).check_definition()
    assert "lowercase letters" in exc.value.errors["key"]


def test_field_without_label_is_refused():
    with pytest.raises(InvalidInput) as exc:
        make_field(FieldKind.TEXT, label="  ").check_definition()
    assert exc.value.errors == {"label": "the field needs a label"}


def test_default_form_is_subject_and_description_both_required():
    fields = default_fields(1, [10, 11])
    assert [(f.key, f.kind, f.required) for f in fields] == [
        (SUBJECT_KEY, FieldKind.TEXT, True),
        (DESCRIPTION_KEY, FieldKind.TEXTAREA, True),
    ]


# -- answers, kind by kind ---------------------------------------------------------------


def test_text_is_trimmed():
    assert answer(FieldKind.TEXT, "  hello  ") == "hello"


def test_text_too_long_is_refused():
    assert error(FieldKind.TEXT, "x" * (MAX_TEXT + 1)) == f"at most {MAX_TEXT} characters"


def test_text_on_several_lines_is_refused():
    assert error(FieldKind.TEXT, "one\ntwo") == "one line only"


def test_textarea_keeps_inner_lines():
    assert answer(FieldKind.TEXTAREA, "\n one\ntwo \n") == "one\ntwo"


def test_textarea_too_long_is_refused():
    assert error(FieldKind.TEXTAREA, "x" * (MAX_TEXTAREA + 1)) == (
        f"at most {MAX_TEXTAREA} characters"
    )


@pytest.mark.parametrize(("raw", "stored"), [("42", "42"), ("3,5", "3.5"), (" -0.25 ", "-0.25")])
def test_number_is_stored_as_its_decimal_string(raw, stored):
    assert answer(FieldKind.NUMBER, raw) == stored


@pytest.mark.parametrize("raw", ["abc", "NaN", "nan", "inf", "-Infinity", "sNaN", "1,000.5"])
def test_non_number_is_refused(raw):
    assert error(FieldKind.NUMBER, raw) == "enter a number, like 42 or 3.5"


def test_date_is_stored_in_iso_form():
    assert answer(FieldKind.DATE, "2026-02-28") == "2026-02-28"


@pytest.mark.parametrize("raw", ["2026-02-30", "28.02.2026", "tomorrow"])
def test_bad_date_is_refused(raw):
    assert error(FieldKind.DATE, raw) == "enter a date as YYYY-MM-DD"


def test_select_accepts_one_of_its_options():
    assert answer(FieldKind.SELECT, "Network") == "Network"


def test_select_refuses_a_value_not_in_its_options():
    assert error(FieldKind.SELECT, "Coffee machine") == "choose one of the options"


def test_multiselect_keeps_the_options_order_and_drops_duplicates():
    assert answer(FieldKind.MULTISELECT, ["E-mail", "Printer", "E-mail"]) == ["Printer", "E-mail"]


def test_multiselect_accepts_a_single_string():
    assert answer(FieldKind.MULTISELECT, "Network") == ["Network"]


def test_multiselect_refuses_an_unknown_option():
    assert error(FieldKind.MULTISELECT, ["Printer", "Fax"]) == "'Fax' is not one of the choices"


def test_required_multiselect_refuses_no_choice():
    assert error(FieldKind.MULTISELECT, [], required=True) == "choose at least one"


@pytest.mark.parametrize("raw", [True, "on", "true", "1", "yes"])
def test_ticked_checkbox_is_true(raw):
    assert answer(FieldKind.CHECKBOX, raw) is True


def test_unticked_optional_checkbox_is_left_out():
    assert answer(FieldKind.CHECKBOX, None) is None


def test_required_checkbox_must_be_ticked():
    assert error(FieldKind.CHECKBOX, "off", required=True) == "tick this box to continue"


def test_email_answer_is_accepted():
    assert answer(FieldKind.EMAIL, " someone@example.com ") == "someone@example.com"


def test_bad_email_answer_is_refused():
    assert error(FieldKind.EMAIL, "someone@") == "enter an e-mail address like name@example.com"


def test_phone_answer_is_accepted():
    assert answer(FieldKind.PHONE, "+1 (555) 010-0199") == "+1 (555) 010-0199"


@pytest.mark.parametrize("raw", ["call me", "12", "+1 555 CALL NOW"])
def test_bad_phone_answer_is_refused(raw):
    assert error(FieldKind.PHONE, raw) == "enter a phone number, like +1 555 010 0199"


@pytest.mark.parametrize("kind", [k for k in FieldKind if k not in (
    FieldKind.CHECKBOX, FieldKind.MULTISELECT)])  # fmt: skip
def test_required_field_left_blank_is_refused(kind):
    assert error(kind, "   ", required=True) == "this field is required"


@pytest.mark.parametrize("kind", list(FieldKind))
def test_optional_field_left_blank_is_left_out(kind):
    assert answer(kind, "") is None


# -- the whole form ------------------------------------------------------------------------


def form():
    return [
        make_field(FieldKind.TEXT, key="subject", required=True, position=0),
        make_field(FieldKind.NUMBER, key="seats", position=1),
        make_field(FieldKind.SELECT, key="area", position=2),
        make_field(FieldKind.TEXT, key="triage", position=3, client_visible=False,
                   required=True),
        make_field(FieldKind.TEXT, key="old", position=4, active=False, required=True),
    ]  # fmt: skip


GOOD = {"subject": "Printer", "seats": "3,5", "area": "Printer", "triage": "hardware"}


def test_good_answers_from_staff_are_cleaned():
    assert validate_answers(form(), GOOD, staff=True) == {
        "subject": "Printer", "seats": "3.5", "area": "Printer", "triage": "hardware",
    }  # fmt: skip


def test_staff_only_field_is_neither_asked_of_nor_taken_from_a_client():
    assert validate_answers(form(), GOOD, staff=False) == {
        "subject": "Printer", "seats": "3.5", "area": "Printer",
    }  # fmt: skip


def test_every_bad_field_gets_its_own_message():
    bad = {**GOOD, "subject": "", "seats": "abc", "area": "Fax"}
    with pytest.raises(InvalidInput) as exc:
        validate_answers(form(), bad, staff=True)
    assert exc.value.errors == {
        "subject": "this field is required",
        "seats": "enter a number, like 42 or 3.5",
        "area": "choose one of the options",
    }


def test_unknown_keys_in_the_input_are_ignored():
    assert "hack" not in validate_answers(form(), {**GOOD, "hack": "x"}, staff=True)
