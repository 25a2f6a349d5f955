"""Buttons under an answer. Callback data (≤ 64 bytes, self-contained):

* ``more:<key>``: further passages for the question stored under ``key`` in the bounded LRU of
  recent questions; the key is random per process, so an unknown key means "expired".
* ``ctx:<passage id>[:<start>-<end>]``: the passages around that passage, the quoted sentence
  (``start:end`` of its text) in bold; a second press of the same button only gets a notice.

Every press is answered (answerCallbackQuery), politely when the data is expired or unknown.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from index.schema import Hit

from ..context import BotContext
from ..formatting import format_context, format_more
from ..i18n import text
from ..tuning import CONTEXT_RADIUS, MORE_PAGE, RELEVANT_SHARE
from .common import FALLBACK_GROUP, HANDLER_GROUP, answer_keyboard, handled_elsewhere, lang_of, off_loop, send_html
from .questions import has_context

# "More" lists passages scoring at least RELEVANT_SHARE x the best (bot/tuning.py). Titles,
# subheadings and video titles are never listed (no sentence to quote).
NOT_LISTED = ("title", "heading", "video")
CONTEXT_DATA = re.compile(r"^ctx:(?P<id>\d{1,6})(?::(?P<start>\d{1,6})-(?P<end>\d{1,6}))?$")


def further_passages(hits: Sequence[Hit], shown: Sequence[int], page: int = MORE_PAGE) -> tuple[list[Hit], bool]:
    """The next page of "More": up to ``page`` relevant hits not shown yet (``hits`` ranked best
    first, the engine's fused scores), and whether relevant ones are left after it."""
    if not hits:
        return [], False
    floor = RELEVANT_SHARE * max(h.score for h in hits)  # hits[0] may be promoted (a when / how-many question)
    relevant = [h for h in hits if h.score >= floor and h.passage.kind not in NOT_LISTED and h.passage.id not in shown]
    return relevant[:page], len(relevant) > page


async def on_more(update: Update, context: BotContext) -> None:
    query, lang = update.callback_query, lang_of(update, context)
    key = query.data.removeprefix("more:")
    record = context.data.questions.get(key)
    if record is None or query.message is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    article = context.article
    answer = await off_loop(context.engine.ask, record.question, len(article.passages))
    new, left = further_passages(answer.hits, record.shown)
    if not new:  # said once on the last page; older buttons of the question only get a notice
        await query.answer(text(lang, "no_more"))
        return
    await query.answer()
    shown = record.shown + tuple(h.passage.id for h in new)
    context.data.questions.put(key, dataclasses.replace(record, shown=shown))
    first = new[0].passage.id
    keyboard = answer_keyboard(record.lang, more_key=key if left else None,
                               context_id=first if has_context(article, first) else None,
                               context_span=(new[0].quote_start, new[0].quote_end))
    await send_html(context.bot, query.message.chat.id,
                    format_more(new, record.lang, last=not left, limit=context.settings.message_limit),
                    reply_to=query.message.message_id, reply_markup=keyboard)


def context_request(data: str) -> tuple[int, tuple[int, int] | None]:
    """``ctx:<passage id>[:<start>-<end>]`` -> (passage id, span of the quoted sentence or None)."""
    m = CONTEXT_DATA.match(data)
    if m is None:
        raise ValueError(f"not context data: {data!r}")
    span = (int(m["start"]), int(m["end"])) if m["start"] is not None else None
    return int(m["id"]), span


async def on_context(update: Update, context: BotContext) -> None:
    query, lang = update.callback_query, lang_of(update, context)
    passage_id, span = context_request(query.data)
    passages = context.article.neighbours(passage_id, CONTEXT_RADIUS)
    if not passages or query.message is None:
        await query.answer(text(lang, "expired"), show_alert=True)
        return
    shown = (query.message.chat.id, query.message.message_id, query.data)
    if not context.data.contexts_shown.add(shown):  # pressed again: the context is already there
        await query.answer(text(lang, "context_shown"))
        return
    await query.answer()
    await send_html(context.bot, query.message.chat.id,
                    format_context(passages, passage_id, lang, span=span, limit=context.settings.message_limit),
                    reply_to=query.message.message_id)


async def on_unknown_button(update: Update, context: BotContext) -> None:
    if not handled_elsewhere(context.application, update):
        await update.callback_query.answer(text(lang_of(update, context), "expired"), show_alert=True)


def register(app: Application) -> None:
    app.add_handlers([
        CallbackQueryHandler(on_more, pattern=r"^more:[A-Za-z0-9_-]{1,16}$"),
        CallbackQueryHandler(on_context, pattern=CONTEXT_DATA),
    ], group=HANDLER_GROUP)
    app.add_handler(CallbackQueryHandler(on_unknown_button), group=FALLBACK_GROUP)
