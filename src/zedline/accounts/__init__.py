"""Accounts: the people of a portal and how they get in."""
