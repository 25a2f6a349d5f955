"""Names the question asks about that the article never mentions.

Near-topic questions such as "What did Rutte say about Iran?" match the article's sentences about
Rutte well, so the relevance margin lets them through. This module finds the question's *names*
(capitalised words after the first, in any alphabet) that do not occur in the article's text;
the engine then asks the model whether each one is grounded in the article anyway (another
language's spelling: "Moscow" for "Moskau", "Зеленський" for "Selenskyj"): it encodes the
question without the name and compares the best article sentence's similarity with and without
it. A name the article knows pulls the question towards the article (taking it out lowers the
similarity); a name the article does not know pulls it away (taking it out raises it).
:func:`ungrounded` applies the calibrated threshold to those differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
MIN_PART = 5  # a word part this long counts as present when it occurs inside an article word


@dataclass(frozen=True)
class Name:
    text: str
    start: int
    end: int


def vocabulary(texts: list[str]) -> frozenset[str]:
    """The lower-cased words of the article(s)."""
    return frozenset(w.lower() for text in texts for w in re.findall(r"\w+", text))


def _present(part: str, words: frozenset[str]) -> bool:
    if part in words:
        return True
    return len(part) >= MIN_PART and any(part in w for w in words)


def unknown_names(question: str, words: frozenset[str]) -> list[Name]:
    """Capitalised words after the first (two letters or more) whose letters do not occur in the
    article: as a word, or for parts of five letters or more inside a word (German compounds,
    "US-Strategie" in "Sicherheitsstrategie")."""
    names = []
    for n, m in enumerate(_WORD.finditer(question)):
        token = _POSSESSIVE.sub("", m.group(0))
        if n == 0 or len(token) < 2 or not token[0].isupper():
            continue
        parts = [p for p in token.lower().split("-") if p]
        if parts and not all(_present(p, words) for p in parts):
            names.append(Name(m.group(0), m.start(), m.end()))
    return names


def without(question: str, name: Name) -> str:
    """The question with ``name`` taken out."""
    return " ".join((question[: name.start] + question[name.end :]).split())


def ungrounded(deltas: list[tuple[Name, float]], min_delta: float) -> Name | None:
    """The first name whose removal raised the best article similarity by more than the threshold
    (``delta = with - without < min_delta``), or None when every name is grounded."""
    for name, delta in deltas:
        if delta < min_delta:
            return name
    return None
