"""The polling-trigger endpoint and the webhook subscriptions of the four triggers (CONTRACT §4)."""

import azure.functions as func

bp = func.Blueprint()
