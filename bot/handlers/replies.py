"""Replies that follow their question when the user edits it.

Every reply to a user's message (an answer, or a usage hint for an empty question) is remembered
per chat (``chat_data``, the last ``ANSWERED_PER_CHAT``: :class:`~bot.context.AnsweredMessages`).
When the user edits that message, :func:`respond` edits the bot's reply in place
(``editMessageText``, HTML with the plain-text fallback, the keyboard on the last message). It
sends a new reply to the edited message instead when the new reply needs a different number of
messages than the old one, when the old one is gone (deleted, or no longer editable), or when the
edited message is not remembered (older than the map, or from before a restart). An edit that
leaves the question as it was answered (:func:`unchanged_edit`, compared like the answer cache)
gets nothing, and so does a new reply whose text is exactly the old one ("message is not
modified": the answer on screen already answers the edited question).

Which edits reach here at all is decided by the handlers' filters, as for new messages: in a
private chat every text, in a group only messages addressed to the bot.
"""

from __future__ import annotations

import logging
from typing import Sequence

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from ..asker import normalise
from ..context import AnsweredMessages, AnsweredRecord, BotContext
from ..formatting import strip_tags
from .common import NO_PREVIEW, is_parse_error, reply_html, with_retries

log = logging.getLogger(__name__)

ANSWERED_KEY = "answered"  # chat_data key of the chat's AnsweredMessages


def answered(context: BotContext) -> AnsweredMessages | None:
    """The chat's remembered replies (None for updates without a chat)."""
    if context.chat_data is None:
        return None
    return context.chat_data.setdefault(ANSWERED_KEY, AnsweredMessages())


def _record_of(update: Update, context: BotContext) -> AnsweredRecord | None:
    """The remembered reply to the message ``update`` edits (None for a new message)."""
    memory = answered(context)
    if update.edited_message is None or memory is None:
        return None
    return memory.get(update.edited_message.message_id)


def unchanged_edit(update: Update, context: BotContext, question: str) -> bool:
    """True for an edit whose question is the one already answered (e.g. only a formatting or
    punctuation change): answering it again would post the same answer twice."""
    record = _record_of(update, context)
    return record is not None and normalise(record.question) == normalise(question)


def is_not_modified(exc: BadRequest) -> bool:
    return "message is not modified" in exc.message.lower()


async def _edit(bot, chat_id: int, message_id: int, message: str, markup: InlineKeyboardMarkup | None) -> None:
    """One message edited in place, as HTML; as plain text if Telegram rejects the HTML."""
    try:
        await with_retries(lambda: bot.edit_message_text(
            message, chat_id, message_id, reply_markup=markup, link_preview_options=NO_PREVIEW))
    except BadRequest as exc:
        if not is_parse_error(exc):
            raise
        log.warning("Telegram rejected our HTML (%s); editing as plain text", exc.message)
        await with_retries(lambda: bot.edit_message_text(
            strip_tags(message), chat_id, message_id, parse_mode=None, reply_markup=markup,
            link_preview_options=NO_PREVIEW))


async def _edit_in_place(update: Update, record: AnsweredRecord, messages: Sequence[str],
                         markup: InlineKeyboardMarkup | None) -> int:
    """Edits the old reply's messages to ``messages``; returns how many were done (all, or up to
    the first one that could not be edited)."""
    bot, chat_id = update.get_bot(), update.effective_chat.id
    for i, (message_id, message) in enumerate(zip(record.replies, messages)):
        try:
            await _edit(bot, chat_id, message_id, message, markup if i == len(messages) - 1 else None)
        except BadRequest as exc:
            if not is_not_modified(exc):
                log.info("could not edit reply %s (%s); sending a new reply", message_id, exc.message)
                return i
    return len(messages)


async def respond(update: Update, context: BotContext, messages: Sequence[str] | str, *, question: str,
                  reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Reply to the user's message (new or edited) with ``messages`` and remember the reply under
    that message, so that a later edit of ``question`` updates it (see the module docstring)."""
    if isinstance(messages, str):
        messages = [messages]
    user_message = update.effective_message
    if unchanged_edit(update, context, question):
        return
    record = _record_of(update, context)
    kept: list[int] = []
    if record is not None and len(record.replies) == len(messages):
        done = await _edit_in_place(update, record, messages, reply_markup)
        kept, messages = list(record.replies[:done]), messages[done:]
    sent: list[Message] = []
    if messages:
        # an edit's new reply quotes the edited message, so that it is clear what it answers
        extra = {"reply_to": user_message.message_id} if update.edited_message is not None else {}
        sent = await reply_html(update, messages, reply_markup=reply_markup, **extra)
    memory = answered(context)
    if memory is not None and user_message is not None:
        memory.put(user_message.message_id, AnsweredRecord(question, (*kept, *(m.message_id for m in sent))))
