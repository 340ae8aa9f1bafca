"""The web adapter of ZEDLine Support: Litestar routes, Jinja2 pages, the JSON API."""
