"""SSRF checks of callback URLs: IP literals and `localhost` only (no DNS traffic leaves the machine); a stand-in
resolver plays a public name that resolves to whatever a test needs."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from shared.consumers.callbacks import CheckedUrl, blocked_reason, check_callback, redacted
from shared.errors import BadRequest

PUBLIC_V4 = "203.0.114.10"  # outside every special-purpose range
PUBLIC_V6 = "2606:4700:4700::1111"


def resolver_for(*addresses: str) -> object:
    def resolve(host: str, port: int) -> Sequence[tuple[object, object, object, object, tuple[object, ...]]]:
        if host.endswith(".invalid"):
            raise OSError("Name or service not known")
        return [(0, 0, 0, "", (a, port)) for a in addresses]

    return resolve


def check(url: object, *, allow_loopback: bool = False, resolves_to: Sequence[str] = (PUBLIC_V4,)) -> CheckedUrl:
    return check_callback(url, allow_loopback=allow_loopback, resolver=resolver_for(*resolves_to))  # type: ignore[arg-type]


def rejected(url: object, **kwargs: object) -> str:
    with pytest.raises(BadRequest) as err:
        check(url, **kwargs)  # type: ignore[arg-type]
    assert err.value.status == 400
    assert err.value.details[0]["field"] == "callbackUrl"
    return str(err.value.details[0]["message"])


REJECTED_LITERALS = [
    "https://10.0.0.1/hook",
    "https://10.255.255.255/hook",
    "https://172.16.0.1/hook",
    "https://172.31.255.254/hook",
    "https://192.168.1.1/hook",
    "https://127.0.0.1/hook",
    "https://127.8.9.10/hook",
    "https://0.0.0.0/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://169.254.1.1/hook",
    "https://168.63.129.16/machine",
    "https://100.64.0.1/hook",
    "https://100.100.100.200/hook",
    "https://224.0.0.1/hook",
    "https://239.255.255.250/hook",
    "https://240.0.0.1/hook",
    "https://255.255.255.255/hook",
    "https://192.0.2.1/hook",
    "https://198.18.0.1/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[fc00::1]/hook",
    "https://[fd00:ec2::254]/hook",
    "https://[fe80::1]/hook",
    "https://[ff02::1]/hook",
    "https://[2001:db8::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",
    "https://[2002:a00:1::1]/hook",
]


@pytest.mark.parametrize("url", REJECTED_LITERALS)
def test_non_public_literals_are_rejected(url: str) -> None:
    assert "forbidden address" in rejected(url)


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "127.1", "017700000001", "localhost", "LOCALHOST"],
)
def test_other_spellings_of_loopback_are_rejected(host: str) -> None:
    # the real resolver (no DNS traffic: numeric forms and /etc/hosts); what counts is where the name leads
    with pytest.raises(BadRequest) as err:
        check_callback(f"https://{host}/hook", allow_loopback=False)
    assert err.value.details[0]["field"] == "callbackUrl"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://hooks.example.com/x", "https"),
        ("ftp://hooks.example.com/x", "https"),
        ("file:///etc/passwd", "https"),
        ("gopher://hooks.example.com/", "https"),
        ("//hooks.example.com/x", "https"),
        ("hooks.example.com/x", "https"),
        ("https://user:pw@hooks.example.com/x", "user info"),
        ("https://user@hooks.example.com/x", "user info"),
        ("https://hooks.example.com:22/x", "port"),
        ("https://hooks.example.com:80/x", "port"),
        ("https://hooks.example.com:0/x", "port"),
        ("https://hooks.example.com:99999/x", "valid host and port"),
        ("https://hooks.example.com:abc/x", "valid host and port"),
        ("https:///x", "host"),
        ("https://hooks.example.com/a b", "whitespace"),
        ("https://hooks.example.com/\x00", "control"),
        ("https://hooks.example.com/" + "a" * 2100, "2048"),
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        (42, "required"),
        ("https://nowhere.invalid/x", "does not resolve"),
    ],
)
def test_malformed_urls_are_rejected(url: object, fragment: str) -> None:
    assert fragment in rejected(url)


def test_a_public_name_resolving_to_a_private_address_is_rejected() -> None:
    assert "10.1.2.3" in rejected("https://hooks.example.com/x", resolves_to=["10.1.2.3"])


def test_one_private_address_among_public_ones_is_enough_to_reject() -> None:
    rejected("https://hooks.example.com/x", resolves_to=[PUBLIC_V4, "169.254.169.254"])
    rejected("https://hooks.example.com/x", resolves_to=[PUBLIC_V6, "fd00:ec2::254"])


def test_public_https_urls_are_accepted() -> None:
    checked = check("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/t/run?sig=s3cret")
    assert checked.addresses == (ipaddress.ip_address(PUBLIC_V4),)
    assert checked.host == "prod-12.westeurope.logic.azure.com"
    assert check("https://hooks.example.com:8443/x").port == 8443
    assert check(f"https://[{PUBLIC_V6}]/x").addresses == (ipaddress.ip_address(PUBLIC_V6),)
    assert check("https://8.8.8.8/x").host == "8.8.8.8"
    assert check("https://[::ffff:8.8.8.8]/x").port == 443


def test_pinned_url_goes_to_the_checked_address_with_the_original_host() -> None:
    url, host = check("https://hooks.example.com/run?sig=abc").pinned()
    assert (url, host) == (f"https://{PUBLIC_V4}:443/run?sig=abc", "hooks.example.com")
    url, host = check("https://hooks.example.com:8443", resolves_to=[PUBLIC_V6]).pinned()
    assert (url, host) == (f"https://[{PUBLIC_V6}]:8443/", "hooks.example.com:8443")


def test_loopback_needs_the_development_setting() -> None:
    assert "WEBHOOK_ALLOW_LOOPBACK" in rejected("http://127.0.0.1:8080/hook")
    assert check("http://127.0.0.1:8080/hook", allow_loopback=True).port == 8080
    assert check("https://[::1]:9000/hook", allow_loopback=True).port == 9000
    assert check_callback("http://localhost:8080/hook", allow_loopback=True).host == "localhost"


def test_the_development_setting_allows_loopback_only() -> None:
    rejected("http://10.0.0.1:8080/hook", allow_loopback=True)
    rejected("https://192.168.0.10/hook", allow_loopback=True)
    rejected("https://169.254.169.254/hook", allow_loopback=True)
    # a name that resolves to loopback and to something else is not "loopback"
    rejected("https://mixed.example.com/hook", allow_loopback=True, resolves_to=["127.0.0.1", "10.0.0.1"])
    # http stays loopback-only
    assert "https" in rejected("http://hooks.example.com/hook", allow_loopback=True)


def test_blocked_reason_of_public_and_special_addresses() -> None:
    assert blocked_reason(ipaddress.ip_address("8.8.8.8")) is None
    assert blocked_reason(ipaddress.ip_address("168.63.129.16")) is not None
    assert blocked_reason(ipaddress.ip_address("::ffff:a9fe:a9fe")) is not None


def test_redacted_drops_the_query_string() -> None:
    assert redacted("https://x.example.com:8443/run/abc?sig=s3cret&sp=1") == "https://x.example.com:8443/run/abc"
    assert "s3cret" not in redacted("https://user:s3cret@x.example.com/")
