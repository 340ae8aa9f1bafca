"""The styleguide page renders every UI component, and user text stays escaped.

Independent of the application: only jinja2, the template files and the markup helpers
they call (`zedline_web.ui`) are used.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from zedline_web import ui

TEMPLATES = Path(__file__).parents[2] / "src/zedline_web/templates"
STATIC = Path(__file__).parents[2] / "src/zedline_web/static"

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    bare = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    bare.globals["ui"] = ui
    return bare


@pytest.fixture(scope="module")
def page(env: jinja2.Environment) -> str:
    return env.get_template("_styleguide.html").render(
        portal=SimpleNamespace(name="Acme Support", slug="acme"),
        user=SimpleNamespace(first_name=EVIL, last_name="Okafor", role="admin"),
        csrf_token="tok-123",
        flashes=[("success", "Saved."), ("error", EVIL)],
        live_url="/p/acme/events",
        sg_user_text=EVIL,
    )


def macros(env: jinja2.Environment):
    return env.get_template("_macros.html").make_module()


# ── the page ────────────────────────────────────────────────────────────────


def test_styleguide_renders_without_any_context(env: jinja2.Environment) -> None:
    html = env.get_template("_styleguide.html").render()
    assert '<main id="main"' in html
    assert "Skip to main content" in html


@pytest.mark.parametrize("role", ["admin", "operator", "client", None])
def test_styleguide_renders_with_strict_undefined(role: str | None) -> None:
    # The app renders pages with StrictUndefined and trimmed blocks: no variable may be
    # read without a guard.
    strict = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    strict.globals["ui"] = ui
    user = SimpleNamespace(first_name="Sam", last_name="Okafor", role=role) if role else None
    html = strict.get_template("_styleguide.html").render(
        portal=SimpleNamespace(name="Acme", slug="acme"), user=user, csrf_token="t"
    )
    assert "</html>" in html
    assert strict.get_template("_styleguide.html").render()


@pytest.mark.parametrize(
    "needle",
    [
        # layout contract
        '<link rel="stylesheet" href="/static/zedline.css">',
        '<script defer src="/static/zedline.js"></script>',
        'class="skip-link" href="#main"',
        '<main id="main"',
        'data-live-url="/p/acme/events"',
        'href="/p/acme/"',
        # admin navigation + logout form with csrf
        'href="/p/acme/tickets"',
        'href="/p/acme/invite"',
        'href="/p/acme/admin/"',
        'action="/p/acme/logout"',
        '<input type="hidden" name="_csrf_token" value="tok-123">',
        'class="mobile-menu"',
        # flashes
        "alert alert--success",
        "alert alert--error",
        # components
        "btn btn--primary",
        "btn btn--secondary",
        "btn btn--danger",
        "btn btn--ghost",
        "btn--sm",
        'class="card"',
        "errors-summary",
        'class="journal"',
        "is-unread",
        "unread-dot",
        "deadline is-overdue",
        'class="filter-bar"',
        'class="chips',
        'class="search"',
        'class="tabs"',
        'class="conversation"',
        "message message--client",
        "message message--staff message--internal",
        "message__internal",
        'class="timeline"',
        'class="props"',
        "client-card",
        'class="composer"',
        'class="composer is-internal"',
        'name="visibility" value="public"',
        'name="visibility" value="internal"',
        "Internal note — the client will not see this",
        'type="file"',
        "icon--paperclip",
        'class="toast',
        "empty-state",
        'class="pagination"',
        "auth-card",
        "rating-input",
        "segmented",
        # every status category
        "badge badge--new",
        "badge badge--open",
        "badge badge--waiting",
        "badge badge--resolved",
        "badge badge--closed",
    ],
)
def test_styleguide_shows_component(page: str, needle: str) -> None:
    assert needle in page


def test_styleguide_shows_every_field_kind(page: str) -> None:
    for kind in (
        "text",
        "textarea",
        "number",
        "date",
        "select",
        "multiselect",
        "checkbox",
        "email",
        "phone",
    ):
        assert f"field field--{kind}" in page, kind
    assert 'type="number" step="any"' in page
    assert 'type="date"' in page
    assert 'type="email"' in page
    assert 'type="tel"' in page
    assert '<option value="">Choose…</option>' in page
    assert "<textarea" in page
    assert 'rows="5"' in page


def test_user_text_is_escaped_on_the_page(page: str) -> None:
    assert EVIL not in page
    assert EVIL_ESCAPED in page


def test_static_files_exist() -> None:
    css = (STATIC / "zedline.css").read_text(encoding="utf-8")
    js = (STATIC / "zedline.js").read_text(encoding="utf-8")
    assert "prefers-color-scheme: dark" in css
    assert ".is-internal" in css
    features = (
        "data-confirm",
        "data-live-url",
        "data-live-region",
        "EventSource",
        "DOMParser",
        "zedline:updated",
        "is-internal",
    )
    for feature in features:
        assert feature in js, feature


# ── macros ──────────────────────────────────────────────────────────────────


def test_macros_escape_user_text(env: jinja2.Environment) -> None:
    m = macros(env)
    outputs = [
        str(m.status_badge("open", EVIL)),
        str(m.empty_state(EVIL, EVIL, "/x", EVIL)),
        str(m.input("q", EVIL, EVIL)),
        str(m.errors_summary({"f_a": EVIL})),
        str(m.alert("info", EVIL)),
        str(m.deadline(EVIL, True)),
        str(m.csrf(EVIL)),
    ]
    for out in outputs:
        assert EVIL not in out
        assert "&lt;script&gt;" in out
    avatar = str(m.avatar("<b>", "x"))
    assert "<b>" not in avatar
    assert "&lt;X" in avatar


def test_field_escapes_and_keeps_values(env: jinja2.Environment) -> None:
    m = macros(env)
    f = SimpleNamespace(
        key="subject", label=EVIL, kind="text", required=True, options=[], help_text=EVIL
    )
    out = str(m.field(f, EVIL, EVIL))
    assert EVIL not in out
    assert 'name="f_subject"' in out
    assert f'value="{EVIL_ESCAPED}"' in out
    assert 'aria-invalid="true"' in out
    assert 'aria-describedby="f_subject-help f_subject-error"' in out
    assert 'id="f_subject-error"' in out
    assert " required" in out


def test_field_kinds(env: jinja2.Environment) -> None:
    m = macros(env)

    def fd(kind: str, options: list[str] | None = None, required: bool = False):
        return SimpleNamespace(
            key="k", label="L", kind=kind, required=required, options=options or [], help_text=""
        )

    multi = str(m.field(fd("multiselect", ["A", "B", "C"]), ["A", "C"]))
    assert "<fieldset" in multi
    assert multi.count('name="f_k"') == 3
    assert multi.count("checked") == 2

    select = str(m.field(fd("select", ["A", "B"]), "B"))
    assert '<option value="B" selected>' in select
    assert '<option value="">Choose…</option>' in select

    assert "checked" in str(m.field(fd("checkbox"), "on"))
    assert "checked" not in str(m.field(fd("checkbox"), None))
    assert 'value="on"' in str(m.field(fd("checkbox")))
    assert 'type="tel"' in str(m.field(fd("phone")))
    assert 'type="number" step="any"' in str(m.field(fd("number"), "3"))
    assert 'rows="5"' in str(m.field(fd("textarea"), "x"))
    # unknown kinds fall back to a text input
    assert 'type="text"' in str(m.field(fd("nonsense")))


def test_password_is_never_echoed(env: jinja2.Environment) -> None:
    out = str(macros(env).input("password", "Password", "hunter2", type="password"))
    assert "hunter2" not in out


def test_empty_helpers_render_nothing(env: jinja2.Environment) -> None:
    m = macros(env)
    assert str(m.errors_summary({})).strip() == ""
    assert str(m.errors_summary(None)).strip() == ""
    assert str(m.pagination()).strip() == ""


def test_rating_and_avatar(env: jinja2.Environment) -> None:
    m = macros(env)
    stars = str(m.rating_stars(3))
    assert stars.count("icon--star-filled") == 3
    assert stars.count('icon--star"') == 2
    assert 'aria-label="3 out of 5 stars"' in stars
    assert "Not rated" in str(m.rating_stars(None))
    # deterministic colour: (len("Maria") + len("Keller")) % 6 == 5
    assert "avatar--c5" in str(m.avatar("Maria", "Keller"))
    assert ">MK<" in str(m.avatar("Maria", "Keller"))


def test_navigation_by_role(env: jinja2.Environment) -> None:
    m = macros(env)
    portal = SimpleNamespace(name="Acme", slug="acme")

    def nav(role: str | None) -> str:
        user = SimpleNamespace(first_name="A", last_name="B", role=role) if role else None
        return str(m.site_nav(portal, user, "tok"))

    client = nav("client")
    assert "My requests" in client
    assert "/p/acme/tickets/new" in client
    assert "Journal" not in client
    operator = nav("operator")
    assert "Journal" in operator
    assert "Invite client" in operator
    assert "Settings" not in operator
    admin = nav("admin")
    assert "Settings" in admin
    assert "/p/acme/admin/" in admin
    guest = nav(None)
    assert "/p/acme/login" in guest
    assert "/p/acme/register" in guest
    assert "logout" not in guest
