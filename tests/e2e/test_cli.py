"""The real ``claimbot`` entry point in a subprocess: exit codes, JSON shape, nothing partial stored.

NLP and embeddings are the real ones (the shipped pipeline, MiniLM), on a throwaway SQLite store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli_runner import ROOT, claimbot, clean_env

pytestmark = pytest.mark.slow

ARTICLE = (
    "The city council said on Monday that the new tram line will cost £200 million.\n\n"
    '"We will open the line in 2028," said Mayor Joan Bell, adding that fares would stay at £2.\n\n'
    "According to the transport authority, 40,000 people will use the tram every day.\n"
)
FOLLOW_UP = (
    "Mayor Joan Bell said the tram line would open in 2028.\n\n"
    "The city council said on Friday that the tram line will now cost £260 million.\n"
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


def test_check_import_search_compare_export(tmp_path: Path, env: dict[str, str]) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    second.write_text(FOLLOW_UP, encoding="utf-8")

    done = claimbot("check", str(first), "--json", "--title", "Trams", "--published", "2026-11-02", env=env)
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["article"]["title"] == "Trams"
    assert report["article"]["published"] == "2026-11-02"
    assert report["summary"]["claims"] >= 2
    for claim in report["claims"]:
        content = claim["content"]
        assert ARTICLE[content["start"] : content["end"]].strip()  # offsets index the text as read
        assert content["pieces"][0]["start"] == content["start"]
        assert content["pieces"][-1]["end"] == content["end"]
        assert claim["status"] == "new"

    done = claimbot("check", str(second), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    statuses = {c["status"] for c in json.loads(done.stdout)["claims"]}
    assert statuses & {"repeat", "changed"}

    # the same article again is recognised, not double counted
    again = json.loads(claimbot("check", str(first), "--json", env=env).stdout)
    assert again["article"]["duplicate_of"] == report["article"]["id"]

    archive = tmp_path / "archive.jsonl"
    archive.write_text(
        "\n".join(
            json.dumps({"id": f"fc-{i}", "text": text, "speaker": "Fact Desk", "title": title})
            for i, (text, title) in enumerate(
                [
                    ("Tram fares will rise to £3 next year", "Will Tram Fares Really Rise to £3?"),
                    ("The harbour will close in May", None),
                ]
            )
        ),
        encoding="utf-8",
    )
    done = claimbot("import", str(archive), env=env)
    assert done.returncode == 0, done.stderr.decode()
    done = claimbot("search", "how much will tram tickets cost", "--json", "--top", "3", env=env)
    results = json.loads(done.stdout)["results"]
    assert results
    expected_keys = {"claim_id", "external_id", "text", "speaker", "score", "first_seen", "source", "title"}
    assert expected_keys <= set(results[0])
    titles = {r["external_id"]: r["title"] for r in results if r["external_id"]}
    assert titles.get("fc-0") == "Will Tram Fares Really Rise to £3?"

    done = claimbot(
        "compare", "Russia has about 70,000 troops", "Russia has about 100,000 troops", "--json", env=env
    )
    verdict = json.loads(done.stdout)
    assert verdict["verdict"] == "changed"
    assert any("70,000" in r for r in verdict["reasons"])

    done = claimbot("export", "--format", "csv", env=env)
    assert done.returncode == 0
    assert done.stdout.decode().splitlines()[0].startswith("claim_id,")


def test_int8_encoder_through_the_cli(tmp_path: Path, env: dict[str, str]) -> None:
    # The CLI imports the store (usearch) before the encoder loads onnxruntime: the order that
    # crashed with some usearch wheels. The int8 model is made on first use in the cache dir.
    env = {
        **env,
        "CLAIMBOT_EMBEDDING_PRECISION": "int8",
        "CLAIMBOT_MODEL_CACHE_DIR": str(tmp_path / "models"),
    }
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(ARTICLE, encoding="utf-8")
    second.write_text(FOLLOW_UP, encoding="utf-8")
    assert claimbot("check", str(first), "--json", env=env).returncode == 0
    assert list((tmp_path / "models").glob("minilm-int8-*.onnx"))
    done = claimbot("check", str(second), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    statuses = {c["status"] for c in json.loads(done.stdout)["claims"]}
    assert statuses & {"repeat", "changed"}
    archive = tmp_path / "archive.jsonl"
    archive.write_text(
        json.dumps({"id": "fc-1", "text": "Tram fares will rise to £3 next year"}), encoding="utf-8"
    )
    assert claimbot("import", str(archive), env=env).returncode == 0
    done = claimbot("search", "how much will tram tickets cost", "--json", env=env)
    assert "fc-1" in {r["external_id"] for r in json.loads(done.stdout)["results"]}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x00\x01\x02binary\xff\xfe" * 50, "binary"),
        ("Le gouvernement a annoncé mardi une hausse des impôts pour les entreprises.".encode(), "English"),
        # not prose (issue 23.10): each was stored as an article before
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\nBT (Mayor Bell said so.) Tj ET\n", "PDF"),
        (
            b"name,statement\n" + b"".join(b'Joan %d,"The mayor said %d"\n' % (i, i) for i in range(20)),
            "table",
        ),
        ('"" \u201c\u201d "" \u00ab\u00bb\n'.encode() * 10, "no words"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_stores_nothing(
    payload: bytes, message: str, env: dict[str, str]
) -> None:
    done = claimbot("check", "-", env=env, stdin=payload)
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert message.lower() in lines[0].lower()
    export = claimbot("export", "--format", "json", env=env)
    assert export.stdout.strip() == b""


def test_missing_file_and_bad_date_exit_2(env: dict[str, str]) -> None:
    assert claimbot("check", "no/such/file.txt", env=env).returncode == 2
    assert claimbot("check", "-", "--published", "yesterday", env=env, stdin=b"x").returncode == 2


def test_a_bad_import_line_imports_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    archive = tmp_path / "archive.jsonl"
    archive.write_text(
        '{"id": "1", "text": "fine"}\n{"id": "2"}\nnot json\n{"id": "4", "text": "x", "title": 7}\n',
        encoding="utf-8",
    )
    done = claimbot("import", str(archive), env=env)
    assert done.returncode == 2
    assert "line 2" in done.stderr.decode()
    assert "line 4: title must be text" in done.stderr.decode()
    assert claimbot("export", env=env).stdout.strip() == b""


def test_unreachable_database_is_a_clear_internal_error(env: dict[str, str]) -> None:
    env = {**env, "CLAIMBOT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    done = claimbot("speakers", env=env)
    assert done.returncode == 1
    assert "database" in done.stderr.decode().lower()
    assert "Traceback" not in done.stderr.decode()


class _ArticleServer:
    """A real HTTP server on 127.0.0.1 serving one HTML article and one PDF."""

    def __init__(self) -> None:
        import http.server
        import threading

        page = (
            "<html><head><title>Tram costs rise</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE.strip().split("\n\n"))
            + "</article></body></html>"
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, kind = (page, "text/html; charset=utf-8")
                if self.path.endswith(".pdf"):
                    body, kind = (b"%PDF-1.4 not an article", "application/pdf")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def article_server() -> Iterator[_ArticleServer]:
    server = _ArticleServer()
    yield server
    server.close()


def test_check_a_link_and_refuse_hostile_ones(article_server: _ArticleServer, env: dict[str, str]) -> None:
    url = f"{article_server.base}/news/trams.html"
    # without the allow-list a loopback address is refused, with a reason and exit 2
    refused = claimbot("check", url, env=env)
    assert refused.returncode == 2
    assert "refused" in refused.stderr.decode()

    allowed = {**env, "CLAIMBOT_FETCH_ALLOW_HOSTS": '["127.0.0.1"]'}
    done = claimbot("check", url, "--json", env=allowed)
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    assert report["article"]["url"] == url
    assert report["article"]["title"] == "Tram costs rise"
    assert report["summary"]["claims"] >= 2

    pdf = claimbot("check", f"{article_server.base}/report.pdf", env=allowed)
    assert pdf.returncode == 2
    assert "application/pdf" in pdf.stderr.decode()

    metadata = claimbot("check", "http://169.254.169.254/latest/meta-data/", env=allowed)
    assert metadata.returncode == 2
    assert "refused" in metadata.stderr.decode()


def test_the_demo_shows_the_denial_as_a_denial_and_the_admission_as_a_change(env: dict[str, str]) -> None:
    examples = ROOT / "examples"
    done = claimbot("check", str(examples / "article-harbour-bridge.txt"), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    [denial] = [c for c in json.loads(done.stdout)["claims"] if c["stance"] == "denies"]
    assert (denial["speaker"], denial["text"]) == ("Anna Whitfield", "the council had delayed the repairs")

    done = claimbot("check", str(examples / "article-harbour-bridge-followup.txt"), "--json", env=env)
    assert done.returncode == 0, done.stderr.decode()
    [admission] = [c for c in json.loads(done.stdout)["claims"] if c["text"] == denial["text"]]
    assert (admission["stance"], admission["status"]) == ("asserts", "changed")
    assert admission["match"]["stance"] == "denies"
    assert admission["match"]["reasons"][0].startswith("denied on ")

    table = claimbot("check", str(examples / "article-harbour-bridge.txt"), "--dry-run", env=env)
    assert "denies" in table.stdout.decode()
