"""Notifications: e-mail (and webhooks) through a transactional outbox."""
