"""The Russian catalog translates every message of the template, keeping its placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from zedline.i18n import LANGUAGES, LOCALE_DIR, translations

ROOT = Path(__file__).parents[2]
POT = LOCALE_DIR / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_t": (2,),
    "gettext_for": (2,),
}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(POT)


@pytest.fixture(scope="module")
def russian() -> Catalog:
    return _read(LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po", locale="ru")


def _key(message: Message) -> tuple[str | None, str]:
    """A message's identity in a catalog: its context ("requests" for a word said of a group
    of requests) and its msgid."""
    return (message.context, _ids(message)[0])


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_every_language_but_english_has_a_catalog():
    assert [lang for lang in LANGUAGES if lang != "en"] == ["ru"]
    assert (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").is_file()


def test_the_template_lists_every_message_of_the_code(template):
    """messages.pot is up to date: extraction with babel.cfg finds exactly its messages."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS
        )
    }
    listed = {_key(m) for m in template if m.id}
    assert (sorted(found - listed), sorted(listed - found)) == ([], [])


def test_every_message_has_a_russian_translation(template, russian):
    untranslated = [
        _key(m)
        for m in template
        if m.id
        and (
            russian.get(m.id, m.context) is None or not all(_strings(russian.get(m.id, m.context)))
        )
    ]
    assert untranslated == []


def test_no_translation_is_fuzzy_or_left_over(template, russian):
    assert [m.id for m in russian if m.id and m.fuzzy] == []
    assert [_key(m) for m in russian if m.id and template.get(m.id, m.context) is None] == []


def test_plurals_have_the_three_russian_forms(russian):
    assert russian.num_plurals == 3
    plurals = [m for m in russian if m.id and m.pluralizable]
    assert plurals
    assert [m.id for m in plurals if len(_strings(m)) != 3 or not all(_strings(m))] == []


def _wrong_placeholders(message: Message) -> list[str]:
    expected = set().union(*(_placeholders(i) for i in _ids(message)))
    # A plural form may leave the count out ("one star"), nothing else.
    return [
        text
        for text in _strings(message)
        if _placeholders(text) - expected or expected - _placeholders(text) - {"num", "n", "d"}
    ]


def test_translations_keep_the_placeholders(russian):
    assert [
        (m.id, _wrong_placeholders(m)) for m in russian if m.id and _wrong_placeholders(m)
    ] == []


def test_percent_signs_are_doubled_where_placeholders_are_filled(russian):
    def lone(text: str) -> bool:
        return "%" in re.sub(r"%%|%\(\w+\)[sd]", "", text)

    assert [m.id for m in russian if m.id and any(lone(t) for t in _strings(m))] == []


def test_the_compiled_catalog_translates_with_russian_plurals():
    ru = translations("ru")
    forms = [ru.ngettext("%(n)d star", "%(n)d stars", n) % {"n": n} for n in (1, 3, 5, 21, 11)]
    assert forms == ["1 звезда", "3 звезды", "5 звёзд", "21 звезда", "11 звёзд"]
    assert ru.gettext("Hello %(name)s,") % {"name": "Анна"} == "Здравствуйте, Анна!"
