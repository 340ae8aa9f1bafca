"""The browser fixtures (live server, Chromium, screenshot folder) for the Russian screens."""

from tests.browser.conftest import (  # noqa: F401 - fixtures used by name
    browser,
    live_server,
    mailbox,
    server_port,
    shots,
    zl,
)
