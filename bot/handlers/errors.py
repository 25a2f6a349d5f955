"""The one error handler: log the traceback (the log filter redacts the token), and give the
user a short apology when there is a chat. Nothing internal ever reaches a chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import Application

from ..context import BotContext
from ..i18n import text
from .common import lang_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network problem while talking to Telegram: %s", error)  # PTB retries getUpdates itself
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or isinstance(error, Forbidden):
        return
    try:
        # plain text, as it always was: not the application's HTML default
        await context.bot.send_message(update.effective_chat.id, text(lang_of(update, context), "error"), parse_mode=None)
    except TelegramError as exc:
        log.warning("could not send the apology: %s", exc)


def register(app: Application) -> None:
    app.add_error_handler(on_error)
