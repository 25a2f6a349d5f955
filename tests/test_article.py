"""The article is a value, the engine a retriever: readers of the text take an Article (and, when
they embed, something that Embeds), never the engine. No model here: a hashing stand-in embeds."""

from __future__ import annotations

import ast
import dataclasses
import typing
import zlib

import numpy as np
import pytest

from index.article import Article, Embeds
from index.briefing import make_briefing
from index.formatting import format_answer_text
from index.ingest import load_articles
from index.quotes import DocumentVectors, QuoteBook
from index.schema import Answer
from tests.conftest import ROOT, SEEDS


class HashingEmbeds:
    """Bag-of-words vectors (hashed words, normalised): enough for the quote book and the briefing
    to run without the model."""

    dim = 256
    background = None

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    embed_queries = embed_documents = _encode


@pytest.fixture(scope="module")
def article() -> Article:
    articles, passages, _ = load_articles(SEEDS)
    return Article.of(articles, passages)


def test_the_article_is_a_frozen_value_with_lookups(article):
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.passages = ()  # type: ignore[misc]
    first, second = article.passages[0], article.passages[1]
    assert article.passage(second.id) is second and article.passage(-1) is None
    assert all(first.text[s.start:s.end] == s.text for s in article.sentences_of(first.id))
    assert article.neighbours(second.id) == [first, second, article.passages[2]]
    assert article.meta.title and article.meta_of(second) is article.meta
    assert article.headings == [p.text for p in article.passages if p.kind == "heading"]
    assert article.quotes is article.quotes  # extracted once
    assert {"Mark Rutte", "Friedrich Merz"} <= {s.name for s in article.speakers}


def test_quote_book_and_briefing_need_only_an_article_and_embeddings(article):
    book = QuoteBook.build(article, HashingEmbeds())
    rutte = book.find("Rutte")
    assert rutte and all(q.text == article.passage(q.passage_id).text[q.start:q.end] for q in rutte)
    briefing = make_briefing(article, book)
    assert briefing.article == article.meta and len(briefing.points) >= 3
    for point in briefing.points:
        assert point.text in [s.text for s in article.sentences_of(point.passage_id)]
    refusal = format_answer_text(Answer(question="Wie ist das Wetter?", answered=False), article)
    assert "The article covers: " + "; ".join(article.headings) in refusal


def test_readers_of_the_text_are_typed_with_the_article_and_protocols_not_the_engine():
    import index.briefing
    import index.formatting
    import index.quotes

    hints = typing.get_type_hints
    assert hints(QuoteBook.build)["article"] is Article and hints(QuoteBook.build)["embeds"] is Embeds
    assert hints(DocumentVectors.__init__)["embeds"] is Embeds
    assert hints(index.briefing.make_briefing)["article"] is Article
    assert hints(index.formatting.format_answer_text)["article"] == typing.Optional[Article]
    for module in ("article", "quotes", "briefing", "formatting"):  # none of them knows the engine
        tree = ast.parse((ROOT / "index" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {"engine", "index.engine"} & {m for m in imported if m}, module


def test_the_engine_is_the_retriever_that_holds_the_article():
    from index.engine import Engine

    for member in ("ask", "ask_many", "embed_queries", "embed_documents", "background"):
        assert hasattr(Engine, member), member
    for gone in ("passages", "passage", "sentences_of", "neighbours", "articles", "article_of"):
        assert not hasattr(Engine, gone), f"Engine.{gone}: the article store belongs to index.article.Article"


def test_the_bot_reads_the_text_from_the_article():
    from bot.cards import key_cards

    article_of_seeds = Article.of(*load_articles(SEEDS)[:2])
    cards = key_cards(article_of_seeds, quotes=article_of_seeds.quotes)
    assert cards and all(c.quote in c.passage.text for c in cards)
    assert typing.get_type_hints(key_cards)["article"] is Article
