"""Evaluates who-said-what extraction on PolNeAR (dev by default).

    python -m scripts.eval_attribution --data ../shared/data [--split dev] [--model NAME]
        [--limit N] [--tune] [--keep-bare-objects] [--rules-only | --span-tagger FILE]
        [--tune-tagger] [--tagger-alone] [--out build/eval_attribution.json]

As the product runs by default: the rules plus the learned span tagger (``--rules-only``
without it; ``--tune-tagger`` sweeps its confidence and length thresholds; ``--tagger-alone``
also scores the tagger's own content spans as the claims, with no rules).

* content P/R/F1: a predicted statement matches a gold attribution when their content
  spans overlap by at least half of the longer one, in word tokens; matching is one-to-one
  (greedy by overlap). Reported overall and separately for direct (gold content starts or
  ends with a quote mark) and indirect statements; for the split scores a prediction counts
  against the kind of the gold item it matched, or its own kind when unmatched.
* speaker accuracy on matched pairs: the predicted speaker mention overlaps the gold
  Source span, or the resolved speaker (or one of its aliases) names the gold source.
* strict P/R/F1 ("as a reader sees it"): a matched pair counts only when the two content
  spans cover at least 80 % of each other (both ways, in word tokens; a split quote's pieces
  are its content) **and** its speaker is right as above. Every other prediction is a false
  positive, every other gold a miss. Reported beside the lenient scores, overall and split.
* speed: seconds to extract a ~1,000-word article, warm, median of several runs.

Unattributed sentences are not scored (PolNeAR annotates attributions only) and
restatement merging is off, so every predicted attribution is scored. Reported objects with
no clause ("backed | Clinton") are dropped as in the product unless ``--keep-bare-objects``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.models import ClaimKind, ExtractedClaim, Span
from bot.nlp.attribution import load_lexicon
from bot.nlp.polnear import GoldAttribution, PolnearArticle, find_compartment, read_compartment
from bot.nlp.tagged_spans import TaggedSpan

logger = logging.getLogger(__name__)

WORD = re.compile(r"\w+|[^\w\s]")
QUOTE_MARKS = '"“”'


def token_set(text: str, fragments: Sequence[tuple[int, int]], offsets: list[int]) -> frozenset[int]:
    """Indices of word tokens (by start offset) that fall inside the fragments."""
    import bisect

    result: set[int] = set()
    for start, end in fragments:
        lo = bisect.bisect_left(offsets, start)
        hi = bisect.bisect_left(offsets, end)
        result.update(range(lo, hi))
    return frozenset(result)


def gold_is_direct(text: str, gold: GoldAttribution) -> bool:
    content = " ".join(text[s:e] for s, e in gold.content).strip()
    return bool(content) and (content[0] in QUOTE_MARKS or content[-1] in QUOTE_MARKS)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    speaker_ok: int = 0

    def as_dict(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        acc = self.speaker_ok / self.tp if self.tp else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "speaker_accuracy": round(acc, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


STRICT_COVER = 0.8


def strict_overlap(pred: frozenset[int], gold: frozenset[int]) -> bool:
    """Both spans cover at least ``STRICT_COVER`` of each other."""
    shared = len(pred & gold)
    return bool(shared) and shared >= STRICT_COVER * len(pred) and shared >= STRICT_COVER * len(gold)


@dataclass
class Scores:
    overall: Counts = field(default_factory=Counts)
    direct: Counts = field(default_factory=Counts)
    indirect: Counts = field(default_factory=Counts)
    # the strict measure: span within 80 % both ways and the right speaker
    strict: Counts = field(default_factory=Counts)
    strict_direct: Counts = field(default_factory=Counts)
    strict_indirect: Counts = field(default_factory=Counts)

    def strict_bucket(self, direct: bool) -> Counts:
        return self.strict_direct if direct else self.strict_indirect

    # recall by gold content length: PolNeAR also annotates non-speech attributions whose
    # content is a bare object ("backed | Clinton"), which claimbot does not report
    found_by_length: dict[str, list[int]] = field(
        default_factory=lambda: {"1-3 words": [0, 0], "4+ words": [0, 0]}
    )

    # shown speaker names made only of words the annotators marked as a source somewhere in
    # the article: catches names run wide ("risky for Cruz") that the mention overlap misses
    names_clean: list[int] = field(default_factory=lambda: [0, 0])

    def speaker_names_clean(self) -> dict[str, float | int]:
        clean, total = self.names_clean
        return {"clean": clean, "named": total, "share": round(clean / total, 4) if total else 0.0}

    def recall_by_length(self) -> dict[str, dict[str, float | int]]:
        return {
            key: {"gold": total, "found": found, "recall": round(found / total, 4) if total else 0.0}
            for key, (found, total) in self.found_by_length.items()
        }

    def bucket(self, direct: bool) -> Counts:
        return self.direct if direct else self.indirect


_NOT_NAMES = frozenset({"the", "a", "an", "this", "that", "these", "those"})


def _names_gold_source(claim: ExtractedClaim, source_text: str) -> bool:
    if not claim.speaker or not source_text.strip():
        return False
    names = [claim.speaker, *claim.speaker_aliases]
    # a capitalised determiner opening the source ("The agency's ...") names nobody
    capitalised = [
        w.strip(",.'’s") for w in source_text.split() if w[:1].isupper() and w.lower() not in _NOT_NAMES
    ]
    if not capitalised:
        return False
    key = capitalised[-1].lower()
    return any(key and key in re.findall(r"\w+", name.lower()) for name in names)


def speaker_right(claim: ExtractedClaim, gold: GoldAttribution, text: str) -> bool:
    """The claim's speaker mention overlaps the gold source, or its resolved name names it,
    or neither has a source."""
    if claim.speaker_mention is not None and gold.source:
        m = claim.speaker_mention
        if any(m.start < e and s < m.end for s, e in gold.source):
            return True
    if gold.source:
        return _names_gold_source(claim, " ".join(text[s:e] for s, e in gold.source))
    return claim.speaker is None  # both agree there is no named source


def claim_labels(article: PolnearArticle, claims: Sequence[ExtractedClaim]) -> list[tuple[bool, bool]]:
    """For each claim: (a lenient true positive, right as a reader sees it: a strict one)."""
    text = article.text
    offsets = [m.start() for m in WORD.finditer(text)]
    golds = list(article.attributions)
    gold_tokens = [token_set(text, g.content, offsets) for g in golds]
    pred_tokens = [token_set(text, [(p.start, p.end) for p in c.content_pieces], offsets) for c in claims]
    labels = [(False, False)] * len(claims)
    for pi, gi in one_to_one_matches(pred_tokens, gold_tokens):
        strict = speaker_right(claims[pi], golds[gi], text) and strict_overlap(
            pred_tokens[pi], gold_tokens[gi]
        )
        labels[pi] = (True, strict)
    return labels


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def one_to_one_matches(
    pred_tokens: Sequence[frozenset[int]], gold_tokens: Sequence[frozenset[int]]
) -> list[tuple[int, int]]:
    """(prediction, gold) index pairs whose token sets overlap by at least half of the larger
    one, each side used once, the closest overlaps taken first."""
    pairs: list[tuple[float, int, int]] = []
    for pi, ptoks in enumerate(pred_tokens):
        if not ptoks:
            continue
        for gi, gtoks in enumerate(gold_tokens):
            overlap = len(ptoks & gtoks)
            if overlap and overlap >= 0.5 * max(len(ptoks), len(gtoks)):
                pairs.append((overlap / max(len(ptoks), len(gtoks)), pi, gi))
    pairs.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    matches: list[tuple[int, int]] = []
    for _, pi, gi in pairs:
        if pi not in used_p and gi not in used_g:
            used_p.add(pi)
            used_g.add(gi)
            matches.append((pi, gi))
    return matches


def score_article(article: PolnearArticle, claims: list[ExtractedClaim], scores: Scores) -> None:
    text = article.text
    offsets = [m.start() for m in WORD.finditer(text)]
    golds = list(article.attributions)
    gold_tokens = [token_set(text, g.content, offsets) for g in golds]
    # a split quote is scored on its pieces, as PolNeAR marks it, not on the writer's words
    # between them; a restatement elsewhere in the article is not part of the content
    pred_tokens = [
        token_set(text, [(p.start, p.end) for p in claim.content_pieces], offsets) for claim in claims
    ]
    source_words = frozenset().union(*(_words(text[s:e]) for g in golds for s, e in g.source))
    used_p: set[int] = set()
    used_g: set[int] = set()
    for pi, gi in one_to_one_matches(pred_tokens, gold_tokens):
        used_p.add(pi)
        used_g.add(gi)
        gold = golds[gi]
        claim = claims[pi]
        direct = gold_is_direct(text, gold)
        ok = speaker_right(claim, gold, text)
        for counts in (scores.overall, scores.bucket(direct)):
            counts.tp += 1
            counts.speaker_ok += int(ok)
        strict_ok = ok and strict_overlap(pred_tokens[pi], gold_tokens[gi])
        for counts in (scores.strict, scores.strict_bucket(direct)):
            counts.tp += int(strict_ok)
            counts.speaker_ok += int(strict_ok)
            counts.fp += int(not strict_ok)
            counts.fn += int(not strict_ok)
        if claim.speaker and gold.source:
            scores.names_clean[0] += int(_words(claim.speaker) <= source_words)
            scores.names_clean[1] += 1
    for pi, claim in enumerate(claims):
        if pi not in used_p:
            direct = claim.kind is ClaimKind.DIRECT
            for counts in (
                scores.overall,
                scores.bucket(direct),
                scores.strict,
                scores.strict_bucket(direct),
            ):
                counts.fp += 1
    for gi, gtoks in enumerate(gold_tokens):
        bucket = scores.found_by_length["1-3 words" if len(gtoks) <= 3 else "4+ words"]
        bucket[0] += int(gi in used_g)
        bucket[1] += 1
    for gi, gold in enumerate(golds):
        if gi not in used_g:
            direct = gold_is_direct(text, gold)
            for counts in (
                scores.overall,
                scores.bucket(direct),
                scores.strict,
                scores.strict_bucket(direct),
            ):
                counts.fn += 1


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    bar = "#" * int(30 * done / total)
    sys.stderr.write(f"\r[{bar:<30}] {done}/{total} articles  {elapsed:6.1f}s")
    sys.stderr.flush()
    if done == total:
        sys.stderr.write("\n")


def evaluate(
    extractor, articles: list[PolnearArticle], *, show_progress: bool = True
) -> tuple[Scores, float, int]:
    scores = Scores()
    started = time.perf_counter()
    words = 0
    texts = [a.text for a in articles]
    docs = extractor.nlp.pipe([_normalise(t) for t in texts], batch_size=8)
    for index, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        claims = extractor.claims_from_doc(doc, article.text)
        score_article(article, claims, scores)
        words += len(article.text.split())
        if show_progress:
            _progress(index + 1, len(articles), started)
    return scores, time.perf_counter() - started, words


def _normalise(text: str) -> str:
    from bot.nlp.quotes import normalise_text

    return normalise_text(text)


def measure_speed(extractor, articles: list[PolnearArticle], runs: int = 7) -> dict[str, float]:
    """Builds a ~1,000-word article from dev paragraphs and times extract() warm."""
    paragraphs: list[str] = []
    count = 0
    for article in articles:
        for paragraph in article.text.split("\n"):
            if paragraph.strip():
                paragraphs.append(paragraph)
                count += len(paragraph.split())
            if count >= 1000:
                break
        if count >= 1000:
            break
    text = "\n\n".join(paragraphs)
    n_words = len(text.split())
    extractor.include_unattributed = True
    extractor.merge_restatements = True
    extractor.extract(text)  # warm-up
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        extractor.extract(text)
        timings.append(time.perf_counter() - t0)
    median = statistics.median(timings)
    return {
        "words": n_words,
        "median_s": round(median, 4),
        "words_per_s": round(n_words / median, 1),
        "runs": runs,
    }


def _score_parsed(extractor, articles: list[PolnearArticle], docs: Sequence[object]) -> Scores:
    """Scores of the extractor's current settings on articles parsed once for a sweep."""
    scores = Scores()
    for article, doc in zip(articles, docs, strict=True):
        score_article(article, extractor.claims_from_doc(doc, article.text), scores)
    return scores


def tune(extractor, articles: list[PolnearArticle]) -> dict[str, object]:
    """Parses dev once and sweeps the decision threshold: the learned cue model's when the
    lexicon file has one, else the cue-prior threshold. Saves the best into the lexicon file."""
    from bot.nlp.attribution import LEXICON_PATH, AttributionModels, CueModel

    docs = list(extractor.nlp.pipe([_normalise(a.text) for a in articles], batch_size=8))
    base = load_lexicon()
    sweep: dict[float, dict[str, float | int]] = {}
    candidates = (
        (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6) if base.model else (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
    )
    for threshold in candidates:
        if base.model is not None:
            model = CueModel(base.model.weights, base.model.bias, threshold)
            extractor.lexicon = AttributionModels(base.priors, base.threshold, model, base.boundary)
        else:
            extractor.lexicon = load_lexicon(threshold=threshold)
        sweep[threshold] = _score_parsed(extractor, articles, docs).overall.as_dict()
        logger.info("threshold %.2f: %s", threshold, sweep[threshold])
    best = max(sweep, key=lambda t: sweep[t]["f1"])
    payload = json.loads(LEXICON_PATH.read_text())
    if base.model is not None:
        payload["model"]["threshold"] = best
    else:
        payload["threshold"] = best
    LEXICON_PATH.write_text(json.dumps(payload, indent=0, ensure_ascii=False) + "\n")
    logger.info("best threshold %.2f saved to %s", best, LEXICON_PATH)
    load_lexicon.cache_clear()
    extractor.lexicon = load_lexicon()
    return {
        "threshold_sweep": {str(k): v for k, v in sweep.items()},
        "tuned": "model" if base.model else "prior",
    }


class _MemoTagger:
    """Tags each text once, so threshold sweeps re-run only the cheap pairing."""

    def __init__(self, tagger: object) -> None:
        self._tagger = tagger
        self._memo: dict[str, object] = {}

    def tag(self, text: str):  # type: ignore[no-untyped-def]
        if text not in self._memo:
            self._memo[text] = self._tagger.tag(text)  # type: ignore[attr-defined]
        return self._memo[text]


def tune_tagger(extractor, articles: list[PolnearArticle]) -> dict[str, object]:
    """Sweeps the span tagger's confidence and length thresholds on the given articles."""
    docs = list(extractor.nlp.pipe([_normalise(a.text) for a in articles], batch_size=8))
    shipped = extractor.tagger_min_confidence, extractor.tagger_min_words
    sweep: dict[str, dict[str, float | int]] = {}
    for confidence in (0.5, 0.6, 0.7, 0.8, 0.9):
        for words in (2, 3, 5, 8):
            extractor.tagger_min_confidence, extractor.tagger_min_words = confidence, words
            key = f"confidence>={confidence} words>={words}"
            sweep[key] = _score_parsed(extractor, articles, docs).overall.as_dict()
            logger.info("%s: %s", key, sweep[key])
    best = max(sweep, key=lambda k: sweep[k]["f1"])
    logger.info("best: %s %s", best, sweep[best])
    # the figures reported after the sweep are for the thresholds the product ships
    extractor.tagger_min_confidence, extractor.tagger_min_words = shipped
    return {"tagger_sweep": sweep, "tagger_best": best}


def _score_spans(
    articles: Sequence[PolnearArticle], tagged: Sequence[Sequence[TaggedSpan]], confidence: float
) -> dict[str, float | int]:
    """Content spans of four or more words at ``confidence`` or more, scored as the claims."""
    scores = Scores()
    for article, spans in zip(articles, tagged, strict=True):
        claims = [
            ExtractedClaim(
                text=article.text[s.start : s.end],
                kind=ClaimKind.INDIRECT,
                content=Span(s.start, s.end, article.text[s.start : s.end]),
            )
            for s in spans
            if s.confidence >= confidence and len(WORD.findall(article.text[s.start : s.end])) >= 4
        ]
        score_article(article, claims, scores)
    return {k: v for k, v in scores.overall.as_dict().items() if k != "speaker_accuracy"}


def gold_label_spans(articles: Sequence[PolnearArticle]) -> list[list[TaggedSpan]]:
    """The gold contents as the tagger would give them if it were always right: the training
    labels (``piece_labels``) decoded like its output. What these score is the ceiling of the
    tagger's form of output (a split content becomes two spans), not of any model."""
    import numpy as np

    from bot.inference.span_tagger import load_tokenizer, word_pieces
    from bot.nlp.tagged_spans import decode_spans
    from scripts.train_attribution_tagger import piece_labels

    tokenizer = load_tokenizer()
    out = []
    for article in articles:
        text = _normalise(article.text)
        _, offsets = word_pieces(tokenizer, text)
        one_hot = np.eye(3, dtype=np.float32)[piece_labels(article, offsets)[:, 0]]  # the content head
        out.append(decode_spans(one_hot, offsets, text))
    return out


def tagger_alone(tagger: object, articles: list[PolnearArticle]) -> dict[str, dict[str, float | int]]:
    """The span tagger's content spans of four or more words scored as the claims, with no rules,
    speakers or filters: how well the learned model alone fits (on train, the data it was trained
    on) and generalises (on dev), at a few confidence thresholds; and the same for the gold
    labels decoded as its output (``gold_label_spans``)."""
    tagged = [tagger.tag(_normalise(a.text))["content"] for a in articles]  # type: ignore[attr-defined]
    result = {f"confidence>={c}": _score_spans(articles, tagged, c) for c in (0.5, 0.7, 0.8, 0.9)}
    result["gold labels"] = _score_spans(articles, gold_label_spans(articles), 1.0)
    for key, counts in result.items():
        logger.info("tagger alone, %s: %s", key, counts)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PolNeAR attribution evaluation")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--model", default=None, help="spaCy pipeline name or path (default: shipped)")
    parser.add_argument("--limit", type=int, default=0, help="evaluate the first N articles only")
    parser.add_argument("--tune", action="store_true", help="sweep the cue threshold and save the best")
    parser.add_argument("--out", type=Path, default=Path("build/eval_attribution.json"))
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--span-tagger",
        default="shipped",
        help="weights of the learned span tagger (default: the shipped models/attribution_tagger.npz)",
    )
    parser.add_argument(
        "--rules-only", action="store_true", help="rules alone (CLAIMBOT_ATTRIBUTION_TAGGER=false)"
    )
    parser.add_argument("--tune-tagger", action="store_true", help="sweep the span tagger's thresholds")
    parser.add_argument(
        "--tagger-alone",
        action="store_true",
        help="also score the span tagger's own content spans as claims, without the rules",
    )
    parser.add_argument(
        "--statement-confidence",
        default="shipped",
        help="the statement-confidence model that keeps unsure statements back: 'shipped' "
        "(models/attribution/statement_confidence.json, as the product runs), a path, or 'none'",
    )
    parser.add_argument(
        "--keep-bare-objects",
        action="store_true",
        help="also count reported objects with no clause ('backed | Clinton'), which PolNeAR "
        "annotates but claimbot does not report as claims",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from bot.nlp.extractor import SpacyClaimExtractor
    from bot.nlp.pipeline import load_pipeline

    model = args.model
    # a directory too goes through load_pipeline: it widens a packaged pipeline's float16 weights
    # and gives claimbot_en its person-name pass, as the product loads it
    nlp = load_pipeline(model)
    articles = list(read_compartment(find_compartment(args.data, args.split)))
    if args.limit:
        articles = articles[: args.limit]
    logger.info(
        "%d %s articles, %d gold attributions",
        len(articles),
        args.split,
        sum(len(a.attributions) for a in articles),
    )
    extractor = SpacyClaimExtractor(
        nlp,
        checkworthiness=False,
        include_unattributed=False,
        merge_restatements=False,
        keep_bare_objects=args.keep_bare_objects,
    )
    if args.statement_confidence != "none":
        from bot.nlp.confidence import CONFIDENCE_PATH, StatementConfidence

        path = CONFIDENCE_PATH if args.statement_confidence == "shipped" else Path(args.statement_confidence)
        if path.is_file():
            extractor.statement_confidence = StatementConfidence.load(path)
        else:
            logger.warning("no statement-confidence model at %s: every statement scored", path)
    result: dict[str, object] = {
        "split": args.split,
        "model": model or "claimbot_en",
        "articles": len(articles),
        "bare_objects_kept": args.keep_bare_objects,
        "statement_confidence": args.statement_confidence,
    }
    tagger = None
    if not args.rules_only:
        from bot.inference.span_tagger import TAGGER_PATH, AttributionSpanTagger

        weights = TAGGER_PATH if args.span_tagger == "shipped" else Path(args.span_tagger)
        # one thread, as the product runs it beside the parser
        tagger = AttributionSpanTagger(weights, num_threads=1)
        extractor.span_tagger = _MemoTagger(tagger)
        result["span_tagger"] = str(weights)
    if args.tune:
        result.update(tune(extractor, articles))
    if args.tune_tagger and tagger is not None:
        result.update(tune_tagger(extractor, articles))
    if args.tagger_alone and tagger is not None:
        result["tagger_alone"] = tagger_alone(extractor.span_tagger, articles)
    scores, seconds, words = evaluate(extractor, articles)
    result.update(
        {
            "overall": scores.overall.as_dict(),
            "direct": scores.direct.as_dict(),
            "indirect": scores.indirect.as_dict(),
            "strict": scores.strict.as_dict(),
            "strict_direct": scores.strict_direct.as_dict(),
            "strict_indirect": scores.strict_indirect.as_dict(),
            "recall_by_gold_length": scores.recall_by_length(),
            "speaker_names_clean": scores.speaker_names_clean(),
            "cue_threshold": extractor.lexicon.threshold,
            "corpus_words": words,
            "corpus_seconds": round(seconds, 2),
            "corpus_words_per_s": round(words / seconds, 1) if seconds else None,
        }
    )
    if not args.no_speed:
        if tagger is not None:
            extractor.span_tagger = tagger  # timed for real, not from the memo
        result["speed_1000_words"] = measure_speed(extractor, articles)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for key in (
        "overall",
        "direct",
        "indirect",
        "strict",
        "strict_direct",
        "strict_indirect",
        "recall_by_gold_length",
        "speaker_names_clean",
    ):
        logger.info("%-8s %s", key, result[key])
    if "speed_1000_words" in result:
        logger.info("speed    %s", result["speed_1000_words"])
    logger.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
