"""Portals: the tenants of the platform."""
