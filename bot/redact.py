"""Keep the bot token (and the webhook secret) out of every log line.

``install_token_redaction()`` adds one :class:`TokenRedactingFilter` to each handler of the root
logger. The filter rewrites the record in place (message, arguments, traceback text), so every
handler after it sees the redacted record too. Token-shaped strings (``<digits>:<secret>``, as in
``.../bot123456:AAE.../getUpdates``) are redacted even when they are not the configured token,
and so is the value of any ``secret_token`` field (python-telegram-bot logs the parameters of
``setWebhook`` at DEBUG, the webhook secret among them).
"""

from __future__ import annotations

import logging
import os
import re

REDACTED = "<redacted>"
TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
SECRET_FIELD = re.compile(r"""(secret[_-]token['"]?\s*[:=]\s*['"]?)[A-Za-z0-9_-]+""", re.IGNORECASE)


def redact(text: str, token: str = "") -> str:
    if token:
        text = text.replace(token, REDACTED)
    text = TOKEN_SHAPE.sub(REDACTED, text)
    return SECRET_FIELD.sub(lambda match: match.group(1) + REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    def __init__(self, token: str = "") -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave the record to logging's own error path
            return True
        record.msg, record.args = redact(message, self.token), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.token)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.token)
        return True


def install_token_redaction(token: str | None = None) -> TokenRedactingFilter:
    """Add the filter to every root handler (once each); returns it. ``token`` defaults to
    TELEGRAM_BOT_TOKEN. Call it after logging is configured."""
    token = (os.environ.get("TELEGRAM_BOT_TOKEN", "") if token is None else token).strip()
    root = logging.getLogger()
    chosen = None
    for handler in root.handlers:
        existing = next((f for f in handler.filters if isinstance(f, TokenRedactingFilter)), None)
        if existing is None:
            existing = chosen or TokenRedactingFilter(token)
            handler.addFilter(existing)
        existing.token = token or existing.token
        chosen = chosen or existing
    return chosen or TokenRedactingFilter(token)
