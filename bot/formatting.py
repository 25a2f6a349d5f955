"""Pure HTML rendering for Telegram: answers, passages, the source line, inline cards.

Everything taken from the article or from the user goes through :func:`esc`. Functions return
lists of messages already split to Telegram's limit by :func:`split_message`, which only cuts
between parts (passages) and, for a single over-long part, between words outside any entity,
closing and reopening the tags around the cut.
"""

from __future__ import annotations

import datetime as dtm
import html
import re
from typing import Sequence

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from telegram.constants import MessageLimit

from index.schema import Answer, ArticleMeta, Hit, Passage

from .cards import Card, whole_quote
from .i18n import examples, kind_label, text

TELEGRAM_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096: the one definition of the message limit
INLINE_TITLE_CHARS = 120
ECHO_CHARS = 64  # user input quoted back in a reply ("Nobody called … appears"), at most
_TOKENS = re.compile(r"(<[^>]*>|&#?\w+;|\s+)")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def echo(value: object, limit: int = ECHO_CHARS) -> str:
    """User input shown back in a reply: whitespace collapsed, shortened to ``limit`` characters
    (a 4,000-character name must not push the reply past Telegram's limit), escaped."""
    shown = " ".join(str(value).split())
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return esc(shown)


def strip_tags(message: str) -> str:
    """The plain-text version of an HTML message (for the fallback without parse_mode)."""
    return html.unescape(re.sub(r"<[^>]*>", "", message))


# ---- splitting -------------------------------------------------------------------------------
def split_message(parts: Sequence[str], limit: int = TELEGRAM_LIMIT, sep: str = "\n\n") -> list[str]:
    """Pack ``parts`` (each valid HTML on its own) into as few messages of ≤ ``limit`` characters
    as possible, in order; a part longer than ``limit`` is cut with :func:`split_html`."""
    messages: list[str] = []
    current = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        for piece in [part] if len(part) <= limit else split_html(part, limit):
            if current and len(current) + len(sep) + len(piece) <= limit:
                current += sep + piece
            else:
                if current:
                    messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _words(message: str) -> list[list[str]]:
    """Tokens (tags, entities, text, whitespace) grouped into words: a whitespace token is a word
    of its own, the tokens between two whitespace tokens make one word."""
    words: list[list[str]] = []
    for token in (t for t in _TOKENS.split(message) if t):
        if token.isspace() or not words or words[-1][0].isspace():
            words.append([token])
        else:
            words[-1].append(token)
    return words


class _Chunker:
    """Builds chunks of ≤ ``limit`` characters, keeping track of the tags open at the end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[str] = []
        self.stack: list[tuple[str, str]] = []  # (name, opening tag)
        self.current, self.has_text = "", False

    def closers(self) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(self.stack))

    def add(self, token: str) -> None:
        self.current += token
        tag = _TAG.fullmatch(token)
        if tag is None:
            self.has_text = self.has_text or not token.isspace()
        elif tag.group(1):
            if self.stack and self.stack[-1][0] == tag.group(2).lower():
                self.stack.pop()
        else:
            self.stack.append((tag.group(2).lower(), token))

    def fits(self, tokens: list[str]) -> bool:
        trial = _Chunker(self.limit)
        trial.current, trial.stack = self.current, list(self.stack)
        for token in tokens:
            trial.add(token)
        return len(trial.current) + len(trial.closers()) <= self.limit

    def flush(self) -> None:
        if self.has_text:
            self.chunks.append((self.current + self.closers()).strip())
        self.current, self.has_text = "".join(tag for _, tag in self.stack), False

    def add_word(self, word: list[str]) -> None:
        if word[0].isspace() and not self.has_text:  # no whitespace at the start of a chunk
            return None
        if self.fits(word):
            return self.extend(word)
        if self.has_text:
            self.flush()
            if word[0].isspace():
                return None
            if self.fits(word):
                return self.extend(word)
        for token in word:  # a word longer than a message: cut between its tokens, then inside text
            if not self.fits([token]) and self.has_text:
                self.flush()
            while _TAG.fullmatch(token) is None and not self.fits([token]):
                room = max(1, self.limit - len(self.current) - len(self.closers()))
                self.add(token[:room])
                token = token[room:]
                self.flush()
            self.add(token)
        return None

    def extend(self, tokens: list[str]) -> None:
        for token in tokens:
            self.add(token)


def split_html(message: str, limit: int) -> list[str]:
    """Cut one HTML message into chunks of ≤ ``limit`` characters at whitespace, never inside a
    tag or an entity; tags open at a cut are closed before it and reopened after it. Only a word
    longer than a whole message is cut inside."""
    chunker = _Chunker(limit)
    for word in _words(message):
        chunker.add_word(word)
    chunker.flush()
    return chunker.chunks


# ---- pieces ----------------------------------------------------------------------------------
def deep_link(bot_username: str, passage_id: int) -> str:
    return f"https://t.me/{bot_username}?start=p{passage_id}"


def passage_ref(passage_id: int, bot_username: str = "") -> str:
    """"§N", a link to the passage in the bot when its username is known."""
    if not bot_username:
        return f"§{passage_id}"
    return f'<a href="{esc(deep_link(bot_username, passage_id))}">§{passage_id}</a>'


def passage_label(passage: Passage, lang: str) -> str:
    """"Photo caption · Section · §3": where a passage stands, in italics."""
    bits = [kind_label(lang, passage.kind)]
    if passage.kind not in ("title", "heading"):
        bits.append(passage.section)
    bits.append(f"§{passage.id}")
    label = " · ".join(esc(b) for b in bits if b)
    if passage.credit:
        label += f" ({esc(passage.credit)})"
    return f"<i>{label}</i>"


def bold_span(text_: str, start: int, end: int) -> str:
    """``text_`` escaped, with ``text_[start:end]`` in bold (nothing bold for an empty or
    out-of-range span)."""
    if not 0 <= start < end <= len(text_):
        return esc(text_)
    return f"{esc(text_[:start])}<b>{esc(text_[start:end])}</b>{esc(text_[end:])}"


def highlighted(hit: Hit) -> str:
    return bold_span(hit.passage.text, hit.quote_start, hit.quote_end)


def compact(hit: Hit) -> str:
    """"• sentence §N": the hit's quote, widened to whole quotations (:func:`whole_quote`)."""
    start, end = whole_quote(hit.passage.text, hit.quote_start, hit.quote_end)
    return f"• {esc(hit.passage.text[start:end].strip())} <i>§{hit.passage.id}</i>"


def examples_list(lang: str) -> str:
    return "\n".join(f"• <i>{esc(q)}</i>" for q in examples(lang))


# ---- messages --------------------------------------------------------------------------------
def format_answer(answer: Answer, lang: str, *, topics: Sequence[str] = (), mention: str = "",
                  limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The reply to a question, by the engine's verdict (``answer.reason``):

    * "answer": the best passage as a quote with its matching sentence in bold, then the other
      hits in compact form;
    * "unsure": said plainly, then the closest passages in compact form (nothing in bold: no
      sentence is presented as the answer);
    * "small_talk", "empty": a short friendly reply and how to ask (:func:`how_to_ask`; in a
      group, pass the bot's ``mention``), never a quote;
    * anything else ("not_in_article", "unknown_name"): :func:`format_not_answered` with
      ``topics`` (e.g. the section headings) and example questions."""
    reason = reason_of(answer)
    if reason == "answer" and answer.hits:
        best, *rest = answer.hits
        parts = [f"<blockquote>{highlighted(best)}</blockquote>\n{passage_label(best.passage, lang)}"]
        if rest:
            parts.append(text(lang, "also") + "\n" + "\n".join(compact(h) for h in rest))
        return split_message(parts, limit)
    if reason == "unsure" and answer.hits:
        return split_message([text(lang, "unsure") + "\n" + "\n".join(compact(h) for h in answer.hits)], limit)
    if reason in ("small_talk", "empty"):
        return split_message([text(lang, reason) + "\n\n" + how_to_ask(lang, mention)], limit)
    return split_message([format_not_answered(lang, topics, unknown_name=answer.unknown_name)], limit)


def reason_of(answer: Answer) -> str:
    """The verdict as a plain string ("answer", "unsure", ...; ``Reason`` is a ``str`` enum)."""
    return str(getattr(answer.reason, "value", answer.reason))


def how_to_ask(lang: str, mention: str = "") -> str:
    """How to put a question, with examples: in a private chat just send it; in a group (the
    bot's ``mention`` given, e.g. "@article_bot") with /ask, an @mention or a reply."""
    intro = text(lang, "how_to_ask_group", mention=esc(mention)) if mention else text(lang, "how_to_ask")
    return intro + "\n" + examples_list(lang)


def format_not_answered(lang: str, topics: Sequence[str] = (), unknown_name: str = "") -> str:
    """Why there is no answer (naming what the article never mentions, when that is the reason),
    what the article covers, and example questions."""
    lines = [text(lang, "not_mentioned", name=esc(unknown_name)) if unknown_name else text(lang, "not_answered")]
    if topics:
        lines.append(text(lang, "covers", headings="; ".join(esc(t) for t in topics)))
    lines += ["", text(lang, "examples_intro"), examples_list(lang)]
    return "\n".join(lines)


def format_more(hits: Sequence[Hit], lang: str, *, last: bool = False, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Further passages (after "More"): compact, one quote sentence per passage; the ``last``
    page says that the other passages do not fit the question."""
    return split_message([text(lang, "more_title")] + [compact(h) for h in hits] + ([text(lang, "more_done")] if last else []),
                         limit, sep="\n")


def format_passage(passage: Passage, lang: str, *, total: int) -> str:
    """One whole passage (deep link ``/start p<N>``)."""
    return (f"{text(lang, 'passage_title', id=passage.id, count=total)}\n"
            f"<blockquote>{esc(passage.text)}</blockquote>\n{passage_label(passage, lang)}")


def format_context(passages: Sequence[Passage], focus_id: int, lang: str, *, span: tuple[int, int] | None = None,
                   limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The passages around ``focus_id``, in article order; in the focus passage the quoted
    sentence (``span``, offsets into its text) in bold."""
    parts = [text(lang, "context_title", id=focus_id)]
    for p in passages:
        body = bold_span(p.text, *span) if p.id == focus_id and span else esc(p.text)
        parts.append(f"<blockquote>{body}</blockquote>\n{passage_label(p, lang)}")
    return split_message(parts, limit)


def format_source(article: ArticleMeta, n_passages: int, lang: str) -> str:
    url = f"\n{esc(article.url)}" if article.url else ""
    return text(lang, "source", title=esc(article.title), publisher=esc(article.publisher),
                date=esc(article.date_display), count=n_passages, url=url)


def format_welcome(article: ArticleMeta, n_passages: int, lang: str, *, mention: str = "") -> str:
    """/start: the source and how to ask, with examples (in a group, given the bot's ``mention``:
    how to ask there, as plain group messages are not answered)."""
    how = how_to_ask(lang, mention) if mention else text(lang, "welcome_ask") + "\n" + examples_list(lang)
    return text(lang, "welcome", source=format_source(article, n_passages, lang), how=how)


def format_help(lang: str, bot_username: str, *, group: bool = False) -> str:
    mention = esc(f"@{bot_username}")
    ask = text(lang, "help_group" if group else "help_private", mention=mention)
    return text(lang, "help", mention=mention, ask=ask)


def format_day(day: dtm.date | str, lang: str) -> str:
    """A date in the user's locale (Babel, medium): "Dec 2, 2026", "02.12.2026"; ISO strings too."""
    if isinstance(day, str):
        day = dtm.date.fromisoformat(day)
    return format_date(day, "medium", locale=_locale(lang))


def format_moment(moment: dtm.datetime, lang: str) -> str:
    """A date and 24-hour time in the user's locale: "Dec 2, 2026, 08:22", "02.12.2026, 08:22"
    (the time as in ``/subscribe HH:MM``, whatever the locale's clock)."""
    locale = _locale(lang)
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", format_day(moment.date(), lang)).replace("{0}", format_skeleton("Hm", moment, locale=locale))


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def citation(card: Card, article: ArticleMeta, bot_username: str = "") -> str:
    """"— Mark Rutte, NATO-Generalsekretär · DW, 11.12.2025 · §20" (HTML): who, where and which
    passage, linked as on quote cards (:func:`bot.quoting.quote_citation`)."""
    bits = [esc(card.speaker)] if card.speaker else []
    bits += [esc(f"{article.publisher}, {article.date_display}"), passage_ref(card.passage.id, bot_username)]
    return "— " + " · ".join(bits)


def format_inline_card(card: Card, article: ArticleMeta, bot_username: str = "") -> str:
    """The message an inline result posts: the verbatim quote and a citation line."""
    return f"<blockquote>{esc(card.quote)}</blockquote>\n{citation(card, article, bot_username)}\n<i>{esc(article.title)}</i>"


def inline_title(card: Card) -> str:
    quote = " ".join(card.quote.split())
    return quote if len(quote) <= INLINE_TITLE_CHARS else quote[: INLINE_TITLE_CHARS - 1].rstrip() + "…"
