"""``/brief``: the article in one message — title, publisher and date, 3 to 5 verbatim key
points (each linking to its passage through the ``/start p<N>`` deep link) and 2 or 3 key
quotations with their speakers (``index.briefing.make_briefing``, built once per application).

Answered in private chats, in groups (``/brief`` and ``/brief@bot``) and in channels where the
bot is an administrator: a channel post "/brief" has a ``sender_chat`` (the channel) and no
``from_user``, and the briefing is posted to that channel as a reply.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from ..context import BotContext
from ..quoting import format_briefing
from .common import HANDLER_GROUP, lang_of, reply_html
from .quotes import NEW_OR_CHANNEL


async def briefing_message(context: BotContext, lang: str) -> str:
    """The briefing as one message (also what subscriptions post)."""
    briefing = await context.library.briefing()
    return format_briefing(briefing, lang, bot_username=context.bot.username, limit=context.settings.message_limit)


async def on_brief(update: Update, context: BotContext) -> None:
    await reply_html(update, await briefing_message(context, lang_of(update, context)))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("brief", on_brief, filters=NEW_OR_CHANNEL), group=HANDLER_GROUP)
