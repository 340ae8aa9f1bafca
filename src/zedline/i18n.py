"""Translations of the interface and e-mails, from Babel message catalogs.

Catalogs are the `.po` files under `zedline/locale/<lang>/LC_MESSAGES/messages.po`; they are
read (and compiled in memory) once per process, so no compiled `.mo` file is kept in the
repository. English is the source language: its strings are the msgids themselves.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` (an unknown or source language translates to itself)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or lang not in LANGUAGES or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the marker
    """Mark `message` for the catalog; it is translated where it is shown (a flash, an error)."""
    return message
