"""What a bigger encoder would cost the span tagger: forward time per 1,000-word article.

    .venv/bin/python -m bench.encoder_size --texts ../shared/data/polnear/dev/text [--threads 1 2]

The attribution span tagger (``bot.inference.span_tagger``) reads an article with all-MiniLM-L6-v2
cut to four layers; the extraction target is 0.3 s per 1,000 words, warm, on this 2-core
machine, and the tagger runs beside the spaCy parse (0.19 s). This times the forward pass
alone, in PyTorch float32, over the article's word pieces in the product's windows (254
pieces + [CLS]/[SEP]), for encoders of growing size:

* ``minilm-4``: the packaged MiniLM cut to four layers (the shape the tagger ships; the product
  runs it as int8 ONNX, about 0.14 s, so the absolute figures here are higher than the
  product's and the ratios are what to read);
* ``minilm-6``: the packaged MiniLM whole;
* ``base-12``: a BERT-base-shaped encoder (12 layers, hidden 768, 12 heads, FFN 3072, the size
  of bert-base / roberta-base), randomly initialised: no such weights are installable on these
  machines, and the arithmetic does not depend on the weights.

Each median is over ``--runs`` timed passes after one warm-up pass; the machine's load is
written beside the figures (``bench/results/encoder_size-latest.json``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.corpus import articles_of_length, read_texts, word_count

BASE_SHAPE: dict[str, Any] = {
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "attn_implementation": "eager",  # as the tagger's MiniLM runs (``load_backbone``)
}


def _encoders(smoke: bool) -> list[tuple[str, Any]]:
    from transformers import BertConfig, BertModel

    from bot.inference.span_tagger import load_backbone

    _, four = load_backbone(layers=4)
    _, six = load_backbone()
    shape = dict(BASE_SHAPE)
    if smoke:  # the smoke test checks the script, not a base-size model's speed
        shape.update(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)
    base = BertModel(BertConfig(**shape)).eval()
    return [("minilm-4", four), ("minilm-6", six), ("base-12", base)]


def _window_batches(text: str, tokenizer: Any) -> list[Any]:
    import torch

    from bot.inference.span_tagger import word_pieces
    from bot.nlp.tagged_spans import WINDOW, windows

    ids, _ = word_pieces(tokenizer, text)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    rows = [[cls, *ids[lo:hi].tolist(), sep] for lo, hi in windows(len(ids))]
    width = WINDOW + 2
    batch = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        batch[r, : len(row)] = torch.tensor(row)
        mask[r, : len(row)] = 1
    return [batch, mask]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.encoder_size", description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True, help="a directory of *.txt articles")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    common.quiet_logs()
    import torch

    from bot.inference.span_tagger import load_tokenizer

    texts = [t for _, t in read_texts(args.texts, limit=40)]
    words = 120 if args.smoke else 1_000
    (article,) = articles_of_length(texts, count=1, words=words)
    tokenizer = load_tokenizer()
    batch, mask = _window_batches(article, tokenizer)
    runs = 2 if args.smoke else args.runs
    load = common.LoadSampler()
    rows: list[dict[str, Any]] = []
    encoders = _encoders(args.smoke)
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name, model in encoders:
            timings = []
            with torch.inference_mode():
                model(input_ids=batch, attention_mask=mask)  # warm-up
                for _ in range(runs):
                    started = time.perf_counter()
                    model(input_ids=batch, attention_mask=mask)
                    timings.append(time.perf_counter() - started)
            rows.append(
                {
                    "encoder": name,
                    "threads": threads,
                    "parameters": sum(p.numel() for p in model.parameters()),
                    **common.stats(timings).as_dict(),
                }
            )
    for row in rows:
        first = next(r for r in rows if r["threads"] == row["threads"])
        row["ratio_to_minilm_4"] = round(row["median_s"] / first["median_s"], 2)
    result = {
        "words": word_count(article),
        "windows": int(batch.shape[0]),
        "pieces": int(mask.sum()),
        "runs": rows,
        **load.stop(),
    }
    common.write_result("encoder_size", result, out_dir=args.out)
    common.console.print(
        common.table(
            f"Encoder forward pass, one {result['words']}-word article ({result['windows']} windows)",
            ["encoder", "threads", "parameters", "median", "× minilm-4"],
            [
                [
                    r["encoder"],
                    r["threads"],
                    f"{r['parameters']:,}",
                    common.ms(r["median_s"]),
                    r["ratio_to_minilm_4"],
                ]
                for r in rows
            ],
        )
    )
    return result


if __name__ == "__main__":
    main()
