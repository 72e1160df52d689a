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
    "httpx",
    "httpcore",
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


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _full_imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (a function body included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_adapter_modules_do_not_import_each_other_in_a_cycle() -> None:
    root = CORE.parent
    paths = sorted((root / "adapters").rglob("*.py"))
    graph = {_module_name(p, root): {m for m in _full_imports(p) if m.startswith("adapters.")} for p in paths}
    graph = {name: {m for m in deps if m in graph and m != name} for name, deps in graph.items()}

    def cycle_from(start: str, node: str, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        for dep in sorted(graph[node]):
            if dep == start:
                return (*seen, dep)
            if dep not in seen and (found := cycle_from(start, dep, (*seen, dep))):
                return found
        return None

    cycles = [c for name in graph if (c := cycle_from(name, name, (name,)))]
    assert not cycles, f"import cycle: {' -> '.join(cycles[0])}"


INFRASTRUCTURE = CORE / "inference"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CORE.rglob("*.py") if INFRASTRUCTURE not in p.parents),
    ids=lambda p: str(p.relative_to(CORE)),
)
def test_core_module_never_imports_the_model_runtimes(path: Path) -> None:
    """The model runtimes (bot.inference: ONNX Runtime, PyTorch, the model cache) are handed to
    the core by adapters/bootstrap.py; no core module imports them, not even inside a function."""
    bad = sorted(m for m in _full_imports(path) if m == "bot.inference" or m.startswith("bot.inference."))
    assert not bad, f"{path.relative_to(CORE.parent)} imports {bad}"
