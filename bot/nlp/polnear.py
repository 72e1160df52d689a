"""Reader for PolNeAR (brat standoff) attribution annotations.

Layout of a compartment (``train``, ``dev``): ``text/<name>.txt`` and
``attributions/<name>_<annotator>.ann``. Each attribution is an event line
(``E3\tAttribution:T12 Cue:T11 Source:T10 Content:T9``) whose roles point at text-bound
lines (``T9\tContent 256 377;463 616\t...``). Spans may be discontinuous; offsets are
character offsets into the ``.txt`` file. Some ``.ann`` files contain stray pasted text
lines; those are skipped rather than failing the whole article.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

_TEXT_BOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t?(.*)$")
_ANNOTATOR_SUFFIX = re.compile(r"_([0-9a-f]{4})\.ann$")

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """One annotated attribution; each role is a tuple of (start, end) fragments."""

    content: Fragments
    cue: Fragments
    source: Fragments  # empty for "Attribution-no-source"

    @property
    def content_start(self) -> int:
        return min(s for s, _ in self.content)

    @property
    def content_end(self) -> int:
        return max(e for _, e in self.content)


@dataclass(frozen=True, slots=True)
class PolnearArticle:
    name: str
    annotator: str
    text: str
    attributions: tuple[GoldAttribution, ...]


def parse_ann(ann: str) -> tuple[GoldAttribution, ...]:
    """Parses the attribution events of one brat ``.ann`` document."""
    spans: dict[str, Fragments] = {}
    events: list[list[tuple[str, str]]] = []
    for line in ann.splitlines():
        bound = _TEXT_BOUND.match(line)
        if bound:
            frags = tuple(
                (int(a), int(b)) for a, b in (part.split(" ") for part in bound.group(3).split(";"))
            )
            spans[bound.group(1)] = frags
            continue
        if line.startswith("E") and "\t" in line:
            _, _, body = line.partition("\t")
            pairs = [item.partition(":") for item in body.split() if ":" in item]
            events.append([(role, ref) for role, _, ref in pairs])
    result: list[GoldAttribution] = []
    for roles in events:
        if not roles or not roles[0][0].startswith("Attribution"):
            continue
        parts: dict[str, list[tuple[int, int]]] = {"Content": [], "Cue": [], "Source": []}
        for role, ref in roles[1:]:
            key = re.sub(r"\d+$", "", role)  # Content2 -> Content
            if key in parts and ref in spans:
                parts[key].extend(spans[ref])
        if not parts["Content"]:
            continue
        result.append(
            GoldAttribution(
                content=tuple(sorted(parts["Content"])),
                cue=tuple(sorted(parts["Cue"])),
                source=tuple(sorted(parts["Source"])),
            )
        )
    return tuple(result)


def read_compartment(root: Path, *, all_annotators: bool = False) -> Iterator[PolnearArticle]:
    """Yields the articles of one compartment (``.../polnear/dev``), sorted by name.

    Articles annotated by several annotators are yielded once (first annotator in sorted
    order) unless ``all_annotators``.
    """
    ann_dir = root / "attributions"
    text_dir = root / "text"
    seen: set[str] = set()
    for ann_path in sorted(ann_dir.glob("*.ann")):
        suffix = _ANNOTATOR_SUFFIX.search(ann_path.name)
        if suffix is None:
            logger.warning("skipping %s: no annotator suffix", ann_path.name)
            continue
        name = ann_path.name[: suffix.start()]
        if name in seen and not all_annotators:
            continue
        text_path = text_dir / f"{name}.txt"
        if not text_path.exists():
            logger.warning("skipping %s: no text file", ann_path.name)
            continue
        seen.add(name)
        text = text_path.read_text(encoding="utf-8")
        yield PolnearArticle(
            name=name,
            annotator=suffix.group(1),
            text=text,
            attributions=parse_ann(ann_path.read_text(encoding="utf-8")),
        )


def find_compartment(data: Path, split: str) -> Path:
    """Accepts the data root (``../shared/data``), the corpus root, or the compartment."""
    for candidate in (data / "polnear" / split, data / split, data):
        if (candidate / "attributions").is_dir() and (candidate / "text").is_dir():
            return candidate
    raise FileNotFoundError(f"no PolNeAR {split!r} compartment under {data}")
