"""Link policy: which addresses and URLs the fetcher refuses, and finding links in chat text.

The fetch() cases below never touch the network: every host is an IP literal (in some
encoding) or a name the resolver answers locally, and all are refused before connecting.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fetcher import Resolver, SafeFetcher, system_resolver
from bot.errors import LinkRefused
from bot.links import (
    IPAddress,
    _has_host,
    address_refusal,
    canonical_numeric_host,
    find_urls,
    host_refusal,
    is_url,
    numeric_ipv4,
)
from bot.settings import Settings


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.0.9", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("169.254.1.1", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.170.2", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address (127.0.0.1 inside IPv6)"),
        ("::ffff:10.1.2.3", "a private address (10.1.2.3 inside IPv6)"),
        ("::ffff:169.254.169.254", "a cloud metadata address (169.254.169.254 inside IPv6)"),
        ("64:ff9b::a00:1", "a private address (10.0.0.1 inside IPv6)"),
        ("2002:7f00:1::1", "a loopback address (127.0.0.1 inside IPv6)"),
        ("2001:db8::1", "a private address"),  # documentation range
    ],
)
def test_address_refusal(address: str, reason: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", "a loopback address"),
        ("LOCALHOST.", "a loopback address"),
        ("api.localhost", "a loopback address"),
        ("metadata.google.internal", "a cloud metadata address"),
        ("metadata", "a cloud metadata address"),
        ("example.org", None),
        ("localhost.example.org", None),
    ],
)
def test_host_refusal(host: str, expected: str | None) -> None:
    assert host_refusal(host) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "refused: 127.0.0.1 is a loopback address"),
        ("http://2130706433/", "refused: 2130706433 (127.0.0.1) is a loopback address"),
        ("http://0x7f000001/", "refused: 0x7f000001 (127.0.0.1) is a loopback address"),
        (
            "http://0177.0.0.1/",
            "refused: 0177.0.0.1 (127.0.0.1) is a loopback address",
        ),  # octal, as browsers read it
        ("http://012.0.0.1/x", "refused: 012.0.0.1 (10.0.0.1) is a private address"),
        ("http://0x7f.1/", "refused: 0x7f.1 (127.0.0.1) is a loopback address"),
        ("http://user@0177.1:8080/", "refused: 0177.1 (127.0.0.1) is a loopback address"),
        ("http://1.2.3.08/", "refused: http://1.2.3.08/ is not a valid link"),  # "08" is no octal number
        ("http://[2001:db8::1]/story", "refused: 2001:db8::1 is a private address"),
        ("http://[fe80::1]:8080/", "refused: fe80::1 is a link-local address"),
        ("http://127.1/", "refused: 127.1 (127.0.0.1) is a loopback address"),
        ("http://167772165/", "refused: 167772165 (10.0.0.5) is a private address"),
        ("http://10.0.0.5:8080/admin", "refused: 10.0.0.5 is a private address"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1 (::ffff:7f00:1) is a loopback address (127.0.0.1 inside IPv6)",
        ),
        ("http://[fd00:ec2::254]/latest/", "refused: fd00:ec2::254 is a cloud metadata address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a cloud metadata address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "is a cloud metadata address"),
        ("http://localhost:8000/", "refused: localhost is a loopback address"),
        ("https://user:pw@localhost/", "refused: localhost is a loopback address"),
        ("ftp://example.org/file.txt", "refused: only http and https links are read, not ftp"),
        ("file:///etc/passwd", "refused: only http and https links are read, not file"),
        ("javascript:alert(1)", "refused: only http and https links are read, not javascript"),
        ("http:///nohost", "has no host"),
    ],
)
def test_fetch_refuses_before_connecting(url: str, reason: str) -> None:
    fetcher = SafeFetcher(timeout_s=2.0)
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch(url)
    assert reason in caught.value.reason


def test_allow_list_matches_the_url_host_as_written_only() -> None:
    fetcher = SafeFetcher(allow_hosts=["127.0.0.1"])
    # "localhost" resolves to the allowed IP but is not itself on the list
    with pytest.raises(LinkRefused, match="localhost is a loopback address"):
        fetcher.fetch("http://localhost:9/")
    with pytest.raises(LinkRefused, match=r"2130706433 \(127\.0\.0\.1\) is a loopback address"):
        fetcher.fetch("http://2130706433:9/")


def test_from_settings_takes_every_limit() -> None:
    settings = Settings(
        fetch_timeout_s=3.5, fetch_max_bytes=1234, fetch_max_redirects=2, fetch_allow_hosts=["LocalHost"]
    )
    fetcher = SafeFetcher.from_settings(settings)
    assert (fetcher.timeout_s, fetcher.max_bytes, fetcher.max_redirects) == (3.5, 1234, 2)
    assert fetcher.allow_hosts == frozenset({"localhost"})


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("look at https://example.org/a/b?c=1 please", ["https://example.org/a/b?c=1"]),
        ("Two: http://a.example/x, and https://b.example/y.", ["http://a.example/x", "https://b.example/y"]),
        ("slack <https://example.org/news|Example> wrapper", ["https://example.org/news"]),
        ("discord <https://example.org/news> no embed", ["https://example.org/news"]),
        ("(see https://example.org/page)", ["https://example.org/page"]),
        ("wiki https://en.wikipedia.org/wiki/Foo_(bar) here", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("same https://example.org/x twice https://example.org/x", ["https://example.org/x"]),
        ("HTTPS://EXAMPLE.ORG/Up", ["HTTPS://EXAMPLE.ORG/Up"]),
        ("“https://example.org/quoted”", ["https://example.org/quoted"]),
        ("no links here, just example.org and ftp://example.org", []),
        ("broken http:// and https://", []),
        ("v6 http://[2001:db8::1]/news here", ["http://[2001:db8::1]/news"]),
        ("port <http://[::1]:8080/x|label>", ["http://[::1]:8080/x"]),
        ("octal http://0177.0.0.1/admin.", ["http://0177.0.0.1/admin"]),
    ],
)
def test_find_urls(message: str, expected: list[str]) -> None:
    assert find_urls(message) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.org/article", True),
        ("  http://example.org  \n", True),
        ("<https://example.org/a|label>", True),
        ("https://example.org/a and more words", False),
        ("example.org", False),
        ("ftp://example.org/", False),
        ("https://", False),
        ("", False),
        # IPv6 literals and numeric IPv4 hosts are links (refused later by address), not file names
        ("http://[2001:db8::1]/story", True),
        ("https://[::ffff:127.0.0.1]:8443/", True),
        ("http://0177.0.0.1/", True),
        ("http://0x7f.0.0.1/", True),
        ("http://2130706433/", True),
        ("http://[not-an-address]/", False),
    ],
)
def test_is_url(text: str, expected: bool) -> None:
    assert is_url(text) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.2", "10.1.0.2"),
        ("2130706433", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("example.org", None),
        ("1x.example", None),
    ],
)
def test_numeric_ipv4_reads_hosts_as_browsers_do(host: str, expected: str | None) -> None:
    found = numeric_ipv4(host)
    assert (str(found) if found else None) == expected


@pytest.mark.parametrize(
    "host", ["1.2.3.4.5", "256.0.0.1", "1.2.3.256", "4294967296", "1.2.3.08", "093.184.215.14", "a.1"]
)
def test_numeric_ipv4_refuses_a_host_that_ends_in_a_number_but_is_no_address(host: str) -> None:
    with pytest.raises(ValueError, match="is not a valid address"):
        numeric_ipv4(host)


def test_canonical_numeric_host_rewrites_only_numeric_hosts() -> None:
    assert canonical_numeric_host("http://u:p@0177.0.0.1:81/a?b#c") == (
        "http://u:p@127.0.0.1:81/a?b#c",
        "0177.0.0.1",
    )
    assert canonical_numeric_host("//0x7f.1/x") == ("//127.0.0.1/x", "0x7f.1")
    assert canonical_numeric_host("https://example.org/0177.0.0.1") == (
        "https://example.org/0177.0.0.1",
        None,
    )
    assert canonical_numeric_host("http://[::1]/") == ("http://[::1]/", None)
    assert canonical_numeric_host("http://127.0.0.1/") == ("http://127.0.0.1/", None)


def _resolver_answering(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(address) for address in addresses]

    return resolve


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (("93.184.215.14", "10.0.0.5"), "refused: news.example (10.0.0.5) is a private address"),
        (("2606:4700::1111", "::1"), "refused: news.example (::1) is a loopback address"),
        (("169.254.169.254",), "refused: news.example (169.254.169.254) is a cloud metadata address"),
        (("::ffff:192.168.0.1",), "refused: news.example (::ffff:c0a8:1) is a private address"),
    ],
)
def test_every_resolved_address_is_checked(answers: tuple[str, ...], reason: str) -> None:
    """A name with one public and one private address is refused: the private one could be dialled."""
    fetcher = SafeFetcher(resolver=_resolver_answering(*answers))
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch("https://news.example/story")
    assert caught.value.reason.startswith(reason)


def test_a_name_that_does_not_resolve_is_reported() -> None:
    def no_answer(host: str, port: int) -> list[IPAddress]:
        raise OSError("Name or service not known")

    with pytest.raises(LinkRefused, match=r"could not reach news\.example: the name does not resolve"):
        SafeFetcher(resolver=no_answer).fetch("https://news.example/story")


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", ["127.0.0.1"]), ("2130706433", ["127.0.0.1"]), ("::1", ["::1"])],
)
def test_system_resolver_decodes_numeric_hosts(host: str, expected: list[str]) -> None:
    assert [str(address) for address in system_resolver(host, 80)] == expected


_URL_PIECES = [
    *"ab.-:@/[]?#%0129xX_+ ",
    "xn--",
    "::1",
    "127.0.0.1",
    "é",
    "ß",
    "\u200d",
    "\x01",
    "\x7f",
    "١",
    "０",
    "[::ffff:1.2.3.4]",
    "..",
    "1_0",
]


@settings(max_examples=3000, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://"]), pieces=st.lists(st.sampled_from(_URL_PIECES))
)
def test_links_have_a_host_exactly_when_httpx_reads_one(scheme: str, pieces: list[str]) -> None:
    """bot.links reads hosts without an HTTP client; the fetcher then parses them with httpx."""
    import httpx

    text = scheme + "".join(pieces)
    for url in [*find_urls(text), text]:
        try:
            expected = bool(httpx.URL(canonical_numeric_host(url)[0]).host)
        except (httpx.InvalidURL, ValueError):
            expected = False
        assert _has_host(url) == expected, url
