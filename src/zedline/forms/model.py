"""Form fields of a portal's request form and the validation of answers against them."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from zedline.errors import InvalidInput
from zedline.i18n import N_

# Answers are JSON: text as str, numbers as their decimal string (never float),
# dates as ISO strings, checkboxes as bool, multiselects as lists of str.
Answer = str | bool | list[str]
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,32}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,63}$")
SUBJECT_KEY = "subject"
DESCRIPTION_KEY = "description"
SYSTEM_KEYS = frozenset({SUBJECT_KEY, DESCRIPTION_KEY})
MAX_TEXT = 255
MAX_TEXTAREA = 20_000
MAX_OPTIONS = 100
MAX_OPTION = 255
MAX_HELP = 500


class FieldKind(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"
    EMAIL = "email"
    PHONE = "phone"

    @property
    def has_options(self) -> bool:
        return self in (FieldKind.SELECT, FieldKind.MULTISELECT)


@dataclass(eq=False)
class FormField:
    portal_id: int
    id: int
    key: str
    label: str
    kind: FieldKind
    position: int
    required: bool = False
    options: list[str] = field(default_factory=list)
    help_text: str = ""
    # False: only operators see and fill it (an internal classification, say).
    client_visible: bool = True
    # Retired fields are no longer asked; answers already given keep showing.
    active: bool = True

    def check_definition(self) -> None:  # noqa: C901 - one check per rule, flat
        errors: dict[str, str] = {}
        if not KEY_RE.fullmatch(self.key):
            errors["key"] = N_(
                "use lowercase letters, digits and underscores, starting with a letter"
            )
        if not self.label.strip():
            errors["label"] = N_("the field needs a label")
        elif len(self.label) > MAX_TEXT:
            errors["label"] = N_("the label is longer than %(max)s characters", max=MAX_TEXT)
        if self.kind.has_options:
            cleaned = [o.strip() for o in self.options if o.strip()]
            if not cleaned:
                errors["options"] = N_("a choice field needs at least one option")
            elif len(set(cleaned)) != len(cleaned):
                errors["options"] = N_("options must be different from each other")
            elif len(cleaned) > MAX_OPTIONS:
                errors["options"] = N_("at most %(max)s options", max=MAX_OPTIONS)
            elif any(len(o) > MAX_OPTION for o in cleaned):
                errors["options"] = N_("each option is at most %(max)s characters", max=MAX_OPTION)
            self.options = cleaned
        elif self.options:
            self.options = []
        if len(self.help_text) > MAX_HELP:
            errors["help_text"] = N_(
                "the help text is longer than %(max)s characters", max=MAX_HELP
            )
        if self.key in SYSTEM_KEYS and not self.required:
            errors["required"] = N_("the subject and the description are always required")
        if errors:
            raise InvalidInput(errors)

    def clean(self, raw: object) -> Answer | None:  # noqa: C901, PLR0912 - one branch a kind
        """Turn raw input into the stored answer, or raise ValueError with the user's message."""
        if self.kind is FieldKind.CHECKBOX:
            value = raw in (True, "on", "true", "1", "yes")
            if self.required and not value:
                raise ValueError(N_("tick this box to continue"))
            return value
        if self.kind is FieldKind.MULTISELECT:
            items = _as_list(raw)
            unknown = [i for i in items if i not in self.options]
            if unknown:
                raise ValueError(N_("'%(choice)s' is not one of the choices", choice=unknown[0]))
            if self.required and not items:
                raise ValueError(N_("choose at least one"))
            return [o for o in self.options if o in items]
        text = _as_text(raw)
        if text is None or not text.strip():
            if self.required:
                raise ValueError(N_("this field is required"))
            return None
        text = text.strip() if self.kind is not FieldKind.TEXTAREA else text.strip("\n\r ")
        match self.kind:
            case FieldKind.TEXT:
                if len(text) > MAX_TEXT:
                    raise ValueError(N_("at most %(max)s characters", max=MAX_TEXT))
                if "\n" in text:
                    raise ValueError(N_("one line only"))
            case FieldKind.TEXTAREA:
                if len(text) > MAX_TEXTAREA:
                    raise ValueError(N_("at most %(max)s characters", max=MAX_TEXTAREA))
            case FieldKind.NUMBER:
                try:
                    number = Decimal(text.replace(",", "."))
                except InvalidOperation:
                    raise ValueError(N_("enter a number, like 42 or 3.5")) from None
                if not number.is_finite():
                    raise ValueError(N_("enter a number, like 42 or 3.5"))
                return str(number)
            case FieldKind.DATE:
                try:
                    return date.fromisoformat(text).isoformat()
                except ValueError:
                    raise ValueError(N_("enter a date as YYYY-MM-DD")) from None
            case FieldKind.SELECT:
                if text not in self.options:
                    raise ValueError(N_("choose one of the options"))
            case FieldKind.EMAIL:
                if not EMAIL_RE.fullmatch(text):
                    raise ValueError(N_("enter an e-mail address like name@example.com"))
            case FieldKind.PHONE:
                if not PHONE_RE.fullmatch(text):
                    raise ValueError(N_("enter a phone number, like +1 555 010 0199"))
        return text


def _as_list(raw: object) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Sequence):
        return [str(i) for i in raw if str(i) != ""]
    return [str(raw)]


def _as_text(raw: object) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, list):
        return str(raw[-1]) if raw else None
    return str(raw)


def validate_answers(
    fields: Sequence[FormField], raw: Mapping[str, object], *, staff: bool
) -> dict[str, Answer]:
    """Check raw answers against the active fields the author may fill.

    Returns the cleaned answers keyed by field key (empty optional answers left out).

    Raises:
        InvalidInput: with one message per bad field key.
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for f in sorted(fields, key=lambda f: f.position):
        if not f.active or (not f.client_visible and not staff):
            continue
        try:
            value = f.clean(raw.get(f.key))
        except ValueError as exc:
            # The message as raised: a marked message keeps its msgid for translation.
            errors[f.key] = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            continue
        if value is not None and value != [] and value is not False:
            answers[f.key] = value
    if errors:
        raise InvalidInput(errors)
    return answers


def default_fields(
    portal_id: int, ids: Sequence[int], translate: Callable[[str], str] = str
) -> list[FormField]:
    """The request form a new portal starts with: a subject and a description, its words
    passed through `translate` (into the portal's language)."""
    return [
        FormField(
            portal_id=portal_id,
            id=ids[0],
            key=SUBJECT_KEY,
            label=translate(N_("Subject")),
            kind=FieldKind.TEXT,
            position=0,
            required=True,
            help_text=translate(N_("A few words that sum up your request.")),
        ),
        FormField(
            portal_id=portal_id,
            id=ids[1],
            key=DESCRIPTION_KEY,
            label=translate(N_("Description")),
            kind=FieldKind.TEXTAREA,
            position=1,
            required=True,
            help_text=translate(
                N_("What happened, what you expected, and anything you already tried.")
            ),
        ),
    ]
