"""The one exception tree of the core. Adapters map it to HTTP codes or exit codes in one place.

Messages are English, marked for the catalog with `zedline.i18n.N_` (values as named
placeholders), and shown in the reader's language by the adapter (`zedline.i18n.translate`).
"""

from __future__ import annotations

from collections.abc import Mapping


class ZedlineError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        # `message` is plain English text; `text` is the message as given, which keeps the
        # msgid and values of a message marked with N_, for an adapter to translate.
        self.message = str(message)
        self.text = message


class NotFound(ZedlineError):  # noqa: N818 - the domain word, not "NotFoundError"
    """The thing does not exist, or the actor may not know that it exists."""


class PermissionDenied(ZedlineError):  # noqa: N818
    """The actor is known to see the thing but may not do this to it."""


class Conflict(ZedlineError):  # noqa: N818
    """The change collides with the current state (a duplicate, a concurrent edit)."""


class ConcurrentChange(Conflict):
    """Another transaction changed the same record first; nothing of this one was saved, so
    a change that does not depend on what was read (a new message) may simply run again."""


class InvalidInput(ZedlineError):  # noqa: N818
    """Input broke a rule. `errors` maps field names to one human message each (the
    message of `__all__` is about no one field)."""

    def __init__(self, errors: Mapping[str, str] | str, *, field: str | None = None) -> None:
        if isinstance(errors, str):
            errors = {field or "__all__": errors}
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(self._lines()))
        if set(self.errors) == {"__all__"}:
            self.text = self.errors["__all__"]

    def _lines(self) -> list[str]:
        return [msg if key == "__all__" else f"{key}: {msg}" for key, msg in self.errors.items()]


class InvalidTransition(InvalidInput):
    """A state change the entity's rules do not allow (closing a closed ticket, ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
