from __future__ import annotations

from datetime import timedelta

import pytest

from shared.errors import BadRequest
from shared.intercom.throttle import MAX_CALLS
from shared.settings import MAX_THROTTLE_CALLS, SettingsError, load_settings

BASE = {"INTERCOM_ACCESS_TOKEN": "tok-default-secret"}


def test_defaults() -> None:
    s = load_settings(BASE)
    conn = s.connection(None)
    assert conn.name == "default"
    assert conn.base_url == "https://api.intercom.io"
    assert conn.api_version == "2.16"
    assert (s.throttle_calls, s.throttle_period_seconds) == (100, 60.0)
    assert s.poll_schedule == "0 */2 * * * *"
    assert s.trigger_start == timedelta(0)


def test_more_connections_and_lookup() -> None:
    env = {
        **BASE,
        "INTERCOM_CONNECTIONS": "eu, Acme",
        "INTERCOM_ACCESS_TOKEN__eu": "tok-eu",
        "INTERCOM_BASE_URL__eu": "https://api.eu.intercom.io/",
        "INTERCOM_ACCESS_TOKEN__Acme": "tok-acme",
    }
    s = load_settings(env)
    assert s.connection("EU").base_url == "https://api.eu.intercom.io"
    assert s.connection("acme").access_token.get_secret_value() == "tok-acme"
    with pytest.raises(BadRequest) as err:
        s.connection("nope")
    assert err.value.details[0]["field"] == "X-Intercom-Connection"


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "INTERCOM_ACCESS_TOKEN"),
        ({**BASE, "INTERCOM_CONNECTIONS": "eu"}, "INTERCOM_ACCESS_TOKEN__eu"),
        ({**BASE, "INTERCOM_CONNECTIONS": "bad-name"}, "INTERCOM_CONNECTIONS"),
        ({**BASE, "INTERCOM_BASE_URL": "ftp://x"}, "INTERCOM_BASE_URL"),
        ({**BASE, "INTERCOM_API_VERSION": "9.9"}, "INTERCOM_API_VERSION"),
        ({**BASE, "THROTTLE_CALLS": "ten"}, "THROTTLE_CALLS"),
        ({**BASE, "THROTTLE_CALLS": "0"}, "THROTTLE_CALLS"),
        ({**BASE, "THROTTLE_CALLS": "1501"}, "THROTTLE_CALLS"),  # TableLimiter refuses more: every action was a 500
        ({**BASE, "THROTTLE_PERIOD_SECONDS": "nan"}, "THROTTLE_PERIOD_SECONDS"),
        ({**BASE, "THROTTLE_PERIOD_SECONDS": "inf"}, "THROTTLE_PERIOD_SECONDS"),
        ({**BASE, "EVENT_RETENTION_DAYS": "1e9"}, "EVENT_RETENTION_DAYS"),
        ({**BASE, "THROTTLE_PERIOD_SECONDS": "-1"}, "THROTTLE_PERIOD_SECONDS"),
        ({**BASE, "POLL_SCHEDULE": "*/5 * * * *"}, "POLL_SCHEDULE"),
        ({**BASE, "TRIGGER_START": "yesterday"}, "TRIGGER_START"),
        ({**BASE, "WEBHOOK_ALLOW_LOOPBACK": "maybe"}, "WEBHOOK_ALLOW_LOOPBACK"),
        ({"INTERCOM_ACCESS_TOKEN": "@Microsoft.KeyVault(SecretUri=https://v/secrets/t/)"}, "INTERCOM_ACCESS_TOKEN"),
        (
            {**BASE, "INTERCOM_CLIENT_SECRET": "@Microsoft.KeyVault(SecretUri=https://v/secrets/c/)"},
            "INTERCOM_CLIENT_SECRET",
        ),
    ],
)
def test_bad_setting_is_named(env: dict[str, str], setting: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(env)
    assert err.value.setting == setting
    assert setting in str(err.value)


def test_client_secrets_per_connection_never_printed() -> None:
    env = {
        **BASE,
        "INTERCOM_CLIENT_SECRET": "cs-default-0123",
        "INTERCOM_CONNECTIONS": "eu,us",
        "INTERCOM_ACCESS_TOKEN__eu": "tok-eu",
        "INTERCOM_CLIENT_SECRET__eu": " cs-eu-0123 ",
        "INTERCOM_ACCESS_TOKEN__us": "tok-us",
    }
    s = load_settings(env)
    secrets = {name: c.client_secret for name, c in s.connections.items()}
    assert secrets["default"] is not None
    assert secrets["default"].get_secret_value() == "cs-default-0123"
    assert secrets["eu"] is not None
    assert secrets["eu"].get_secret_value() == "cs-eu-0123"
    assert secrets["us"] is None  # no secret: this connection takes no notifications
    assert "cs-" not in repr(s)
    assert "cs-" not in repr(s.connections["eu"])


def test_empty_trigger_start_is_now() -> None:
    assert load_settings({**BASE, "TRIGGER_START": " "}).trigger_start == timedelta(0)


def test_trigger_start_duration() -> None:
    assert load_settings({**BASE, "TRIGGER_START": "P1DT2H"}).trigger_start == timedelta(days=1, hours=2)


def test_token_never_prints() -> None:
    s = load_settings({**BASE, "INTERCOM_ACCESS_TOKEN": "very-secret-token"})
    for text in (repr(s), str(s), repr(s.connection(None)), str(s.connection(None).access_token)):
        assert "very-secret-token" not in text


def test_throttle_calls_bound_is_the_limiters() -> None:
    """THROTTLE_CALLS is refused above what TableLimiter takes (it raised ValueError on every action: a 500)."""
    assert MAX_THROTTLE_CALLS == MAX_CALLS
    assert load_settings({**BASE, "THROTTLE_CALLS": str(MAX_CALLS)}).throttle_calls == MAX_CALLS
