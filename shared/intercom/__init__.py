"""The Intercom client: budget, request, retry. Import from the modules (client, errors, deadline) directly.

This package imports nothing at load time on purpose: shared.intercom.throttle imports shared.intercom.errors, and
shared.intercom.client imports shared.intercom.throttle, so an eager import here would be circular.
"""
