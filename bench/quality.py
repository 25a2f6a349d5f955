"""Retrieval quality, side by side in one run, on every eval file: the engine; German BM25 alone
(index.lexical over the article's sentences, best sentence per passage); the baseline of issue 10
(best e5 sentence per passage, RRF with German BM25 for German questions, paragraphs, lead and
captions only); and the naive recipe
(one e5 vector per passage in a flat FAISS index: no sentences, no fusion, no abstention).

hit@1, hit@3, MRR (answerable questions) and abstention accuracy (all questions) come from
index.evaluation, so every system is scored exactly like ``article-bot eval``. The two
baselines always answer, so their abstention accuracy is the share of answerable questions.

    .venv/bin/python bench/quality.py [--quick]
"""

from __future__ import annotations

import common  # noqa: F401  (environment and sys.path first)
import numpy as np

from index import search
from index.evaluation import evaluate
from index.lexical import LexicalIndex
from index.schema import Answer, Hit

TOP_K = 3


def _answer(question: str, passages, scores: np.ndarray, top_k: int = TOP_K) -> Answer:
    """An always-answering Answer with the ``top_k`` passages by ``scores`` (only positive scores)."""
    order = [i for i in np.argsort(-scores, kind="stable")[:top_k] if np.isfinite(scores[i]) and scores[i] > 0]
    hits = tuple(Hit(passage=passages[i], score=float(scores[i]), quote=passages[i].text, quote_start=0,
                     quote_end=len(passages[i].text)) for i in order)
    return Answer(question=question, answered=bool(hits), hits=hits, reason="answer" if hits else "not_in_article")


class BM25Only:
    """German BM25 (bm25s, Snowball stems) over the sentences; a passage scores its best sentence."""

    name = "BM25 alone"

    def __init__(self, engine) -> None:
        self.passages = engine.article.passages
        sentences = [s for group in engine.article.sentences for s in group]
        by_id = {p.id: i for i, p in enumerate(self.passages)}
        self.sentence_passage = np.array([by_id[s.passage_id] for s in sentences], dtype=np.int64)
        self.lexical = LexicalIndex([s.text for s in sentences])

    def ask_many(self, questions: list[str]) -> list[Answer]:
        answers = []
        for q in questions:
            best, _ = search.max_per_group(self.lexical.scores(q), self.sentence_passage, len(self.passages))
            answers.append(_answer(q, self.passages, best))
        return answers


class NaivePassages:
    """One e5 embedding per passage in IndexFlatIP; the top passages by cosine."""

    name = "naive e5 (1 vector/passage)"

    def __init__(self, engine) -> None:
        import faiss

        self.engine = engine
        self.passages = engine.article.passages
        vectors = engine.embed_documents([p.text for p in self.passages])
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def ask_many(self, questions: list[str]) -> list[Answer]:
        sims, ids = self.index.search(self.engine.embed_queries(questions), len(self.passages))
        answers = []
        for q, row_sims, row_ids in zip(questions, sims, ids):
            scores = np.full(len(self.passages), -np.inf, dtype=np.float32)
            scores[row_ids[row_ids >= 0]] = row_sims[row_ids >= 0]
            answers.append(_answer(q, self.passages, scores + 1.0))  # cosine can be <= 0: shift to rank all
        return answers


class Baseline:
    """The 30-line recipe issue 10 compares against: each passage (paragraphs, the lead and
    captions only; no title, headings or video titles) scores its best e5 sentence; for German
    questions that ranking is fused by RRF with German BM25 over the same sentences."""

    name = "baseline (best e5 sentence + German BM25, RRF)"
    KINDS = ("paragraph", "lead", "caption")

    def __init__(self, engine) -> None:
        from index.language import detect_language

        self.engine, self.detect = engine, detect_language
        self.passages = engine.article.passages
        sentences = [s for group in engine.article.sentences for s in group]
        by_id = {p.id: i for i, p in enumerate(self.passages)}
        kinds = {p.id: p.kind for p in self.passages}
        sentences = [s for s in sentences if kinds[s.passage_id] in self.KINDS]
        self.sentence_passage = np.array([by_id[s.passage_id] for s in sentences], dtype=np.int64)
        self.vectors = engine.embed_documents([s.text for s in sentences])
        self.lexical = LexicalIndex([s.text for s in sentences])

    def ask_many(self, questions: list[str]) -> list[Answer]:
        n = len(self.passages)
        answers = []
        for q, qvec in zip(questions, self.engine.embed_queries(questions)):
            dense, _ = search.max_per_group(self.vectors @ qvec, self.sentence_passage, n)
            scores = dense
            if self.detect(q) == "de":
                lexical, _ = search.max_per_group(self.lexical.scores(q), self.sentence_passage, n)
                lexical = np.where(lexical > 0, lexical, -np.inf)
                scores = search.rrf([(search.ranks(dense), 1.0), (search.ranks(lexical), 1.0)])
                scores = np.where(np.isfinite(dense), scores, -np.inf)
            else:
                scores = scores + 2.0  # cosines may be <= 0: shift so that every passage ranks
            answers.append(_answer(q, self.passages, scores))
        return answers


class EngineSystem:
    name = "engine (dense+sparse+BM25, RRF, abstention)"

    def __init__(self, engine) -> None:
        self.ask_many = engine.ask_many


def measure(files: dict, systems: list) -> list[dict]:
    rows = []
    for file_name, items in files.items():
        for system in systems:
            report = evaluate(items, system.ask_many)
            rows.append({"file": file_name, "system": system.name, "questions": len(items),
                         **report.overall, "abstention_accuracy": report.abstention["accuracy"],
                         "abstention": report.abstention, "per_lang": report.per_lang,
                         "misses": len(report.misses)})
    return rows


def print_rows(rows: list[dict]) -> None:
    print(common.table(
        ["file", "system", "answerable", "hit@1", "hit@3", "MRR", "abstention acc."],
        [[r["file"], r["system"], r.get("n"), r.get("hit@1"), r.get("hit@3"), r.get("mrr"), r["abstention_accuracy"]]
         for r in rows]))


def main() -> None:
    args = common.parser(__doc__.splitlines()[0]).parse_args()
    run = common.Run.start("quality", args)
    files = common.eval_items()
    if args.quick:
        files = {name: items for name, items in files.items() if name == "dev"} or dict(list(files.items())[:1])
    embedder, _ = common.load_model()
    engine = common.open_engine(embedder)
    systems = [EngineSystem(engine), Baseline(engine), BM25Only(engine), NaivePassages(engine)]
    rows = measure(files, systems)
    print_rows(rows)
    run.save({"rows": rows, "top_k": TOP_K, "passages": len(engine.article.passages)})


if __name__ == "__main__":
    main()
