"""Retrieval and decision variants, each scored under the cross-validation of bench/crossval.py.

Every labelled question is asked with the variant in force (a monkeypatched knob of the engine,
restored afterwards); the script prints, per variant, retrieval hit@1 / hit@3 over the answerable
questions (closest passages, no decision) and the cross-validated decision (model refitted and
thresholds chosen with each file held out; the unknown-name and type rules off, as shipped).
A variant earns its way into the engine only by a lower cross-validated cost than "shipped";
gains of a point or two are noise (one answerable question moving from refused to unsure is 4).
Picking the best of several values of one knob on the same folds is itself a choice made on
them, so a small win here is optimistic.

    .venv/bin/python bench/variants.py            # every variant (~10 min on 2 cores)
    .venv/bin/python bench/variants.py shipped rrf_k=10 +known_share
"""

from __future__ import annotations

import dataclasses
import math
import sys
from contextlib import contextmanager

import common  # noqa: F401  (environment and sys.path first)
import crossval as cv
import numpy as np

from index import decision, engine as engine_module, search
from index.evaluation import gold_rank
from index.names import NameMatch

ORIGINAL_FUSE = engine_module.Engine._fuse
ORIGINAL_EVIDENCE = engine_module.Engine.evidence


@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def refuse(ranking: search.Ranking, engine, dense, extra_list=None, language=None, unit_scores=None):
    """The ranking with its dense list replaced (and one more rank list, when given), re-fused
    with the engine's weights."""
    lists = [search.ranks(dense, search.RANK_DEPTH), *ranking.rank_lists[1:]]
    weights = [1.0, engine_module.SPARSE_WEIGHT,
               engine_module.BM25_WEIGHT_GERMAN if language == "de" else engine_module.BM25_WEIGHT_OTHER][:len(lists)]
    if extra_list is not None:
        lists.append(extra_list[0])
        weights.append(extra_list[1])
    fused = np.where(engine._retrievable, search.rrf(list(zip(lists, weights)), depth=search.RANK_DEPTH), -np.inf)
    return search.Ranking(fused=fused, unit_scores=ranking.unit_scores if unit_scores is None else unit_scores,
                          lexical=ranking.lexical, dense=dense, sparse=ranking.sparse,
                          rank_lists=tuple(lists[:len(ranking.rank_lists)]))


# ---- retrieval variants: each returns a replacement for Engine._fuse -------------------------
def passage_blend(alpha: float):
    """Dense passage score: (1 - alpha) x best sentence + alpha x the whole passage's vector."""
    def fuse(self, question, qvec, qsparse, language):
        r = ORIGINAL_FUSE(self, question, qvec, qsparse, language)
        whole = ~self._unit_is_sentence
        scores = np.where(np.isfinite(r.unit_scores[whole]), r.unit_scores[whole], -1.0)
        passage = search.scatter_max(scores, self._unit_passage[whole], len(r.dense))
        passage = np.where(np.isfinite(passage), passage, r.dense)
        dense = np.where(np.isfinite(r.dense), (1 - alpha) * r.dense + alpha * passage, -np.inf)
        return refuse(r, self, dense, language=language)
    return fuse


def question_sentences_penalised(penalty: float):
    """Sentences of the article that are themselves questions ("Lassen die USA ... im Stich?")
    score ``penalty`` lower: they attract questions without answering them."""
    def fuse(self, question, qvec, qsparse, language):
        if not hasattr(self, "_variant_qmask"):
            mask = np.zeros(len(self.data.units), bool)
            for i, u in enumerate(self.data.units):
                if u.sentence >= 0:
                    text = self.data.passages[self.article.index_of(u.passage_id)].text[u.start:u.end]
                    mask[i] = text.rstrip().rstrip('"\u201c\u201d\u00bb\u00ab').endswith("?")
            self._variant_qmask = mask
        r = ORIGINAL_FUSE(self, question, qvec, qsparse, language)
        scores = np.where(self._variant_qmask, r.unit_scores - penalty, r.unit_scores)
        keep = self._unit_is_sentence & np.isfinite(scores)
        dense = search.scatter_max(scores[keep], self._unit_passage[keep], len(r.dense))
        return refuse(r, self, np.where(self._retrievable, dense, -np.inf), language=language, unit_scores=scores)
    return fuse


def name_mentions(weight: float):
    """A fourth rank list for questions not in German: passages holding the question's article
    names (matched across scripts, index.names), more names first."""
    def fuse(self, question, qvec, qsparse, language):
        r = ORIGINAL_FUSE(self, question, qvec, qsparse, language)
        words = {n.article_word for n in self._names.names_in(question, language)
                 if n.match is NameMatch.KNOWN and n.article_word}
        if language == "de" or not words:
            return r
        held = np.array([sum(w in p.text for w in words) for p in self.data.passages], dtype=np.float64)
        held = np.where(self._retrievable & (held > 0), held, 0.0)
        if not held.any():
            return r
        ranks = np.array([1 + int(np.sum(held > h)) if h > 0 else len(held) + 1 for h in held], dtype=np.int64)
        return refuse(r, self, r.dense, extra_list=(ranks, weight), language=language)
    return fuse


# ---- decision features: one more input of the relevance model --------------------------------
@dataclasses.dataclass(frozen=True)
class MoreEvidence(decision.Evidence):
    extra: tuple = ()

    def features(self) -> tuple[float, ...]:
        return decision.Evidence.features(self) + tuple(self.extra)


def extra_feature(name: str):
    def value(self, question, qvec, ranking, qsparse) -> float:
        top = float(np.max(np.where(self._retrievable_sentence, ranking.unit_scores, -np.inf), initial=-1.0))
        unrelated = np.sort((self._background @ qvec)[~self._small_talk])[::-1]
        if name == "background_above":  # how many unrelated sentences beat the article's best (log)
            return math.log1p(int(np.sum(unrelated > top)))
        if name == "margin_mean10":  # best article sentence minus the mean of the ten best unrelated
            return top - float(unrelated[:10].mean())
        if name == "fused_gap":
            fused = np.sort(ranking.fused[np.isfinite(ranking.fused)])[::-1]
            return float(fused[0] - fused[1]) * 100
        if name == "top_cosine":
            return top
        if name in ("sparse_cosine", "sparse_coverage"):
            if qsparse is None or qsparse.nnz == 0:
                return 0.0
            q = qsparse.tocsr()
            if name == "sparse_cosine":
                return ranking.sparse_top() / float(np.sqrt(q.multiply(q).sum()))
            units = np.flatnonzero(self._unit_passage == int(np.argmax(ranking.fused)))
            present = self._sparse.matrix[:, q.indices].tocsr()[units].toarray().max(axis=0) > 0
            return float(q.data[present].sum() / q.data.sum())  # the question's term mass the best passage holds
        if name == "known_share":  # the question's article names per word
            names = self._names.names_in(question, None)
            return sum(n.match is NameMatch.KNOWN for n in names) / max(1, len(question.split()))
        raise KeyError(name)

    def fuse(self, question, qvec, qsparse, language):
        self._variant_qsparse = qsparse
        return ORIGINAL_FUSE(self, question, qvec, qsparse, language)

    def evidence(self, question, qvec, ranking, order, kind, language):
        base = ORIGINAL_EVIDENCE(self, question, qvec, ranking, order, kind, language)
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(decision.Evidence)}
        return MoreEvidence(**fields, extra=(value(self, question, qvec, ranking, self._variant_qsparse),))
    return fuse, evidence


def variants() -> dict:
    """name -> list of (object, attribute, value) patches."""
    e = engine_module
    out = {"shipped": []}
    for k in (5, 10, 20, 30):
        out[f"rrf_k={k}"] = [(search.rrf, "__defaults__", (k, None))]
    for w in (0.3, 0.5, 1.0):
        out[f"bm25_other={w}"] = [(e, "BM25_WEIGHT_OTHER", w)]
    for w in (0.5, 1.5, 2.0):
        out[f"sparse_weight={w}"] = [(e, "SPARSE_WEIGHT", w)]
    for a in (0.2, 0.35, 0.5):
        out[f"whole_passage={a}"] = [(e.Engine, "_fuse", passage_blend(a))]
    for p in (0.01, 0.03, 1.0):
        out[f"question_sentences-{p}"] = [(e.Engine, "_fuse", question_sentences_penalised(p))]
    for w in (0.3, 1.0):
        out[f"name_mentions={w}"] = [(e.Engine, "_fuse", name_mentions(w))]
    for f in ("background_above", "margin_mean10", "fused_gap", "top_cosine", "sparse_cosine", "sparse_coverage",
              "known_share"):
        fuse, evidence = extra_feature(f)
        out[f"+{f}"] = [(e.Engine, "_fuse", fuse), (e.Engine, "evidence", evidence),
                        (cv, "FEATURES", decision.FEATURES + (f,))]
    return out


def score(engine, files) -> dict:
    per_file = {name: list(zip(items, engine.ask_many([it.question for it in items], thresholds=cv.OPEN)))
                for name, items in files.items()}
    ranks = [gold_rank(i, a) for pairs in per_file.values() for i, a in pairs if not i.unanswerable]
    c = cv.cross_validate(per_file, use=cv.FEATURES, fixed={"unknown_name": -1.0, "type_rule": False})
    return {"retrieval hit@1": round(sum(r == 1 for r in ranks) / len(ranks), 3),
            "retrieval hit@3": round(sum(r is not None and r <= 3 for r in ranks) / len(ranks), 3),
            **{f"cv {k}": v for k, v in cv.rates(c).items() if k not in ("answerable", "unanswerable", "small talk")}}


def main() -> None:
    parser = common.parser(__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="variants to run (default: all)")
    args = parser.parse_args()
    run = common.Run.start("variants", args)
    files = cv.labelled_files()
    engine = common.open_engine(common.load_model()[0])
    table = {}
    for name, patches in variants().items():
        if args.names and name not in args.names:
            continue
        with contextlib_stack(patches):
            table[name] = score(engine, files)
        print(name, table[name], flush=True, file=sys.stderr)
    print(common.table(["variant", *next(iter(table.values()))], [[n, *r.values()] for n, r in table.items()]))
    run.save({"files": {f: len(items) for f, items in files.items()}, "variants": table})


@contextmanager
def contextlib_stack(patches):
    from contextlib import ExitStack

    with ExitStack() as stack:
        for obj, attr, value in patches:
            stack.enter_context(patched(obj, attr, value))
        yield


if __name__ == "__main__":
    main()
