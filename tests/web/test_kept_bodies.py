"""Page bodies rendered once per set of values shown (`KeptBodies`): the same values give the
same HTML without rendering again; anything that changes what a body shows gives a fresh one
(tests/web/tickets/test_kept_pages.py: and a page never shows a body kept before its data
changed)."""

from __future__ import annotations

import pytest

from zedline_web.templating import KeptBodies, make_environment

BODY = "tickets/_kept_test.html"


@pytest.fixture
def renders(monkeypatch):
    """A KeptBodies over a one-line template; the list counts its renderings."""
    env = make_environment()
    template = env.from_string("<p>{{ greeting }}, {{ name }}{{ suffix|default('') }}</p>")
    count: list[int] = []
    real = template.render

    def counted(*args, **kwargs):
        count.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(template, "render", counted)
    monkeypatch.setattr(env, "get_template", lambda name: template)
    return KeptBodies(env, size=2), count


def test_the_same_values_are_rendered_once(renders):
    kept, count = renders
    first = kept.body(BODY, "en", {"greeting": "Hello", "name": "<Ann>"}, suffix="!")
    again = kept.body(BODY, "en", {"greeting": "Hello", "name": "<Ann>"}, suffix="!")
    assert (again, len(count)) == (first, 1)


def test_the_body_is_escaped(renders):
    kept, _ = renders
    assert "&lt;Ann&gt;" in kept.body(BODY, "en", {"greeting": "Hello", "name": "<Ann>"})


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("ru", {"greeting": "Hello", "name": "Ann"}), ("en", {"greeting": "Hi", "name": "Ann"})],
)
def test_another_language_or_value_is_rendered_afresh(renders, lang, shown):
    kept, count = renders
    kept.body(BODY, "en", {"greeting": "Hello", "name": "Ann"})
    kept.body(BODY, lang, shown)
    assert len(count) == 2


def test_a_body_not_to_keep_is_rendered_every_time(renders):
    kept, count = renders
    for _ in range(2):
        kept.body(BODY, "en", {"greeting": "Hello", "name": "Ann"}, keep=False)
    kept.body(BODY, "en", {"greeting": "Hello", "name": "Ann"})
    assert len(count) == 3


def test_the_oldest_body_makes_room(renders):
    kept, count = renders
    for name in ("Ann", "Bob", "Cid", "Ann"):
        kept.body(BODY, "en", {"greeting": "Hello", "name": name})
    assert len(count) == 4
