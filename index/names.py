"""Names in a question, matched against the article's words across scripts and spellings.

A question's *names* are its capitalised words after the first (in any alphabet). Each one is
looked up among the article's words by transliteration (anyascii: "Рютте" -> "Ryutte") and a
light spelling fold (w/v, z/s, c/k, y/j/i, doubled letters), then fuzzy matching (rapidfuzz)
that allows inflected endings ("Макрона", "Frankreichs", "Selenskyjs"). Nothing here is
specific to one article: the article's own words are the only name list.

Three outcomes per name (:class:`NameMatch`):

* ``known``: a spelling of an article word ("Зеленский" ~ "Selenskyj", "Moskau" ~ "Москва");
* ``unclear``: a near miss ("Moscow" / "Moskau"), or any capitalised word of a German question
  (German capitalises every noun, so capitalisation does not mark a name there): not evidence
  enough either way;
* ``unknown``: nothing like it in the article ("Biden" in an English question, "Японии").

(A dictionary test for common nouns, simplemma's ``is_known``, was tried: loading its word lists
takes 0.5-9 s and up to 900 MB for eight languages, more than the whole engine.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from .tuning import NAME_KNOWN_AT, NAME_UNKNOWN_BELOW, SHORT_NAME, SHORT_NAME_KNOWN_AT  # reasons: index/tuning.py

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
# Spelling fold after transliteration: sounds that languages write differently.
_FOLDS = (("sch", "sh"), ("tsch", "ch"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("z", "s"), ("c", "k"),
          ("q", "k"), ("x", "ks"), ("y", "i"), ("j", "i"), ("ou", "u"), ("ue", "u"), ("ie", "i"))
_DOUBLE = re.compile(r"(.)\1+")


class NameMatch(str, Enum):
    KNOWN = "known"
    UNCLEAR = "unclear"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Name:
    text: str
    start: int
    end: int
    match: NameMatch
    score: float  # best similarity (0-1) with an article word
    article_word: str = ""


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    """The spelling key of a word: transliterated to ASCII, lower case, sounds folded."""
    from anyascii import anyascii

    key = anyascii(word).lower()
    key = re.sub(r"[^a-z]", "", key)
    for a, b in _FOLDS:
        key = key.replace(a, b)
    return _DOUBLE.sub(r"\1", key)


def similarity(a: str, b: str) -> float:
    """0-1: Jaro-Winkler similarity of two folded words. It rewards a shared beginning, which is
    what spellings of one name across languages and inflected forms keep ("moskva" / "moskau",
    "selenskogo" / "selenski")."""
    from rapidfuzz.distance import JaroWinkler

    return float(JaroWinkler.normalized_similarity(a, b))


class ArticleNames:
    """The article's words, ready for matching question names against them."""

    def __init__(self, texts: list[str], known_at: float = NAME_KNOWN_AT,
                 unknown_below: float = NAME_UNKNOWN_BELOW) -> None:
        words = {w for text in texts for w in _WORD.findall(text) for w in w.split("-") if len(w) >= 2}
        self._by_key: dict[str, str] = {}
        for w in sorted(words):
            self._by_key.setdefault(fold(w), w)
        self._keys = list(self._by_key)
        self.known_at = known_at
        self.unknown_below = unknown_below

    def best(self, word: str) -> tuple[float, str]:
        """The article word most like ``word`` and the similarity (0-1)."""
        from rapidfuzz import process

        key = fold(word)
        if not key:
            return 1.0, word
        if key in self._by_key:
            return 1.0, self._by_key[key]
        from rapidfuzz.distance import JaroWinkler

        found = process.extractOne(key, self._keys, scorer=JaroWinkler.normalized_similarity)
        if not found:
            return 0.0, ""
        return float(found[1]), self._by_key[found[0]]

    def names_in(self, question: str, language: str | None = None) -> list[Name]:
        """The question's names (capitalised words after the first), each matched (see module doc)."""
        names = []
        for n, m in enumerate(_WORD.finditer(question)):
            token = _POSSESSIVE.sub("", m.group(0))
            if n == 0 or len(token) < 2 or not token[0].isupper():
                continue
            parts = [p for p in token.split("-") if len(p) >= 2]
            scored = [(self.best(p), p) for p in parts] or [((1.0, token), token)]
            (score, article_word), part = min(scored, key=lambda t: t[0][0])
            short = len(fold(part)) < SHORT_NAME
            if score >= (SHORT_NAME_KNOWN_AT if short else self.known_at):
                match = NameMatch.KNOWN
            elif score < self.unknown_below and language != "de" and not _english_word(part, language):
                match = NameMatch.UNKNOWN
            else:
                match = NameMatch.UNCLEAR
            names.append(Name(m.group(0), m.start(), m.end(), match, score, article_word))
        return names



def _english_word(word: str, language: str | None) -> bool:
    """In an English question, a capitalised dictionary word ("Secretary", "German", "Monday")
    is a title or an adjective as often as a name: simplemma's English word list (0.5 s and
    25 MB, loaded on first use) keeps it from counting as an unknown name."""
    if language != "en":
        return False
    import simplemma

    return bool(simplemma.is_known(word, lang="en"))
