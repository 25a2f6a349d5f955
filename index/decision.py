"""The answer decision: one function from the evidence measured for a question to a verdict.

The engine measures its evidence once per question (:class:`Evidence`): how well the article's
best sentence matches against the best sentence of an unrelated background corpus (the margin),
the best passage's sparse latent-term score, how far the best passage stands above the third,
how many rankings agree on it, whether the question is German and how long it is, whether the
best background match is small talk, the question's names matched against the article
(:mod:`index.names`), and the answer type it asks for.
:func:`decide` turns that into a :class:`Verdict` with a typed :class:`Reason`; nothing after it
changes an answer. A small logistic model (:class:`Relevance`) weighs the retrieval evidence
into one probability that the article answers; two thresholds on it give the three grades.

Confidence is graded:

* ``high`` (``answer``): the article clearly answers; passages with the best sentence quoted;
* ``low`` (``unsure``): the closest passages, shown as such ("may not answer this directly");
* ``none``: ``not_in_article``, ``unknown_name``, ``small_talk`` or ``empty``: no passages.

Every threshold lives in :class:`Thresholds`; the model's weights and the values in
:data:`THRESHOLDS` were fitted and chosen by ``bench/crossval.py`` over every labelled question;
it reports the cross-validated numbers (each file held out in turn) and decides which rule stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class Reason(str, Enum):
    ANSWER = "answer"
    UNSURE = "unsure"
    NOT_IN_ARTICLE = "not_in_article"
    UNKNOWN_NAME = "unknown_name"
    SMALL_TALK = "small_talk"
    EMPTY = "empty"


CONFIDENCE = {Reason.ANSWER: "high", Reason.UNSURE: "low"}  # every other reason: "none"


@dataclass(frozen=True)
class Evidence:
    """What the engine measured for one question (no thresholds applied)."""

    empty: bool = False  # nothing left after cleaning
    wordless: bool = False  # no letter or digit at all: emoji, "?", "..."
    margin: float = 0.0  # best article sentence minus best background sentence (small talk included)
    small_talk_margin: float = -1.0  # best small-talk sentence minus the best article or unrelated one
    unknown_name: str = ""  # the question's least article-like name, when one is not matched
    name_score: float = 1.0  # its similarity with the closest article word (0-1)
    type_missing: bool = False  # asks when / how many, and the best passages give no date / number
    agreement: int = 0  # how many of the rankings (dense, sparse, BM25) put the first passage first
    sparse_top: float = 0.0  # the best passage's sparse latent-term score
    dense_gap: float = 0.0  # best passage's dense score minus the third best
    german: bool = False  # the question is German (the article's language)
    words: int = 0  # the question's words

    def features(self) -> tuple[float, ...]:
        """The inputs of the relevance model, in the order of :data:`FEATURES`."""
        return (self.margin, self.sparse_top, self.dense_gap, float(self.german), math.log1p(self.words))


# agreement (measured, reported) is not an input: without it the cross-validated cost is lower
# (bench/results/crossval.json; docs/evaluation.md)
FEATURES = ("margin", "sparse_top", "dense_gap", "german", "words")


@dataclass(frozen=True)
class Relevance:
    """Logistic regression over :meth:`Evidence.features` (standardised): the probability that the
    article answers the question. Fitted by ``bench/crossval.py`` on every labelled question."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def __call__(self, evidence: "Evidence") -> float:
        z = sum(w * (x - m) / s for w, x, m, s in zip(self.weights, evidence.features(), self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-(z + self.bias)))


@dataclass(frozen=True)
class Thresholds:
    answer: float  # relevance at or above which the article answers (high)
    unsure: float  # relevance at or above which the closest passages are shown (low)
    unknown_name: float  # a name whose best match is below this is unknown to the article
    type_rule: bool  # a missing date / number makes the answer unsure
    relevance: Relevance
    small_talk: float = 0.0  # a small-talk sentence is the best match of all, by this much


@dataclass(frozen=True)
class Verdict:
    reason: Reason
    name: str = ""  # the unknown name, for Reason.UNKNOWN_NAME

    @property
    def confidence(self) -> str:
        return CONFIDENCE.get(self.reason, "none")

    @property
    def shows_passages(self) -> bool:
        return self.confidence != "none"


# Fitted and chosen by bench/crossval.py on every labelled question (its output, with the
# cross-validated rates and the ablations that decided which rule stays, is bench/results/crossval.json).
RELEVANCE = Relevance(
    mean=(0.03379, 20.913908, 0.023411, 0.255245, 1.979853),
    scale=(0.036168, 7.820332, 0.017031, 0.435999, 0.263114),
    weights=(0.4858, 1.676, 0.9504, -0.5954, -0.597),
    bias=0.929,
)
THRESHOLDS = Thresholds(
    answer=0.7, unsure=0.15, unknown_name=-1.0, type_rule=False, relevance=RELEVANCE, small_talk=0.0
)


def decide(evidence: Evidence, t: Thresholds = THRESHOLDS) -> Verdict:
    if evidence.empty:
        return Verdict(Reason.EMPTY)
    if evidence.wordless or evidence.small_talk_margin >= t.small_talk:
        return Verdict(Reason.SMALL_TALK)
    if evidence.unknown_name and evidence.name_score < t.unknown_name:
        return Verdict(Reason.UNKNOWN_NAME, evidence.unknown_name)
    relevance = t.relevance(evidence)
    if relevance < t.unsure:
        return Verdict(Reason.NOT_IN_ARTICLE)
    if relevance < t.answer or (t.type_rule and evidence.type_missing):
        return Verdict(Reason.UNSURE)
    return Verdict(Reason.ANSWER)
