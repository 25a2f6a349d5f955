"""Countries a question names that the article never mentions.

The unknown-name test (:mod:`index.grounding`) asks the model whether a name absent from the
article's text is grounded in it anyway. For names the model half-knows, countries above all
("Iran", "Китае", "Turquie"), its answer is unreliable: the question without the name matches the
article about as well as with it. Country names, though, are a closed list: pycountry's ISO 3166
short names in English, German, French, Spanish, Russian and Ukrainian. A capitalised word of the
question that is one of those names, allowing for inflection ("Китае" for "Китай", "Польщу" for
"Польща"), names that country; when the article mentions it neither under one of its names,
again allowing for inflection and derived words ("Frankreichs", "deutschen", "niederländische"),
nor by its ISO code ("USA"), the article never mentions it.

Only one-word short names count ("China", "Korea" of "Korea, Republic of", "Туреччина"): words
of longer names ("Western" of "Western Sahara", "United", "Saint", "Islands") are ordinary words
in a question. Matching is by a shared beginning, so a word and its inflected forms agree, while
two different words of four letters or more do not.
"""

from __future__ import annotations

import gettext
import re
from collections import defaultdict
from functools import lru_cache

LANGUAGES = ("de", "fr", "es", "ru", "uk")  # besides English, pycountry's own language
MIN_WORD = 4  # shorter words ("US", "EU") are never matched on a shared beginning
INFLECTION = 2  # letters an inflected form may differ by at its end ("Китай" / "Китае")
DERIVED = 6  # a shared beginning this long links a name to a derived word ("deutsch-land/-en")

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def same_word(a: str, b: str) -> bool:
    """``a`` and ``b`` (lower case) are forms of one word: they agree except for at most
    :data:`INFLECTION` letters at the end of the longer one, and in at least :data:`MIN_WORD`."""
    return _common_prefix(a, b) >= max(MIN_WORD, max(len(a), len(b)) - INFLECTION)


def derived(name: str, word: str) -> bool:
    """``word`` is ``name`` inflected or a word derived from it: they share all of ``name`` but
    its last :data:`INFLECTION` letters ("russie"/"russland"), or :data:`DERIVED` letters
    ("deutschland"/"deutschen"), and at least :data:`MIN_WORD`."""
    return _common_prefix(name, word) >= min(DERIVED, max(MIN_WORD, len(name) - INFLECTION))


@lru_cache(maxsize=1)
def country_names() -> dict[str, frozenset[str]]:
    """One-word short names of the countries (lower case) in English and :data:`LANGUAGES`, each
    with the ISO 3166 alpha-3 codes of the countries it names."""
    import pycountry

    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in LANGUAGES]
    codes: dict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        names = [n for n in (getattr(country, "common_name", None), country.name) if n]
        for name in names + [t.gettext(n) for t in translations for n in names]:
            short = name.split(",")[0].strip().lower()
            if len(short) >= MIN_WORD and _WORD.fullmatch(short):
                codes[short].add(country.alpha_3)
    return {name: frozenset(c) for name, c in codes.items()}


def _by_start(words) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for word in words:
        if len(word) >= MIN_WORD:
            index[word[:MIN_WORD]].append(word)
    return index


class Places:
    """The countries of the world and which of them the article (``texts``) mentions."""

    def __init__(self, texts: list[str]) -> None:
        names = country_names()
        words = {w for text in texts for w in _WORD.findall(text)}
        tokens = words | {part for w in words for part in w.split("-")}  # "USA-Besuch", "EU-Ukraine-Gipfel"
        article = _by_start({w.lower() for w in tokens})
        self._names = names
        self._by_start = _by_start(names)
        self.mentioned = frozenset(
            {code for name, codes in names.items()
             if any(derived(name, w) for w in article.get(name[:MIN_WORD], ())) for code in codes}
            | {code for codes in names.values() for code in codes if code in tokens}  # "USA"
        )

    def countries_of(self, word: str) -> frozenset[str]:
        """The alpha-3 codes of the countries ``word`` names (empty: not a country's name)."""
        word = _POSSESSIVE.sub("", word).lower()
        found: set[str] = set()
        for name in self._by_start.get(word[:MIN_WORD], ()):
            if same_word(word, name):
                found |= self._names[name]
        return frozenset(found)

    def unmentioned_country(self, word: str) -> bool:
        """``word`` (or a part of it: "China-Politik") names a country, or two ("Korea"), and the
        article mentions none of them."""
        for part in word.split("-"):
            codes = self.countries_of(part)
            if codes and not codes & self.mentioned:
                return True
        return False
