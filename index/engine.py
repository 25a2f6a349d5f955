"""The engine: built once by the entry point, then asked questions by the CLI and the bot.

``Engine.open(settings)`` loads the embedding model, loads the index from ``INDEX_DIR`` (rebuilding
it when missing, stale or corrupt) and the lexical index. ``engine.ask(question)`` returns an
:class:`~index.schema.Answer`. Ranking itself lives in :mod:`index.search`; this module only feeds
it vectors and scores.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import search, store
from .background import background_sentences
from .embeddings import Embedder, load_embedder
from .ingest import load_articles
from .language import clean_question, looks_german
from .lexical import LexicalIndex
from .schema import Answer, ArticleMeta, Hit, Passage, Sentence
from .sentences import split_passage
from .settings import EngineSettings

log = logging.getLogger(__name__)

# Weight of German BM25 in the rank fusion: full for German questions; names and numbers still
# match across languages, so other questions keep a smaller share.
BM25_WEIGHT_GERMAN = 1.0
BM25_WEIGHT_OTHER = 0.3
DENSE_CANDIDATES = 512


class Engine:
    def __init__(self, settings: EngineSettings, embedder: Embedder, data: store.IndexData, background: np.ndarray):
        self.settings = settings
        self.embedder = embedder
        self.data = data
        self._background = background
        self._by_id = {p.id: i for i, p in enumerate(data.passages)}
        self._unit_passage = np.array([self._by_id[u.passage_id] for u in data.units], dtype=np.int64)
        self._unit_is_sentence = np.array([u.sentence >= 0 for u in data.units])
        flat: list[Sentence] = [s for group in data.sentences for s in group]
        self._sentences = flat
        self._sentence_passage = np.array([self._by_id[s.passage_id] for s in flat], dtype=np.int64)
        self._first_sentence = np.cumsum([0] + [len(g) for g in data.sentences])[:-1]
        self._sentence_unit = {
            (u.passage_id, u.sentence): i for i, u in enumerate(data.units) if u.sentence >= 0
        }
        self._lexical = LexicalIndex([s.text for s in flat])

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        settings: EngineSettings,
        embedder: Embedder | None = None,
        rebuild: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> "Engine":
        started = time.perf_counter()
        embedder = embedder or load_embedder(settings.model)
        articles, passages, seeds_hash = load_articles(settings.seeds_dir)
        expected = store.manifest_for(embedder.name, embedder.dim, seeds_hash)
        data = None
        if not rebuild:
            try:
                arts, psgs, units, vectors, manifest = store.load(settings.index_dir, expected)
                data = store.IndexData(arts, psgs, [split_passage(p) for p in psgs], units, vectors, manifest)
            except store.IndexInvalid as exc:
                if (Path(settings.index_dir) / store.MANIFEST).exists():
                    log.warning("index is stale or corrupt, rebuilding: %s", exc)
                else:
                    log.info("no index yet at %s, building it", settings.index_dir)
        if data is None:
            data = build_index(articles, passages, embedder, expected, progress)
            store.save(data, settings.index_dir)
            log.info("index written to %s (%d passages, %d vectors)", settings.index_dir, len(passages), len(data.units))
        background = embedder.encode_documents(background_sentences())
        engine = cls(settings, embedder, data, background)
        log.info("engine ready in %.2fs (%s)", time.perf_counter() - started, embedder.name)
        return engine

    def close(self) -> None:
        """Release the model and the index (the bot calls this in post_shutdown)."""
        self.embedder = None  # type: ignore[assignment]
        self.data.vectors = None

    # ---- article access -----------------------------------------------------------------
    @property
    def articles(self) -> list[ArticleMeta]:
        return self.data.articles

    @property
    def article(self) -> ArticleMeta:
        return self.data.articles[0]

    @property
    def passages(self) -> list[Passage]:
        return self.data.passages

    def passage(self, passage_id: int) -> Passage | None:
        i = self._by_id.get(passage_id)
        return None if i is None else self.data.passages[i]

    def article_of(self, passage: Passage) -> ArticleMeta:
        return next((a for a in self.data.articles if a.id == passage.article_id), self.article)

    def sentences_of(self, passage_id: int) -> list[Sentence]:
        i = self._by_id.get(passage_id)
        return [] if i is None else self.data.sentences[i]

    def neighbours(self, passage_id: int, radius: int = 1) -> list[Passage]:
        """The passages around ``passage_id`` in the same article (itself included), in order."""
        i = self._by_id.get(passage_id)
        if i is None:
            return []
        article = self.data.passages[i].article_id
        lo, hi = max(0, i - radius), min(len(self.data.passages), i + radius + 1)
        return [p for p in self.data.passages[lo:hi] if p.article_id == article]

    # ---- questions ----------------------------------------------------------------------
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Normalised query vectors (with the model's query prompt)."""
        return self.embedder.encode_queries(texts)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Normalised document vectors (with the model's passage prompt), e.g. for quotations."""
        return self.embedder.encode_documents(texts)

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        return self.ask_many([question], top_k)[0]

    def ask_many(self, questions: list[str], top_k: int | None = None) -> list[Answer]:
        cleaned = [clean_question(q) for q in questions]
        todo = [i for i, q in enumerate(cleaned) if q]
        vectors = self.embed_queries([cleaned[i] for i in todo]) if todo else None
        answers = [Answer(question=q, answered=False, reason="empty question") for q in cleaned]
        for row, i in enumerate(todo):
            answers[i] = self.answer_vector(cleaned[i], vectors[row], top_k or self.settings.top_k)
        return answers

    def answer_vector(self, question: str, qvec: np.ndarray, top_k: int) -> Answer:
        n_passages = len(self.data.passages)
        k = min(self.data.vectors.ntotal, DENSE_CANDIDATES)
        sims, ids = self.data.vectors.search(qvec.reshape(1, -1).astype(np.float32), k)
        unit_scores = np.full(self.data.vectors.ntotal, -np.inf, dtype=np.float32)
        valid = ids[0] >= 0
        unit_scores[ids[0][valid]] = sims[0][valid]
        dense, _ = search.max_per_group(unit_scores, self._unit_passage, n_passages)
        sentence_dense = np.where(self._unit_is_sentence, unit_scores, -np.inf)

        lexical = self._lexical.scores(question)
        lex_passage, _ = search.max_per_group(lexical, self._sentence_passage, n_passages)
        german = looks_german(question)
        weight = BM25_WEIGHT_GERMAN if german else BM25_WEIGHT_OTHER
        rank_lists = [(search.ranks(dense), 1.0)]
        if lexical.max() > 0:
            rank_lists.append((search.ranks(np.where(lex_passage > 0, lex_passage, -np.inf)), weight))
        fused = search.rrf(rank_lists)
        order = np.argsort(-fused, kind="stable")[:top_k]

        top_dense = float(np.max(sentence_dense)) if np.isfinite(sentence_dense).any() else float(np.max(dense))
        background_top = float(np.max(self._background @ qvec)) if len(self._background) else 0.0
        conf = search.confidence(top_dense, background_top)

        hits = []
        for i in order:
            passage = self.data.passages[i]
            start, end = self._best_sentence(passage, unit_scores, lexical)
            hits.append(Hit(passage=passage, score=float(fused[i]), quote=passage.text[start:end], quote_start=start, quote_end=end))
        answered = conf >= CALIBRATION.min_margin
        return Answer(
            question=question,
            answered=answered,
            hits=tuple(hits) if answered else (),
            confidence=conf,
            reason="" if answered else "the article does not answer this question",
        )

    def _best_sentence(self, passage: Passage, unit_scores: np.ndarray, lexical: np.ndarray) -> tuple[int, int]:
        sentences = self.sentences_of(passage.id)
        if not sentences:
            return 0, len(passage.text)
        best, best_score = sentences[0], -np.inf
        offset = int(self._first_sentence[self._by_id[passage.id]])
        top_lex = float(lexical.max()) or 1.0
        for j, s in enumerate(sentences):
            unit = self._sentence_unit.get((passage.id, j))
            score = float(unit_scores[unit]) if unit is not None else -np.inf
            score += 0.02 * float(lexical[offset + j]) / top_lex
            if score > best_score:
                best, best_score = s, score
        return best.start, best.end


CALIBRATION = search.Calibration(min_margin=0.0)


def build_index(
    articles: list[ArticleMeta],
    passages: list[Passage],
    embedder: Embedder,
    manifest: dict,
    progress: Callable[[str], None] | None = None,
) -> store.IndexData:
    """Embed every sentence and every whole passage; one FAISS index over all of them."""
    started = time.perf_counter()
    sentences = [split_passage(p) for p in passages]
    units: list[store.Unit] = []
    texts: list[str] = []
    for p, group in zip(passages, sentences):
        for j, s in enumerate(group):
            units.append(store.Unit(p.id, j, s.start, s.end))
            texts.append(s.text)
        if len(group) > 1:
            units.append(store.Unit(p.id, -1, 0, len(p.text)))
            texts.append(p.text)
    if progress:
        progress(f"embedding {len(texts)} sentences and passages of {len(passages)} passages")
    vectors = embedder.encode_documents(texts, show_progress=progress is not None)
    index = store.make_faiss(vectors)
    log.info("built index in %.2fs", time.perf_counter() - started)
    return store.IndexData(articles, passages, sentences, units, index, manifest)
