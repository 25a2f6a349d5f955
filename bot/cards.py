"""Quote cards for inline mode: which verbatim snippets to offer, and who said them.

A :class:`Card` is a span of one passage (``start:end`` into ``Passage.text``), so its text is
always verbatim. ``cards_for_answer`` turns an engine answer into cards; ``key_cards`` picks the
cards for an empty inline query (the lead, then sentences with direct quotations, then the first
sentence of each paragraph). ``speaker_of`` is the hook for speaker attribution: it returns ""
until a quote book (``index/quotes.py``) is plugged in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Protocol

from index.schema import Answer, Passage, Sentence

INLINE_MAX_RESULTS = 10
DIRECT_SPEECH = re.compile(r"(?:^|[\s:(])[\"„“»](?:[^\"„“»«\s]+\s+){3,}")


class ArticleSource(Protocol):
    """What cards need from the engine (the real ``Engine`` satisfies it)."""

    @property
    def passages(self) -> list[Passage]: ...

    def sentences_of(self, passage_id: int) -> list[Sentence]: ...


@dataclass(frozen=True)
class Card:
    passage: Passage
    start: int
    end: int
    speaker: str = ""

    @property
    def quote(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def result_id(self) -> str:
        """Unique per span, ≤ 64 bytes as Telegram requires."""
        return f"p{self.passage.id}-{self.start}-{self.end}"


def speaker_of(passage: Passage, start: int, end: int) -> str:
    """Who is quoted in ``passage.text[start:end]``; "" when unknown (hook for the quote book)."""
    return ""


def make_card(passage: Passage, start: int, end: int) -> Card:
    return Card(passage, start, end, speaker_of(passage, start, end))


def unique_cards(cards: Iterable[Card], limit: int = INLINE_MAX_RESULTS) -> list[Card]:
    seen: set[str] = set()
    out = []
    for card in cards:
        if card.result_id in seen or not card.quote.strip():
            continue
        seen.add(card.result_id)
        out.append(card)
        if len(out) == limit:
            break
    return out


def cards_for_answer(answer: Answer, limit: int = INLINE_MAX_RESULTS) -> list[Card]:
    return unique_cards((make_card(h.passage, h.quote_start, h.quote_end) for h in answer.hits), limit)


def opens_quotation(sentence: str) -> bool:
    """An opening quotation mark followed by at least three words: direct speech, not a name."""
    return DIRECT_SPEECH.search(sentence) is not None


def key_cards(article: ArticleSource, limit: int = INLINE_MAX_RESULTS) -> list[Card]:
    """The headline, the lead, then the first quotation of each paragraph, then the first
    sentence of each paragraph, in article order, up to ``limit``."""
    passages = article.passages
    whole = [make_card(p, 0, len(p.text)) for p in passages if p.kind in ("title", "lead")]
    paragraphs = [(p, article.sentences_of(p.id)) for p in passages if p.kind == "paragraph"]
    quoted = [
        make_card(p, q.start, q.end)
        for p, sentences in paragraphs
        if (q := next((s for s in sentences if opens_quotation(s.text)), None))
    ]
    firsts = [make_card(p, sentences[0].start, sentences[0].end) for p, sentences in paragraphs if sentences]
    return unique_cards(whole + quoted + firsts, limit)
