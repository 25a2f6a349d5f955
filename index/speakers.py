"""People in an article: who they are, every name they go by, and where the text mentions them.

Persons are found in two ways and merged by surname:

* detected in the article: a capitalised "First Last" pair that follows a role noun
  ("NATO-Generalsekretär Mark Rutte", "der britische Premier Keir Starmer"; the role becomes an
  alias), or whose surname also stands alone elsewhere in the article ("... Merz sagt: ...");
* from the curated table ``data/people.json`` (canonical name -> German roles and spellings in
  other languages and scripts), for people the article mentions by name or surname.

Matching folds case and diacritics (NFKD), compares tokens with a crude stem (German adjective
and genitive endings, a few Slavic case endings: "frühere"/"früherer", "Ruttes", "Зеленського")
so role descriptions and inflected names still match. A bare role shared by several people
("Präsident") resolves to nobody.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import names as spelling
from .schema import Passage, Speaker
from .tuning import NAME_KNOWN_AT, SHORT_NAME_KNOWN_AT

PEOPLE_FILE = Path(__file__).resolve().parent / "data" / "people.json"

_WORD = re.compile(r"\w+")
_DETERMINERS = {"der", "die", "das", "den", "dem", "des", "the", "ex"}
# Word endings stripped (at most twice, keeping 4 characters) before tokens are compared.
_ENDINGS = ("ого", "ому", "ими", "ові", "ий", "ій", "ый", "ым", "им", "ой", "ою", "ом", "ем",
            "en", "em", "er", "es", "e", "s", "а", "у", "ю", "я", "е", "і", "и")
# A role noun, alone or as the end of a compound ("Bundeskanzler", "NATO-Chef", "US-Präsident").
ROLE_NOUN = re.compile(
    r"(?:präsident(?:en|in)?|kanzler(?:in)?|generalsekretär(?:in)?|chef(?:in)?|premier(?:minister)?(?:in)?"
    r"|minister(?:in)?|sprecher(?:in)?|vorsitzende[rn]?|botschafter(?:in)?|bürgermeister(?:in)?"
    r"|regierungschef(?:in)?|könig(?:in)?|papst|senator(?:in)?|gouverneur(?:in)?|direktor(?:in)?|leiter(?:in)?"
    r"|general|admiral|kommissar(?:in)?|abgeordnete[rn]?)$",
    re.I,
)
_NAME = r"[A-ZÄÖÜ][a-zäöüßéèáóúíčšžćł]+(?:-[A-ZÄÖÜ][a-zäöüßéèáóúíčšžćł]+)?"
_FULL_NAME = re.compile(rf"(?=\b(?P<first>{_NAME}) (?P<last>{_NAME})\b)")
# The word(s) right before a name: a role noun, maybe after an adjective or a country genitive.
_ROLE_BEFORE = re.compile(
    r"(?:(?P<mod>\b[a-zäöü]\w*(?:isch|ig|lich|er|al|end)(?:e|en|er|es|em)|\b[A-ZÄÖÜ]\w+s) )?(?P<role>\b[\w-]+) $"
)
# A first word that is an adjective or a common noun rather than a given name.
_NOT_GIVEN_NAME = re.compile(r"(?:e|en|er|es|em|isch|ung|heit|keit|schaft|macht|tät|ion|ismus|amt|land|staat)$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)$")
_ARTICLE_BEFORE = re.compile(r"\b(?:der|die|das|den|dem|des|ein|eine|einer|eines|einem|vom|zum|zur|beim|im|am)\s+$", re.I)
_NOT_A_NAME = {"Der", "Die", "Das", "Den", "Dem", "Des", "Ein", "Eine", "Und", "Aber", "Oder", "Auch", "Nur",
               "Wie", "Wenn", "Als", "Mit", "Von", "Für", "Bei", "Nach", "Vor", "Seit", "Zur", "Zum", "Im", "In",
               "Am", "An", "Auf", "Aus", "Über", "Unter", "Dieser", "Diese", "Dieses", "Es", "Er", "Sie", "Wir"}


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form: "Selenskyj" == "selenskyj", "Zełenski" ~ "zelenski"."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def stem(token: str) -> str:
    token = fold(token)
    for _ in range(2):
        for ending in _ENDINGS:
            if token.endswith(ending) and len(token) - len(ending) >= 4:
                token = token[: -len(ending)]
                break
        else:
            break
    return token


def name_key(text: str) -> tuple[str, ...]:
    """The tokens of a name or role as compared: "der frühere Regierungschef" -> ('fruh', 'regierungschef')."""
    tokens = [stem(t) for t in _WORD.findall(text)]
    while tokens and tokens[0] in _DETERMINERS:
        tokens = tokens[1:]
    return tuple(tokens)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


@dataclass(frozen=True)
class Person:
    """A person while being collected: canonical name, roles and other names, in order of discovery."""

    name: str
    roles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    def to_speaker(self) -> Speaker:
        names = [self.name, self.surname, *self.roles, *self.aliases]
        names += [a.split()[-1] for a in self.aliases if " " in a]
        return Speaker(key=slug(self.name), name=self.name, role=self.roles[0] if self.roles else "",
                       aliases=tuple(dict.fromkeys(names)))


@lru_cache(maxsize=1)
def curated_people() -> tuple[Person, ...]:
    data = json.loads(PEOPLE_FILE.read_text(encoding="utf-8"))
    return tuple(
        Person(name, tuple(entry.get("roles", ())), tuple(entry.get("aliases", ())))
        for name, entry in data.items()
        if not name.startswith("_")
    )


def known_speakers() -> list[Speaker]:
    """Everyone in the curated table, whether or not an article mentions them."""
    return [p.to_speaker() for p in curated_people()]


def _role_before(text: str, start: int) -> str:
    m = _ROLE_BEFORE.search(text[max(0, start - 60) : start])
    if not m or not ROLE_NOUN.search(m.group("role")):
        return ""
    mod = m.group("mod") or ""
    if mod and fold(mod) in _DETERMINERS | {"ein", "eine", "einem", "einen", "vom", "beim", "zum"}:
        mod = ""
    return f"{mod} {m.group('role')}".strip()


def detect_people(passages: Iterable[Passage]) -> list[Speaker]:
    """The people an article mentions, in order of first mention, merged with the curated table."""
    passages = list(passages)
    texts = [p.text for p in passages]
    everything = "\n".join(texts)
    found: dict[str, Person] = {}  # by folded surname
    for text in texts:
        for m in _FULL_NAME.finditer(text):
            first, last = m.group("first"), m.group("last")
            if first in _NOT_A_NAME or ROLE_NOUN.search(first) or ROLE_NOUN.search(last):
                continue
            role = _role_before(text, m.start())
            alone = re.search(rf"(?<!{re.escape(first)} )\b{re.escape(last)}\b", everything)
            curated = _curated_match(f"{first} {last}")
            before = text[: m.start()]
            plausible = not (_NOT_GIVEN_NAME.search(first) or _ARTICLE_BEFORE.search(before) or _SENTENCE_START.search(before))
            if not (role or curated or (alone and plausible)):
                continue
            key = fold(last)
            person = found.get(key) or Person(curated.name if curated else f"{first} {last}")
            if role and role not in person.roles:
                person = Person(person.name, person.roles + (role,), person.aliases)
            found[key] = person
    for person in curated_people():  # people the article names only by surname ("Heusgen: ...")
        if fold(person.surname) not in found and re.search(rf"\b{re.escape(person.surname)}\b", everything):
            found[fold(person.surname)] = Person(person.name)
    people = []
    for person in found.values():
        curated = _curated_match(person.name)
        if curated:
            roles = tuple(dict.fromkeys(curated.roles + person.roles))
            person = Person(curated.name, roles, curated.aliases)
        people.append(person.to_speaker())
    return people


def _curated_match(name: str) -> Person | None:
    key = name_key(name)
    for person in curated_people():
        if key in {name_key(person.name), *(name_key(a) for a in person.aliases)}:
            return person
    return None


class SpeakerIndex:
    """Every name, surname, role and spelling of a set of speakers, for lookups and mentions."""

    def __init__(self, speakers: Iterable[Speaker]):
        self.speakers = list(speakers)
        self._names: dict[tuple[str, ...], list[Speaker]] = {}  # full names, surnames, spellings
        self._roles: dict[tuple[str, ...], list[Speaker]] = {}
        for sp in self.speakers:
            person_names = {sp.name, sp.name.split()[-1]}
            for alias in sp.aliases:
                is_name = alias in person_names or not any(ROLE_NOUN.search(w) for w in _WORD.findall(alias))
                table = self._names if is_name else self._roles
                bucket = table.setdefault(name_key(alias), [])
                if sp not in bucket:
                    bucket.append(sp)
        self._heads = [(k[-1], sp) for k, group in self._roles.items() for sp in group]
        self._longest = max((len(k) for k in [*self._names, *self._roles]), default=1)
        self._spellings = [(sp, _spellings(sp, self._names)) for sp in self.speakers]

    def lookup(self, name: str) -> list[Speaker]:
        """Everyone ``name`` may mean: a name or spelling first, else a role (may be several)."""
        key = name_key(name)
        return list(self._names.get(key) or self._roles.get(key) or [])

    def resolve(self, name: str) -> Speaker | None:
        found = self.lookup(name)
        return found[0] if len(found) == 1 else None

    def match(self, name: str, near: bool = True) -> Speaker | None:
        """The one speaker ``name`` means by a name of theirs, or any word of one: "Mark",
        "Friedrich", "марк рютте", "Zelenskyy", "Wolodimir" (see :func:`name_similarity`). Only a
        spelling key equal to one of theirs counts unless ``near``; a near miss needs
        :data:`NEAR_NAME` (:data:`NEAR_SHORT_NAME` for short words) in every word. A tie between
        two people goes to the one whose own name (not another spelling) has the words, else to
        nobody ("Volodymyr" is Selenskyj's name and a Ukrainian spelling of Putin's)."""
        words = [spelling.fold(w) for w in _WORD.findall(name or "")]
        if not words or any(len(w) < 2 for w in words):
            return None
        scored = []
        for sp, forms in self._spellings:
            scores = [(_form_score(words, form, near), own) for form, own in forms if len(form) == len(words)]
            best = max((score + (0.001 if own else 0.0) for score, own in scores if score > 0), default=0.0)
            if best > 0:
                scored.append((best, sp))
        scored.sort(key=lambda t: -t[0])
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        return scored[0][1]

    def mentions(self, text: str) -> list["Mention"]:
        """Names and role descriptions in ``text``, longest first at each word, left to right."""
        words = list(_WORD.finditer(text))
        keys = [stem(w.group()) for w in words]
        found, i = [], 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                key = tuple(keys[i : i + n])
                if key and key[0] in _DETERMINERS:
                    continue
                hit = self._names.get(key)
                by_name = bool(hit)
                hit = hit or self._roles.get(key)
                if hit:
                    found.append(Mention(words[i].start(), words[i + n - 1].end(), i, i + n, tuple(hit), by_name))
                    i += n
                    break
            else:
                back = self._back_reference(words, keys, i)
                if back:
                    found.append(Mention(words[i].start(), words[i].end(), i, i + 1, back, False))
                i += 1
        return found

    def _back_reference(self, words: list[re.Match], keys: list[str], i: int) -> tuple[Speaker, ...]:
        """"die Ministerin" after "die finnische Außenministerin X": a role noun after an article
        that ends a role of someone (the caller picks the one named last when several fit)."""
        if i == 0 or keys[i - 1] not in _DETERMINERS or not ROLE_NOUN.search(words[i].group()):
            return ()
        return tuple(dict.fromkeys(sp for head, sp in self._heads if head.endswith(keys[i])))


# A near miss of a name (rapidfuzz Jaro-Winkler of the spelling keys of index.names) counts from
# the similarity at which the engine takes a question's word for a name of the article
# (index.names.ArticleNames; the values: index/tuning.py).
NEAR_NAME = NAME_KNOWN_AT
NEAR_SHORT_NAME = SHORT_NAME_KNOWN_AT


def name_similarity(word: str, name: str) -> float:
    """0-1 for two spelling keys (:func:`index.names.fold`): 1 when equal, else Jaro-Winkler."""
    return 1.0 if word == name else spelling.similarity(word, name)


def _form_score(words: list[str], form: tuple[str, ...], near: bool) -> float:
    """The weakest word's similarity when every word of ``words`` matches ``form``'s, else 0."""
    low = 1.0
    for word, name in zip(words, form):
        score = 1.0 if word == name else (name_similarity(word, name) if near else 0.0)
        if score < (NEAR_SHORT_NAME if len(word) < spelling.SHORT_NAME else NEAR_NAME):
            return 0.0
        low = min(low, score)
    return low


def _spellings(sp: Speaker, names: dict[tuple[str, ...], list[Speaker]]) -> list[tuple[tuple[str, ...], bool]]:
    """Every name of ``sp`` (not roles) as spelling keys, whole and word by word (first names,
    surnames), each with whether it is a word of the speaker's own name."""
    own = {spelling.fold(w) for w in _WORD.findall(sp.name)}
    forms: dict[tuple[str, ...], bool] = {}
    for alias in sp.aliases:
        if sp not in names.get(name_key(alias), []):
            continue  # a role
        words = tuple(spelling.fold(w) for w in _WORD.findall(alias))
        for form in (words, *((w,) for w in words)):
            if form and all(form):
                forms[form] = forms.get(form, False) or set(form) <= own
    return list(forms.items())


@dataclass(frozen=True)
class Mention:
    start: int  # character offsets into the text searched
    end: int
    first_word: int  # word indices (``\\w+`` runs) into the same text
    end_word: int
    speakers: tuple[Speaker, ...]
    by_name: bool


def resolve_speaker(name: str, speakers: Iterable[Speaker] | None = None) -> Speaker | None:
    """The one speaker ``name`` means (full name, surname, role or other spelling), else None.

    ``speakers`` defaults to the curated table; :class:`index.quotes.QuoteBook` passes the people
    of its article.
    """
    if not name or not name.strip():
        return None
    return (SpeakerIndex(speakers) if speakers is not None else curated_index()).resolve(name)


@lru_cache(maxsize=1)
def curated_index() -> SpeakerIndex:
    return SpeakerIndex(known_speakers())
