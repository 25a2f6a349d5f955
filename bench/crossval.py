"""Fit the answer decision and choose its thresholds and rules, by leave-one-file-out
cross-validation over every labelled question.

Every labelled question (tests/data/*_eval.jsonl and ../shared/eval, the "unseen" file excepted)
is asked once with a decision that shows every question's closest passages; that gives each
question's :class:`~index.decision.Evidence` and the passages it would show. Then, for each file
in turn, the relevance model (:class:`~index.decision.Relevance`, a logistic regression over the
evidence) is fitted on the *other* files, the thresholds that cost least on them are chosen, and
both are applied to the held-out file. The held-out outcomes, added up, are the cross-validated
numbers docs/evaluation.md reports. Finally the model is fitted and the thresholds chosen on all files:
those are the values to put in ``index/decision.py`` (printed, and saved in
``bench/results/crossval.json``).

The cost of one decision (what users would judge):
  answerable refused (no passages) 5, answerable only "unsure" 1,
  unanswerable answered with confidence 3, unanswerable shown as "unsure" 0.5,
  small talk shown any passage 10.

A rule stays only if it wins under cross-validation: the script also reports the cross-validated
cost with each rule switched off.

    .venv/bin/python bench/crossval.py
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import common  # noqa: F401  (environment and sys.path first)
import numpy as np

from index.decision import FEATURES, Reason, Relevance, Thresholds, decide
from index.evaluation import gold_rank, load_eval

NEUTRAL = Relevance(mean=(0.0,) * len(FEATURES), scale=(1.0,) * len(FEATURES), weights=(0.0,) * len(FEATURES),
                    bias=0.0)
OPEN = Thresholds(answer=math.inf, unsure=-math.inf, unknown_name=-1.0, type_rule=False, relevance=NEUTRAL,
                  small_talk=math.inf)
COST = {"ans_none": 5.0, "ans_low": 1.0, "unans_high": 3.0, "unans_low": 0.5, "chat_shown": 10.0}
GRID = dict(
    answer=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    unsure=[0.02, 0.05, 0.1, 0.15, 0.2, 0.3],
    unknown_name=[-1.0, 0.7, 0.75, 0.8],
    type_rule=[False, True],
)
# rule -> (the Thresholds field, its "off" value); the relevance features are switched off by
# fitting the model without them
RULES = {"unknown names": ("unknown_name", -1.0), "answer-type rule": ("type_rule", False)}
L2 = 1.0  # ridge penalty of the logistic regression (standardised features)


def labelled_files() -> dict:
    files = {name: load_eval(path) for name, path in common.EVAL_FILES.items()}
    for path in sorted((common.ROOT / "tests" / "data").glob("*_eval.jsonl")):
        name = path.stem.removesuffix("_eval")
        if name not in files and name not in ("dev", "unseen"):
            files[name] = load_eval(path)
    return files


def fit_relevance(evidence: list, answerable: list[bool], use: tuple[str, ...] = FEATURES) -> Relevance:
    """Ridge logistic regression of "answerable" on the standardised features in ``use`` (the
    others get weight 0). Small talk and wordless messages are left out: the decision handles
    them before the model."""
    from scipy.optimize import minimize

    x = np.array([e.features() for e in evidence], dtype=np.float64)
    y = np.array(answerable, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    keep = np.array([f in use for f in FEATURES])
    z = np.c_[((x - mean) / scale)[:, keep], np.ones(len(x))]

    def loss(w):
        s = z @ w
        return float(np.sum(np.logaddexp(0.0, s) - y * s) + L2 * np.sum(w[:-1] ** 2))

    w = minimize(loss, np.zeros(z.shape[1]), method="L-BFGS-B").x
    weights = np.zeros(len(FEATURES))
    weights[keep] = w[:-1]
    return Relevance(mean=tuple(round(float(v), 6) for v in mean), scale=tuple(round(float(v), 6) for v in scale),
                     weights=tuple(round(float(v), 4) for v in weights), bias=round(float(w[-1]), 4))


def outcome(item, answer, t: Thresholds) -> dict:
    """One question's counts under thresholds ``t`` (evidence re-decided, passages as measured)."""
    verdict = decide(answer.evidence, t)
    level = verdict.confidence
    c = dict.fromkeys(["ans", "unans", "chat", "ans_none", "ans_low", "unans_high", "unans_low", "chat_shown",
                       "hit1", "hit3"], 0)
    if not item.unanswerable:
        rank = gold_rank(item, answer) if level != "none" else None
        c.update(ans=1, ans_none=int(level == "none"), ans_low=int(level == "low"), hit1=int(rank == 1),
                 hit3=int(rank is not None and rank <= 3))
    else:
        c.update(unans=1, unans_high=int(level == "high"), unans_low=int(level == "low"))
        if item.kind == "small_talk":
            c.update(chat=1, chat_shown=int(verdict.reason is not Reason.SMALL_TALK))
    return c


def total(rows) -> dict:
    out: dict = {}
    for c in rows:
        for k, v in c.items():
            out[k] = out.get(k, 0) + v
    return out


def cost(c: dict) -> float:
    return sum(COST[k] * c.get(k, 0) for k in COST)


def candidates(relevance: Relevance, fixed: dict | None = None):
    axes = {**GRID, **{k: [v] for k, v in (fixed or {}).items()}}
    for values in itertools.product(*axes.values()):
        t = Thresholds(**dict(zip(axes, values)), relevance=relevance)
        if t.unsure <= t.answer:
            yield t


def choose(pairs, relevance: Relevance, fixed: dict | None = None) -> Thresholds:
    """The thresholds of least cost on ``pairs`` (item, answer); ties: the most answers."""
    return min(candidates(relevance, fixed),
               key=lambda t: (cost(total(outcome(i, a, t) for i, a in pairs)), t.answer, t.unsure))


def fit_and_choose(pairs, use: tuple[str, ...] = FEATURES, fixed: dict | None = None) -> Thresholds:
    model_pairs = [(i, a) for i, a in pairs if i.kind != "small_talk" and not a.evidence.wordless]
    relevance = fit_relevance([a.evidence for _, a in model_pairs], [not i.unanswerable for i, _ in model_pairs], use)
    return choose(pairs, relevance, fixed)


def cross_validate(per_file: dict, use: tuple[str, ...] = FEATURES, fixed: dict | None = None) -> dict:
    """Leave one file out: fit and choose on the rest, count on the held-out file."""
    rows = []
    for held in per_file:
        train = [p for f, pairs in per_file.items() if f != held for p in pairs]
        t = fit_and_choose(train, use, fixed)
        rows += [outcome(i, a, t) for i, a in per_file[held]]
    return total(rows)


def rates(c: dict) -> dict:
    return {"answerable": c["ans"], "unanswerable": c["unans"], "small talk": c["chat"],
            "hit@1": round(c["hit1"] / max(1, c["ans"]), 3), "hit@3": round(c["hit3"] / max(1, c["ans"]), 3),
            "answerable refused": round(c["ans_none"] / max(1, c["ans"]), 3),
            "answerable unsure": round(c["ans_low"] / max(1, c["ans"]), 3),
            "unanswerable confident": round(c["unans_high"] / max(1, c["unans"]), 3),
            "small talk with a quote": c["chat_shown"], "cost": cost(c)}


def main() -> None:
    args = common.parser(__doc__.splitlines()[0]).parse_args()
    run = common.Run.start("crossval", args)
    files = labelled_files()
    embedder, _ = common.load_model()
    engine = common.open_engine(embedder)
    per_file = {}
    for name, items in files.items():
        answers = engine.ask_many([it.question for it in items], thresholds=OPEN)
        per_file[name] = list(zip(items, answers))
    variants = {"all rules": cross_validate(per_file)}
    for rule, (field, off) in RULES.items():
        variants[f"without {rule}"] = cross_validate(per_file, fixed={field: off})
    for feature in FEATURES:
        variants[f"model without {feature}"] = cross_validate(per_file, use=tuple(f for f in FEATURES if f != feature))
    variants["model on the margin alone"] = cross_validate(per_file, use=("margin",))
    no_chat = {f: [(i, replace(a, evidence=replace(a.evidence, small_talk_margin=-1.0))) for i, a in pairs]
               for f, pairs in per_file.items()}
    variants["without small-talk sentences"] = cross_validate(no_chat)
    print(common.table(["decision (cross-validated)", *rates(variants["all rules"])],
                       [[name, *rates(c).values()] for name, c in variants.items()]))
    chosen = fit_and_choose([p for pairs in per_file.values() for p in pairs])
    print("fitted on all files (put in index/decision.py):")
    print(f"RELEVANCE = {chosen.relevance}")
    print(f"THRESHOLDS = {replace(chosen, relevance=None)}")
    run.save({"files": {f: len(items) for f, items in files.items()}, "cost": COST,
              "cross_validated": {name: rates(c) for name, c in variants.items()},
              "relevance": vars(chosen.relevance), "thresholds": {k: v for k, v in vars(chosen).items() if k != "relevance"}})


if __name__ == "__main__":
    main()
