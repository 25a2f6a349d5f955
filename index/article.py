"""The article as a value, and what its readers may ask of the retriever.

:class:`Article` is everything the ingested text is: its metadata, passages, sentences and
quotations, frozen and built once (by :class:`~index.engine.Engine`, or by anyone from
passages). It needs no model: the quote book's extraction, the briefing's candidates, the bot's
cards and replies read it. What does need the model is asked for by the narrow protocols below,
which the :class:`~index.engine.Engine` satisfies:

* :class:`Retriever` -- ``ask`` / ``ask_many`` (the bot's asker, the CLI, the evaluation);
* :class:`Embeds` -- ``embed_queries`` / ``embed_documents`` and ``background`` (the quote book
  and the briefing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from typing import TYPE_CHECKING, Iterable, Protocol, Sequence

from .schema import Answer, ArticleMeta, Passage, Quote, Sentence, Speaker
from .sentences import split_passage

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Article:
    """The ingested article(s): metadata, passages in order and each passage's sentences.

    ``passage(id)``, ``sentences_of(id)`` and ``neighbours(id)`` look passages up by the id users
    see (§N); :attr:`quotes` extracts the quotations once, on first use (no model)."""

    articles: tuple[ArticleMeta, ...]
    passages: tuple[Passage, ...]
    sentences: tuple[tuple[Sentence, ...], ...]  # per passage, in passage order
    _index: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.sentences) != len(self.passages):
            raise ValueError("one group of sentences per passage")
        object.__setattr__(self, "_index", {p.id: i for i, p in enumerate(self.passages)})

    @classmethod
    def of(cls, articles: Iterable[ArticleMeta], passages: Iterable[Passage],
           sentences: Sequence[Sequence[Sentence]] | None = None) -> "Article":
        """The article of ``passages``; their sentences are split here when not given."""
        passages = tuple(passages)
        if not sentences:
            sentences = [split_passage(p) for p in passages]
        return cls(tuple(articles), passages, tuple(tuple(group) for group in sentences))

    @property
    def meta(self) -> ArticleMeta:
        """The (first) article's title, publisher, date and URL."""
        return self.articles[0]

    def meta_of(self, passage: Passage) -> ArticleMeta:
        return next((a for a in self.articles if a.id == passage.article_id), self.meta)

    def index_of(self, passage_id: int) -> int | None:
        """The position of passage ``passage_id`` in :attr:`passages`, or None."""
        return self._index.get(passage_id)

    def passage(self, passage_id: int) -> Passage | None:
        i = self._index.get(passage_id)
        return None if i is None else self.passages[i]

    def sentences_of(self, passage_id: int) -> tuple[Sentence, ...]:
        i = self._index.get(passage_id)
        return () if i is None else self.sentences[i]

    def neighbours(self, passage_id: int, radius: int = 1) -> list[Passage]:
        """The passages around ``passage_id`` in the same article (itself included), in order."""
        i = self._index.get(passage_id)
        if i is None:
            return []
        article = self.passages[i].article_id
        lo, hi = max(0, i - radius), min(len(self.passages), i + radius + 1)
        return [p for p in self.passages[lo:hi] if p.article_id == article]

    @property
    def headings(self) -> list[str]:
        """The subheadings, in order: what the article covers."""
        return [p.text for p in self.passages if p.kind == "heading"]

    @property
    def quotes(self) -> tuple[Quote, ...]:
        """Every quotation (direct, reported and term) with its speaker, in article order
        (:func:`index.quotes.extract_quotes`)."""
        return self._quotations[1]

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """The people who can be quoted (:func:`index.speakers.detect_people`, per article)."""
        return self._quotations[0]

    @cached_property
    def _quotations(self) -> tuple[tuple[Speaker, ...], tuple[Quote, ...]]:
        from .quotes import extract_quotes
        from .speakers import detect_people

        speakers: dict[str, Speaker] = {}
        quotes: list[Quote] = []
        for _, group in groupby(self.passages, key=lambda p: p.article_id):
            group = list(group)
            found = detect_people(group)
            quotes += extract_quotes(group, found)
            speakers.update((s.key, s) for s in found if s.key not in speakers)
        return tuple(speakers.values()), tuple(quotes)


class Retriever(Protocol):
    """Answers questions about an article (:class:`~index.engine.Engine`)."""

    article: Article

    def ask(self, question: str, top_k: int | None = None) -> Answer: ...

    def ask_many(self, questions: list[str], top_k: int | None = None) -> list[Answer]: ...


class Embeds(Protocol):
    """Normalised vectors of texts, as questions or as documents, and the model's vectors of the
    unrelated background sentences (as documents; None without them): the level a query reaches
    on text that does not answer it (:class:`~index.engine.Engine`)."""

    @property
    def background(self) -> "np.ndarray | None": ...

    def embed_queries(self, texts: list[str]) -> "np.ndarray": ...

    def embed_documents(self, texts: list[str]) -> "np.ndarray": ...
