"""Tickets: requests, their conversation, history, files and reminders."""
