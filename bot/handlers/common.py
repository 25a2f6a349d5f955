"""Helpers every handler module uses: the user's language, sending HTML with the plain-text
fallback, the flood guard, the answer keyboard, engine calls off the event loop, and the
fallback-group check."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from typing import Awaitable, Callable, Sequence, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application, CallbackContext

from ..flood import Verdict
from ..formatting import strip_tags
from ..i18n import DEFAULT_LANGUAGE, language_of, text
from ..tuning import MAX_FLOOD_WAIT, RETRY_DELAYS, SEND_RETRIES

log = logging.getLogger(__name__)

T = TypeVar("T")

# Handler modules register in HANDLER_GROUP; gates (access control) run before, in GATE_GROUP;
# "unknown command/button" fallbacks run after, in FALLBACK_GROUP, and stay quiet when a handler
# of HANDLER_GROUP took the update (see handled_elsewhere).
GATE_GROUP = -1
HANDLER_GROUP = 0
FALLBACK_GROUP = 1

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)



def lang_of(update: object, context: CallbackContext | None = None) -> str:
    """The sender's interface language; the ``DEFAULT_LANGUAGE`` setting when Telegram names none
    (channel posts, anonymous administrators)."""
    user = update.effective_user if isinstance(update, Update) else None
    settings = context.bot_data.settings if context is not None else None
    default = settings.default_language if settings is not None else DEFAULT_LANGUAGE
    return language_of(user.language_code if user else None, default)


def is_parse_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower() or "can't find end" in exc.message.lower()


def _seconds(value: float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """``await send()``, again after a transient failure (see SEND_RETRIES)."""
    for attempt in range(SEND_RETRIES + 1):
        try:
            return await send()
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB warns about the int/timedelta type of retry_after
                warnings.simplefilter("ignore")
                delay = _seconds(exc.retry_after)
            if attempt == SEND_RETRIES or delay > MAX_FLOOD_WAIT:
                raise
            error: Exception = exc
        except BadRequest:
            raise
        except NetworkError as exc:  # TimedOut, 5xx, connection errors
            if attempt == SEND_RETRIES:
                raise
            delay, error = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)], exc
        log.warning("sending failed (%s); retry %d of %d in %.1fs", error, attempt + 1, SEND_RETRIES, delay)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def send_html(
    bot,
    chat_id: int,
    messages: Sequence[str],
    *,
    reply_to: int | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send ``messages`` in order (the keyboard goes on the last one), as HTML (the application's
    default parse mode, bot/app.py). If Telegram rejects the HTML, send that message again as
    plain text (tags stripped, entities unescaped; ``parse_mode=None`` overrides the default).
    Transient failures are retried (:func:`with_retries`)."""
    sent = []
    for i, message in enumerate(messages):
        markup = reply_markup if i == len(messages) - 1 else None
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None
        try:
            sent.append(await with_retries(lambda: bot.send_message(
                chat_id, message, reply_markup=markup, reply_parameters=reply, link_preview_options=NO_PREVIEW)))
        except BadRequest as exc:
            if not is_parse_error(exc):
                raise
            log.warning("Telegram rejected our HTML (%s); sending plain text", exc.message)
            sent.append(await with_retries(lambda: bot.send_message(
                chat_id, strip_tags(message), parse_mode=None, reply_markup=markup, reply_parameters=reply,
                link_preview_options=NO_PREVIEW)))
    return sent


async def reply_html(update: Update, messages: Sequence[str] | str, **kwargs) -> list[Message]:
    """Send ``messages`` to the chat of ``update``; in groups as a reply to the message."""
    message = update.effective_message
    if isinstance(messages, str):
        messages = [messages]
    if update.effective_chat.type != "private" and message is not None:
        kwargs.setdefault("reply_to", message.message_id)
    return await send_html(update.get_bot(), update.effective_chat.id, messages, **kwargs)


async def flood_stopped(update: Update, context: CallbackContext) -> bool:
    """The one flood guard, for every path that costs an engine call (questions, ``/ask``,
    ``/quote``): True when the user behind ``update`` is over the limit and nothing more may be
    done; the first time they get one notice, then silence (bot/flood.py). Channel posts have no
    user and are never stopped."""
    user = update.effective_user
    verdict = context.bot_data.flood.check(user.id) if user else Verdict.ALLOW
    if verdict is Verdict.NOTICE:
        await reply_html(update, text(lang_of(update, context), "flood"))
    return verdict is not Verdict.ALLOW


def answer_keyboard(lang: str, *, more_key: str | None = None, context_id: int | None = None,
                    context_span: tuple[int, int] | None = None) -> InlineKeyboardMarkup | None:
    """"More" (``more:<key>``) and "Context" (``ctx:<passage id>``, with ``:<start>-<end>`` of the
    quoted sentence in that passage when there is one, to be set in bold)."""
    buttons = []
    if more_key:
        buttons.append(InlineKeyboardButton(text(lang, "button_more"), callback_data=f"more:{more_key}"))
    if context_id is not None:
        span = f":{context_span[0]}-{context_span[1]}" if context_span else ""
        buttons.append(InlineKeyboardButton(text(lang, "button_context"), callback_data=f"ctx:{context_id}{span}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def off_loop(func: Callable[..., T], *args) -> T:
    """Run a blocking engine call in a worker thread so the event loop keeps serving."""
    return await asyncio.to_thread(func, *args)


def handled_elsewhere(application: Application, update: Update) -> bool:
    """True when a handler of HANDLER_GROUP (from any module) accepts ``update``."""
    return any(h.check_update(update) not in (None, False) for h in application.handlers.get(HANDLER_GROUP, []))
