"""Quotations in the article: who said what, verbatim, and where.

:func:`extract_quotes` is pure (no model). It finds every quotation („…“, "…", »…«, «…», ‚…‘;
single marks inside a quotation belong to it) and sorts them into three kinds:

* ``direct`` — speech: introduced by a colon, followed by ", so X" / ", sagte X", holding a
  sentence end, or (a fragment too) in a sentence with a speech verb ("Merz sagt dazu, ... "über
  die Pläne" beugen"; "Rutte nannte das "eine Schande"").
* ``term`` — not speech, never attributed: a quoted name (up to four capitalised words:
  "Münchner Sicherheitskonferenz", die neue "Nationale Sicherheitsstrategie", das Wort
  "Zeitenwende") and, in a sentence without a speech verb, a quotation after an article or of
  fewer than five words (a scare quote). Terms are kept so callers can see them.
* ``reported`` — indirect speech outside quotation marks with a known speaker: "X sagt, ...",
  "..., so X", a colon followed by Konjunktiv I, and Konjunktiv-I sentences that continue a
  speaker's statement. Never reported as ``direct``.

``Quote.text`` is the text between the quotation marks, without them (the bot adds „…“);
``passage.text[start:end] == quote.text`` always holds. A quotation left open at the end of a
paragraph (the German convention for one that goes on in the next) ends with the paragraph.

Attribution, in order: a marker after the quotation (", so Rutte", ", so der frühere
niederländische Regierungschef"); a speech verb next to a name or role before it in the same
sentence ("Merz sagt:", "warnte Rutte dann eindringlich, ...:"); a "Name: „…“" headline or a
colon introduction whose sentence starts with a person; a pronoun ("sagte er") or a quotation
with no speaker of its own that continues the statement of the last speaker, through reported
speech and across paragraphs of the same section (captions and videos in between are skipped).
Any plain narrative sentence or a new heading ends such a statement. A role shared by several
people goes to the one last named. Otherwise the speaker stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby
from typing import Callable, Iterable

import numpy as np

from .article import Article, Embeds
from .schema import Passage, Quote, Speaker
from .sentences import split_spans
from .speakers import Mention, SpeakerIndex, curated_index, detect_people, fold, stem
from .tuning import KEY_QUOTE_LENGTH_BONUS, QUOTE_LENGTH_BONUS, QUOTE_LEXICAL_WEIGHT, STATEMENT_WORDS

KINDS = ("direct", "reported", "term")

_DOUBLE = {"„": "“\"”", "“": "”", "»": "«", "«": "»", '"': '"'}
_SINGLE = {"‚": "‘’'", "‘": "’", "›": "‹", "‹": "›", "'": "'"}
_MARKS = set(_DOUBLE) | set(_SINGLE) | set("“”’")
_WORD = re.compile(r"\w+")
SPEECH_VERBS = frozenset(fold(v) for v in (
    "sagt sagte sagten gesagt sagen erklärt erklärte erklärten betont betonte betonten warnt warnte warnten "
    "gewarnt meint meinte meinten nennt nannte fordert forderte gefordert mahnt mahnte kritisiert kritisierte "
    "unterstreicht unterstrich versichert versicherte bekräftigt bekräftigte ergänzt ergänzte schreibt schrieb "
    "ruft rief antwortet antwortete fragt fragte verspricht versprach spricht sprach appelliert appellierte "
    "erinnert erinnerte zitiert zitierte beteuert beteuerte räumt räumte fügt fügte"
).split())
_POST_MARKER = re.compile(r"\s*[,;]?\s*(?P<verb>\w+)\b")
_PRONOUNS = frozenset({"er", "sie"})
# Konjunktiv I (and -iere forms such as "attackiere"); Konjunktiv II counts only after a speaker.
_KONJ1 = frozenset(
    "sei seien habe werde könne müsse solle wolle dürfe möge wisse gebe stehe gehe komme liege bleibe "
    "brauche lasse sehe halte trage führe arbeite drohe bedeute fehle zeige heiße".split()
)
_KONJ2 = frozenset("würde würden wäre wären hätte hätten müsste müssten könnte könnten".split())
_TERM_BEFORE = re.compile(
    r"(?:\b(?:der|die|das|den|dem|des|ein|eine|einer|eines|einem|einen|dieser|diese|dieses|ihre[rnms]?|seine[rnms]?"
    r"|von|als|sogenannte[rnms]?|namens|Motto|Titel)(?:\s+[a-zäöüß]+(?:e|en|er|es|em))?)\s*$",
    re.I,
)
_NAME_GLUE = frozenset("der die das des dem den und für von zur zum im am an auf of the and for".split())
_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)")


@dataclass(frozen=True)
class _Span:
    start: int  # the text inside the marks, whitespace trimmed
    end: int
    open_at: int  # the opening mark
    close_at: int  # the closing mark; len(text) when left open


def quotation_spans(text: str) -> list[_Span]:
    """Top-level quotations of ``text``; nested ones (‚…‘ inside „…“) belong to their outer one."""
    stack: list[tuple[int, str]] = []  # (position of the opening mark, its closing marks)
    found: list[_Span] = []
    for i, c in enumerate(text):
        if c not in _MARKS:
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if prev and not prev.isspace() and not (c in "'’" and nxt.isalpha()):  # not "geht's"
            level = next((k for k in range(len(stack) - 1, -1, -1) if c in stack[k][1]), None)
            if level is not None:
                opened = stack[level][0]
                del stack[level:]
                if not stack:
                    found.append(_trim(text, opened, i))
                continue
        if (not prev or prev.isspace() or prev in "([{/–—-:") and nxt and not nxt.isspace():
            if c in _DOUBLE:
                stack.append((i, _DOUBLE[c]))
            elif c in _SINGLE and (stack or c == "‚"):
                stack.append((i, _SINGLE[c]))
    if stack:
        found.append(_trim(text, stack[0][0], len(text)))
    return [s for s in found if s.end > s.start]


def _trim(text: str, opened: int, closed: int) -> _Span:
    start, end = opened + 1, closed
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return _Span(start, end, opened, closed)


def _mask(text: str, spans: list[_Span]) -> str:
    """``text`` with the inside of every quotation blanked: narration only, same offsets."""
    chars = list(text)
    for s in spans:
        chars[s.open_at + 1 : s.close_at] = " " * (s.close_at - s.open_at - 1)
    return "".join(chars)


def _subjunctive(text: str, konj2: bool) -> bool:
    for w in _WORD.findall(text):
        low = w.lower()
        if w[0].islower() and (low in _KONJ1 or low.endswith("iere") or (konj2 and low in _KONJ2)):
            return True
    return False


class _Extractor:
    """One pass over one article's passages, in order, carrying who is speaking."""

    def __init__(self, index: SpeakerIndex):
        self.index = index
        self.quotes: list[Quote] = []
        self.current: Speaker | None = None  # whose statement is still going on
        self.last_speaker: Speaker | None = None  # who spoke last in this section
        self.prev_named: list[Speaker] = []  # the people named in the sentence before
        self.named: list[tuple[int, int, str]] = []  # (passage no., offset, speaker key) by name

    def run(self, passages: list[Passage]) -> list[Quote]:
        for n, p in enumerate(passages):
            if p.kind in ("title", "heading"):
                self.current = self.last_speaker = None
                self.prev_named = []
            keep = (self.current, self.last_speaker, self.prev_named)
            self.passage(n, p)
            if p.kind in ("caption", "video", "title"):  # beside the text, not part of its flow
                self.current, self.last_speaker, self.prev_named = keep
        order = {p.id: n for n, p in enumerate(passages)}
        return sorted(self.quotes, key=lambda q: (order[q.passage_id], q.start, -q.end))

    # ---- one passage ----------------------------------------------------------------------
    def passage(self, n: int, p: Passage) -> None:
        text = p.text
        spans = quotation_spans(text)
        masked = _mask(text, spans)
        words = list(_WORD.finditer(masked))
        mentions = self.index.mentions(masked)
        self.named += [(n, m.start, m.speakers[0].key) for m in mentions if m.by_name and len(m.speakers) == 1]
        sentences = split_spans(text)
        narrative = p.kind in ("lead", "paragraph")
        first = len(self.quotes)
        for ss, se in sentences:
            ctx = _Context(n, p.id, text, masked, words, mentions, ss, se)
            for span in (s for s in spans if ss <= s.open_at < se):
                close_se = next((e for s, e in sentences if s <= span.close_at < e), len(text))
                self.quotes.append(self.quotation(ctx, span, close_se, narrative))
            if narrative:
                self.reported(ctx, first)
            said = [q for q in self.quotes[first:] if q.speaker and q.kind != "term" and q.start < se and q.end > ss]
            inside = any(s.open_at < ss and s.close_at >= se for s in spans)
            if said:
                self.current = self.last_speaker = said[-1].speaker
            elif not inside and not (masked[ss:se].startswith("Und ") and not ctx.mentions_in(ss, se)):
                self.current = None
            named = [m.speakers[0] for m in ctx.mentions_in(ss, se) if m.by_name and len(m.speakers) == 1]
            self.prev_named = list(dict.fromkeys(named))

    def quotation(self, ctx: "_Context", span: _Span, close_se: int, narrative: bool) -> Quote:
        pre = ctx.masked[ctx.ss : span.open_at]
        post = ctx.masked[span.close_at + 1 : close_se] if span.close_at < len(ctx.text) else ""
        kind = self.kind(ctx.text[span.start : span.end], pre, post)
        speaker = None
        if kind == "direct":
            speaker = self.after(ctx, span, post) or self.before(ctx, span.open_at)
            if speaker is None and narrative and self.current and not ctx.verbs_in(ctx.ss, span.open_at):
                if not ctx.mentions_in(ctx.ss, span.open_at):  # nobody else named: the statement goes on
                    speaker = self.current
            if speaker is _PRONOUN:
                speaker = self.pronoun() if narrative else None
        return Quote(ctx.text[span.start : span.end], ctx.passage_id, span.start, span.end, kind, speaker)

    @staticmethod
    def kind(inner: str, pre: str, post: str) -> str:
        n_words = len(inner.split())
        marker = _POST_MARKER.match(post)
        if pre.rstrip().endswith(":") or _SENTENCE_END.search(inner) or (marker and _is_marker(marker["verb"])):
            return "direct"
        has_verb = any(fold(w) in SPEECH_VERBS for w in _WORD.findall(pre + " " + post))
        words = _WORD.findall(inner)
        article = bool(_TERM_BEFORE.search(pre)) and not _TERM_BEFORE.match(inner)  # not 'nannte das "eine …"'
        name = bool(words) and words[0][0].isupper() and all(w[0].isupper() or w.lower() in _NAME_GLUE for w in words)
        if name and n_words <= 4 and (n_words >= 2 or article or not has_verb):
            return "term"  # "Münchner Sicherheitskonferenz", das Wort "Zeitenwende"
        if not has_verb and (article or n_words < 5):
            return "term"  # die neue "Strategie für ...", a scare quote
        return "direct"  # a fragment of speech: Merz sagt, ... "über die Pläne" ...

    # ---- attribution ---------------------------------------------------------------------
    def after(self, ctx: "_Context", span: _Span, post: str):
        """", so Rutte" / ", sagte der Kanzler" right after the closing mark."""
        marker = _POST_MARKER.match(post)
        if not marker or not _is_marker(marker["verb"]):
            return None
        at = span.close_at + 1 + marker.end()
        rest = ctx.masked[at:]
        limit = at + min(len(rest), 60, (_SENTENCE_END.search(rest) or re.search("$", rest)).start())
        if re.match(r"\s*(?:er|sie)\b", rest):
            return _PRONOUN
        who = next((m for m in ctx.mentions if at <= m.start < limit), None)
        return self.pick(ctx.n, who) if who else None

    def before(self, ctx: "_Context", until: int):
        """A speech verb next to a person earlier in the sentence, or "Name: „…“"."""
        for v in reversed(ctx.verbs_in(ctx.ss, until)):
            speaker = self.speaker_at_verb(ctx, v, until)
            if speaker is not None:
                return speaker
        pre = ctx.masked[ctx.ss : until].rstrip()
        if pre.endswith(":"):
            named = ctx.mentions_in(ctx.ss, until)
            head = pre[:-1].rstrip()
            for m in named:
                if m.end == ctx.ss + len(head) or ctx.masked[ctx.ss : m.start].strip() == "":
                    return self.pick(ctx.n, m)
        return None

    def speaker_at_verb(self, ctx: "_Context", v: int, until: int):
        after = [m for m in ctx.mentions if v < m.first_word <= v + 3 and m.end <= until]
        if after and not any(fold(w.group()) in _PRONOUNS for w in ctx.words[v + 1 : after[0].first_word]):
            return self.pick(ctx.n, after[0])
        near = ctx.words[v + 1 : v + 2] + ctx.words[max(0, v - 1) : v]
        if any(fold(w.group()) in _PRONOUNS for w in near):
            return _PRONOUN
        subject = [m for m in ctx.mentions if m.end_word in (v, v - 1) and m.start >= ctx.ss]
        return self.pick(ctx.n, subject[-1]) if subject else None

    def pronoun(self) -> Speaker | None:
        """"sagte er": who is speaking, else the one person named just before, else the last speaker."""
        if self.current:
            return self.current
        return self.prev_named[0] if len(self.prev_named) == 1 else self.last_speaker

    def pick(self, n: int, mention: Mention) -> Speaker | None:
        """The speaker a mention means; a shared role goes to whoever of them was named last."""
        if len(mention.speakers) == 1:
            return mention.speakers[0]
        keys = {s.key: s for s in mention.speakers}
        last = [key for (pn, at, key) in self.named if (pn, at) < (n, mention.start) and key in keys]
        return keys[last[-1]] if last else None

    # ---- reported speech -----------------------------------------------------------------
    def reported(self, ctx: "_Context", first: int) -> None:
        masked, ss, se = ctx.masked, ctx.ss, ctx.se
        found: list[tuple[int, int, Speaker]] = []
        for v in ctx.verbs_in(ss, se):  # "Merz sagt dazu, ..." / "warnte Rutte dann eindringlich, ..."
            comma = masked.find(",", ctx.words[v].end(), se)
            if comma < 0 or comma - ctx.words[v].end() > 40:
                continue
            speaker = self.speaker_at_verb(ctx, v, comma)
            speaker = self.pronoun() if speaker is _PRONOUN else speaker
            start, end = comma + 1, _clause_end(masked, comma + 1, se)
            clause = masked[start:end]
            if speaker and (re.match(r"\s*(?:dass|ob)\b", clause) or _subjunctive(clause, konj2=True)):
                found.append((start, end, speaker))
                break
        so = re.search(r",\s+so\s+", masked[ss:se])
        if not found and so:  # "Gedanklich müssten ..., so Rutte."
            at = ss + so.end()
            who = next((m for m in ctx.mentions if at <= m.start <= at + 4), None)
            speaker = self.pick(ctx.n, who) if who else None
            clause = masked[ss : ss + so.start()].rstrip()
            if speaker and clause.strip(" \"“”„»«") and clause[-1] not in _MARKS:  # not '"…", so X'
                found.append((ss, ss + so.start(), speaker))
        if not found:  # "...: In diesem Papier stehe auch, dass ..." — a colon, then Konjunktiv I
            for colon in (m.start() for m in re.finditer(":", masked[ss:se])):
                start = ss + colon + 1
                end = _clause_end(masked, start, se)
                if not _subjunctive(masked[start:end], konj2=False) or not masked[start:end].strip():
                    continue
                said = [q.speaker for q in self.quotes[first:] if q.kind == "direct" and q.speaker and ss <= q.start < se]
                opener = next((m for m in ctx.mentions_in(ss, start) if not masked[ss : m.start].strip()), None)
                speaker = said[0] if said else (self.pick(ctx.n, opener) if opener else self.current)
                if speaker:
                    found.append((start, end, speaker))
                break
        if not found and self.current and _subjunctive(masked[ss:se], konj2=False) and not ctx.verbs_in(ss, se):
            opener = next((m for m in ctx.mentions_in(ss, se) if not masked[ss : m.start].strip()), None)
            if opener is None:  # the statement goes on: "Russland attackiere beinah täglich ..."
                found.append((ss, se, self.current))
        for start, end, speaker in found:
            start, end = _strip_span(ctx.text, start, end)
            if end > start:
                self.quotes.append(Quote(ctx.text[start:end], ctx.passage_id, start, end, "reported", speaker))


_PRONOUN = Speaker(key="", name="")  # sentinel: "sagte er" — whoever is speaking


def _is_marker(word: str) -> bool:
    return word == "so" or fold(word) in SPEECH_VERBS


def _clause_end(masked: str, start: int, se: int) -> int:
    """A reported clause ends where a colon introduces a quotation, or with its sentence."""
    m = re.compile(r":\s*[„“\"»«‚]").search(masked, start, se)
    return m.start() if m else se


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


@dataclass
class _Context:
    """One sentence ``[ss, se)`` of a passage and what is known about the passage."""

    n: int
    passage_id: int
    text: str
    masked: str
    words: list[re.Match]
    mentions: list[Mention]
    ss: int
    se: int

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]

    def verbs_in(self, start: int, end: int) -> list[int]:
        return [i for i, w in enumerate(self.words) if start <= w.start() and w.end() <= end and fold(w.group()) in SPEECH_VERBS]


def extract_quotes(passages: Iterable[Passage], speakers: Iterable[Speaker] | None = None) -> list[Quote]:
    """Every quotation of ``passages`` (direct, term and reported), in article order.

    ``speakers`` defaults to the people detected in the passages (see :mod:`index.speakers`).
    """
    out: list[Quote] = []
    for _, group in groupby(passages, key=lambda p: p.article_id):
        group = list(group)
        index = SpeakerIndex(detect_people(group) if speakers is None else speakers)
        out += _Extractor(index).run(group)
    return out


# ---- the quote book the bot and the CLI use ------------------------------------------------
class UnknownSpeaker(ValueError):
    """A name that is nobody in the article (a ValueError: the CLI exits 1 with its message)."""

    def __init__(self, name: str, speakers: list[Speaker]):
        known = ", ".join(s.name for s in speakers) or "nobody"
        super().__init__(f"nobody called {name!r} in the article (people mentioned: {known})")
        self.name = name


# A quotation matches a topic (RankedQuotes.matches) when its topical score, the cosine of topic
# and quotation plus QUOTE_LEXICAL_WEIGHT x the share of the topic's words it contains, reaches the
# topic's best cosine with the engine's unrelated background corpus; a fragment of fewer than
# STATEMENT_WORDS words must also contain a topic word (without that rule, fragments such as
# „über die Pläne“ match most topics: hubness). Measured: bench/results/quote_topics.json.


@dataclass(frozen=True)
class RankedQuotes:
    """Quotations ranked by a topic, and for each whether it matches the topic (all True without
    a topic, or without vectors to measure it)."""

    quotes: tuple[Quote, ...]
    matches: tuple[bool, ...]

    @property
    def any_match(self) -> bool:
        return any(self.matches)


class QuoteBook:
    """All quotations of an :class:`~index.article.Article`, their vectors, and the people in them.

    Built once (:meth:`build`) and read-only afterwards. A direct quotation that repeats
    part of a longer one of the same speaker (the headline echoing the text) is kept in
    :attr:`quotes` but not returned twice by :meth:`find` or :meth:`key_quotes`.
    """

    def __init__(
        self,
        quotes: list[Quote],
        speakers: list[Speaker],
        vectors: np.ndarray | None = None,
        embed_queries: Callable[[list[str]], np.ndarray] | None = None,
        centroid: np.ndarray | None = None,
        background: np.ndarray | None = None,
        document_vectors: "DocumentVectors | None" = None,
    ):
        self.quotes = list(quotes)
        self.speakers = list(speakers)
        self._index = SpeakerIndex(self.speakers)
        self._vectors = vectors
        self._embed_queries = embed_queries
        self._centroid = centroid
        self._background = background  # the engine's unrelated sentences (document vectors)
        self._echoes = _echoes(self.quotes)
        self.document_vectors = document_vectors  # the shared document vectors (build), or None

    @classmethod
    def build(cls, article: Article, embeds: Embeds, vectors: "DocumentVectors | None" = None) -> "QuoteBook":
        """The book of ``article``'s quotations (:attr:`Article.quotes`), embedded by ``embeds``
        (whose ``background`` is the level a topic must beat); ``vectors`` (one per model) embeds
        the texts and stays with the book (:attr:`document_vectors`) for the briefing."""
        document_vectors = vectors if vectors is not None else DocumentVectors(embeds)
        quotes = list(article.quotes)
        vectors = document_vectors([q.text for q in quotes])
        body = document_vectors([p.text for p in article.passages if p.kind in ("lead", "paragraph")])
        centroid = _unit(body.mean(axis=0)) if len(body) else None
        return cls(quotes, list(article.speakers), vectors, embeds.embed_queries, centroid, embeds.background,
                   document_vectors=document_vectors)

    def resolve(self, name: str) -> Speaker | None:
        """The person of the article ``name`` means (name, surname, first name, role, other
        spelling, a near miss of a name: :meth:`SpeakerIndex.match`), or None."""
        if not name or not name.strip():
            return None
        return self._index.resolve(name) or self._index.match(name)

    def split_speaker_query(self, text: str, near: bool = True) -> tuple[Speaker | None, str]:
        return split_speaker_query(text, self.speakers, near=near, index=self._index)

    def find(
        self,
        speaker: str | Speaker | None = None,
        query: str | None = None,
        limit: int = 10,
        kinds: Iterable[str] = ("direct",),
    ) -> list[Quote]:
        """Quotations of ``kinds``, of ``speaker`` if given, ranked by ``query`` if given (else in
        article order): cosine of query and quotation vectors, plus :data:`QUOTE_LEXICAL_WEIGHT` x the
        share of query words in the quotation and up to :data:`QUOTE_LENGTH_BONUS` for length (a
        three-word fragment ranks below a statement; index/tuning.py).
        Raises :class:`UnknownSpeaker` for a name that is nobody in the article; a person without
        quotations gets ``[]``."""
        return list(self.rank(speaker, query, limit, kinds).quotes)

    def rank(
        self,
        speaker: str | Speaker | None = None,
        query: str | None = None,
        limit: int = 10,
        kinds: Iterable[str] = ("direct",),
    ) -> "RankedQuotes":
        """:meth:`find`, and which of the quotations found match ``query`` (see :class:`RankedQuotes`)."""
        wanted = None
        if speaker is not None:
            wanted = speaker if isinstance(speaker, Speaker) else self.resolve(speaker)
            if wanted is None:
                raise UnknownSpeaker(str(speaker), self.speakers)
        kinds = tuple(kinds)
        pool = [
            i for i, q in enumerate(self.quotes)
            if q.kind in kinds and i not in self._echoes and (wanted is None or (q.speaker and q.speaker.key == wanted.key))
        ]
        matches = [True] * len(pool)
        if query and query.strip() and pool and self._vectors is not None and self._embed_queries is not None:
            qvec = self._embed_queries([query])[0]
            dense = self._vectors[pool] @ qvec
            terms = {stem(w) for w in _WORD.findall(query)}
            lexical = np.asarray([len(terms & {stem(w) for w in _WORD.findall(self.quotes[i].text)}) / max(1, len(terms))
                                  for i in pool])
            n_words = np.asarray([len(self.quotes[i].text.split()) for i in pool])
            topical = dense + QUOTE_LEXICAL_WEIGHT * lexical
            score = topical + QUOTE_LENGTH_BONUS * np.minimum(n_words, 10) / 10  # fragments rank lower
            order = sorted(range(len(pool)), key=lambda j: (-float(score[j]), pool[j]))
            level = self.background_level(qvec)
            fits = (topical >= level) & ((n_words >= STATEMENT_WORDS) | (lexical > 0))
            pool, matches = [pool[j] for j in order], [bool(fits[j]) for j in order]
        limit = max(0, limit)
        return RankedQuotes(tuple(self.quotes[i] for i in pool[:limit]), tuple(matches[:limit]))

    def background_level(self, qvec: np.ndarray) -> float:
        """How well ``qvec`` matches the best unrelated background sentence (the engine's own
        abstention level for that very query); -inf without a background corpus."""
        if self._background is None or not len(self._background):
            return float("-inf")
        return float(np.max(self._background @ qvec))

    def key_quotes(self, n: int = 3) -> list[Quote]:
        """The most newsworthy attributed direct quotations: whole statements (five words or more),
        close to the article's centroid, longer ones a little ahead, one per speaker before any
        speaker gets a second."""
        pool = [
            i for i, q in enumerate(self.quotes)
            if q.kind == "direct" and q.speaker and i not in self._echoes and len(q.text.split()) >= STATEMENT_WORDS
        ]
        def score(i: int) -> float:
            central = float(self._vectors[i] @ self._centroid) if self._vectors is not None and self._centroid is not None else 0.0
            return central + KEY_QUOTE_LENGTH_BONUS * min(len(self.quotes[i].text), 300) / 300
        ranked = sorted(pool, key=lambda i: (-score(i), i))
        chosen: list[int] = []
        for i in ranked:
            if len(chosen) < n and all(self.quotes[j].speaker.key != self.quotes[i].speaker.key for j in chosen):
                chosen.append(i)
        chosen += [i for i in ranked if i not in chosen][: max(0, n - len(chosen))]
        return [self.quotes[i] for i in chosen]


class DocumentVectors:
    """``embeds.embed_documents(texts)``, each text embedded once: one per model, built by the
    caller and shared by the quote book and the briefing (:func:`~index.briefing.make_briefing`)."""

    def __init__(self, embeds: Embeds) -> None:
        self.embeds = embeds
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        cache = self._cache
        todo = list(dict.fromkeys(t for t in texts if t not in cache))
        if todo:
            cache.update(zip(todo, self.embeds.embed_documents(todo)))
        if not texts:
            return self.embeds.embed_documents([])
        return np.stack([cache[t] for t in texts])


def _echoes(quotes: list[Quote]) -> set[int]:
    """Direct quotations that repeat (part of) another one of the same speaker, e.g. in a title."""
    direct = [(i, q, re.sub(r"\W+", " ", fold(q.text)).strip()) for i, q in enumerate(quotes) if q.kind == "direct"]
    echoes = set()
    for i, q, t in direct:
        for j, other, u in direct:
            if i != j and q.speaker_name == other.speaker_name and t in u and (len(t), i) < (len(u), j):
                echoes.add(i)
    return echoes


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def split_speaker_query(text: str, speakers: Iterable[Speaker] | None = None, *, near: bool = True,
                        index: SpeakerIndex | None = None) -> tuple[Speaker | None, str]:
    """A leading name, surname, first name, role or other spelling in ``text`` and the rest:
    "Merz Waffenstillstand" -> (Merz, "Waffenstillstand"), "Зеленський мир" -> (Selenskyj, "мир"),
    "Mark Waffenstillstand" -> (Rutte, "Waffenstillstand"). The longest leading run of up to
    five words that means exactly one person wins: first by the names and roles as the
    extractor reads them, then by the spelling keys of the names' words
    (:meth:`SpeakerIndex.match`; near misses such as "Rüte" only if ``near``). ``speakers``
    defaults to the curated table."""
    if index is None:
        index = curated_index() if speakers is None else SpeakerIndex(speakers)
    words = (text or "").split()
    heads = []
    for n in range(min(5, len(words)), 0, -1):
        head = " ".join(words[:n]).rstrip(":,;.!?-–")
        if _WORD.search(head) and fold(head) not in _DETERMINERS_ALONE:
            heads.append((n, head))
    rest = lambda n: " ".join(words[n:]).strip(" :,;-–")  # noqa: E731
    for n, head in heads:
        found = index.lookup(head)
        if len(found) == 1:
            return found[0], rest(n)
    for n, head in heads:
        speaker = index.match(head, near=near)
        if speaker is not None:
            return speaker, rest(n)
    return None, (text or "").strip()


_DETERMINERS_ALONE = {"der", "die", "das", "the"}
