"""``SafeFetcher``, the ``Fetcher`` port over httpx: SSRF rules, size/time/redirect limits,
main-text extraction. The pure link rules it applies live in :mod:`bot.links`.

Why each rule exists:

* Addresses are checked on the IP the name RESOLVES to, not on the name, and the
  connection then goes to exactly that checked IP (the URL is rewritten to the IP, the
  ``Host`` header and TLS SNI/certificate check keep the original name). A DNS answer that
  changes between the check and the connect (DNS rebinding) therefore cannot reach an
  address we did not check.
* Redirects are followed by hand, so every hop goes through the same checks.
* One overall deadline covers resolving, connecting, every redirect, the headers and the
  body: every socket operation is given only the time that is left (a server that drips
  its headers a byte a second cannot stretch it), see ``_DeadlineBackend``.
* The body is streamed and reading stops as soon as it passes the size limit. Compressed
  bodies are decoded here, not by httpx (which inflates each received chunk whole: a
  2 KB ``gzip, gzip`` body became 1 GiB in memory before it was counted), in pieces of at
  most 64 KiB that are counted as they come out, so a compression bomb is refused at the
  size limit having cost no more memory than a normal page.
* Numeric hosts are read as browsers read them (``0177.0.0.1`` and ``2130706433`` are
  127.0.0.1) and IPv6 literals (``http://[::1]/``) are links: both go through the same
  address rules without a DNS lookup.
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
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from bot.errors import BadInput, LinkRefused
from bot.links import IPAddress, address_refusal, canonical_numeric_host, host_refusal, names_a_host
from bot.ports import FetchedPage
from bot.text import decode_bytes, extract_html

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)


__all__ = ["ALLOWED_CONTENT_TYPES", "Resolver", "SafeFetcher", "system_resolver"]

ALLOWED_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "claimbot/0.1 (+https://github.com/claimbot; reads news articles shared in chat)"


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
        written_host: str | None = None
        if isinstance(url, str):
            try:
                url, written_host = canonical_numeric_host(url)
            except ValueError as exc:
                raise LinkRefused(f"refused: {url} is not a valid link") from exc
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise LinkRefused(f"refused: {url} is not a valid link") from exc
        if parsed.scheme not in {"http", "https"}:
            raise LinkRefused(f"refused: only http and https links are read, not {parsed.scheme or 'this'}")
        if not parsed.host:
            raise LinkRefused(f"refused: {url} has no host")
        # "0177.0.0.1" is refused by what it stands for, under the name it was written with
        if written_host is not None and written_host.rstrip(".").lower() not in self.allow_hosts:
            reason = address_refusal(ipaddress.ip_address(parsed.host))
            if reason is not None:
                raise LinkRefused(f"refused: {written_host} ({parsed.host}) is {reason}")
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
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]  # a literal: no DNS lookup
        except ValueError:
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
            transport=_DeadlineTransport(verify=self.verify, deadline=deadline),
            trust_env=False,
            follow_redirects=False,
            headers={
                "User-Agent": _USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
                "Accept-Encoding": _accept_encoding(),
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
                    location = response.headers["location"]
                    if names_a_host(location):  # a link of its own, maybe "//0177.0.0.1/"
                        try:
                            location = canonical_numeric_host(location)[0]
                        except ValueError as exc:
                            raise LinkRefused(f"refused: {location} is not a valid link") from exc
                    return self._parse(url.join(location))
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
        codings = _content_codings(response.headers.get_list("content-encoding", split_commas=True))
        raw = _counted(response.iter_raw(), self.max_bytes, too_big)
        chunks: list[bytes] = []
        received = 0
        try:
            for piece in _decoded(raw, codings):
                received += len(piece)
                if received > self.max_bytes:
                    raise LinkRefused(too_big)
                chunks.append(piece)
                if time.monotonic() > deadline:
                    raise LinkRefused(
                        f"could not reach {url.host}: timed out after {_seconds(self.timeout_s)}"
                    )
        except (zlib.error, _ZstdError) as exc:
            raise LinkRefused(f"refused: the page's compressed data is broken ({exc})") from exc
        return _Body(
            url=url, content_type=content_type, charset=response.charset_encoding, data=b"".join(chunks)
        )


# --------------------------------------------------------------------------- total deadline


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake gets only the time left."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def _left(self, timeout: float | None, error: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise error("the fetch ran out of time")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = self._left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with one deadline over every operation of one fetch.

    httpx's timeouts are per operation: a read timeout of 10 s starts again with every byte,
    so a server that drips its headers a byte a second held a fetch for as long as it liked.
    """

    def __init__(self, deadline: float) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("the fetch ran out of time")
        stream = self._backend.connect_tcp(
            host, port, left if timeout is None else min(timeout, left), local_address, socket_options
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("links are never read over a unix socket")

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self._deadline - time.monotonic())))


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over ``_DeadlineBackend``, without keep-alive and environment settings."""

    def __init__(self, *, verify: ssl.SSLContext | bool, deadline: float) -> None:
        super().__init__(verify=verify, trust_env=False)
        # httpx offers no way to pass a network backend; its pool is replaced by one that
        # has ours (same SSL context, no keep-alive).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_keepalive_connections=0,
            network_backend=_DeadlineBackend(deadline),
        )


# --------------------------------------------------------------------------- decoding

_PIECE = 64 * 1024  # the most decompressed bytes that exist at once, per coding layer
_MAX_CODINGS = 2  # "gzip, gzip" is legal if odd; more layers are an attack
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024  # RFC 8878: HTTP decoders need not accept larger windows

try:
    import zstandard as _zstandard

    _ZstdError: type[Exception] = _zstandard.ZstdError
except ImportError:  # pragma: no cover - zstandard comes with our dependencies
    _zstandard = None  # type: ignore[assignment]
    _ZstdError = zlib.error


def _accept_encoding() -> str:
    return "gzip, deflate, zstd" if _zstandard is not None else "gzip, deflate"


def _content_codings(values: list[str]) -> list[str]:
    """The codings applied to the body, in the order applied; refuses what we cannot decode."""
    codings = [value.strip().lower() for value in values if value.strip()]
    codings = [coding for coding in codings if coding != "identity"]
    for coding in codings:
        if coding not in {"gzip", "x-gzip", "deflate"} and not (coding == "zstd" and _zstandard):
            raise LinkRefused(f"refused: the page is compressed with {coding}, which claimbot does not read")
    if len(codings) > _MAX_CODINGS:
        raise LinkRefused(f"refused: the page is compressed {len(codings)} times over")
    return codings


def _counted(raw: Iterable[bytes], limit: int, too_big: str) -> Iterator[bytes]:
    """The raw (still compressed) bytes, refused past ``limit`` like a page that size."""
    received = 0
    for chunk in raw:
        received += len(chunk)
        if received > limit:
            raise LinkRefused(too_big)
        yield chunk


def _decoded(raw: Iterator[bytes], codings: list[str]) -> Iterator[bytes]:
    """The body with its codings undone, last applied first, in pieces of at most ``_PIECE`` bytes."""
    pieces: Iterator[bytes] = raw
    for coding in reversed(codings):
        pieces = _unzstd(pieces) if coding == "zstd" else _inflate(pieces, gzip=coding != "deflate")
    return pieces


def _inflate(pieces: Iterator[bytes], *, gzip: bool) -> Iterator[bytes]:
    """gzip (every member) or deflate (zlib-wrapped, or raw as some servers send it), bounded.

    ``decompress(data, max_length)`` keeps what it did not get to in ``unconsumed_tail``, so
    at most ``_PIECE`` bytes come out of a call however well the input compresses.
    """
    wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    first = True
    for data in pieces:
        if first and data and not gzip:
            first = False
            # RFC 9110's deflate is zlib-wrapped; a raw deflate stream has no zlib header
            if len(data) < 2 or (data[0] & 0x0F) != 8 or ((data[0] << 8) | data[1]) % 31:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while True:
            if inflater.eof:
                pending = inflater.unused_data + pending
                if not gzip or not pending.strip(b"\0"):
                    break  # the end; trailing bytes (or padding) are ignored, as browsers do
                inflater = zlib.decompressobj(wbits)  # the next gzip member
            out = inflater.decompress(pending, _PIECE)
            if out:
                yield out
            pending = inflater.unconsumed_tail
            if not pending and len(out) < _PIECE and not inflater.eof:
                break
    if not inflater.eof:
        tail = inflater.flush()  # a body cut short: keep what it held (at most one window)
        if tail:
            yield tail


class _PieceReader:
    """A file-like ``read(n)`` over an iterator of byte strings (for zstandard's stream reader)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            piece = next(self._pieces, None)
            if piece is None:
                return b""
            self._buffer = piece
        if size < 0 or size >= len(self._buffer):
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _unzstd(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """zstd frames, bounded: a stream reader yields at most ``_PIECE`` bytes a read, and the
    window (the memory the decoder asks for) is capped at 8 MB."""
    assert _zstandard is not None  # _content_codings refuses zstd without it
    decompressor = _zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
    with decompressor.stream_reader(
        _PieceReader(pieces),  # type: ignore[arg-type]  # it needs read() only
        read_size=_PIECE,
        read_across_frames=True,
        closefd=False,
    ) as reader:
        while True:
            out = reader.read(_PIECE)
            if not out:
                return
            yield out


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "certificate" in text or "ssl" in text:
        return "its TLS certificate is not valid"
    if "refused" in text:
        return "the connection was refused"
    return "the connection failed"
