"""Commands: /start (and the deep link ``/start p<N>``), /help, /ask, /source; an unknown command
in a private chat gets a pointer to /help; being added to a group gets the group's /start welcome. ``set_commands`` registers the menu in English
(default) and in every translated language; it runs in ``post_init``."""

from __future__ import annotations

import re

from telegram import BotCommand, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from ..context import BotContext
from ..formatting import format_help, format_passage, format_source, format_welcome
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, command_menu, text
from .common import FALLBACK_GROUP, HANDLER_GROUP, answer_keyboard, handled_elsewhere, lang_of, reply_html
from .questions import answer_question, group_mention, has_context, usage_hint
from .replies import respond

PASSAGE_LINK = re.compile(r"^p(\d{1,6})$")

# Only new messages: an edited /start, /help or /source is not answered again. "/ask ..." is a
# question: its edits are answered like an edited question (bot/handlers/replies.py).
NEW = filters.UpdateType.MESSAGE
NEW_OR_EDITED = filters.UpdateType.MESSAGES


async def on_start(update: Update, context: BotContext) -> None:
    lang, article = lang_of(update, context), context.article
    payload = context.args[0] if context.args else ""
    if payload == "help":
        await on_help(update, context)
        return
    if match := PASSAGE_LINK.match(payload):
        passage_id = int(match.group(1))
        passage = article.passage(passage_id)
        if passage is None:
            await reply_html(update, text(lang, "no_passage", id=passage_id, count=len(article.passages)))
            return
        keyboard = answer_keyboard(lang, context_id=passage_id if has_context(article, passage_id) else None)
        await reply_html(update, format_passage(passage, lang, total=len(article.passages)), reply_markup=keyboard)
        return
    await reply_html(update, format_welcome(article.meta, len(article.passages), lang, mention=group_mention(update)))


async def on_added_to_group(update: Update, context: BotContext) -> None:
    """Added to a group: the group welcome (the article, and how to ask there), as /start says it."""
    if any(member.id == context.bot.id for member in update.effective_message.new_chat_members):
        await reply_html(update, format_welcome(context.article.meta, len(context.article.passages),
                                                lang_of(update, context), mention=group_mention(update)))


async def on_help(update: Update, context: BotContext) -> None:
    group = bool(group_mention(update))
    await reply_html(update, format_help(lang_of(update, context), context.bot.username, group=group))


async def on_source(update: Update, context: BotContext) -> None:
    article = context.article
    await reply_html(update, format_source(article.meta, len(article.passages), lang_of(update, context)))


async def on_ask(update: Update, context: BotContext) -> None:
    question = " ".join(context.args or [])
    if not question.strip():
        await respond(update, context, usage_hint(lang_of(update, context)), question="")
        return
    await answer_question(update, context, question)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    if not handled_elsewhere(context.application, update):
        await reply_html(update, text(lang_of(update, context), "unknown_command"))


async def set_commands(app: Application) -> None:
    """The command menu: English for everyone, translated for clients in a language with a
    catalogue (German, Russian, Ukrainian)."""
    for lang in LANGUAGES:
        commands = [BotCommand(name, description) for name, description in command_menu(lang)]
        await app.bot.set_my_commands(commands, language_code=None if lang == DEFAULT_LANGUAGE else lang)


def register(app: Application) -> None:
    app.add_handlers([
        CommandHandler("start", on_start, filters=NEW),
        CommandHandler("help", on_help, filters=NEW),
        CommandHandler("ask", on_ask, filters=NEW_OR_EDITED),
        CommandHandler("source", on_source, filters=NEW),
        MessageHandler(filters.ChatType.GROUPS & filters.StatusUpdate.NEW_CHAT_MEMBERS, on_added_to_group),
    ], group=HANDLER_GROUP)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & NEW & filters.COMMAND, on_unknown_command),
                    group=FALLBACK_GROUP)
