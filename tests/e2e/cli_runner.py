"""The real ``claimbot`` entry point in a subprocess, as the end-to-end CLI tests run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def claimbot(
    *args: str, env: dict[str, str], stdin: bytes | None = None, stdout: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``claimbot ARGS`` from the repository root; stdout and stderr captured unless ``stdout``."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.console.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )


def clean_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment without any claimbot, Discord or Slack setting, with a
    throwaway data directory (so the default SQLite store) under ``tmp_path``."""
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMBOT_", "DISCORD_", "SLACK_"))}
    return {**outside, "CLAIMBOT_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
