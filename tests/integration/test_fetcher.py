"""SafeFetcher against a real HTTP server on 127.0.0.1 (threaded http.server, ephemeral port)."""

from __future__ import annotations

import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from adapters.fetcher import SafeFetcher
from bot.errors import LinkRefused
from bot.links import IPAddress

ARTICLE_HTML = """<!DOCTYPE html>
<html><head><title>Troops massing at the border</title>
<meta property="article:published_time" content="2021-12-18T09:00:00Z">
<script>var tracking = "do not extract me";</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Troops massing at the border</h1>
<p>Defence Secretary Ben Wallace said on Saturday that Russia had massed about 100,000 troops
near the border with Ukraine, and warned of severe consequences for any invasion.</p>
<p>The Kremlin denied the claims and accused Western governments of stoking tension. Officials
in Kyiv said that talks with European partners would continue next week in Brussels.</p>
</article><footer>Copyright The Daily. All rights reserved.</footer></body></html>"""

PLAIN_TEXT = "The minister said the army has 70,000 troops at the border.\nHe added that talks would go on.\n"
MIB = 1024 * 1024


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _gzip_zeros(total: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * MIB
    return b"".join(compressor.compress(block) for _ in range(total // MIB)) + compressor.flush()


def _deflate(data: bytes, *, raw: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


# a body of a few KB that is 128 MiB once both gzip layers are undone
GZIP_GZIP_BOMB = _gzip(_gzip_zeros(128 * MIB))
ENCODED_PLAIN = {
    "/gzip": (_gzip(PLAIN_TEXT.encode()), "gzip"),
    "/gzip-two-members": (_gzip(PLAIN_TEXT[:20].encode()) + _gzip(PLAIN_TEXT[20:].encode()), "gzip"),
    "/gzip-gzip": (_gzip(_gzip(PLAIN_TEXT.encode())), "gzip, gzip"),
    "/deflate": (_deflate(PLAIN_TEXT.encode(), raw=False), "deflate"),
    "/deflate-raw": (_deflate(PLAIN_TEXT.encode(), raw=True), "deflate"),
    "/zstd": (_zstd(PLAIN_TEXT.encode()), "zstd"),
    "/zstd-in-gzip": (_gzip(_zstd(PLAIN_TEXT.encode())), "zstd, gzip"),
    "/identity": (PLAIN_TEXT.encode(), "identity"),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def do_GET(self) -> None:
        self.server.seen_hosts.append(self.headers.get("Host", ""))
        port = self.server.server_address[1]
        path = self.path
        if path == "/article":
            self._send(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")
        elif path == "/plain":
            self._send(200, PLAIN_TEXT.encode("cp1252"), "text/plain")
        elif path == "/redirect-to-article":
            self._redirect("/article")
        elif path == "/redirect-to-localhost":
            self._redirect(f"http://localhost:{port}/article")
        elif path == "/redirect-to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/redirect-to-ftp":
            self._redirect("ftp://example.org/file")
        elif path == "/loop":
            self._redirect("/loop")
        elif path.startswith("/chain/"):
            hops = int(path.rsplit("/", 1)[1])
            self._redirect(f"/chain/{hops - 1}" if hops > 0 else "/article")
        elif path == "/big-declared":
            self._send(200, b"x" * 5000, "text/html")
        elif path == "/big-streamed":
            # no Content-Length: the fetcher must count while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"The minister said so. " * 50)
        elif path == "/slow":
            time.sleep(3)
            self._send(200, ARTICLE_HTML.encode(), "text/html")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.7 fake", "application/pdf")
        elif path == "/no-type":
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")
        elif path in ENCODED_PLAIN:
            body, coding = ENCODED_PLAIN[path]
            self._send(200, body, "text/plain", {"Content-Encoding": coding})
        elif path == "/gzip-gzip-bomb":
            self._send(200, GZIP_GZIP_BOMB, "text/plain", {"Content-Encoding": "gzip, gzip"})
        elif path == "/zstd-bomb":
            self._send(200, _zstd(b"\0" * (8 * MIB)), "text/plain", {"Content-Encoding": "zstd"})
        elif path == "/brotli":
            self._send(200, b"\x8b\x03\x80hello\x03", "text/plain", {"Content-Encoding": "br"})
        elif path == "/gzip-thrice":
            self._send(
                200, _gzip(_gzip(_gzip(b"hello"))), "text/plain", {"Content-Encoding": "gzip, gzip, gzip"}
            )
        elif path == "/gzip-broken":
            self._send(200, b"\x1f\x8b\x08\x00not gzip at all", "text/plain", {"Content-Encoding": "gzip"})
        elif path == "/drip-headers":
            # a byte every 0.1 s for 6 s: every read returns within any per-read timeout
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad: " + b"a" * 16 + b"\r\n"
            for i in range(len(head)):
                self.wfile.write(head[i : i + 1])
                self.wfile.flush()
                time.sleep(0.1)
            self.close_connection = True
        elif path == "/empty-page":
            self._send(200, b"<html><body><script>x()</script></body></html>", "text/html")
        else:
            self._send(404, b"not here", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen_hosts: list[str]

    def handle_error(self, request: object, client_address: object) -> None:
        # The fetcher hangs up on purpose (too big, too slow): a broken pipe here is expected.
        return


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen_hosts = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def fetcher() -> SafeFetcher:
    return SafeFetcher(allow_hosts=["127.0.0.1"], timeout_s=5.0, max_bytes=2000, max_redirects=3)


def test_article_page_is_extracted(fetcher: SafeFetcher, base: str, server: _Server) -> None:
    page = fetcher.fetch(f"{base}/article")
    assert page.url == f"{base}/article"
    assert "Russia had massed about 100,000 troops" in page.text.replace("\n", " ")
    assert "talks with European partners would continue" in page.text.replace("\n", " ")
    assert "do not extract me" not in page.text
    assert "Home" not in page.text
    assert page.title == "Troops massing at the border"
    assert page.published == date(2021, 12, 18)
    # connected to the checked IP, but the Host header kept the URL's host
    assert server.seen_hosts[-1] == f"127.0.0.1:{server.server_address[1]}"


def test_plain_text_page_is_decoded(fetcher: SafeFetcher, base: str) -> None:
    page = fetcher.fetch(f"{base}/plain")
    assert page.text == PLAIN_TEXT
    assert page.title is None


def test_redirect_inside_the_allowed_host_is_followed(fetcher: SafeFetcher, base: str) -> None:
    page = fetcher.fetch(f"{base}/chain/2")
    assert page.url == f"{base}/article"
    assert "100,000 troops" in page.text


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/redirect-to-localhost", "refused: localhost is a loopback address"),
        ("/redirect-to-metadata", "refused: 169.254.169.254 is a cloud metadata address"),
        ("/redirect-to-ftp", "refused: only http and https links are read, not ftp"),
        ("/loop", "refused: more than 3 redirects"),
        ("/chain/4", "refused: more than 3 redirects"),
        ("/big-declared", "refused: the page is larger than 2,000 bytes"),
        ("/big-streamed", "refused: the page is larger than 2,000 bytes"),
        ("/pdf", "refused: content type application/pdf is not an article"),
        ("/no-type", "refused: content type (none given) is not an article"),
        ("/empty-page", "refused: found no article text at"),
        ("/missing", "the server answered 404 Not Found"),
    ],
)
def test_refusals_give_a_reason(fetcher: SafeFetcher, base: str, path: str, reason: str) -> None:
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch(f"{base}{path}")
    assert reason in caught.value.reason


def test_slow_server_hits_the_timeout(base: str) -> None:
    fetcher = SafeFetcher(allow_hosts=["127.0.0.1"], timeout_s=1.0)
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch(f"{base}/slow")
    assert caught.value.reason == "could not reach 127.0.0.1: timed out after 1 s"


def test_the_time_limit_is_total_even_when_headers_drip(base: str) -> None:
    """Headers sent a byte every 0.1 s never trip a per-read timeout; the total deadline must.

    Before the deadline covered each socket operation: 6.2 s and a protocol error (the drip's
    end), against a 1 s limit.
    """
    fetcher = SafeFetcher(allow_hosts=["127.0.0.1"], timeout_s=1.0)
    start = time.monotonic()
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch(f"{base}/drip-headers")
    elapsed = time.monotonic() - start
    assert caught.value.reason == "could not reach 127.0.0.1: timed out after 1 s"
    assert elapsed < 3.0  # 1 s and some slack for a loaded machine; the drip lasts 6 s


@pytest.mark.parametrize("path", sorted(ENCODED_PLAIN))
def test_compressed_bodies_are_decoded(fetcher: SafeFetcher, base: str, path: str) -> None:
    page = fetcher.fetch(f"{base}{path}")
    assert page.text == PLAIN_TEXT


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/gzip-gzip-bomb", "refused: the page is larger than 2,000 bytes"),
        ("/zstd-bomb", "refused: the page is larger than 2,000 bytes"),
        ("/brotli", "refused: the page is compressed with br, which claimbot does not read"),
        ("/gzip-thrice", "refused: the page is compressed 3 times over"),
        ("/gzip-broken", "refused: the page's compressed data is broken"),
    ],
)
def test_compression_refusals(fetcher: SafeFetcher, base: str, path: str, reason: str) -> None:
    with pytest.raises(LinkRefused) as caught:
        fetcher.fetch(f"{base}{path}")
    assert caught.value.reason.startswith(reason)


_PEAK_CHILD = r"""
import json, sys
from bot.errors import LinkRefused
from adapters.fetcher import SafeFetcher
def peak_kib():  # VmHWM, not ru_maxrss: that one keeps the parent's peak across fork and exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
fetcher = SafeFetcher(allow_hosts=["127.0.0.1"], timeout_s=20.0)
before = peak_kib()
try:
    fetcher.fetch(sys.argv[1])
    outcome = "fetched"
except LinkRefused as exc:
    outcome = exc.reason
after = peak_kib()
print(json.dumps({"growth_kib": after - before, "outcome": outcome}))
"""


def test_a_compression_bomb_is_refused_without_inflating_it(base: str) -> None:
    """Measured in a fresh process: how much the peak RSS grows while a 128 MiB gzip-in-gzip bomb
    of a few KB is fetched and refused. Before (httpx inflating each chunk whole): about 260 MB."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_CHILD, f"{base}/gzip-gzip-bomb"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "refused: the page is larger than 5 MB"
    assert result["growth_kib"] < 40 * 1024, result


def test_decoded_pieces_stay_small_however_well_the_body_compresses() -> None:
    from adapters.fetcher import _PIECE, _decoded

    raw = iter([_gzip(_gzip_zeros(16 * MIB))])
    sizes = [len(piece) for piece in _decoded(raw, ["gzip", "gzip"])]
    assert sum(sizes) == 16 * MIB
    assert max(sizes) <= _PIECE


class _Server6(_Server):
    address_family = socket.AF_INET6


def test_an_ipv6_literal_link_is_fetched_from_that_address() -> None:
    """http://[::1]:port/ is a link (it was taken for a file name); allowed here, it is read."""
    try:
        httpd = _Server6(("::1", 0), _Handler)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    httpd.seen_hosts = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        port = httpd.server_address[1]
        page = SafeFetcher(allow_hosts=["::1"]).fetch(f"http://[::1]:{port}/plain")
        assert page.text == PLAIN_TEXT
        assert httpd.seen_hosts == [f"[::1]:{port}"]
        with pytest.raises(LinkRefused, match=r"refused: ::1 is a loopback address"):
            SafeFetcher().fetch(f"http://[::1]:{port}/plain")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_closed_port_is_reported(fetcher: SafeFetcher) -> None:
    with pytest.raises(LinkRefused, match=r"could not reach 127\.0\.0\.1: the connection was refused"):
        fetcher.fetch("http://127.0.0.1:9/")  # discard port: nothing listens there


def test_without_the_allow_list_the_local_server_is_refused(base: str) -> None:
    with pytest.raises(LinkRefused) as caught:
        SafeFetcher().fetch(f"{base}/article")
    assert caught.value.reason == "refused: 127.0.0.1 is a loopback address"


# --------------------------------------------------------------------------- TLS


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Server, Path, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose certificate names "localhost"; records the SNI it receives."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"), "localhost")
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def record_sni(_socket: object, name: str | None, _context: object) -> None:
        server_names.append(name or "")

    context.sni_callback = record_sni
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen_hosts = []
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, cert, server_names
    httpd.shutdown()
    httpd.server_close()


def test_https_connects_to_the_checked_ip_with_the_right_sni_and_certificate_check(
    tls_server: tuple[_Server, Path, list[str]],
) -> None:
    httpd, cert, server_names = tls_server
    port = httpd.server_address[1]
    fetcher = SafeFetcher(allow_hosts=["localhost"], verify=ssl.create_default_context(cafile=str(cert)))
    page = fetcher.fetch(f"https://localhost:{port}/article")
    assert page.url == f"https://localhost:{port}/article"
    assert "100,000 troops" in page.text
    assert server_names[-1] == "localhost"  # SNI carries the name, not the pinned IP
    assert httpd.seen_hosts[-1] == f"localhost:{port}"


@pytest.mark.parametrize("trust", ["the server's certificate", "another certificate"])
def test_https_certificate_that_does_not_fit_is_refused(
    tls_server: tuple[_Server, Path, list[str]], tmp_path: Path, trust: str
) -> None:
    httpd, cert, _names = tls_server
    port = httpd.server_address[1]
    if trust == "another certificate":
        # a CA that did not sign the server's certificate; the name in the URL is right
        trusted, url = _self_signed(tmp_path, "other.test")[0], f"https://localhost:{port}/article"
    else:
        # the right CA, but the URL names 127.0.0.1, which the certificate does not cover
        trusted, url = cert, f"https://127.0.0.1:{port}/article"
    fetcher = SafeFetcher(
        allow_hosts=["localhost", "127.0.0.1"], verify=ssl.create_default_context(cafile=str(trusted))
    )
    with pytest.raises(LinkRefused, match="its TLS certificate is not valid"):
        fetcher.fetch(url)


def test_connection_goes_to_the_address_that_was_checked(base: str, server: _Server) -> None:
    """No second DNS lookup: "pinned.test" exists only in our resolver's answer, so the fetch can
    succeed only if the connection dials the checked IP (what defeats DNS rebinding)."""
    port = server.server_address[1]
    resolved: list[str] = []

    def resolver(host: str, _port: int) -> list[IPAddress]:
        resolved.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    fetcher = SafeFetcher(allow_hosts=["pinned.test"], resolver=resolver)
    page = fetcher.fetch(f"http://pinned.test:{port}/redirect-to-article")
    assert page.url == f"http://pinned.test:{port}/article"
    assert "100,000 troops" in page.text
    assert resolved == ["pinned.test", "pinned.test"]  # resolved and checked again after the redirect
    assert server.seen_hosts[-1] == f"pinned.test:{port}"


def test_fetch_limits_bench_smoke(tmp_path: Path) -> None:
    """``python -m bench.fetch_limits --smoke`` runs end to end (64 MiB bombs, fresh processes)."""
    from bench import fetch_limits

    assert fetch_limits.main(["--smoke", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "fetch_limits-latest.json").read_text())
    cases = {case["case"]: case for case in result["cases"]}
    assert cases["/article"]["outcome"].startswith("fetched")
    for bomb in ("/gzip-gzip", "/zstd"):
        assert cases[bomb]["outcome"] == "refused: the page is larger than 5 MB"
        assert cases[bomb]["rss_peak_mb"] - cases[bomb]["rss_before_mb"] < 40
