"""Translations of the interface and e-mails, from Babel message catalogs.

Catalogs are the `.po` files under `zedline/locale/<lang>/LC_MESSAGES/messages.po`; they are
read (and compiled in memory) once per process, so no compiled `.mo` file is kept in the
repository. English is the source language: its strings are the msgids themselves.

The core never knows who reads a message, so it writes English and marks it: `N_("...")` for
the catalog, with `%(name)s` placeholders and their values (`N_("at most %(n)s fields", n=20)`)
when the text carries data. Such a message is the English text itself (a `str`: comparing,
logging and printing see English), and it remembers its msgid and values, so an adapter shows
it in the reader's language with `translate(lang, message)`.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Self

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (an unknown or source language translates to itself)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or lang not in LANGUAGES or not po.exists():
        return gettext.NullTranslations()
    # Imported here: domain models import `N_` from this module and stay plain Python.
    from babel.messages.mofile import write_mo  # noqa: PLC0415
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


class Translatable(str):  # noqa: SLOT000 - str subclasses cannot have slots of their own
    """An English message that keeps its msgid and placeholder values for translation."""

    msgid: str
    values: Mapping[str, object]

    def __new__(cls, msgid: str, values: Mapping[str, object]) -> Self:
        self = super().__new__(cls, msgid % values if values else msgid)
        self.msgid = msgid
        self.values = dict(values)
        return self

    def __reduce__(self) -> tuple[type[Translatable], tuple[str, dict[str, object]]]:
        return (Translatable, (self.msgid, dict(self.values)))


def N_(message: str, /, **values: object) -> str:  # noqa: N802 - the conventional name of the marker
    """Mark `message` for the catalog; it is translated where it is shown (a flash, an error).

    With `values`, the `%(name)s` placeholders are filled for English, and kept, so that
    `translate` fills the translation (which may put them in another order) instead.
    """
    # Without values, the plain text itself: it is the msgid, and it goes anywhere a str goes
    # (a flash in a session is serialised by a codec that knows no subclasses of str).
    return Translatable(message, values) if values else message


def translate(lang: str, message: object) -> str:
    """`message` (marked with `N_`, or any msgid) in `lang`; unknown text is shown as it is."""
    if isinstance(message, Translatable):
        text = translations(lang).gettext(message.msgid)
        if not message.values:
            return text
        # A value may be a marked message itself ("line 3: unknown variable …").
        values = {
            key: translate(lang, value) if isinstance(value, Translatable) else value
            for key, value in message.values.items()
        }
        return text % values
    return translations(lang).gettext(str(message or ""))


def translate_all(lang: str, messages: Mapping[str, object]) -> dict[str, str]:
    """Every message of a field -> message mapping (a form's errors) in `lang`."""
    return {key: translate(lang, text) for key, text in messages.items()}


def translator(lang: str) -> Callable[..., str]:
    """`_` for Python code: `_("Saved %(name)s.", name=x)` in `lang`, placeholders filled."""

    def _(message: str, /, **values: object) -> str:
        text = translations(lang).gettext(message)
        return text % values if values else text

    return _
