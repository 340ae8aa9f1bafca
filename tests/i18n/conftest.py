"""The web fixtures (app, web client, mailbox, login) for the translation tests."""

from tests.web.conftest import (  # noqa: F401 - fixtures used by name
    app,
    csrf,
    login,
    mail_collector,
    mailbox,
    post_form,
    web,
    zl,
)
