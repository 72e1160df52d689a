"""What the pair judge changes in news checked against a store of other news.

    HF_HUB_OFFLINE=1 .venv/bin/python -m scripts.eval_judge_in_news --data ../shared/data \\
        --store build/judge_news --train-articles 840

Stores the first ``--train-articles`` PolNeAR train articles (once: an existing ``--store`` is
reused), then checks every PolNeAR dev article against it twice, as a dry run, without and with
the pair judge (extraction done once per article), and reports how the statuses move, what the
judge costs per article, and every pair whose verdict it changed (``--out``, to read: MRPC and
STS-B say how the judge ranks pairs, this says what it does to a reply).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import _default_extractor, bootstrap
from bot.inference.judge import JUDGE_WEIGHTS, PairJudge
from bot.matching.compare import JudgeBlend
from bot.models import ArticleInput, ExtractedClaim
from bot.settings import Settings

logger = logging.getLogger("eval_judge_in_news")


class MemoExtractor:
    """The shipped extractor, run once per text."""

    def __init__(self, settings: Settings) -> None:
        self._real = _default_extractor(settings)
        self._seen: dict[str, list[ExtractedClaim]] = {}

    def extract(self, text: str) -> list[ExtractedClaim]:
        if text not in self._seen:
            self._seen[text] = list(self._real.extract(text))
        return self._seen[text]


class CountingJudge:
    """The shipped judge, counting the pairs it reads."""

    def __init__(self, weights: Path = JUDGE_WEIGHTS) -> None:
        self.judge = PairJudge(weights)
        self.pairs_per_call: list[int] = []

    @property
    def blend(self) -> JudgeBlend:
        return self.judge.blend

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        self.pairs_per_call.append(len(pairs))
        return self.judge.score(pairs)


def same_speaker_promotions(service: Any, judge: PairJudge, dev: Path, tenant: str) -> dict[str, Any]:
    """What a promotion limited to one speaker's own statements in the same stance would do: every
    stored statement among a dev statement's 20 nearest with the same speaker and stance that the
    matcher calls different (cosine >= 0.45), with the judge's score and the blend, best first."""
    from bot.known_speakers import resolve_speaker
    from bot.matching.compare import REPEAT_THRESHOLD, judge_pair
    from bot.models import Verdict

    known = service.store.speakers(tenant=tenant)
    found: list[tuple[ExtractedClaim, Any, float]] = []
    for path in sorted(dev.glob("*.txt")):
        claims = [c for c in service.extractor.extract(path.read_text()) if c.speaker]
        if not claims:
            continue
        vectors = service._encode([c.text for c in claims])
        neighbours = service.store.nearest_claims_many(tenant=tenant, embeddings=list(vectors), k=20)
        for claim, candidates in zip(claims, neighbours, strict=True):
            name = resolve_speaker(claim.speaker or "", claim.speaker_kind, claim.speaker_aliases, known).name
            for candidate in candidates:
                stored = candidate.claim
                if stored.speaker != name or stored.stance is not claim.stance or candidate.cosine < 0.45:
                    continue
                if judge_pair(claim.text, stored.text, candidate.cosine).verdict is Verdict.DIFFERENT:
                    found.append((claim, stored, float(candidate.cosine)))
    scores = judge.score([(c.text, s.text) for c, s, _ in found]) if found else []
    pairs = [
        {
            "speaker": claim.speaker,
            "stance": claim.stance.value,
            "statement": claim.text,
            "stored": stored.text,
            "cosine": round(cosine, 3),
            "judge": round(float(score), 3),
            "blend": round(judge.blend.similarity(float(score), cosine), 3),
        }
        for (claim, stored, cosine), score in zip(found, scores, strict=True)
    ]
    pairs.sort(key=lambda p: -p["blend"])
    return {
        "pairs": len(pairs),
        "stances": dict(Counter(p["stance"] for p in pairs)),
        "promoted_at_repeat_threshold": sum(p["blend"] >= REPEAT_THRESHOLD for p in pairs),
        "list": pairs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--store", type=Path, default=Path("build/judge_news"))
    parser.add_argument("--train-articles", type=int, default=840)
    parser.add_argument("--tenant", default="news")
    parser.add_argument("--out", type=Path, default=Path("build/judge_news/changed_pairs.json"))
    parser.add_argument("--judge", type=Path, default=JUDGE_WEIGHTS, help="the judge's weights (.npz)")
    parser.add_argument(
        "--promotions",
        action="store_true",
        help="instead: the pairs a same-speaker, same-stance promotion would read",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    root = args.data / "polnear"
    fresh = not (args.store / "claimbot.db").is_file()
    args.store.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=args.store, pair_judge=False)
    app = bootstrap(settings)
    service = app.service
    service.extractor = MemoExtractor(settings)
    if fresh:
        t0 = time.perf_counter()
        for path in sorted((root / "train" / "text").glob("*.txt"))[: args.train_articles]:
            service.check(tenant=args.tenant, article=ArticleInput(text=path.read_text(), title=path.stem))
        logger.info("stored %d train articles in %.0f s", args.train_articles, time.perf_counter() - t0)

    if args.promotions:
        found = same_speaker_promotions(service, PairJudge(args.judge), root / "dev" / "text", args.tenant)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(found, indent=1) + "\n")
        print(json.dumps({k: v for k, v in found.items() if k != "list"}, indent=1))
        return

    judge = CountingJudge(args.judge)
    judge.judge.warm()
    off_ms: list[float] = []
    on_ms: list[float] = []
    moves: Counter[str] = Counter()
    changed_pairs: list[dict[str, Any]] = []
    for path in sorted((root / "dev" / "text").glob("*.txt")):
        article = ArticleInput(text=path.read_text(), title=path.stem)
        service.judge = None
        service.check(tenant=args.tenant, article=article, dry_run=True)  # extraction and vectors cached
        t0 = time.perf_counter()
        without = service.check(tenant=args.tenant, article=article, dry_run=True)
        off_ms.append(1000 * (time.perf_counter() - t0))
        judge.judge._cache.clear()  # each article's pairs are judged afresh
        service.judge = judge
        t0 = time.perf_counter()
        with_judge = service.check(tenant=args.tenant, article=article, dry_run=True)
        on_ms.append(1000 * (time.perf_counter() - t0))
        for a, b in zip(without.claims, with_judge.claims, strict=True):
            moves[f"{a.status.value} -> {b.status.value}"] += 1
            if a.status is not b.status:
                match = a.match or b.match
                changed_pairs.append(
                    {
                        "article": path.stem,
                        "without": a.status.value,
                        "with": b.status.value,
                        "statement": a.claim.text,
                        "speaker": a.claim.speaker,
                        "stored": match.claim.text if match else None,
                        "stored_speaker": match.claim.speaker if match else None,
                    }
                )
    extra = [b - a for a, b in zip(off_ms, on_ms, strict=True)]
    report = {
        "train_articles_stored": args.train_articles,
        "dev_articles": len(off_ms),
        "check_ms_median_without_judge": round(statistics.median(off_ms)),
        "check_ms_median_with_judge": round(statistics.median(on_ms)),
        "extra_ms_median": round(statistics.median(extra)),
        "extra_ms_p90": round(float(np.percentile(extra, 90))),
        "pairs_judged_per_article_median": statistics.median(judge.pairs_per_call or [0]),
        "pairs_judged_per_article_max": max(judge.pairs_per_call or [0]),
        "status_moves": dict(sorted(moves.items())),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"report": report, "changed": changed_pairs}, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
