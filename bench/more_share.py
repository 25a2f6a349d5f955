"""How far below the best passage does "More" keep listing? (``bot.tuning.RELEVANT_SHARE``)

Every labelled answerable question (tests/data/*_eval.jsonl, the "unseen" file excepted) is
asked with a decision that shows every retrievable passage; for each share of the best fused
score, how often the passage that answers stays listed and how many passages are listed
(-> bench/results/more_share.json).

    .venv/bin/python bench/more_share.py
"""

from __future__ import annotations

import math

import common  # noqa: F401  (environment and sys.path first)
import numpy as np

from index.decision import FEATURES, Relevance, Thresholds
from index.evaluation import gold_rank, load_eval

NEUTRAL = Relevance(mean=(0.0,) * len(FEATURES), scale=(1.0,) * len(FEATURES), weights=(0.0,) * len(FEATURES), bias=0.0)
OPEN = Thresholds(answer=-math.inf, unsure=-math.inf, unknown_name=-1.0, type_rule=False, relevance=NEUTRAL,
                  small_talk=math.inf)


def main() -> None:
    args = common.parser(__doc__.splitlines()[0]).parse_args()
    run = common.Run.start("more_share", args)
    engine = common.open_engine()
    files = sorted(p for p in (common.ROOT / "tests" / "data").glob("*_eval.jsonl") if "unseen" not in p.name)
    items = [it for f in files for it in load_eval(f) if it.gold_any]
    answers = engine.ask_many([it.question for it in items], len(engine.article.passages), thresholds=OPEN)
    ratios, kept = [], {share: [] for share in (0.7, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95)}
    for item, answer in zip(items, answers):
        if not answer.hits:
            continue
        best = answer.hits[0].score
        rank = gold_rank(item, answer)
        if rank:
            ratios.append(answer.hits[rank - 1].score / best)
        for share in kept:
            kept[share].append(sum(h.score >= share * best for h in answer.hits))
    ratios = np.asarray(ratios)
    print(f"{len(items)} answerable questions, {len(ratios)} with the answering passage ranked")
    shares = {}
    for share, counts in kept.items():
        shares[f"{share:.2f}"] = {"answering_kept": round(float(np.mean(ratios >= share)), 3),
                                  "listed_median": float(np.median(counts)), "listed_mean": round(float(np.mean(counts)), 1),
                                  "listed_max": int(max(counts))}
        print(f"share {share:.2f}: answering passage kept {np.mean(ratios >= share):.3f}; "
              f"passages listed median {np.median(counts):.0f}, mean {np.mean(counts):.1f}, max {max(counts)}")
    run.save({"answerable": len(items), "ranked": len(ratios), "retrievable_passages": int(engine._retrievable.sum()),
              "shares": shares})


if __name__ == "__main__":
    main()
