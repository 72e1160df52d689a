"""What hostile link servers cost the fetcher: total time and peak memory (issue 23, item 6).

    .venv/bin/python -m bench.fetch_limits [--smoke] [--out DIR]

A local server on 127.0.0.1 plays the hostile sites; each case is fetched by ``SafeFetcher``
with its default limits (10 s in total, 5 MB) in a FRESH Python process, which reports the
seconds the fetch took and its peak RSS (``VmHWM``) before and after the fetch, so the
memory a refusal costs is the growth of the peak, not what the imports took.

Cases: a normal article (the baseline), headers dripped one byte every half second, a body
dripped the same way, a ``Content-Encoding: gzip, gzip`` bomb of a few KB and a zstd bomb of
about 32 KB that both expand to 1 GiB (``--smoke``: 64 MiB), and a redirect chain whose every
hop waits 3 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, LoadSampler, console, table, write_result

ARTICLE = (
    b"<html><head><title>Border</title></head><body><article>"
    + b"<p>The minister said the army has 70,000 troops at the border and that talks go on.</p>" * 40
    + b"</article></body></html>"
)
MIB = 1024 * 1024


def _zeros(total: int) -> Iterator[bytes]:
    block = b"\0" * MIB
    for _ in range(total // MIB):
        yield block


def gzip_bytes(pieces: Iterator[bytes] | Sequence[bytes]) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [compressor.compress(piece) for piece in pieces]
    out.append(compressor.flush())
    return b"".join(out)


def zstd_bytes(total: int) -> bytes:
    import zstandard

    compressor = zstandard.ZstdCompressor(level=19).compressobj()
    out = [compressor.compress(piece) for piece in _zeros(total)]
    out.append(compressor.flush())
    return b"".join(out)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def _drip(self, data: bytes) -> None:
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            time.sleep(0.5)

    def do_GET(self) -> None:
        if self.path == "/article":
            self._plain(200, ARTICLE, {"Content-Type": "text/html"})
        elif self.path == "/drip-headers":
            # 100 header bytes at 2 a second: 50 s before the body could start
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Pad: " + b"a" * 58 + b"\r\n"
            self._drip(head)
        elif self.path == "/drip-body":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
            self._drip(b"The minister said so. " * 5)
        elif self.path == "/gzip-gzip":
            self._plain(
                200, self.server.gzip_gzip, {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}
            )
        elif self.path == "/zstd":
            self._plain(200, self.server.zstd, {"Content-Type": "text/html", "Content-Encoding": "zstd"})
        elif self.path.startswith("/slow-hop/"):
            hops = int(self.path.rsplit("/", 1)[1])
            time.sleep(3)
            location = f"/slow-hop/{hops - 1}" if hops > 1 else "/article"
            self._plain(302, b"", {"Location": location, "Content-Type": "text/plain"})
        else:
            self._plain(404, b"", {"Content-Type": "text/plain"})

    def _plain(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    gzip_gzip: bytes
    zstd: bytes

    def handle_error(self, request: object, client_address: object) -> None:
        return  # the fetcher hangs up on purpose


# Runs in the child process: one fetch, then a JSON line with its time and memory.
_CHILD = r"""
import json, sys, time
from bot.errors import LinkRefused
from adapters.fetcher import SafeFetcher
def peak_kib():  # VmHWM, not ru_maxrss: that one keeps the parent's peak across fork and exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
fetcher = SafeFetcher(allow_hosts=["127.0.0.1"])
before = peak_kib()
start = time.monotonic()
try:
    page = fetcher.fetch(sys.argv[1])
    outcome = f"fetched, {len(page.text):,} characters"
except LinkRefused as exc:
    outcome = exc.reason
seconds = time.monotonic() - start
after = peak_kib()
print(json.dumps({"seconds": seconds, "rss_before_mb": before / 1024, "rss_peak_mb": after / 1024,
                  "outcome": outcome}))
"""


def fetch_in_child(url: str, timeout_s: float) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, url],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": timeout_s, "outcome": f"still running after {timeout_s:g} s (killed)"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"outcome": f"child failed: {done.stderr.strip().splitlines()[-1:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fetch_limits", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="64 MiB bombs and no drip/redirect cases")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    bomb = 64 * MIB if args.smoke else 1024 * MIB
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.gzip_gzip = gzip_bytes([gzip_bytes(_zeros(bomb))])
    httpd.zstd = zstd_bytes(bomb)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    cases = ["/article", "/gzip-gzip", "/zstd"]
    if not args.smoke:
        cases += ["/drip-headers", "/drip-body", "/slow-hop/5"]
    load = LoadSampler()
    rows: list[dict[str, Any]] = []
    try:
        for path in cases:
            result = fetch_in_child(base + path, timeout_s=90.0)
            result["case"] = path
            rows.append(result)
    finally:
        httpd.shutdown()
        httpd.server_close()
    console.print(
        table(
            f"fetcher limits (bombs expand to {bomb // MIB} MiB; gzip,gzip body {len(httpd.gzip_gzip):,} B, "
            f"zstd body {len(httpd.zstd):,} B)",
            ["case", "seconds", "RSS before fetch (MB)", "peak RSS (MB)", "outcome"],
            [
                [
                    row["case"],
                    f"{row.get('seconds', float('nan')):.1f}",
                    f"{row.get('rss_before_mb', float('nan')):.0f}",
                    f"{row.get('rss_peak_mb', float('nan')):.0f}",
                    row["outcome"],
                ]
                for row in rows
            ],
        )
    )
    write_result(
        "fetch_limits",
        {
            **load.stop(),
            "bomb_bytes": bomb,
            "gzip_gzip_bytes": len(httpd.gzip_gzip),
            "zstd_bytes": len(httpd.zstd),
            "cases": rows,
        },
        out_dir=args.out,
    )
    console.print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
