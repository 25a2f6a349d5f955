"""Typed values that travel between the layers: ingest -> index -> search -> bot/CLI.

All of them are frozen dataclasses; nothing here imports numpy, torch or Telegram.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASSAGE_KINDS = ("title", "lead", "heading", "paragraph", "caption", "video")


@dataclass(frozen=True)
class ArticleMeta:
    """One article from ``seeds/``: its file stem, bibliographic data and where its passages live."""

    id: str
    title: str
    publisher: str
    date: str  # ISO 8601, e.g. 2025-12-11
    language: str
    url: str = ""

    @property
    def date_display(self) -> str:
        """German-style date, 2025-12-11 -> 11.12.2025."""
        parts = self.date.split("-")
        if len(parts) == 3:
            return f"{parts[2]}.{parts[1]}.{parts[0]}"
        return self.date


@dataclass(frozen=True)
class Passage:
    """A typed block of the article, verbatim after whitespace normalisation.

    ``id`` is the passage number shown to users (§N, deep link ``p<N>``), unique across all
    ingested articles and stable as long as the seeds do not change.
    """

    id: int
    article_id: str
    kind: str
    section: str
    text: str
    credit: str = ""  # photo credit of a caption ("Bild: ..."), kept apart from the caption text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage; ``start``/``end`` are character offsets into ``Passage.text``."""

    passage_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and its best-matching sentence (``quote``)."""

    passage: Passage
    score: float
    quote: str
    quote_start: int
    quote_end: int


@dataclass(frozen=True)
class Answer:
    """What the engine says about a question.

    ``reason`` is the verdict of :func:`index.decision.decide` (a :class:`~index.decision.Reason`,
    a ``str`` enum: "answer", "unsure", "not_in_article", "unknown_name", "small_talk", "empty").
    ``answered`` is True only for "answer" (confidence "high"); "unsure" (confidence "low") has the
    closest passages in ``hits``; every other reason has none.
    """

    question: str
    answered: bool
    hits: tuple[Hit, ...] = ()
    margin: float = 0.0  # best article sentence minus best background sentence (index.decision)
    reason: str = "not_in_article"
    unknown_name: str = ""  # set when the question asks about a name the article never mentions
    language: str = ""  # ISO 639-1 code of the question's language, "" when unknown
    evidence: object = field(default=None, compare=False, repr=False)  # index.decision.Evidence

    @property
    def confidence(self) -> str:
        """"high" (answered), "low" (the closest passages, unsure) or "none" (no passages)."""
        return {"answer": "high", "unsure": "low"}.get(str(getattr(self.reason, "value", self.reason)), "none")

    def to_json_dict(self) -> dict:
        """The CLI contract: {"question", "answered", "confidence", "reason",
        "passages": [{id, kind, section, text, quote, score}]}."""
        return {
            "question": self.question,
            "answered": self.answered,
            "confidence": self.confidence,
            "reason": str(getattr(self.reason, "value", self.reason)),
            "passages": [
                {
                    "id": h.passage.id,
                    "kind": h.passage.kind,
                    "section": h.passage.section,
                    "text": h.passage.text,
                    "quote": h.quote,
                    "score": round(float(h.score), 4),
                }
                for h in self.hits
            ],
        }


@dataclass(frozen=True)
class Speaker:
    """A person who can be quoted, with every name they go by (surname, role, other spellings)."""

    key: str
    name: str
    role: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Quote:
    """A quotation in the article. ``kind`` is "direct" („…“) or "reported" (Konjunktiv I)."""

    text: str
    passage_id: int
    start: int  # offsets into Passage.text
    end: int
    kind: str = "direct"
    speaker: Speaker | None = None

    @property
    def speaker_name(self) -> str:
        return self.speaker.name if self.speaker else ""


@dataclass(frozen=True)
class BriefingPoint:
    text: str
    passage_id: int


@dataclass(frozen=True)
class Briefing:
    article: ArticleMeta
    points: tuple[BriefingPoint, ...]
    quotes: tuple[Quote, ...]
