"""The trigger-API tests use the webhook tests' fixtures: settings on Azurite and a real HTTP receiver."""

from tests.webhooks.conftest import receiver, settings

__all__ = ["receiver", "settings"]
