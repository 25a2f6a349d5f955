"""Quotations of the people in the article.

* ``/quote NAME [topic]``: the direct quotations of that person as quote cards, ranked by the
  topic when there is one (``QuoteBook.find``), in article order otherwise. A name nobody in the
  article has, or a person who is named but never quoted, gets a message listing who is quoted.
* ``/quote`` alone: who is quoted, with one button per person (``quote:<speaker key>``).
* Inline mode (hooked into ``inline.on_inline_query``): ``@bot Rutte`` or ``@bot Merz
  Waffenstillstand`` — a query that starts with the name of a quoted person — gives that person's
  quote cards; the empty query gives the key quotations and the lead. Until the quote book is
  built (first use after a start), and for every other query, inline mode keeps its passage cards.

Also answered as channel posts, so ``/quote`` works in channels where the bot is an administrator.
"""

from __future__ import annotations

import re
from typing import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult, InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from index.schema import Quote, Speaker

from ..cards import Card, key_cards
from ..context import BotContext
from ..formatting import echo, esc
from ..i18n import text
from ..quoting import format_inline_quote, format_people, format_quotes, inline_quote_title, who
from ..tuning import INLINE_MAX_RESULTS, KEY_QUOTES, QUOTE_LIMIT
from .common import HANDLER_GROUP, NO_PREVIEW, flood_stopped, lang_of, off_loop, reply_html, send_html

BUTTON = re.compile(r"^quote:([a-z0-9-]{1,50})$")
# New messages and channel posts (channels have no users: the post itself is the command).
NEW_OR_CHANNEL = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST


def quoted_people(book) -> tuple[list[tuple[Speaker, int]], list[Speaker]]:
    """(people with direct quotations and how many, people only named), in article order."""
    counts = [(s, len(book.find(s, limit=len(book.quotes)))) for s in book.speakers]
    return [(s, n) for s, n in counts if n], [s for s, n in counts if not n]


def people_keyboard(quoted: list[tuple[Speaker, int]]) -> InlineKeyboardMarkup | None:
    buttons = [InlineKeyboardButton(s.name, callback_data=f"quote:{s.key}") for s, _ in quoted if BUTTON.match(f"quote:{s.key}")]
    return InlineKeyboardMarkup([[b] for b in buttons]) if buttons else None


async def on_quote(update: Update, context: BotContext) -> None:
    if await flood_stopped(update, context):
        return
    lang = lang_of(update, context)
    book = await context.library.quote_book()
    query = " ".join(context.args or []).strip()
    quoted, others = quoted_people(book)
    people = format_people(quoted, others, lang)
    if not query:
        await reply_html(update, people, reply_markup=people_keyboard(quoted))
        return
    speaker, topic = book.split_speaker_query(query)
    if speaker is None:
        await reply_html(update, text(lang, "quote_unknown", name=echo(query)) + "\n\n" + people,
                         reply_markup=people_keyboard(quoted))
        return
    ranked = await off_loop(book.rank, speaker, topic or None, QUOTE_LIMIT)
    if not ranked.quotes:
        await reply_html(update, text(lang, "quote_not_quoted", who=f"<b>{esc(who(speaker))}</b>") + "\n\n" + people,
                         reply_markup=people_keyboard(quoted))
        return
    quotes = list(ranked.quotes)
    if topic and not ranked.any_match:  # none is about the topic: say so, then all of them in article order
        quotes = book.find(speaker, None, QUOTE_LIMIT)
    await reply_html(update, quote_messages(context, speaker, quotes, lang, topic, matched=ranked.any_match))


def quote_messages(context: BotContext, speaker: Speaker, quotes: list[Quote], lang: str, topic: str = "",
                   matched: bool = True) -> list[str]:
    return format_quotes(speaker, quotes, context.article.meta, lang, topic=topic, matched=matched,
                         bot_username=context.bot.username, limit=context.settings.message_limit)


async def on_person_button(update: Update, context: BotContext) -> None:
    query, lang = update.callback_query, lang_of(update, context)
    book = await context.library.quote_book()
    speaker = next((s for s in book.speakers if f"quote:{s.key}" == query.data), None)
    quotes = book.find(speaker, limit=QUOTE_LIMIT) if speaker else []
    if not quotes or query.message is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    await query.answer()
    await send_html(context.bot, query.message.chat.id, quote_messages(context, speaker, quotes, lang),
                    reply_to=query.message.message_id)


# ---- inline mode -------------------------------------------------------------------------------
def inline_quote_result(quote: Quote, article, bot_username: str) -> InlineQueryResultArticle:
    description = " · ".join(x for x in (quote.speaker.role if quote.speaker else "", f"§{quote.passage_id}") if x)
    return InlineQueryResultArticle(
        id=f"q{quote.passage_id}-{quote.start}-{quote.end}",  # passage cards are "p…": never the same id
        title=inline_quote_title(quote),
        description=description,
        input_message_content=InputTextMessageContent(
            format_inline_quote(quote, article, bot_username), link_preview_options=NO_PREVIEW),
    )


def _overlaps(card: Card, quotes: list[Quote]) -> bool:
    return any(q.passage_id == card.passage.id and q.start < card.end and card.start < q.end for q in quotes)


async def inline_quote_results(
    query_text: str, context: BotContext, passage_result: Callable[[Card], InlineQueryResult]
) -> list[InlineQueryResult] | None:
    """Results for an inline query that is about quotations, or None to leave it to passage
    cards: the query does not start with the name of a quoted person, or the quote book is not
    built yet (inline answers cannot wait for it; the build starts now)."""
    book = context.library.book.ready()
    if book is None:
        return None
    article, bot_username = context.article, context.bot.username
    query_text = query_text.strip()
    if not query_text:  # the key quotations, the lead, then the other key passages
        quotes = book.key_quotes(KEY_QUOTES)
        cards = sorted((c for c in key_cards(article, len(article.passages), book.quotes) if not _overlaps(c, quotes)),
                       key=lambda c: c.passage.kind != "lead")
        results = [inline_quote_result(q, article.meta, bot_username) for q in quotes]
        return (results + [passage_result(c) for c in cards])[:INLINE_MAX_RESULTS]
    speaker, topic = book.split_speaker_query(query_text, near=False)  # "Markt …" is a question, not Mark Rutte
    if speaker is None:
        return None
    quotes = await off_loop(book.find, speaker, topic or None, INLINE_MAX_RESULTS)
    return [inline_quote_result(q, article.meta, bot_username) for q in quotes] or None


def register(app: Application) -> None:
    app.add_handlers([
        CommandHandler("quote", on_quote, filters=NEW_OR_CHANNEL),
        CallbackQueryHandler(on_person_button, pattern=BUTTON),
    ], group=HANDLER_GROUP)
