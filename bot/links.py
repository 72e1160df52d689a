"""Safe link fetching: SSRF rules, size/time/redirect limits, main-text extraction.

Why each rule exists:

* Addresses are checked on the IP the name RESOLVES to, not on the name, and the
  connection then goes to exactly that checked IP (the URL is rewritten to the IP, the
  ``Host`` header and TLS SNI/certificate check keep the original name). A DNS answer that
  changes between the check and the connect (DNS rebinding) therefore cannot reach an
  address we did not check.
* Redirects are followed by hand, so every hop goes through the same checks.
* One overall deadline covers resolving, connecting, every redirect and reading the body.
* The body is streamed and reading stops as soon as it passes the size limit (this also
  bounds decompressed size, since httpx yields decoded bytes).
* Environment proxies are ignored: a proxy would make its own DNS lookups and defeat the
  address pinning.

``fetch_allow_hosts`` lists hosts (names or IP literals, compared with the URL's host as
written) that skip the address rules; it exists for tests against a local server. It is
matched on the URL, never on a resolved address, so a public name that resolves to an
allowed IP is still refused.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from bot.errors import BadInput, LinkRefused
from bot.ports import FetchedPage
from bot.text import decode_bytes, extract_html

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.settings import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "IPAddress",
    "Resolver",
    "SafeFetcher",
    "address_refusal",
    "find_urls",
    "host_refusal",
    "is_url",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "claimbot/0.1 (+https://github.com/claimbot; reads news articles shared in chat)"

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

_URL_RE = re.compile(r"https?://[^\s<>\"'`|\[\]{}\\^]+", re.IGNORECASE)
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


def _has_host(url: str) -> bool:
    try:
        return bool(httpx.URL(url).host)
    except httpx.InvalidURL:
        return False


def is_url(text: str) -> bool:
    """True when ``text`` (stripped) is exactly one http(s) URL."""
    candidate = text.strip()
    if candidate.startswith("<") and candidate.endswith(">"):
        candidate = candidate[1:-1].split("|", 1)[0]
    return bool(_URL_RE.fullmatch(candidate)) and _has_host(candidate)


# --------------------------------------------------------------------------- fetcher


Resolver = Callable[[str, int], list[IPAddress]]


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for ``host`` (IPv4 and IPv6), without duplicates."""
    addresses: list[IPAddress] = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    return addresses


def _describe_size(limit: int) -> str:
    mib = 1024 * 1024
    if limit >= mib and limit % mib == 0:
        return f"{limit // mib} MB"
    return f"{limit:,} bytes"


def _seconds(value: float) -> str:
    return f"{value:g} s"


@dataclass(frozen=True, slots=True)
class _Body:
    url: httpx.URL
    content_type: str
    charset: str | None
    data: bytes


class SafeFetcher:
    """``bot.ports.Fetcher`` for untrusted links; every refusal is a ``LinkRefused``."""

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        allow_hosts: Iterable[str] = (),
        verify: ssl.SSLContext | bool = True,
        resolver: Resolver | None = None,
    ) -> None:
        """``verify``: TLS verification as httpx takes it (a context with a test CA in tests).

        ``resolver``: host name -> addresses (default: the system resolver, ``getaddrinfo``).
        """
        self.verify = verify
        self.resolver: Resolver = resolver or system_resolver
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_hosts = frozenset(host.strip("[]").rstrip(".").lower() for host in allow_hosts)

    @classmethod
    def from_settings(cls, settings: Settings) -> SafeFetcher:
        return cls(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_hosts=settings.fetch_allow_hosts,
        )

    # ---------------------------------------------------------------- public

    def fetch(self, url: str) -> FetchedPage:
        body = self._download(url)
        final_url = str(body.url)
        if body.content_type == "text/plain":
            text = self._decode_plain(body)
            title, published = None, None
        else:
            markup: str | bytes = body.data
            if body.charset:
                try:
                    markup = body.data.decode(body.charset, errors="replace")
                except LookupError:  # an unknown charset name; let trafilatura guess
                    markup = body.data
            extracted = extract_html(markup, url=final_url)
            text, title, published = extracted.text, extracted.title, extracted.published
        if not text.strip():
            raise LinkRefused(f"refused: found no article text at {final_url}")
        logger.info("fetched %s (%d bytes, %d characters of text)", final_url, len(body.data), len(text))
        return FetchedPage(url=final_url, text=text, title=title, published=published)

    # ---------------------------------------------------------------- steps

    @staticmethod
    def _decode_plain(body: _Body) -> str:
        if body.charset:
            try:
                return body.data.decode(body.charset)
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            return decode_bytes(body.data)
        except BadInput as exc:
            raise LinkRefused(f"refused: {exc.reason}") from exc

    def _parse(self, url: str | httpx.URL) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise LinkRefused(f"refused: {url} is not a valid link") from exc
        if parsed.scheme not in {"http", "https"}:
            raise LinkRefused(f"refused: only http and https links are read, not {parsed.scheme or 'this'}")
        if not parsed.host:
            raise LinkRefused(f"refused: {url} has no host")
        return parsed

    def _resolve(self, host: str, port: int, deadline: float) -> list[IPAddress]:
        """All addresses of ``host``, resolved within the deadline (getaddrinfo has no timeout)."""
        result: list[IPAddress] = []
        failure: list[BaseException] = []

        def lookup() -> None:
            try:
                result.extend(self.resolver(host, port))
            except (OSError, ValueError) as exc:
                failure.append(exc)

        worker = threading.Thread(target=lookup, name="claimbot-resolve", daemon=True)
        worker.start()
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            raise LinkRefused(f"could not reach {host}: timed out after {_seconds(self.timeout_s)}")
        if failure or not result:
            raise LinkRefused(f"could not reach {host}: the name does not resolve")
        return list(result)

    def _checked_address(self, url: httpx.URL, deadline: float) -> IPAddress:
        """Resolves the URL's host and checks EVERY address; returns the one to connect to."""
        host = url.raw_host.decode("ascii")
        allowed = host.rstrip(".").lower() in self.allow_hosts
        if not allowed:
            name_reason = host_refusal(host)
            if name_reason is not None:
                raise LinkRefused(f"refused: {host} is {name_reason}")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = self._resolve(host, port, deadline)
        if not allowed:
            for address in addresses:
                reason = address_refusal(address)
                if reason is not None:
                    shown = str(address) if str(address) == host else f"{host} ({address})"
                    raise LinkRefused(f"refused: {shown} is {reason}")
        return addresses[0]

    def _download(self, url: str) -> _Body:
        deadline = time.monotonic() + self.timeout_s
        current = self._parse(url)
        # A fresh client per fetch and no keep-alive: a pooled connection is keyed by IP
        # and must never carry a request for another host name.
        with httpx.Client(
            verify=self.verify,
            trust_env=False,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={
                "User-Agent": _USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
            },
        ) as client:
            for _hop in range(self.max_redirects + 1):
                address = self._checked_address(current, deadline)
                response_or_next = self._request(client, current, address, deadline)
                if isinstance(response_or_next, _Body):
                    return response_or_next
                current = response_or_next
            raise LinkRefused(f"refused: more than {self.max_redirects} redirects")

    def _request(
        self, client: httpx.Client, url: httpx.URL, address: IPAddress, deadline: float
    ) -> _Body | httpx.URL:
        """One hop: a body, or the (parsed, not yet checked) URL a redirect points to."""
        pinned = url.copy_with(host=str(address))
        headers = {"Host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
        host = url.host
        try:
            request = client.build_request(
                "GET",
                pinned,
                headers=headers,
                extensions=extensions,
                timeout=httpx.Timeout(max(0.001, deadline - time.monotonic())),
            )
            response = client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECT_STATUSES and "location" in response.headers:
                    return self._parse(url.join(response.headers["location"]))
                if response.status_code >= 400:
                    raise LinkRefused(
                        f"could not fetch {url}: the server answered "
                        f"{response.status_code} {response.reason_phrase}".rstrip()
                    )
                return self._read_body(response, url, deadline)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise LinkRefused(f"could not reach {host}: timed out after {_seconds(self.timeout_s)}") from exc
        except httpx.ConnectError as exc:
            raise LinkRefused(f"could not reach {host}: {_connect_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise LinkRefused(f"could not fetch {url}: {type(exc).__name__}: {exc}") from exc

    def _read_body(self, response: httpx.Response, url: httpx.URL, deadline: float) -> _Body:
        content_type_header = response.headers.get("content-type", "")
        content_type = content_type_header.split(";", 1)[0].strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            shown = content_type or "(none given)"
            raise LinkRefused(f"refused: content type {shown} is not an article")
        too_big = f"refused: the page is larger than {_describe_size(self.max_bytes)}"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise LinkRefused(too_big)
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > self.max_bytes:
                raise LinkRefused(too_big)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise LinkRefused(f"could not reach {url.host}: timed out after {_seconds(self.timeout_s)}")
        return _Body(
            url=url, content_type=content_type, charset=response.charset_encoding, data=b"".join(chunks)
        )


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "certificate" in text or "ssl" in text:
        return "its TLS certificate is not valid"
    if "refused" in text:
        return "the connection was refused"
    return "the connection failed"
