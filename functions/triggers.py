"""The four trigger timers, the polling-trigger endpoint and the webhook subscriptions (CONTRACT §4)."""

import azure.functions as func

bp = func.Blueprint()
