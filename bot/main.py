"""``article-bot``: the one entry point and composition root.

It loads ``.env`` and the settings once, configures logging (with the bot token redacted), builds
the engine once and hands it to whatever the subcommand runs: the engine's commands
(``index.cli``: answers, evaluation, quotations, briefings, the terminal chat) or ``run``, the
Telegram bot. For ``run`` it builds the bot's settings, the engine (opened in ``post_init`` by
the factory built here, so that a bad token fails before the model loads), the subscription
store and the :class:`~telegram.ext.Application` (``bot.app.build_application``), which hands
them to the handlers through ``bot_data``; ``post_init`` builds the quote book and the briefing
once the engine is open. Importing this module loads no model and no Telegram library.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from index import cli

if TYPE_CHECKING:
    from index.engine import Engine
    from index.settings import EngineSettings

    from .settings import BotSettings

DESCRIPTION = __doc__.splitlines()[0]


def cmd_run(args) -> int:
    """Start the Telegram bot when a token is configured, otherwise the terminal chat."""
    if not os.environ.get("TELEGRAM_BOT_TOKEN", "").strip():
        if args.webhook:
            raise cli.UsageError("TELEGRAM_BOT_TOKEN is not set; it is required for --webhook")
        print("TELEGRAM_BOT_TOKEN is not set: starting the terminal chat instead of the Telegram bot.", file=sys.stderr)
        return cli.cmd_chat(args)
    try:
        from .settings import BotSettings
    except ImportError as exc:
        raise cli.UsageError(f"the Telegram bot is not available in this build ({exc})") from exc
    bot_settings = BotSettings.from_env(webhook=args.webhook)  # SettingsError: one line, exit 2
    return run_bot(bot_settings, cli.engine_settings(args))


def run_bot(settings: BotSettings, engine_settings: EngineSettings) -> int:
    """Build the bot's services and its Application, and run it until SIGINT/SIGTERM (long polling
    or a webhook server); returns the exit code."""
    try:
        from telegram.error import InvalidToken

        from .app import ALLOWED_UPDATES, build_application, log, webhook_options
        from .subscriptions import SubscriptionStore
    except ImportError as exc:
        raise cli.UsageError(f"the Telegram bot is not available in this build ({exc})") from exc
    from .settings import SettingsError

    def open_engine() -> Engine:
        from index.engine import Engine

        return Engine.open(engine_settings)

    app = build_application(settings, engine_factory=open_engine,
                            subscriptions=SubscriptionStore(settings.subscriptions_db))
    try:
        if settings.webhook:
            log.info("webhook mode on %s:%d/%s", settings.webhook_listen, settings.webhook_port, settings.webhook_path)
            app.run_webhook(**webhook_options(settings))
        else:
            log.info("long polling")
            app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except InvalidToken:
        raise SettingsError("TELEGRAM_BOT_TOKEN was rejected by the Bot API server") from None
    log.info("bot stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = cli.build_parser(run=cmd_run, description=DESCRIPTION).parse_args(argv)
    code = cli.prepare(args)  # .env, threads, logging
    if code is not None:
        return code
    from .redact import install_token_redaction

    install_token_redaction()
    return cli.execute(args)


if __name__ == "__main__":
    sys.exit(main())
