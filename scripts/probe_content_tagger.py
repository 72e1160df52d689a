"""Probe: does a learned content-span tagger add to the rule-based attribution extractor?

Not part of the product. It measures the next step for issue 3's content F1 so that it can be
repeated: a two-layer BiLSTM over the shipped pipeline's own token features (``doc.tensor``, so
it would cost next to nothing at run time, plus one-hot UPOS, dependency label, sentence start,
quote mark and entity flags) tags PolNeAR Content spans as B/I/O. It is trained on PolNeAR train
and scored on dev with the metric of ``scripts/eval_attribution.py`` (half-overlap in tokens,
one-to-one): the tagger alone, the rules alone, and the rules plus every tagged span of three or
more words with mean inside-probability >= 0.7 that overlaps no rule claim. For the added spans
it also reports how often the subject of the verb governing the span names the gold source.

    python -m scripts.probe_content_tagger --data ../shared/data [--epochs 3]

About 2 minutes to parse train, 1 minute per epoch, on two cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bot.nlp.extractor import SpacyClaimExtractor
from bot.nlp.pipeline import load_pipeline
from bot.nlp.polnear import PolnearArticle, find_compartment, read_compartment
from bot.nlp.quotes import normalise_text
from scripts.eval_attribution import WORD, one_to_one_matches, token_set

logger = logging.getLogger(__name__)

UPOS = [
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
    "SCONJ", "SYM", "VERB", "X", "SPACE",
]  # fmt: skip
O, B, I = 0, 1, 2  # noqa: E741 - the usual names of the three tags


def token_rows(nlp: Any, articles: Sequence[PolnearArticle]) -> Iterator[tuple[PolnearArticle, Any, dict]]:
    deps = sorted(nlp.get_pipe("parser").labels)
    for article, doc in zip(
        articles, nlp.pipe([normalise_text(a.text) for a in articles], batch_size=8), strict=True
    ):
        extra = np.zeros((len(doc), len(UPOS) + len(deps) + 3), dtype=np.float32)
        for t in doc:
            if t.pos_ in UPOS:
                extra[t.i, UPOS.index(t.pos_)] = 1
            if t.dep_ in deps:
                extra[t.i, len(UPOS) + deps.index(t.dep_)] = 1
            extra[t.i, -3:] = (
                bool(t.is_sent_start),
                t.is_quote,
                t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"),
            )
        starts = np.array([t.idx for t in doc])
        ends = starts + np.array([len(t) for t in doc])
        labels = np.zeros(len(doc), dtype=np.int64)
        for gold in article.attributions:
            for s, e in gold.content:
                labels[(starts >= s) & (ends <= e) & (labels == O)] = I
        for gold in article.attributions:
            first = np.nonzero(starts >= gold.content_start)[0]
            if len(first):
                labels[first[0]] = B
        feats = np.concatenate([doc.tensor.astype(np.float32), extra], axis=1)
        yield article, doc, {"feats": feats, "labels": labels, "starts": starts, "ends": ends}


class SpanTagger(torch.nn.Module):
    def __init__(self, width: int, hidden: int = 128) -> None:
        super().__init__()
        self.drop = torch.nn.Dropout(0.2)
        self.lstm = torch.nn.LSTM(
            width, hidden, num_layers=2, batch_first=True, bidirectional=True, dropout=0.2
        )
        self.out = torch.nn.Linear(2 * hidden, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.lstm(self.drop(x))
        return self.out(self.drop(y))


def train(rows: list[dict], epochs: int, window: int = 512, stride: int = 384) -> SpanTagger:
    torch.manual_seed(0)
    model = SpanTagger(rows[0]["feats"].shape[1])
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    chunks = [
        (r, p, min(len(r["labels"]), p + window))
        for r in rows
        for p in range(0, max(1, len(r["labels"]) - window + stride), stride)
    ]
    for epoch in range(epochs):
        model.train()
        started, total = time.perf_counter(), 0.0
        order = np.random.RandomState(epoch).permutation(len(chunks))
        for k in range(0, len(order), 8):
            batch = [chunks[i] for i in order[k : k + 8]]
            length = max(e - p for _, p, e in batch)
            x = torch.zeros(len(batch), length, model.lstm.input_size)
            y = torch.full((len(batch), length), -100, dtype=torch.long)
            for j, (r, p, e) in enumerate(batch):
                x[j, : e - p] = torch.from_numpy(r["feats"][p:e])
                y[j, : e - p] = torch.from_numpy(r["labels"][p:e])
            loss = torch.nn.functional.cross_entropy(
                model(x).reshape(-1, 3),
                y.reshape(-1),
                weight=torch.tensor([1.0, 3.0, 1.0]),
                ignore_index=-100,
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        logger.info(
            "epoch %d: loss %.4f, %.0f s",
            epoch,
            total / max(1, len(order) / 8),
            time.perf_counter() - started,
        )
    return model


def tagged_spans(model: SpanTagger, row: dict) -> list[tuple[int, int, float]]:
    """(start, end, mean inside-probability) of each B/I run."""
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(row["feats"])[None])[0], -1).numpy()
    spans: list[list[int]] = []
    for i, tag in enumerate(probs.argmax(-1)):
        if tag == B or (tag == I and (not spans or spans[-1][1] != i - 1)):
            spans.append([i, i])
        elif tag == I:
            spans[-1][1] = i
    return [
        (int(row["starts"][a]), int(row["ends"][b]), float(probs[a : b + 1, 1:].sum(-1).mean()))
        for a, b in spans
    ]


def governing_subject(doc: Any, start: int, end: int) -> tuple[int, int] | None:
    """Character span of the subject of the nearest verb above the span (outside it)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    inside = set(range(span.start, span.end))
    for root in (t for t in span if t.head.i not in inside):
        verb = root.head
        while True:
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i not in inside]
            if subjects:
                toks = [x for x in subjects[0].subtree if x.i not in inside]
                return toks[0].idx, toks[-1].idx + len(toks[-1])
            if verb.head == verb or verb.head.i in inside:
                break
            verb = verb.head
    return None


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p, r = tp / max(1, n_pred), tp / max(1, n_gold)
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / max(1e-9, p + r), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--min-words", type=int, default=3)
    parser.add_argument("--min-confidence", type=float, default=0.7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(2)
    nlp = load_pipeline(None)
    train_articles = list(read_compartment(find_compartment(args.data, "train")))
    dev_articles = list(read_compartment(find_compartment(args.data, "dev")))
    model = train([row for _, _, row in token_rows(nlp, train_articles)], args.epochs)

    extractor = SpacyClaimExtractor(
        nlp, checkworthiness=False, include_unattributed=False, merge_restatements=False
    )
    counts = {
        "gold": 0,
        "tagger": [0, 0],
        "rules": [0, 0],
        "combined": [0, 0],
        "added_matched": 0,
        "added_speaker": 0,
    }
    for article, doc, row in token_rows(nlp, dev_articles):
        text = article.text
        offsets = [m.start() for m in WORD.finditer(text)]
        gold = [token_set(text, g.content, offsets) for g in article.attributions]
        rules = [
            token_set(text, [(c.content.start, c.content.end)], offsets)
            for c in extractor.claims_from_doc(doc, text)
        ]
        tagged = [(token_set(text, [(s, e)], offsets), s, e, conf) for s, e, conf in tagged_spans(model, row)]
        added = [
            (t, s, e)
            for t, s, e, conf in tagged
            if len(t) >= args.min_words and conf >= args.min_confidence and not any(t & r for r in rules)
        ]
        counts["gold"] += len(gold)
        for name, pred in (
            ("tagger", [t for t, *_ in tagged]),
            ("rules", rules),
            ("combined", rules + [t for t, *_ in added]),
        ):
            counts[name][0] += len(one_to_one_matches(pred, gold))
            counts[name][1] += len(pred)
        for i, j in one_to_one_matches(rules + [t for t, *_ in added], gold):
            if i >= len(rules):
                _, s, e = added[i - len(rules)]
                counts["added_matched"] += 1
                subject = governing_subject(doc, s, e)
                sources = article.attributions[j].source
                counts["added_speaker"] += int(
                    subject is not None and any(subject[0] < b and a < subject[1] for a, b in sources)
                )
    report = {
        name: prf(counts[name][0], counts[name][1], counts["gold"])
        for name in ("tagger", "rules", "combined")
    }
    report["added_claims_matched"] = counts["added_matched"]
    report["speaker_accuracy_of_added"] = round(counts["added_speaker"] / max(1, counts["added_matched"]), 3)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
