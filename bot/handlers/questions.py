"""Questions: any text in a private chat; in groups only messages addressed to the bot (an
@mention, which is stripped, or a reply to one of the bot's messages). The caption of a photo (or
other media) counts as its text. Messages with neither text nor caption in a private chat get a
hint. An edited question is answered by the same rules (in a group only if the edited message is
addressed to the bot); the earlier reply is edited in place (bot/handlers/replies.py).

``answer_question`` is the one path from a question to a reply (also used by ``/ask``): unchanged
edit? -> flood guard -> one engine call -> pure formatter -> send (or edit the earlier reply),
with "More"/"Context" buttons.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, MessageHandler, filters

from index.article import Article

from ..asker import ask as ask_engine
from ..context import BotContext, QuestionRecord
from ..formatting import esc, format_answer, reason_of
from ..i18n import examples, text
from .common import HANDLER_GROUP, answer_keyboard, flood_stopped, lang_of, reply_html
from .replies import respond, unchanged_edit

log = logging.getLogger(__name__)


def has_context(article: Article, passage_id: int) -> bool:
    """Worth a "Context" button: the passage has neighbours and is not just a heading/title."""
    passage = article.passage(passage_id)
    return passage is not None and passage.kind not in ("title", "heading") and len(article.neighbours(passage_id)) > 1


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    if unchanged_edit(update, context, question) or await flood_stopped(update, context):
        return
    lang = lang_of(update, context)
    article = context.article
    answer = await ask_engine(update, context, question)  # bounded, batched, cached; "typing..." (bot/asker.py)
    messages = format_answer(answer, lang, topics=article.headings, mention=group_mention(update),
                             limit=context.settings.message_limit)
    markup = None
    if answer.confidence != "none" and answer.hits:  # an answer or the closest passages
        shown = tuple(h.passage.id for h in answer.hits)
        more_key = None
        if len(shown) < len(article.passages):
            more_key = context.data.questions.add(QuestionRecord(answer.question, lang, shown))
        best, top = shown[0], answer.hits[0]
        markup = answer_keyboard(lang, more_key=more_key, context_id=best if has_context(article, best) else None,
                                 context_span=(top.quote_start, top.quote_end))
    log.info("question reason=%s hits=%s", reason_of(answer), [h.passage.id for h in answer.hits])
    await respond(update, context, messages, question=question, reply_markup=markup)


def group_mention(update: Update) -> str:
    """The bot's @mention when ``update`` comes from a group or channel ("" in a private chat):
    replies there explain how to ask in a group."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return ""
    return f"@{update.get_bot().username}"


def usage_hint(lang: str) -> str:
    return text(lang, "ask_usage", example=esc(examples(lang)[0]))


# ---- groups ----------------------------------------------------------------------------------
def question_text(message: Message) -> str:
    """What the user wrote: the text, or the caption of a photo (video, document ...)."""
    return message.text if message.text is not None else message.caption or ""


def _bot_mentions(message: Message) -> list[str]:
    """This bot's @mentions in the text (or caption), as they stand there."""
    username = (message.get_bot().username or "").lower()
    types = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    # offsets are in UTF-16 code units; parse_(caption_)entities gives the exact substrings
    entities = message.parse_entities(types) if message.text is not None else message.parse_caption_entities(types)
    return [value for e, value in entities.items()
            if (e.type == MessageEntity.MENTION and value[1:].lower() == username)
            or (e.type == MessageEntity.TEXT_MENTION and e.user and e.user.id == message.get_bot().id)]


def _replies_to_bot(message: Message) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


class AddressedToBot(filters.MessageFilter):
    """A group message meant for this bot: it @mentions the bot or replies to the bot."""

    def filter(self, message: Message) -> bool:
        return bool(_bot_mentions(message)) or _replies_to_bot(message)


def strip_mentions(message: Message) -> str:
    """The message text (or caption) without this bot's @mentions."""
    text_ = question_text(message)
    for mention in _bot_mentions(message):
        text_ = text_.replace(mention, " ")
    return re.sub(r"\s+", " ", text_).strip(" ,:;")


# Messages written by the user, new or edited: text that is no command, or media with a caption
# (the caption is the question); not cards posted through inline mode.
USER_TEXT = filters.UpdateType.MESSAGES & ((filters.TEXT & ~filters.COMMAND) | filters.CAPTION) & ~filters.VIA_BOT


async def on_private_text(update: Update, context: BotContext) -> None:
    await answer_question(update, context, question_text(update.effective_message))


async def on_group_text(update: Update, context: BotContext) -> None:
    question = strip_mentions(update.effective_message)
    if question:
        await answer_question(update, context, question)
    else:  # a bare "@bot" (or a reply without text): the question goes after the name
        lang = lang_of(update, context)
        await respond(update, context, text(lang, "mention_usage", mention=esc(group_mention(update)),
                                            example=esc(examples(lang)[0])), question="")


async def on_non_text(update: Update, context: BotContext) -> None:
    await reply_html(update, text(lang_of(update, context), "non_text"))


def register(app: Application) -> None:
    app.add_handlers([
        MessageHandler(filters.ChatType.PRIVATE & USER_TEXT, on_private_text),
        MessageHandler(filters.ChatType.GROUPS & USER_TEXT & AddressedToBot(), on_group_text),
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                       on_non_text),
    ], group=HANDLER_GROUP)
