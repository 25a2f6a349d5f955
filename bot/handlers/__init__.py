"""Handler modules. Each has ``register(app)``; ``register_all`` calls them in this order.

To add a feature (e.g. ``/quote``): write ``bot/handlers/quotes.py`` with handlers in
``common.HANDLER_GROUP`` and a ``register(app)``, then add the module to ``MODULES``. Use
``common.reply_html``/``send_html`` to send, ``context.engine`` for the engine and put UI strings
in ``bot/i18n.py`` (English; then ``python -m bot.i18n`` and translate in ``bot/locale/*/LC_MESSAGES/bot.po``). New commands go into ``i18n.COMMANDS`` for the command menu.
"""

from __future__ import annotations

from telegram.ext import Application

from . import access, briefing, callbacks, commands, errors, inline, questions, quotes, subscribe

MODULES = (access, commands, questions, inline, callbacks, quotes, briefing, subscribe, errors)


def register_all(app: Application) -> None:
    for module in MODULES:
        module.register(app)
