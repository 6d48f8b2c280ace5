"""Intercom's webhooks in: signature, intake, inbox, topic routes, worker."""
