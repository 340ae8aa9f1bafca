"""Jinja2 for pages: autoescaped, with filters that show times in the portal's time zone."""

from __future__ import annotations

import gettext
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2 import Template as JinjaTemplate
from jinja2.runtime import Context
from litestar import Request
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from zedline.i18n import DEFAULT as DEFAULT_LANGUAGE
from zedline.i18n import Translatable, translate, translate_all, translations
from zedline_web import ui
from zedline_web.context import PortalInfo, session_actor

TEMPLATES = Path(__file__).parent / "templates"
MINUTE, HOUR, DAY = 60, 3600, 86400

# The language of the page being rendered. Macros imported without context (`{% import
# "_macros.html" as m %}`) do not see the page's `lang`; they translate into this one.
RENDER_LANGUAGE: ContextVar[str] = ContextVar("render_language", default=DEFAULT_LANGUAGE)
FLASHES = "flashes"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(value: datetime | None, tz: str | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(_zone(tz)).strftime(fmt)


Plural = Callable[[gettext.NullTranslations, int], str]
# "3 minutes ago" and "in 3 minutes" for each unit, largest first. Literal calls, so the
# catalog extraction finds every form.
_RELATIVE: tuple[tuple[int, Plural, Plural], ...] = (
    (
        DAY,
        lambda tr, n: tr.ngettext("%(num)d day ago", "%(num)d days ago", n),
        lambda tr, n: tr.ngettext("in %(num)d day", "in %(num)d days", n),
    ),
    (
        HOUR,
        lambda tr, n: tr.ngettext("%(num)d hour ago", "%(num)d hours ago", n),
        lambda tr, n: tr.ngettext("in %(num)d hour", "in %(num)d hours", n),
    ),
    (
        MINUTE,
        lambda tr, n: tr.ngettext("%(num)d minute ago", "%(num)d minutes ago", n),
        lambda tr, n: tr.ngettext("in %(num)d minute", "in %(num)d minutes", n),
    ),
)


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """ "3 minutes ago" / "in 2 days" in the language of the page being rendered."""
    if value is None:
        return ""
    tr = translations(RENDER_LANGUAGE.get())
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    for size, past, future in _RELATIVE:
        if abs(seconds) >= size:
            n = abs(seconds) // size
            return (past if seconds >= 0 else future)(tr, n) % {"num": n}
    return tr.gettext("just now")


def filesize(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":  # noqa: PLR2004
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


def sentence(text: object) -> str:
    """A message as a sentence: first letter upper-case, the rest untouched."""
    value = str(text or "")
    return value[:1].upper() + value[1:]


def sentences(messages: dict[str, str]) -> dict[str, str]:
    """Every message of a field -> message mapping as a sentence."""
    return {key: sentence(text) for key, text in messages.items()}


def _language(ctx: Context) -> str:
    # A page without `lang` of its own (an error page) speaks its portal's language.
    return str(ctx.get("lang") or RENDER_LANGUAGE.get())


class LanguageTemplate(JinjaTemplate):
    """A template that lets everything it calls (imported macros too) know the page's language."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        values = dict(*args, **kwargs)
        key = values.pop(KEPT_PAGE, None)
        kept: KeptHtml | None = self.environment.globals.get("kept_pages")  # type: ignore[assignment]
        if key is not None and kept is not None:
            found = kept.lookup(key)
            if found is not None:
                return str(found)
        portal = values.get("portal")
        lang = values.get("lang") or getattr(portal, "language", None) or DEFAULT_LANGUAGE
        token = RENDER_LANGUAGE.set(str(lang))
        try:
            html = super().render(values)
        finally:
            RENDER_LANGUAGE.reset(token)
        if key is not None and kept is not None:
            kept.keep(key, Markup(html))  # noqa: S704 - an autoescaped template's output
        return html


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    return translations(_language(ctx)).gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return translations(_language(ctx)).ngettext(singular, plural, n)


@pass_context
def _pgettext(ctx: Context, context: str, message: str) -> str:
    return translations(_language(ctx)).pgettext(context, message)


@pass_context
def _npgettext(ctx: Context, context: str, singular: str, plural: str, n: int) -> str:
    return translations(_language(ctx)).npgettext(context, singular, plural, n)


@pass_context
def _marked(ctx: Context, value: object) -> object:
    """A value that may be a message marked for translation (an answer "Yes"): translated if
    it is one; anything else (what a person typed) is shown exactly as it is."""
    return translate(_language(ctx), value) if isinstance(value, Translatable) else value


@pass_context
def _translated(ctx: Context, text: object) -> str:
    """A message made elsewhere (a flash, an error; marked with `N_`, values and all) in the
    page's language, as plain text: unlike `_()`, the result is still escaped when shown."""
    return translate(_language(ctx), text)


def translator(lang: str) -> Callable[..., str]:
    """`_` for Python code: `_("Saved %(name)s.", name=x)` in `lang`, placeholders filled."""

    def _(message: str, **values: object) -> str:
        text = translations(lang).gettext(message)
        return text % values if values else text

    return _


# Rendered rows kept per process (about 1.5 KB each): enough for the active tickets of the
# portals a process serves, small next to the 200 MB a worker may use.
FRAGMENTS_KEPT = 4096


def _fragments(env: Environment) -> Callable[..., Markup]:
    """`fragment(template, row, **values)`: `template` rendered with `row` and `values`, kept
    for the next page that shows the same row the same way.

    A journal shows the same fifty rows to every operator many times a minute, and rendering
    a row costs more than reading it. The key is everything the fragment may show: the
    template, the page's language, the row (an immutable value: a changed ticket is a new
    key) and the values, which must be plain and hashable (pass "3 minutes ago", not "now")."""

    @lru_cache(maxsize=FRAGMENTS_KEPT)
    def rendered(
        name: str, lang: str, row: Hashable, values: tuple[tuple[str, Any], ...]
    ) -> Markup:
        html = env.get_template(name).render(row=row, lang=lang, **dict(values))
        return Markup(html)  # noqa: S704 - an autoescaped template's output

    @pass_context
    def fragment(ctx: Context, name: str, row: Hashable, **values: Any) -> Markup:
        return rendered(name, _language(ctx), row, tuple(sorted(values.items())))

    return fragment


# Whole page bodies kept per process (a journal's is about 60 KB): few, since each is large.
BODIES_KEPT = 128


class KeptHtml:
    """Rendered HTML kept per process by key, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()  # searches render in worker threads

    def lookup(self, key: Hashable) -> Markup | None:
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
            return html

    def keep(self, key: Hashable, html: Markup) -> None:
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


class KeptBodies(KeptHtml):
    """Page bodies rendered once and kept, keyed by everything they show (see `body`)."""

    def __init__(self, env: Environment, size: int = BODIES_KEPT) -> None:
        super().__init__(size)
        self._env = env

    def body(
        self,
        name: str,
        lang: str,
        shown: Mapping[str, Hashable],
        *,
        keep: bool = True,
        **derived: Any,
    ) -> Markup:
        """`name` rendered with `shown` and `derived`, or the same HTML kept from before.

        The key is the template, the language and `shown`, which must hold everything the
        body shows, as plain hashable values (rows, counts, "3 minutes ago" texts, never
        "now"); `derived` are helpers computed from `shown` alone (a link maker), passed to
        the template but not compared. The database is still read for every page: what is
        kept is only the rendering of what it returned, so a changed row is a new key.
        `keep=False` renders without looking or keeping (a form sent back with what was
        typed)."""
        key = (name, lang, tuple(shown.items()))
        html = self.lookup(key) if keep else None
        if html is not None:
            return html
        html = Markup(  # noqa: S704 - an autoescaped template's output
            self._env.get_template(name).render(lang=lang, **shown, **derived)
        )
        if keep:
            self.keep(key, html)
        return html


# Whole pages kept per process: those whose body is kept (`render`), with their layout.
PAGES_KEPT = 128
# The context key that carries a page's key for `LanguageTemplate.render`.
KEPT_PAGE = "_kept_page"


def relative_times(
    lang: str, values: tuple[datetime | None, ...], now: datetime
) -> tuple[str, ...]:
    """`relative_time` of each value in `lang`, outside a template."""
    token = RENDER_LANGUAGE.set(lang)
    try:
        return tuple(relative_time(v, now) for v in values)
    finally:
        RENDER_LANGUAGE.reset(token)


def kept_body(
    request: Request[Any, Any, Any],
    name: str,
    lang: str,
    shown: Mapping[str, Hashable],
    *,
    keep: bool = True,
    **derived: Any,
) -> Markup:
    """`KeptBodies.body` of the application's template environment."""
    engine = request.app.template_engine
    if engine is None:  # pragma: no cover - create_app always configures one
        raise RuntimeError("the application has no template engine")
    env: Environment = engine.engine
    kept: KeptBodies = env.globals["kept_bodies"]  # type: ignore[assignment]
    return kept.body(name, lang, shown, keep=keep, **derived)


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The CSRF token the page's forms carry."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.template_class = LanguageTemplate
    # `_()` and {% trans %} translate into the language in the page's context (the portal's);
    # `pgettext("requests", "Active")` where a word reads differently in another place.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    env.globals["ui"] = ui
    env.filters["localtime"] = local_time
    env.filters["ago"] = relative_time
    env.globals["fragment"] = _fragments(env)
    env.globals["kept_bodies"] = KeptBodies(env)
    env.globals["kept_pages"] = KeptHtml(PAGES_KEPT)
    env.filters["filesize"] = filesize
    env.filters["sentence"] = sentence
    env.filters["translated"] = _translated
    env.filters["marked"] = _marked
    env.filters["sentences"] = sentences
    return env


def flash(request: Request[Any, Any, Any], kind: str, text: str) -> None:
    """Queue a one-line message for the next page this user sees ("success", "error", "info").

    `text` is a msgid (`N_("Status changed.")`), translated when the page is rendered, or a
    text already in the portal's language. A marked message with values is stored as its
    (English) text: the session keeps plain strings only, so translate such a message first
    (`translate(portal.language, message)`)."""
    if isinstance(text, Translatable):
        text = str(text)  # a plain str: the session codec knows no subclasses
    flashes = list(request.session.get(FLASHES, []))
    flashes.append([kind, text])
    request.session[FLASHES] = flashes[-5:]


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    portal: PortalInfo | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A page with the context every page has: portal, user, csrf_token, flashes.

    The flashes and the messages of a form (`errors`, field -> message) are shown in the
    portal's language, whether they come as msgids, marked messages or translated already."""
    lang = portal.language if portal else DEFAULT_LANGUAGE
    flashes: list[Any] = []
    if "session" in request.scope and request.session.get(FLASHES):
        flashes = [(kind, translate(lang, text)) for kind, text in request.session.pop(FLASHES)]
    errors = context.get("errors")
    if isinstance(errors, Mapping) and errors:
        context["errors"] = translate_all(lang, errors)
    base: dict[str, Any] = {
        "portal": portal,
        "user": session_actor(request, portal) if portal is not None else None,
        "csrf_token": csrf_token(request),
        "flashes": flashes,
        "live_url": None,
        "now": datetime.now(UTC),
        "tz": portal.timezone if portal else "UTC",
        "lang": lang,
    }
    base.update(context)
    key = _page_key(request, template, status_code, base, context)
    if key is not None:
        base[KEPT_PAGE] = key
    return Template(template, context=base, status_code=status_code)


def _page_key(
    request: Request[Any, Any, Any],
    template: str,
    status_code: int,
    base: Mapping[str, Any],
    context: Mapping[str, Any],
) -> Hashable | None:
    """The key a page is kept whole under, or None when it is rendered afresh.

    Only a page whose body is kept (`kept_body`, passed as `body`) is kept, and only when it
    shows no flash, no form errors and no guided tour. The key is everything the layout
    shows besides that body: the template, the status, the language, the portal, the
    navigation's user, the CSRF token, the path and the page's own values; so a template
    kept this way may show nothing else (never `now`)."""
    user = base["user"]
    if (
        not isinstance(context.get("body"), Markup)
        or base["flashes"]
        or context.get("errors")
        or (user is not None and not user.tour_done)
    ):
        return None
    shown_user = (
        None
        if user is None
        else (user.id, user.first_name, user.last_name, str(user.role), user.tour_done)
    )
    try:
        return _HashedKey((
            template, status_code, base["lang"], base["portal"], shown_user,
            base["csrf_token"], request.scope["path"], tuple(sorted(context.items())),
        ))  # fmt: skip
    except TypeError:  # a value that cannot be a key: the page is rendered afresh
        return None


class _HashedKey:
    """A page's key with its hash computed once: it holds the page's rows, and is looked up
    and kept on every request."""

    __slots__ = ("_hash", "key")

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key
        self._hash = hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _HashedKey) and self._hash == other._hash and self.key == other.key
