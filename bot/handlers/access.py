"""Optional access control (ALLOWED_CHAT_IDS): a gate that runs before every other handler.

With an empty list everyone may use the bot. Otherwise updates from other chats stop here:
a message gets one polite refusal per chat (per process), an inline query gets no results and a
button to the bot, a button press gets an answerCallbackQuery refusal. Inline queries (which have
no chat) are judged by the user id, which is the id of the user's private chat.
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultsButton, Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from ..context import BotContext
from ..i18n import text
from .common import GATE_GROUP, lang_of, send_html

log = logging.getLogger(__name__)


def is_allowed(update: Update, allowed: frozenset[int]) -> bool:
    if not allowed:
        return True
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        return chat.id in allowed
    return user is not None and user.id in allowed


async def gate(update: Update, context: BotContext) -> None:
    if is_allowed(update, context.settings.allowed_chat_ids):
        return
    lang = lang_of(update, context)
    chat = update.effective_chat
    log.info("refused an update from chat %s", chat.id if chat else None)
    if update.inline_query:
        button = InlineQueryResultsButton(text=text(lang, "inline_refused"), start_parameter="start")
        await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
    elif update.callback_query:
        await update.callback_query.answer(text(lang, "refused"), show_alert=True)
    elif update.message and update.message.migrate_from_chat_id is not None:
        log.warning("chat %s (upgraded from %s) is not in ALLOWED_CHAT_IDS", chat.id, update.message.migrate_from_chat_id)
    elif update.message and chat and chat.id not in context.data.refused_chats:
        context.data.refused_chats.add(chat.id)
        await send_html(context.bot, chat.id, [text(lang, "refused")])
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
