"""PostgreSQL restarting inside an article's write transaction (issue 23, item 7).

The test makes its OWN cluster (``initdb`` and ``pg_ctl`` in a temporary directory, on a free
port; as the ``postgres`` user when the tests run as root), so restarting it disturbs nothing
else. ``claimbot check`` runs in a subprocess with the real models; a small module imported
before the CLI restarts (or stops) the server from inside ``SqlStore.save_article``'s
transaction. The command must end with one stderr line, ``claimbot: database unavailable
(URL): reason``, exit 1, and leave nothing of the article in the database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FIRST = (
    "The city council said on Monday that the new tram line will cost £200 million.\n\n"
    '"We will open the line in 2028," said Mayor Joan Bell.\n'
)
SECOND = (
    "Mayor Joan Bell said the tram line would open in 2029.\n\n"
    "According to the transport authority, 40,000 people will use the tram every day.\n"
)

# Imported before the CLI: restarts the server between the article's INSERT and its claims,
# or just before COMMIT, in the way HOOK_MODE says.
HOOK = textwrap.dedent(
    """
    import os, subprocess
    import storage.store as store_module

    CTL = os.environ["HOOK_CTL"].split("\\x1f")
    START = os.environ["HOOK_START"].split("\\x1f")
    MODE = os.environ["HOOK_MODE"]
    original = store_module.SqlStore._save_claims

    def restart(how, start=True):
        subprocess.run(CTL + ["-m", how, "-w", "stop"], capture_output=True, check=True)
        if start:
            subprocess.run(START, capture_output=True, check=True)

    def patched(self, conn, *args, **kwargs):
        if MODE == "restart-inside-write":
            restart("fast")
        elif MODE == "down-inside-write":
            restart("fast", start=False)
        result = original(self, conn, *args, **kwargs)
        if MODE == "crash-before-commit":
            restart("immediate")
        return result

    store_module.SqlStore._save_claims = patched
    """
)


@dataclass
class _Cluster:
    url: str
    ctl: list[str]  # pg_ctl -D DATA, as the right user
    start: list[str]

    def ensure_running(self) -> None:
        if subprocess.run([*self.ctl, "status"], capture_output=True, check=False).returncode != 0:
            subprocess.run(self.start, capture_output=True, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def cluster() -> Iterator[_Cluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
    initdb = Path(found[-1])
    if not initdb.name or not initdb.is_file():
        pytest.skip("initdb is needed to make a PostgreSQL cluster of the test's own")
    # not under pytest's base temp, which is private to the test user: the server's user must
    # reach it. A temporary directory of its own, removed at the end.
    base = Path(tempfile.mkdtemp(prefix="claimbot-test-pg-"))
    as_user: list[str] = []
    ctl: list[str] = []
    try:
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as "postgres"
            try:
                shutil.chown(base, user="postgres")
            except (LookupError, PermissionError):
                pytest.skip("running as root and there is no postgres user to own a test cluster")
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start a cluster as another user")
            as_user = ["runuser", "-u", "postgres", "--"]
        data, port = base / "data", _free_port()
        subprocess.run(
            [*as_user, str(initdb), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            capture_output=True, check=True,
        )  # fmt: skip
        ctl = [*as_user, str(initdb.parent / "pg_ctl"), "-D", str(data)]
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = [*ctl, "-w", "-l", str(base / "log"), "start", "-o", options]
        subprocess.run(start, capture_output=True, check=True)
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE claims"))
        admin.dispose()
        yield _Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/claims", ctl, start)
    finally:
        if ctl:
            subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


def _counts(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            articles = conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one()
            claims = conn.execute(sa.text("SELECT count(*) FROM claims")).scalar_one()
        return articles, claims
    finally:
        engine.dispose()


@pytest.mark.parametrize("mode", ["restart-inside-write", "crash-before-commit", "down-inside-write"])
def test_a_restart_inside_the_write_is_one_line_and_stores_nothing(
    cluster: _Cluster, tmp_path: Path, mode: str
) -> None:
    cluster.ensure_running()
    (tmp_path / "hook.py").write_text(HOOK)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(FIRST)
    second.write_text(SECOND)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "CLAIMBOT_DATABASE_URL": cluster.url,
        "CLAIMBOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "HOOK_CTL": "\x1f".join(cluster.ctl),
        "HOOK_START": "\x1f".join(cluster.start),
        "HOOK_MODE": "none",
    }
    cli = [sys.executable, "-c", "import hook; from adapters.console.cli import main; main()", "check"]
    done = subprocess.run(
        [*cli, str(first)], cwd=ROOT, env=env, capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    stored = _counts(cluster.url)

    done = subprocess.run(
        [*cli, str(second)],
        cwd=ROOT,
        env={**env, "HOOK_MODE": mode},
        capture_output=True,
        timeout=300,
        check=False,
    )
    lines = done.stderr.decode().strip().splitlines()
    # before: two lines (a model warning, then "claimbot: database unavailable: database unavailable (...")
    assert done.returncode == 1, done.stderr.decode()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"claimbot: database unavailable ({cluster.url}): "), lines[0]
    cluster.ensure_running()
    assert _counts(cluster.url) == stored  # nothing of the second article
