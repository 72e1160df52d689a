"""Links in chat text and the address policy of link fetching. Pure: no network, no HTTP client.

What is a link (``find_urls``, ``is_url``, numeric hosts read as browsers read them), what a
watched chat message asks us to check (``article_source``), and which hosts and addresses
the fetcher (:mod:`adapters.fetcher`) refuses (``address_refusal``, ``host_refusal``).
"""

from __future__ import annotations

import ipaddress
import logging
import re

import idna

logger = logging.getLogger(__name__)

__all__ = [
    "IPAddress",
    "address_refusal",
    "article_source",
    "canonical_numeric_host",
    "find_urls",
    "host_refusal",
    "is_url",
    "names_a_host",
    "numeric_ipv4",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints. Most are link-local or private anyway; they are named so the
# refusal says what they are.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
_METADATA_HOSTNAMES = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "metadata.azure.internal"}
)
# NAT64 prefix: IPv6 addresses that carry an IPv4 address in their last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# --------------------------------------------------------------------------- address policy


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, Teredo), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why we will not connect to ``address`` ("a private address"...), or None if it is public."""
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = address_refusal(embedded)
            if inner is not None:
                return f"{inner} ({embedded} inside IPv6)"
            if address.ipv4_mapped is not None:  # a mapped address IS its IPv4 address
                return None
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    for applies, reason in checks:
        if applies:
            return reason
    return None


def host_refusal(host: str) -> str | None:
    """Why a host NAME is refused before resolving it (localhost, metadata names), or None."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "a loopback address"
    if name in _METADATA_HOSTNAMES:
        return "a cloud metadata address"
    return None


# --------------------------------------------------------------------------- URLs in chat

_MAX_URL_CHARS = 65_536
# a URL's authority, then its user part, host and port, as RFC 3986 splits them
_SCHEME_AUTHORITY_RE = re.compile(r"(?:(?:[a-zA-Z][a-zA-Z0-9+.-]*)?:)?(?://(?P<authority>[^/?#]*))?")
_HOST_PORT_RE = re.compile(r"(?:.*@)?(?P<host>\[.*\]|[^:@]*):?(?P<port>.*)?")
_DOTTED_QUAD_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")
_BRACKETED_RE = re.compile(r"^\[.*\]$")

# An optional user part and a bracketed IPv6 host ("http://[2001:db8::1]/"), then the rest.
_URL_RE = re.compile(
    r"https?://(?:[^\s<>\"'`|\[\]{}\\^/@]*@)?(?:\[[0-9A-Fa-f:.]+\])?[^\s<>\"'`|\[\]{}\\^]*",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'\"»”’*_~"


def _trim_url(candidate: str) -> str:
    # Sentence punctuation after a link is not part of it; a closing bracket is, only
    # when the link opened one (Wikipedia-style "Foo_(bar)").
    while candidate:
        last = candidate[-1]
        if last in _TRAILING_PUNCTUATION or (last == ")" and candidate.count("(") < candidate.count(")")):
            candidate = candidate[:-1]
            continue
        break
    return candidate


def find_urls(text: str) -> list[str]:
    """The http(s) links in a chat message, in order, without duplicates.

    Understands Slack's ``<https://x|label>`` and Discord's ``<https://x>`` wrappers.
    """
    found: list[str] = []
    for match in _URL_RE.finditer(text):
        url = _trim_url(match.group(0))
        if _has_host(url) and url not in found:
            found.append(url)
    return found


def article_source(text: str, *, min_chars: int) -> str | None:
    """What a chat message in a watched channel asks us to check: the pasted text, its first
    link, or nothing (chatter).

    A long message is the article itself (even if it also cites links); a short one is
    chatter unless it carries a link, and then the linked page is the article.
    """
    stripped = text.strip()
    if len(stripped) >= min_chars:
        return stripped
    urls = find_urls(stripped)
    return urls[0] if urls else None


def _has_host(url: str) -> bool:
    """Whether ``url`` names a host an HTTP client accepts, read as RFC 3986 (and httpx) read
    it: no ASCII control character, a numeric port if any, and a host that is a valid dotted
    quad, a bracketed IPv6 literal, an ASCII name or an IDNA name."""
    try:
        url = canonical_numeric_host(url)[0]
    except ValueError:
        return False
    if len(url) > _MAX_URL_CHARS or any(char.isascii() and not char.isprintable() for char in url):
        return False
    parts = _SCHEME_AUTHORITY_RE.match(url)
    authority = _HOST_PORT_RE.match(parts.group("authority") or "") if parts else None
    if authority is None:
        return False
    host, port = authority.group("host") or "", authority.group("port")
    if port:
        try:
            int(port)
        except ValueError:
            return False
    if not host:
        return False
    try:
        if _DOTTED_QUAD_RE.match(host):
            ipaddress.IPv4Address(host)
        elif _BRACKETED_RE.match(host):
            ipaddress.IPv6Address(host[1:-1])
        else:
            host = host.lower() if host.isascii() else idna.encode(host.lower()).decode("ascii")
            if host.startswith("xn--"):
                return bool(idna.decode(host))
    except (ValueError, idna.IDNAError):
        return False
    return True


# scheme (or a network-path "//"), optional user part, then a host that is not bracketed
_AUTHORITY_RE = re.compile(
    r"^(?P<head>(?:https?:)?//(?:[^/?#@]*@)?)(?P<host>[^/?#:\[\]@]*)(?P<tail>.*)$", re.I | re.S
)
_NUMBER_PART_RE = re.compile(r"^(?:[0-9]+|0[xX][0-9A-Fa-f]*)$")


def _ipv4_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for "08": such a host is no address and no name
    return int(part)


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a numeric host stands for, as browsers read it (WHATWG URL), else None.

    ``0177.0.0.1``, ``0x7f.1``, ``127.1`` and ``2130706433`` are all 127.0.0.1. None for a
    host name. Raises ``ValueError`` for a host that ends in a number but is no address
    (``1.2.3.08``, ``1.2.3.4.5``), which a browser refuses too.
    """
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # "127.0.0.1." is 127.0.0.1
    if not parts or not _NUMBER_PART_RE.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_NUMBER_PART_RE.match(part) for part in parts):
        raise ValueError(f"{host} is not a valid address")
    try:
        numbers = [_ipv4_number(part) for part in parts]
    except ValueError:
        raise ValueError(f"{host} is not a valid address") from None
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host} is not a valid address")
    value = numbers[-1]
    for position, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


def names_a_host(location: str) -> bool:
    """Whether ``location`` (a redirect's, say) names its own host: ``http://x/``, ``//x/``."""
    return _AUTHORITY_RE.match(location) is not None


def canonical_numeric_host(url: str) -> tuple[str, str | None]:
    """``url`` with a numeric host written as a plain dotted quad, and the host as it was written.

    The second item is None when the host needed no rewriting (a name, an IPv6 literal, a
    dotted quad already). Raises ``ValueError`` for a host that ends in a number but is no address.
    """
    match = _AUTHORITY_RE.match(url)
    if match is None:
        return url, None
    host = match.group("host")
    address = numeric_ipv4(host)
    if address is None or str(address) == host:
        return url, None
    return f"{match.group('head')}{address}{match.group('tail')}", host


def is_url(text: str) -> bool:
    """True when ``text`` (stripped) is exactly one http(s) URL."""
    candidate = text.strip()
    if candidate.startswith("<") and candidate.endswith(">"):
        candidate = candidate[1:-1].split("|", 1)[0]
    return bool(_URL_RE.fullmatch(candidate)) and _has_host(candidate)
