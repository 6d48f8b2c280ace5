"""The connector's shapes and their mapping from Intercom's JSON (no I/O)."""
