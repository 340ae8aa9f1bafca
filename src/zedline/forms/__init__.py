"""Request forms: the fields a portal asks for when a ticket is opened."""
