"""Reading the input files that commands take: JSON lines (``import``, ``compare --pairs``),
UTF-8 text (ClaimReview) and one query per line (``search --queries``).

Every problem is ``BadInput`` naming the file, so a bad file is refused before anything is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.errors import BadInput


def read_jsonl(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Reads every line first: one bad line refuses the whole file, so nothing half-imports."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                problems.append(f"line {number}: not UTF-8")
                continue
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                problems.append(f"line {number}: expected a JSON object")
                continue
            missing = [k for k in required if not isinstance(row.get(k), str) or not row[k].strip()]
            if missing:
                problems.append(f"line {number}: missing or empty {', '.join(missing)}")
                continue
            wrong = [k for k in optional if row.get(k) is not None and not isinstance(row[k], str)]
            if wrong:
                problems.append(f"line {number}: {', '.join(wrong)} must be text")
                continue
            rows.append(row)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BadInput(f"{path}: {len(problems)} bad line(s), nothing imported — {shown}")
    if not rows:
        raise BadInput(f"{path}: no lines to read")
    return rows


def read_text(path: Path) -> str:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 (byte {exc.start})") from None


def lines_of(path: Path) -> Iterator[str]:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            yield line.rstrip("\n")
