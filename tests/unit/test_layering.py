"""The core must not depend on chat platforms, databases or our own outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot"
FORBIDDEN = (
    "adapters",
    "storage",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "sqlmodel",
    "psycopg",
    "alembic",
    "aiohttp",
    "tests",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_nothing_from_outer_layers(path: Path) -> None:
    bad = _imports(path) & set(FORBIDDEN)
    assert not bad, f"{path.relative_to(CORE.parent)} imports {sorted(bad)}"
