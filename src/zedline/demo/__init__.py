"""Realistic demo data: `generate()` fills demo portals fast, `ensure_demo_portal()` makes the
small one behind `zedline serve --demo`."""

from zedline.demo.generator import (
    DEMO_PASSWORD,
    DEMO_SLUG,
    SMALL_PORTAL_TICKETS,
    DemoLogins,
    DemoSummary,
    PortalSummary,
    default_clients,
    default_operators,
    ensure_demo_portal,
    generate,
    logins_for,
    portal_slugs,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SLUG",
    "SMALL_PORTAL_TICKETS",
    "DemoLogins",
    "DemoSummary",
    "PortalSummary",
    "default_clients",
    "default_operators",
    "ensure_demo_portal",
    "generate",
    "logins_for",
    "portal_slugs",
]
