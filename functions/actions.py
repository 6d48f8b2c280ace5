"""The five HTTP actions (CONTRACT §2)."""

import azure.functions as func

bp = func.Blueprint()
