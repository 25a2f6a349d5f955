"""Pure HTML rendering of quote cards, the list of quoted people and the briefing.

A quote card is the verbatim quotation in German quotation marks and a citation line::

    „Wir sind Russlands nächstes Ziel. …“
    — Mark Rutte, NATO-Generalsekretär · DW, 11.12.2025 · §20

With a bot username, §N links to ``https://t.me/<bot>?start=p<N>`` (the bot shows the passage).
Everything from the article goes through :func:`~bot.formatting.esc`.
"""

from __future__ import annotations

from typing import Sequence

from index.schema import ArticleMeta, Briefing, Quote, Speaker
from index.tuning import MIN_POINTS, MIN_QUOTES

from .formatting import TELEGRAM_LIMIT, echo, esc, passage_ref, split_html, split_message
from .i18n import text
from .tuning import INLINE_TITLE_CHARS

# A briefing sheds parts until it fits one message: quotations down to MIN_QUOTES, points down
# to MIN_POINTS (index/tuning.py, as index.briefing), then what is left (never seen with a real article).


def who(speaker: Speaker | None) -> str:
    """"Mark Rutte, NATO-Generalsekretär" (plain text)."""
    if speaker is None:
        return ""
    return f"{speaker.name}, {speaker.role}" if speaker.role else speaker.name


def quote_citation(quote: Quote, article: ArticleMeta, bot_username: str = "") -> str:
    bits = [esc(who(quote.speaker))] if quote.speaker else []
    bits += [esc(f"{article.publisher}, {article.date_display}"), passage_ref(quote.passage_id, bot_username)]
    return "— " + " · ".join(bits)


def format_quote_card(quote: Quote, article: ArticleMeta, bot_username: str = "") -> str:
    return f"<blockquote>„{esc(quote.text)}“</blockquote>\n{quote_citation(quote, article, bot_username)}"


def format_quotes(speaker: Speaker, quotes: Sequence[Quote], article: ArticleMeta, lang: str, *, topic: str = "",
                  matched: bool = True, bot_username: str = "", limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The reply to ``/quote NAME [topic]``: a heading, then one card per quotation; split
    between cards to stay under ``limit``. With a topic, the heading says that the best match
    comes first, or (``matched`` False) that none of the quotations is about the topic."""
    name = f"<b>{esc(speaker.name)}</b>" + (f", {esc(speaker.role)}" if speaker.role else "")
    heading = text(lang, "quotes_of", who=name)
    if topic:
        heading += "\n" + text(lang, "quotes_ranked" if matched else "quotes_no_match", topic=echo(topic))
    cards = [format_quote_card(q, article, bot_username) for q in quotes]
    return split_message([heading, *cards], limit)


def format_people(quoted: Sequence[tuple[Speaker, int]], others: Sequence[Speaker], lang: str) -> str:
    """Who is quoted (with how many quotations) and who is only named, with a usage line."""
    lines = [text(lang, "people_quoted")] if quoted else [text(lang, "people_none")]
    lines += [f"• {esc(who(s))} ({text(lang, 'people_count', n=n)})" for s, n in quoted]
    if others:
        lines += ["", text(lang, "people_named", names=esc(", ".join(s.name for s in others)))]
    lines += ["", text(lang, "quote_usage")]
    return "\n".join(lines)


def inline_quote_title(quote: Quote) -> str:
    """The result title in the inline list: "Mark Rutte: „…“", shortened."""
    title = f"{quote.speaker_name}: „{' '.join(quote.text.split())}“" if quote.speaker else f"„{quote.text}“"
    return title if len(title) <= INLINE_TITLE_CHARS else title[: INLINE_TITLE_CHARS - 2].rstrip() + "…“"


def format_inline_quote(quote: Quote, article: ArticleMeta, bot_username: str = "") -> str:
    """The message an inline quote card posts: the card and the article's title."""
    return f"{format_quote_card(quote, article, bot_username)}\n<i>{esc(article.title)}</i>"


# ---- the briefing ----------------------------------------------------------------------------
def _briefing_message(briefing: Briefing, n_points: int, n_quotes: int, lang: str, bot_username: str) -> str:
    a = briefing.article
    source = " · ".join(esc(x) for x in (a.publisher, a.date_display) if x)
    parts = [f"{text(lang, 'brief_title')}\n<b>{esc(a.title)}</b>\n{source}" + (f"\n{esc(a.url)}" if a.url else "")]
    points = briefing.points[:n_points]
    if points:
        parts.append("\n".join([text(lang, "brief_points")]
                               + [f"• {esc(p.text)} {passage_ref(p.passage_id, bot_username)}" for p in points]))
    quotes = briefing.quotes[:n_quotes]
    if quotes:
        lines = [text(lang, "brief_quotes")]
        for q in quotes:
            speaker = f" — <b>{esc(q.speaker_name)}</b>" + (f", {esc(q.speaker.role)}" if q.speaker and q.speaker.role else "")
            lines.append(f"„{esc(q.text)}“{speaker} · {passage_ref(q.passage_id, bot_username)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def format_briefing(briefing: Briefing, lang: str, *, bot_username: str = "", limit: int = TELEGRAM_LIMIT) -> str:
    """The briefing as ONE message of at most ``limit`` characters: title, publisher and date,
    the key points (verbatim, each with a link to its passage) and the key quotations. Parts
    are dropped from the end until it fits (quotations to two, points to three, then further);
    only a message that cannot fit even so is cut."""
    points, quotes = len(briefing.points), len(briefing.quotes)
    while True:
        message = _briefing_message(briefing, points, quotes, lang, bot_username)
        if len(message) <= limit:
            return message
        if quotes > MIN_QUOTES:
            quotes -= 1
        elif points > MIN_POINTS:
            points -= 1
        elif quotes:
            quotes -= 1
        elif points > 1:
            points -= 1
        else:
            return split_html(message, limit)[0]
