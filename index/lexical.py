"""German lexical index: BM25 (bm25s) over Snowball-stemmed tokens (PyStemmer)."""

from __future__ import annotations

import numpy as np


class LexicalIndex:
    """BM25 over a list of texts; ``scores(query)`` returns one score per text (0 for no overlap)."""

    def __init__(self, texts: list[str], language: str = "german") -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer(language)
        self._stopwords = "de" if language == "german" else "en"
        self.size = len(texts)
        self._retriever = bm25s.BM25()
        tokens = bm25s.tokenize(
            list(texts), stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False
        )
        self._vocab = tokens.vocab
        self._retriever.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        tokens = self._bm25s.tokenize(
            [query], stopwords=self._stopwords, stemmer=self._stemmer, show_progress=False, return_ids=False
        )[0]
        known = [t for t in tokens if t in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
