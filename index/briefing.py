"""A briefing: the article in 3 to 5 verbatim sentences and 2 or 3 quotations, in one message.

Key points are chosen for coverage, not position: candidate sentences (lead and paragraphs only,
60 to 320 characters, no questions, not mostly quotation) are picked greedily by facility
location: each pick adds the most to how well every lead/paragraph passage of the article is
represented by its nearest chosen sentence (cosine of the model's document vectors). At most one
point per passage and at most half of the points (rounded up) per section, so they spread over
the article; they are shown in article order. Quotations come from :meth:`QuoteBook.key_quotes`,
skipping any that overlaps a chosen point. Points are dropped (never below three), then
quotations (never below two), until the plain text fits :data:`~index.tuning.BRIEFING_TEXT_BUDGET`.
"""

from __future__ import annotations

import numpy as np

from .article import Article
from .formatting import format_briefing_text
from .quotes import DocumentVectors, QuoteBook
from .schema import Briefing, BriefingPoint, Passage, Quote, Sentence

from .tuning import (  # reasons: index/tuning.py
    BRIEFING_TEXT_BUDGET, MAX_POINT_CHARS, MAX_POINTS, MAX_QUOTE_CHARS, MAX_QUOTES, MIN_POINT_CHARS, MIN_POINTS, MIN_QUOTES,
)

BODY_KINDS = ("lead", "paragraph")


def make_briefing(article: Article, book: QuoteBook, n_points: int = 4, n_quotes: int = 3,
                  vectors: DocumentVectors | None = None) -> Briefing:
    """The briefing of ``article`` (its first article) with ``book``'s quotations. ``vectors``:
    document vectors of the same model; by default the book's (shared, so that no text is
    embedded twice)."""
    vectors = vectors if vectors is not None else book.document_vectors
    if vectors is None:
        raise ValueError("a briefing needs document vectors: the book's or given ones")
    meta = article.meta
    body = [p for p in article.passages if p.article_id == meta.id and p.kind in BODY_KINDS]
    n_points = min(MAX_POINTS, max(MIN_POINTS, n_points))
    n_quotes = min(MAX_QUOTES, max(0, n_quotes))
    direct = [q for q in book.quotes if q.kind == "direct"]
    candidates = [(p, s) for p in body for s in article.sentences_of(p.id) if _fit_for_point(s, direct)]
    chosen = _cover(vectors, body, candidates, n_points)  # in order of pick
    points = [candidates[i] for i in chosen]
    quotes = [
        q for q in book.key_quotes(n=len(book.quotes))
        if len(q.text) <= MAX_QUOTE_CHARS and not any(_overlaps(q, s) for _, s in points)
    ][:n_quotes]

    def build() -> Briefing:
        in_order = sorted(points, key=lambda ps: (body.index(ps[0]), ps[1].start))
        return Briefing(meta, tuple(BriefingPoint(s.text, p.id) for p, s in in_order), tuple(quotes))

    briefing = build()
    while len(format_briefing_text(briefing)) > BRIEFING_TEXT_BUDGET:
        if len(points) > MIN_POINTS:
            points.pop()  # the last pick adds the least coverage
        elif len(quotes) > MIN_QUOTES:
            quotes.pop()
        else:
            break
        briefing = build()
    return briefing


def _fit_for_point(s: Sentence, direct: list[Quote]) -> bool:
    if not MIN_POINT_CHARS <= len(s.text) <= MAX_POINT_CHARS or s.text.rstrip().endswith("?"):
        return False
    quoted = sum(max(0, min(q.end, s.end) - max(q.start, s.start)) for q in direct if q.passage_id == s.passage_id)
    return quoted <= len(s.text) / 2  # a sentence that is mostly a quotation belongs to the quotes


def _overlaps(q: Quote, s: Sentence) -> bool:
    return q.passage_id == s.passage_id and q.start < s.end and s.start < q.end


def _cover(document_vectors: DocumentVectors, body: list[Passage], candidates: list[tuple[Passage, Sentence]], n: int) -> list[int]:
    """Greedy facility location of candidate sentences over the article's body passages."""
    if not candidates:
        return []
    targets = document_vectors([p.text for p in body])
    vectors = document_vectors([s.text for _, s in candidates])
    sim = vectors @ targets.T  # (candidates, passages)
    covered = np.zeros(len(body), dtype=np.float32)
    per_section_max = -(-n // 2)
    chosen: list[int] = []
    while len(chosen) < n:
        gains = np.maximum(sim, covered).sum(axis=1) - covered.sum()
        best = None
        for i in np.argsort(-gains, kind="stable"):
            p = candidates[i][0]
            same_passage = any(candidates[j][0].id == p.id for j in chosen)
            same_section = sum(candidates[j][0].section == p.section for j in chosen)
            if not same_passage and same_section < per_section_max:
                best = int(i)
                break
        if best is None:
            break
        chosen.append(best)
        covered = np.maximum(covered, sim[best])
    return chosen


def briefing_to_json(b: Briefing) -> dict:
    return {
        "title": b.article.title,
        "date": b.article.date,
        "points": [{"text": p.text, "passage_id": p.passage_id} for p in b.points],
        "quotes": [{"speaker": q.speaker_name, "quote": q.text, "passage_id": q.passage_id} for q in b.quotes],
    }
