"""Quote cards for inline mode: which verbatim snippets to offer, and who said them.

A :class:`Card` is a span of one passage (``start:end`` into ``Passage.text``), so its text is
always verbatim. ``cards_for_answer`` turns an engine answer into cards; ``key_cards`` picks the
cards for an empty inline query (the lead, then sentences with direct quotations, then the first
sentence of each paragraph). :func:`with_speakers` widens a card to whole quotations and credits
it to its speaker from the article's quotations (``index/quotes.py``); speech nobody is credited
with is never a card.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from index.article import Article
from index.schema import Answer, Passage, Quote, Speaker

from .tuning import INLINE_MAX_RESULTS, WHOLE_QUOTE_CHARS

DIRECT_SPEECH = re.compile(r"(?:^|[\s:(])[\"„“»](?:[^\"„“»«\s]+\s+){3,}")
# A sentence ends with . ! ? or …, maybe followed by closing quotation marks, then space or the end.
_SENTENCE_END = re.compile(r"[.!?…][\"“”»«’']*(?=\s|$)")
_SENTENCE_GAP = re.compile(r"[.!?…][\"“”»«’']*\s+")


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


def _sentence_end(text_: str, at: int) -> int:
    m = _SENTENCE_END.search(text_, max(0, at - 1))
    return m.end() if m else len(text_)


def _sentence_start(text_: str, at: int) -> int:
    return max((m.end() for m in _SENTENCE_GAP.finditer(text_, 0, at)), default=0)


def whole_quote(text_: str, start: int, end: int, max_chars: int = WHOLE_QUOTE_CHARS) -> tuple[int, int]:
    """``start:end`` of ``text_`` widened to whole sentences around every quotation it opens or
    closes but does not hold entirely: no dangling quotation marks („Aber das tut sie nicht.“"
    alone). Always a span of ``text_`` (verbatim). Wider than ``max_chars``: the span as it was,
    without a quotation mark left dangling at its very start or end."""
    from index.quotes import quotation_spans

    spans = quotation_spans(text_)
    s, e = start, end
    while True:  # each round widens the span or stops: it ends
        wider = s, e
        for q in spans:
            opens, closes = s <= q.open_at < e, s <= q.close_at < e
            if opens and not closes:
                e = max(e, _sentence_end(text_, q.close_at))
            elif closes and not opens:
                s = min(s, _sentence_start(text_, q.open_at))
        if (s, e) == wider:
            break
    if e - s <= max_chars:
        return s, e
    dangling = [q for q in spans if (start <= q.open_at < end) != (start <= q.close_at < end)]
    marks = {q.open_at for q in dangling} | {q.close_at for q in dangling}
    if start in marks:
        start += 1
    if end - 1 in marks:
        end -= 1
    return start, end


def make_card(passage: Passage, start: int, end: int) -> Card:
    return Card(passage, start, end)


def _who(speaker: Speaker) -> str:
    return f"{speaker.name}, {speaker.role}" if speaker.role else speaker.name


def with_speakers(cards: Iterable[Card], quotes: Sequence[Quote]) -> Iterator[Card]:
    """Each card widened to whole quotations (:func:`whole_quote`) and credited to whoever speaks
    in it: the speakers of the direct quotations it holds, else of its reported speech (``quotes``:
    :attr:`index.article.Article.quotes`). A card holding a direct quotation of
    nobody known is left out: no fragment of speech without its speaker."""
    by_passage: dict[int, list[Quote]] = defaultdict(list)
    for q in quotes:
        if q.kind != "term":
            by_passage[q.passage_id].append(q)
    for card in cards:
        start, end = whole_quote(card.passage.text, card.start, card.end)
        inside = [q for q in by_passage[card.passage.id] if q.start < end and start < q.end]
        direct = [q for q in inside if q.kind == "direct"]
        if any(q.speaker is None for q in direct):
            continue
        said = direct or [q for q in inside if q.speaker]
        yield Card(card.passage, start, end, " / ".join(dict.fromkeys(_who(q.speaker) for q in said)))


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


def cards_for_answer(answer: Answer, limit: int = INLINE_MAX_RESULTS, quotes: Sequence[Quote] = ()) -> list[Card]:
    """A card per hit (its best sentence), credited to its speaker (:func:`with_speakers`)."""
    cards = (make_card(h.passage, h.quote_start, h.quote_end) for h in answer.hits)
    return unique_cards(with_speakers(cards, quotes), limit)


def opens_quotation(sentence: str) -> bool:
    """An opening quotation mark followed by at least three words: direct speech, not a name."""
    return DIRECT_SPEECH.search(sentence) is not None


def key_cards(article: Article, limit: int = INLINE_MAX_RESULTS, quotes: Sequence[Quote] = ()) -> list[Card]:
    """The headline, the lead, then the first quotation of each paragraph, then the first
    sentence of each paragraph, in article order, up to ``limit``; each credited to its speaker
    (:func:`with_speakers`)."""
    passages = article.passages
    whole = [make_card(p, 0, len(p.text)) for p in passages if p.kind in ("title", "lead")]
    paragraphs = [(p, article.sentences_of(p.id)) for p in passages if p.kind == "paragraph"]
    quoted = [
        make_card(p, q.start, q.end)
        for p, sentences in paragraphs
        if (q := next((s for s in sentences if opens_quotation(s.text)), None))
    ]
    firsts = [make_card(p, sentences[0].start, sentences[0].end) for p, sentences in paragraphs if sentences]
    return unique_cards(with_speakers(whole + quoted + firsts, quotes), limit)
