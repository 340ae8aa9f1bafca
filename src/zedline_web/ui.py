"""The small pieces of markup every page repeats many times (icons, avatars, status badges).

They are Python rather than Jinja macros because a journal page calls them a few hundred
times: a macro call costs tens of microseconds, a cached function call almost nothing. The
templates use them through `_macros.html` exactly as before (`m.icon("clock", 14)`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from markupsafe import Markup, escape

CATEGORIES = frozenset({"new", "open", "waiting", "resolved", "closed"})
AVATAR_COLOURS = 6

# 24x24 stroke icons drawn in currentColor (see docs/ui.md for the list).
ICON_PATHS: dict[str, str] = {
    "paperclip": (
        '<path d="M15.5 7.5 9.3 13.7a1.6 1.6 0 0 0 2.3 2.3l6.5-6.5a3.7 3.7 0 0 0-5.2-5.2l-6.6 '
        '6.6a5.8 5.8 0 0 0 8.2 8.2l5.9-5.9"/>'
    ),
    "send": '<path d="M20.5 3.5 10.2 13.8"/><path d="M20.5 3.5 14 20.5l-3.8-6.7-6.7-3.8z"/>',
    "lock": (
        '<rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8.5 10.5V7.5a3.5 3.5 0 '
        '0 1 7 0v3"/><path d="M12 14.5v2"/>'
    ),
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4.5 20.5a7.5 7.5 0 0 1 15 0"/>',
    "users": (
        '<circle cx="9" cy="8.5" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M15.5 '
        '5.2a3.5 3.5 0 0 1 0 6.6"/><path d="M18 14.3a6.5 6.5 0 0 1 3.5 5.7"/>'
    ),
    "clock": '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>',
    "calendar": (
        '<rect x="3.5" y="5" width="17" height="15.5" rx="2"/><path d="M3.5 10h17"/><path '
        'd="M8 3v4"/><path d="M16 3v4"/>'
    ),
    "bell": '<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z"/><path d="M10 21h4"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "x": '<path d="M6.5 6.5l11 11"/><path d="M17.5 6.5l-11 11"/>',
    "search": '<circle cx="11" cy="11" r="6.5"/><path d="m16 16 4.5 4.5"/>',
    "plus": '<path d="M12 5v14"/><path d="M5 12h14"/>',
    "inbox": (
        '<path d="M3.5 13.5 6 5.5h12l2.5 8v5a1.5 1.5 0 0 1-1.5 1.5H5a1.5 1.5 0 0 '
        '1-1.5-1.5z"/><path d="M3.5 13.5h5l1.5 2.5h4l1.5-2.5h5"/>'
    ),
    "arrow-right": '<path d="M5 12h14"/><path d="m13 6 6 6-6 6"/>',
    "arrow-left": '<path d="M19 12H5"/><path d="m11 6-6 6 6 6"/>',
    "download": '<path d="M12 4v11"/><path d="m7 10 5 5 5-5"/><path d="M5 20h14"/>',
    "star": (
        '<path d="M12 3.7 14.4 9.6l6.3.5-4.8 4.1 1.5 6.1L12 17l-5.4 3.3 1.5-6.1-4.8-4.1 6.3-.5z"/>'
    ),
    "star-filled": (
        '<path fill="currentColor" d="M12 3.7 14.4 9.6l6.3.5-4.8 4.1 1.5 6.1L12 17l-5.4 3.3 '
        '1.5-6.1-4.8-4.1 6.3-.5z"/>'
    ),
    "logout": (
        '<path d="M9.5 20.5H6a2 2 0 0 1-2-2v-13a2 2 0 0 1 2-2h3.5"/><path d="m15.5 16.5 '
        '4.5-4.5-4.5-4.5"/><path d="M20 12H9.5"/>'
    ),
    "settings": (
        '<path d="M10.4 5.2L10.7 2.9L13.3 2.9L13.6 5.2L15.7 6.1L17.5 4.7L19.3 6.5L17.9 '
        "8.3L18.8 10.4L21.1 10.7L21.1 13.3L18.8 13.6L17.9 15.7L19.3 17.5L17.5 19.3L15.7 "
        "17.9L13.6 18.8L13.3 21.1L10.7 21.1L10.4 18.8L8.3 17.9L6.5 19.3L4.7 17.5L6.1 15.7L5.2 "
        '13.6L2.9 13.3L2.9 10.7L5.2 10.4L6.1 8.3L4.7 6.5L6.5 4.7L8.3 6.1Z"/><circle cx="12" '
        'cy="12" r="3"/>'
    ),
    "alert": (
        '<path d="M10.3 4.3 2.9 17.5A2 2 0 0 0 4.6 20.5h14.8a2 2 0 0 0 1.7-3L13.7 4.3a2 2 0 0 '
        '0-3.4 0z"/><path d="M12 9.5v4"/><path d="M12 17h.01"/>'
    ),
    "info": '<circle cx="12" cy="12" r="8.5"/><path d="M12 11v5"/><path d="M12 8h.01"/>',
    "check-circle": '<circle cx="12" cy="12" r="8.5"/><path d="m8.5 12.2 2.4 2.4 4.6-4.8"/>',
    "menu": '<path d="M4 7h16"/><path d="M4 12h16"/><path d="M4 17h16"/>',
    "message": (
        '<path d="M4.5 5.5h15a1 1 0 0 1 1 1v9.5a1 1 0 0 1-1 1H10l-4.5 3.5V17h-1a1 1 0 0 '
        '1-1-1V6.5a1 1 0 0 1 1-1z"/>'
    ),
    "chevron-down": '<path d="m6 9 6 6 6-6"/>',
    "mail": '<rect x="3.5" y="5.5" width="17" height="13" rx="2"/><path d="m4 7 8 6 8-6"/>',
    "phone": (
        '<path d="M6.5 3.5h3l1.5 4.5-2.2 1.4a11 11 0 0 0 5.8 5.8l1.4-2.2 4.5 1.5v3a2 2 0 0 1-2 '
        '2A15.5 15.5 0 0 1 4.5 5.5a2 2 0 0 1 2-2z"/>'
    ),
    "file": (
        '<path d="M14 3.5H7a1.5 1.5 0 0 0-1.5 1.5v14A1.5 1.5 0 0 0 7 20.5h10a1.5 1.5 0 0 0 '
        '1.5-1.5V8z"/><path d="M14 3.5V8h4.5"/>'
    ),
    "logo": (
        '<rect x="1" y="1" width="22" height="22" rx="6" fill="currentColor" '
        'stroke="none"/><path class="icon__knockout" stroke-width="2.4" d="M7.5 8h9l-9 8h9"/>'
    ),
    "status-new": '<circle cx="12" cy="12" r="7.5" stroke-dasharray="3.2 2.7"/>',
    "status-open": (
        '<circle cx="12" cy="12" r="7.5"/><path fill="currentColor" stroke="none" d="M12 '
        '7.5a4.5 4.5 0 0 1 0 9z"/>'
    ),
    "status-waiting": '<circle cx="12" cy="12" r="7.5"/><path d="M12 8.5V12l2.2 1.6"/>',
    "status-resolved": '<circle cx="12" cy="12" r="7.5"/><path d="m8.6 12.2 2.3 2.3 4.4-4.6"/>',
    "status-closed": (
        '<circle cx="12" cy="12" r="7.5" fill="currentColor"/><path class="icon__knockout" '
        'd="m8.6 12.2 2.3 2.3 4.4-4.6"/>'
    ),
}

_UNKNOWN = '<circle cx="12" cy="12" r="3"/>'


@lru_cache(maxsize=512)
def icon(name: str, size: int = 16) -> Markup:
    """A decorative (aria-hidden) icon; put a visible or screen-reader text next to it."""
    return Markup(
        '<svg class="icon icon--{name}" width="{size}" height="{size}" viewBox="0 0 24 24" '
        'fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">{paths}</svg>'
    ).format(name=name, size=size, paths=Markup(ICON_PATHS.get(name, _UNKNOWN)))  # noqa: S704 - our own constant markup


def avatar(first_name: object, last_name: object) -> Markup:
    """Initials in a circle, coloured by the name's length. Decorative."""
    first = str(first_name or "").strip()
    last = str(last_name or "").strip()
    initials = (first[:1] + last[:1]).upper() or "?"
    colour = (len(first) + len(last)) % AVATAR_COLOURS
    text = escape(initials)  # escaped here: the markup around it is ours
    html = f'<span class="avatar avatar--c{colour}" aria-hidden="true">{text}</span>'
    return Markup(html)  # noqa: S704


@lru_cache(maxsize=1024)
def _badge(category: str, label: str) -> Markup:
    cat = category if category in CATEGORIES else "neutral"
    text = label or category.capitalize()
    badge_icon = icon(f"status-{cat}", 14)
    # The label is escaped here; the markup around it is ours.
    html = f'<span class="badge badge--{cat}">{badge_icon}<span>{escape(text)}</span></span>'
    return Markup(html)  # noqa: S704


def status_badge(category: object, label: object) -> Markup:
    """A status: its category's colour and icon, with the operators' or the clients' label."""
    return _badge(str(category or ""), str(label or ""))


class NavUser(NamedTuple):
    """What the site navigation shows of the logged-in user (a hashable part of its key)."""

    first_name: str
    last_name: str
    role: str


def nav_user(user: Any) -> NavUser | None:
    if not user:
        return None
    return NavUser(user.first_name or "", user.last_name or "", str(user.role))


# The navigation's sections, by the start of the path under the portal (first match wins).
_SECTIONS = (
    ("tickets/new", "new"),
    ("tickets", "tickets"),
    ("invite", "invite"),
    ("admin", "settings"),
    ("login", "login"),
    ("register", "register"),
)


def nav_section(slug: str, path: str) -> str | None:
    """The navigation entry a page under `/p/{slug}/` belongs to, from its path."""
    base = f"/p/{slug}/"
    if not slug or not path.startswith(base):
        return None
    rest = path[len(base) :]
    return next((section for start, section in _SECTIONS if rest.startswith(start)), None)
