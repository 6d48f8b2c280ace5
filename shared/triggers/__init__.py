"""Intercom -> one durable, exactly-once log per trigger: the registry, rules, bodies, the event log, the poll."""
