"""The Telegram bot's :class:`~telegram.ext.Application`, built from the services it is given.

``build_application`` wires settings, the engine (opened in ``post_init`` by ``engine_factory``
unless one is injected, closed in ``post_shutdown`` if it was opened here), the subscription store,
the rate limiter and the handler modules into one Application, and puts the services in its
``bot_data`` (:class:`~bot.context.BotData`). ``post_init`` builds the quote book and the briefing
(:class:`~bot.library.Library`) once the engine is open. ``bot.main`` (the console script) builds
the services and runs the Application. Importing this module loads no model: the engine is
imported inside the factory.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from .asker import ChatOrderedProcessor
from .context import CONTEXT_TYPES, BotData
from .handlers import register_all
from .handlers.commands import set_commands
from .handlers.subscribe import restore_subscriptions
from .library import Library, prepare_library
from .settings import BotSettings
from .subscriptions import SubscriptionStore

if TYPE_CHECKING:
    from index.engine import Engine

log = logging.getLogger(__name__)

# The update types the handlers use. Edited messages: an edited question (or "/ask ...") updates
# its answer (bot/handlers/replies.py). Channel posts: /brief, /quote and /subscribe in channels
# where the bot is an administrator (their edits are not requested).
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHANNEL_POST]


def build_application(
    settings: BotSettings,
    *,
    engine: Engine | None = None,
    engine_factory: Callable[[], Engine] | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    subscriptions: SubscriptionStore | None = None,
) -> Application:
    """``subscriptions``: the store of daily briefings (default: ``settings.subscriptions_db``)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .context_types(CONTEXT_TYPES)
        .defaults(Defaults(parse_mode=ParseMode.HTML))  # every text is HTML unless a call says parse_mode=None
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(ChatOrderedProcessor())  # chats at once, each in order (bot/asker.py)
    )
    if settings.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=settings.rate_limit_retries))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app = builder.build()
    data: BotData = app.bot_data
    data.configure(settings, engine, engine_factory,
                   subscriptions if subscriptions is not None else SubscriptionStore(settings.subscriptions_db))
    register_all(app)
    return app


async def _post_init(app: Application) -> None:
    data: BotData = app.bot_data
    if data.engine is None:
        data.engine = await asyncio.to_thread(data.engine_factory)
        data.owns_engine = True
    data.library = Library(data.engine.article, data.engine)  # the text, and the model to embed it
    await prepare_library(app)  # the quote book and briefing, so that first uses do not wait
    await set_commands(app)
    restore_subscriptions(app)  # daily briefings from SUBSCRIPTIONS_DB into the JobQueue
    log.info("bot @%s ready: %d passages of %r", app.bot.username, len(data.engine.article.passages), data.engine.article.meta.title)


async def _post_shutdown(app: Application) -> None:
    data: BotData = app.bot_data
    if data.owns_engine and data.engine is not None:
        data.engine.close()
        data.engine, data.owns_engine = None, False


def webhook_options(settings: BotSettings) -> dict:
    """Keyword arguments for ``Application.run_webhook`` / ``Updater.start_webhook``. PTB refuses
    requests without the ``X-Telegram-Bot-Api-Secret-Token`` header (403)."""
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
        "drop_pending_updates": False,
    }
