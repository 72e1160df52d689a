"""Real text for the benchmarks: articles from a directory, their sentences, 1,000-word articles.

Nothing here is shipped data: every function takes the directory it reads (e.g.
``../shared/data/polnear/train/text``), and the smoke tests pass a few files of their own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

# A sentence ends at . ! or ? (maybe closed by a quote or bracket) followed by space and a capital,
# a quote or a digit. Crude, but we only need plausible sentences, not a treebank.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"“‘(A-Z0-9])")
_WORD = re.compile(r"\S+")


def read_texts(directory: Path, *, limit: int | None = None, min_words: int = 50) -> list[tuple[str, str]]:
    """(file name, text) of the ``*.txt`` files in ``directory``, sorted by name, long enough."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SystemExit(f"no such directory: {directory}")
    out: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if len(_WORD.findall(text)) >= min_words:
            out.append((path.name, text))
        if limit is not None and len(out) >= limit:
            break
    if not out:
        raise SystemExit(f"no usable *.txt files in {directory}")
    return out


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        if not flat:
            continue
        sentences.extend(s.strip() for s in _SENTENCE_END.split(flat) if s.strip())
    return sentences


def claim_like_sentences(
    texts: Sequence[str], *, min_words: int = 6, max_words: int = 45, limit: int | None = None
) -> list[str]:
    """Unique sentences of a plausible claim length, in corpus order."""
    seen: dict[str, None] = {}
    for text in texts:
        for sentence in split_sentences(text):
            n = word_count(sentence)
            if min_words <= n <= max_words and sentence[-1:] in '.!?"”' and sentence not in seen:
                seen[sentence] = None
                if limit is not None and len(seen) >= limit:
                    return list(seen)
    return list(seen)


def compose_article(paragraphs: Sequence[str], *, words: int) -> str:
    """Whole paragraphs until ``words`` is reached, then sentences of the last one (≈ ``words``)."""
    out: list[str] = []
    total = 0
    for paragraph in paragraphs:
        n = word_count(paragraph)
        if total + n <= words:
            out.append(paragraph)
            total += n
            continue
        tail: list[str] = []
        for sentence in split_sentences(paragraph):
            if total >= words:
                break
            tail.append(sentence)
            total += word_count(sentence)
        if tail:
            out.append(" ".join(tail))
        break
    return "\n\n".join(out)


def articles_of_length(
    texts: Sequence[str], *, count: int, words: int = 1_000, seed: int = 7, nonce: str = ""
) -> list[str]:
    """``count`` distinct articles of about ``words`` words made of the corpus' own paragraphs.

    Each starts with a real article and continues with the paragraphs of the next ones until
    it is long enough, so its statements, speakers and quotes are real. ``nonce`` (a run id)
    goes into a closing byline so a re-run is not answered as an already-checked duplicate.
    """
    paragraphs_by_text = [
        [" ".join(p.split()) for p in re.split(r"\n\s*\n", t) if p.strip()] for t in texts if t.strip()
    ]
    if not paragraphs_by_text:
        raise ValueError("no text to compose articles from")
    rng = random.Random(seed)
    order = list(range(len(paragraphs_by_text)))
    rng.shuffle(order)
    out: list[str] = []
    cursor = 0
    for i in range(count):
        pool: list[str] = []
        while word_count(" ".join(pool)) < words * 1.2 and len(pool) < 10_000:
            pool.extend(paragraphs_by_text[order[cursor % len(order)]])
            cursor += 1
        article = compose_article(pool, words=words)
        if nonce:
            article += f"\n\n(Compiled for benchmark run {nonce}, article {i}.)"
        out.append(article)
    return out
