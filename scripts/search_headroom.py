"""Where CheckThat 2020 search loses MAP@5: candidates the store never returns, or ranking.

Builds a throwaway SQLite store the way ``claimbot import`` does (``ClaimService.import_claims``,
the configured encoder), then for every tweet of train and dev gathers the candidates exactly as
``claimbot search`` does (``ClaimService.search_candidates``) and reports, per split:

* recall: the share of tweets with a gold claim among the candidates (vector, full text, union);
* MAP@5 of the shipped re-ranker on those candidates, and of an oracle that puts gold first;
* how each dev miss happens (gold absent / ranked 2-5 / ranked below 5), with examples.

The candidate sets (ids, cosines, store lexical scores, source) are written to
``build/search_candidates.pkl`` for re-ranker experiments (``--dump``). Not part of the product.

    python -m scripts.search_headroom --data ../shared/data [--pool 50]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from adapters.bootstrap import bootstrap
from bot.matching.retrieval import normalise_query, rerank
from bot.models import KnownClaim
from bot.settings import load_settings
from scripts.eval_matching import average_precision
from scripts.matching_data import load_checkthat

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--pool", type=int, default=50, help="k of each source (the service's search_pool)")
    parser.add_argument("--dump", type=Path, default=ROOT / "build" / "search_candidates.pkl")
    parser.add_argument("--examples", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    ct = load_checkthat(args.data)
    text_of = dict(zip(ct.claim_ids, ct.claims, strict=True))
    work = Path(tempfile.mkdtemp(prefix="claimbot-headroom-"))
    report: dict = {"pool": args.pool}
    dump: dict = {"pool": args.pool, "claims": text_of, "splits": {}}
    try:
        app = bootstrap(load_settings(data_dir=work / "data"))
        service = app.service
        started = time.perf_counter()
        service.import_claims(
            tenant="eval",
            claims=[
                KnownClaim(external_id=i, text=t, title=title or None)
                for i, t, title in zip(ct.claim_ids, ct.claims, ct.titles, strict=True)
            ],
        )
        report["import_s"] = round(time.perf_counter() - started, 1)
        for split in ("train", "dev"):
            tweet_ids = sorted(ct.qrels[split])
            raw = [" ".join(ct.queries[split][t].split()) for t in tweet_ids]
            cleaned = [normalise_query(q) for q in raw]
            vectors = service._encode(cleaned)
            rows: list[dict[str, Any]] = []
            for tid, q_raw, q, vec in zip(tweet_ids, raw, cleaned, vectors, strict=True):
                vec_ids = {
                    c.claim.external_id
                    for c in service.store.nearest_claims(tenant="eval", embedding=vec, k=args.pool)
                }
                text_ids = {
                    c.claim.external_id
                    for c in service.store.text_search(tenant="eval", query=q, k=args.pool, embedding=vec)
                }
                cands = service.search_candidates(tenant="eval", query=q, embedding=vec, k=args.pool)
                ranked = [c.claim.external_id for c, _ in rerank(q, vec, cands)]
                rows.append(
                    {
                        "tweet": tid,
                        "raw": q_raw,
                        "query": q,
                        "vector": np.asarray(vec, dtype=np.float32),
                        "gold": sorted(ct.qrels[split][tid]),
                        "candidates": [
                            (
                                c.claim.external_id,
                                c.cosine,
                                c.lexical,
                                c.claim.external_id in vec_ids,
                                c.claim.external_id in text_ids,
                            )
                            for c in cands
                        ],
                        "ranked": ranked,
                    }
                )
            dump["splits"][split] = rows
            golds = [set(r["gold"]) for r in rows]
            in_vec = [
                bool(g & {c[0] for c in r["candidates"] if c[3]}) for g, r in zip(golds, rows, strict=True)
            ]
            in_text = [
                bool(g & {c[0] for c in r["candidates"] if c[4]}) for g, r in zip(golds, rows, strict=True)
            ]
            in_any = [bool(g & {c[0] for c in r["candidates"]}) for g, r in zip(golds, rows, strict=True)]
            aps = [average_precision(r["ranked"], g) for g, r in zip(golds, rows, strict=True)]
            oracle = [
                average_precision([*sorted(g & set(r["ranked"])), *[x for x in r["ranked"] if x not in g]], g)
                for g, r in zip(golds, rows, strict=True)
            ]
            ranks = [
                min((r["ranked"].index(x) for x in g if x in r["ranked"]), default=-1)
                for g, r in zip(golds, rows, strict=True)
            ]
            report[split] = {
                "queries": len(rows),
                "candidates_mean": round(float(np.mean([len(r["candidates"]) for r in rows])), 1),
                "recall_vector": round(float(np.mean(in_vec)), 4),
                "recall_text": round(float(np.mean(in_text)), 4),
                "recall_union": round(float(np.mean(in_any)), 4),
                "map5": round(float(np.mean(aps)), 4),
                "map5_oracle_rerank": round(float(np.mean(oracle)), 4),
                "gold_first": sum(x == 0 for x in ranks),
                "gold_rank_2_to_5": sum(1 <= x <= 4 for x in ranks),
                "gold_below_5": sum(x >= 5 for x in ranks),
                "gold_absent": sum(x < 0 for x in ranks),
            }
            if split == "dev":
                misses = []
                for r, g, x in zip(rows, golds, ranks, strict=True):
                    if x != 0:
                        misses.append(
                            {
                                "query": r["query"],
                                "gold_rank": x + 1 if x >= 0 else None,
                                "gold": [text_of[i] for i in sorted(g)],
                                "top": text_of[r["ranked"][0]] if r["ranked"] else None,
                            }
                        )
                report["dev_misses"] = misses[: args.examples]
        app.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.dump.parent.mkdir(parents=True, exist_ok=True)
    with args.dump.open("wb") as fh:
        pickle.dump(dump, fh)
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
