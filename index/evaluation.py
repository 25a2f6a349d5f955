"""Retrieval quality on files shaped like ``shared/eval/dev.jsonl``.

A question is a hit at rank r when any of its ``gold_any`` strings occurs (after whitespace
normalisation) in the r-th passage shown, whether the answer is confident ("answer") or not
("unsure"). An answerable question is *rejected* when no passage is shown; an unanswerable one
when it gets no confident answer. Unanswerable questions count for abstention only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .ingest import normalize_ws
from .schema import Answer


@dataclass(frozen=True)
class EvalItem:
    id: str
    lang: str
    question: str
    gold_any: tuple[str, ...]
    unanswerable: bool = False
    kind: str = ""  # for unanswerable questions: "small_talk", "near_topic", "off_topic" or ""


def load_eval(path: Path) -> list[EvalItem]:
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append(
                    EvalItem(
                        id=str(row.get("id", n)),
                        lang=str(row.get("lang", "?")),
                        question=row["question"],
                        gold_any=tuple(row.get("gold_any") or ()),
                        unanswerable=bool(row.get("unanswerable", False)),
                        kind=str(row.get("kind", "")),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not an eval item ({exc})") from exc
    return items


def gold_rank(item: EvalItem, answer: Answer) -> int | None:
    golds = [normalize_ws(g) for g in item.gold_any]
    for r, hit in enumerate(answer.hits, 1):
        text = normalize_ws(hit.passage.text)
        if any(g in text for g in golds):
            return r
    return None


@dataclass
class Report:
    per_lang: dict = field(default_factory=dict)
    overall: dict = field(default_factory=dict)
    abstention: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"overall": self.overall, "per_lang": self.per_lang, "abstention": self.abstention, "misses": self.misses}


def evaluate(items: list[EvalItem], ask_many: Callable[[list[str]], list[Answer]]) -> Report:
    answers = ask_many([it.question for it in items])
    groups: dict[str, list[tuple[int | None, bool]]] = defaultdict(list)
    report = Report()
    unans_total = unans_rejected = ans_total = ans_rejected = 0
    ans_unsure = 0
    for item, answer in zip(items, answers):
        if item.unanswerable:
            unans_total += 1
            unans_rejected += not answer.answered  # no confident answer: unsure or refused
            if answer.answered:
                report.misses.append({"id": item.id, "question": item.question, "why": "answered an unanswerable question",
                                      "margin": round(answer.margin, 4), "top": answer.hits[0].passage.id if answer.hits else None})
            continue
        ans_total += 1
        ans_rejected += not answer.hits  # refused: no passage shown
        ans_unsure += bool(answer.hits) and not answer.answered
        rank = gold_rank(item, answer)  # over the passages shown, confident or unsure
        groups[item.lang].append((rank, answer.answered))
        groups["all"].append((rank, answer.answered))
        if rank != 1:
            report.misses.append({"id": item.id, "question": item.question,
                                  "why": "rejected" if not answer.hits else f"gold at rank {rank}",
                                  "margin": round(answer.margin, 4),
                                  "top": [h.passage.id for h in answer.hits]})
    for lang, rows in groups.items():
        n = len(rows)
        stats = {
            "n": n,
            "hit@1": round(sum(1 for r, _ in rows if r == 1) / n, 3),
            "hit@3": round(sum(1 for r, _ in rows if r is not None and r <= 3) / n, 3),
            "mrr": round(sum(1 / r for r, _ in rows if r) / n, 3),
        }
        if lang == "all":
            report.overall = stats
        else:
            report.per_lang[lang] = stats
    report.abstention = {
        "unanswerable": unans_total,
        "unanswerable_rejected": unans_rejected,
        "answerable": ans_total,
        "answerable_rejected": ans_rejected,
        "answerable_unsure": ans_unsure,
        "accuracy": round(((unans_rejected + ans_total - ans_rejected) / max(1, unans_total + ans_total)), 3),
    }
    return report
