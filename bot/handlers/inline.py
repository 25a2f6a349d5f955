"""Inline mode: ``@bot query`` in any chat offers up to 10 ready-to-post quote cards; an empty
query offers the article's key passages. A verdict without confidence (not in the article, an
unknown name, small talk, nothing to ask) -> no results and a button to the bot.
Queries that start with a quoted person's name, and the empty query, go to
``quotes.inline_quote_results`` first (that person's quotations; the key quotations)."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.ext import Application, InlineQueryHandler

from ..cards import Card, cards_for_answer, key_cards
from ..context import BotContext
from ..formatting import format_inline_card, inline_title, passage_label, reason_of, strip_tags
from ..i18n import text
from ..tuning import INLINE_CACHE_SECONDS, INLINE_MAX_RESULTS
from .common import HANDLER_GROUP, NO_PREVIEW, lang_of, off_loop
from .quotes import inline_quote_results



def inline_result(card: Card, article, lang: str, bot_username: str = "") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=card.result_id,
        title=inline_title(card),
        description=strip_tags(passage_label(card.passage, lang)),
        input_message_content=InputTextMessageContent(
            format_inline_card(card, article, bot_username), link_preview_options=NO_PREVIEW),
    )


async def on_inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    lang, article = lang_of(update, context), context.article
    # "@bot Rutte …" and the empty query: quote cards (bot/handlers/quotes.py); else None
    username = context.bot.username
    results = await inline_quote_results(query.query, context, lambda card: inline_result(card, article.meta, lang, username))
    hint = "inline_not_found"
    if results is None:
        quotes = article.quotes
        if query.query.strip():
            answer = await off_loop(context.engine.ask, query.query, INLINE_MAX_RESULTS)
            # an answer or the closest passages; no cards when the verdict has no confidence
            cards = cards_for_answer(answer, quotes=quotes) if answer.confidence != "none" else []
            if reason_of(answer) in ("small_talk", "empty"):
                hint = "inline_hint"
        else:
            cards = key_cards(article, quotes=quotes)
        results = [inline_result(c, article.meta, lang, username) for c in cards]
    button = None
    if not results:
        button = InlineQueryResultsButton(text=text(lang, hint), start_parameter="help")
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False, button=button)


def register(app: Application) -> None:
    app.add_handler(InlineQueryHandler(on_inline_query), group=HANDLER_GROUP)
