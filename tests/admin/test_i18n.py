"""Pages and e-mails speak the portal's language through Babel catalogs."""

from jinja2 import DictLoader

from zedline.i18n import translations
from zedline_web.templating import make_environment


def test_russian_catalog_translates():
    assert translations("ru").gettext("Log in") == "Войти"


def test_unknown_language_falls_back_to_english():
    assert translations("xx").gettext("Log in") == "Log in"


def test_templates_translate_into_the_page_language():
    env = make_environment()
    env.loader = DictLoader({"t.html": "{{ _('Log in') }}|{% trans %}Register{% endtrans %}"})
    assert env.get_template("t.html").render(lang="ru") == "Войти|Зарегистрироваться"


def test_templates_escape_translated_placeholders():
    env = make_environment()
    env.loader = DictLoader({"t.html": "{{ _('Hello %(name)s', name=who) }}"})
    assert env.get_template("t.html").render(lang="en", who="<b>") == "Hello &lt;b&gt;"
