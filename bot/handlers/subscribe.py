"""Daily briefings: ``/subscribe HH:MM [time zone]``, ``/unsubscribe``, ``/subscriptions``.

Who may change a chat's subscription:

* private chat: the user (it is their own chat, so no check);
* group or supergroup: its creator and administrators (``getChatMember``), and anonymous
  administrators, whose messages carry ``sender_chat`` == the group. A post that a linked
  channel forwards into its discussion group (``sender_chat`` == the channel) does not count;
* channel: posts of the channel itself (``sender_chat`` == the channel; only administrators can
  post there).

``/subscriptions`` (anyone) shows this chat's subscription. Subscriptions live in SQLite
(:class:`~bot.subscriptions.SubscriptionStore`, ``SUBSCRIPTIONS_DB``); each active one is one
JobQueue job named ``briefing:<chat id>`` running daily at its time in its time zone, replaced on
re-subscribe and restored in ``post_init`` (:func:`restore_subscriptions`), so a restart loses
nothing. The job (:func:`post_briefing`) posts at most once per local day; when Telegram answers
Forbidden (bot blocked, kicked or removed) it disables the subscription and removes itself.

A basic group upgraded to a supergroup gets a new chat id. The subscription follows it: on the
service messages Telegram sends (``migrate_to_chat_id`` in the old chat, ``migrate_from_chat_id``
in the new one; :func:`on_migrate`), and, should those have been missed, when a post to the old
id fails with ChatMigrated (the post then goes to the new id, so the day's briefing is not lost).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import ChatMigrated, Forbidden
from telegram.ext import Application, CommandHandler, Job, MessageHandler, filters

from ..context import BotContext, BotData
from ..formatting import echo, esc, format_day, format_moment
from ..i18n import text
from ..subscriptions import ScheduleError, Subscription, SubscriptionStore, parse_schedule
from .briefing import briefing_message
from .common import HANDLER_GROUP, lang_of, reply_html, send_html
from .quotes import NEW_OR_CHANNEL

log = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


def job_name(chat_id: int) -> str:
    return f"briefing:{chat_id}"


def subscription_store(data: BotData) -> SubscriptionStore:
    """The store ``build_application`` was given (``bot_data``)."""
    if data.subscriptions is None:
        raise RuntimeError("the application was not built with build_application")
    return data.subscriptions


def unschedule(app: Application, chat_id: int) -> None:
    for job in app.job_queue.get_jobs_by_name(job_name(chat_id)):
        job.schedule_removal()


def schedule(app: Application, sub: Subscription) -> Job:
    """The chat's one daily job (an older one is replaced)."""
    unschedule(app, sub.chat_id)
    return app.job_queue.run_daily(post_briefing, sub.schedule.time, chat_id=sub.chat_id,
                                   name=job_name(sub.chat_id), data=sub.schedule)


def restore_subscriptions(app: Application) -> int:
    """Schedules every active subscription of an allowed chat (``post_init``); returns how many."""
    if app.job_queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]): daily briefings are off")
        return 0
    allowed = app.bot_data.settings.allowed_chat_ids
    subs = [s for s in subscription_store(app.bot_data).active() if not allowed or s.chat_id in allowed]
    for sub in subs:
        schedule(app, sub)
    if subs:
        log.info("restored %d daily briefing(s)", len(subs))
    return len(subs)


async def post_briefing(context: BotContext) -> None:
    """The daily job of one chat: skip if today's briefing went out, else build, format, send."""
    store, chat_id = subscription_store(context.bot_data), context.job.chat_id
    sub = store.get(chat_id)
    if sub is None or not sub.active:
        context.job.schedule_removal()
        return
    today = sub.schedule.local_date()
    if sub.last_sent == today:
        log.info("briefing for chat %s already sent on %s", chat_id, today)
        return
    message = await briefing_message(context, sub.lang)
    try:
        try:
            await send_html(context.bot, chat_id, [message])
        except ChatMigrated as exc:  # the group became a supergroup and we missed the service message
            context.job.schedule_removal()
            if move_subscription(context.application, chat_id, exc.new_chat_id) is None:
                return
            chat_id = exc.new_chat_id
            await send_html(context.bot, chat_id, [message])
    except Forbidden as exc:
        store.disable(chat_id, exc.message)
        context.job.schedule_removal()
        log.warning("daily briefing for chat %s disabled: %s", chat_id, exc.message)
        return
    store.mark_sent(chat_id, today)
    log.info("daily briefing sent to chat %s", chat_id)


def move_subscription(app: Application, old_chat_id: int, new_chat_id: int) -> Subscription | None:
    """The group ``old_chat_id`` is now the supergroup ``new_chat_id``: move its subscription and
    its daily job. Returns the moved subscription (None if the chat had none)."""
    unschedule(app, old_chat_id)
    sub = subscription_store(app.bot_data).move(old_chat_id, new_chat_id)
    if sub is None:
        return None
    allowed = app.bot_data.settings.allowed_chat_ids
    if allowed and new_chat_id not in allowed:
        log.warning("chat %s became %s, which ALLOWED_CHAT_IDS does not list: its daily briefing stays off "
                    "until it is added", old_chat_id, new_chat_id)
        return sub
    if sub.active and app.job_queue is not None:
        schedule(app, sub)
    log.info("chat %s became supergroup %s: daily briefing moved", old_chat_id, new_chat_id)
    return sub


async def on_migrate(update: Update, context: BotContext) -> None:
    """Service message of a group upgraded to a supergroup (sent in both chats; moving is idempotent)."""
    message = update.effective_message
    old_id = message.migrate_from_chat_id or message.chat_id
    new_id = message.migrate_to_chat_id or message.chat_id
    move_subscription(context.application, old_id, new_id)


async def may_manage(update: Update, context: BotContext) -> bool:
    """May the sender change this chat's subscription? (See the module docstring.)"""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # the channel itself, or an anonymous group admin
    if user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ADMIN_STATUSES


def when(sub: Subscription, lang: str) -> dict[str, str]:
    return {"time": sub.schedule.hhmm, "zone": esc(sub.schedule.zone), "next": esc(format_moment(sub.next_post(), lang))}


async def on_subscribe(update: Update, context: BotContext) -> None:
    lang, chat = lang_of(update, context), update.effective_chat
    if not await may_manage(update, context):
        await reply_html(update, text(lang, "admins_only"))
        return
    try:
        parsed = parse_schedule(context.args or [], context.settings.briefing_tz)
    except ScheduleError as exc:
        problem = text(lang, exc.reason, value=echo(exc.value)) + "\n" if exc.reason != "usage" else ""
        await reply_html(update, problem + text(lang, "subscribe_usage", zone=esc(context.settings.briefing_tz)))
        return
    sender = update.effective_sender
    sub = subscription_store(context.bot_data).save(Subscription(
        chat.id, parsed, chat.type, chat.effective_name or "", lang, sender.id if sender else None))
    schedule(context.application, sub)
    log.info("chat %s subscribed: daily at %s %s", chat.id, parsed.hhmm, parsed.zone)
    await reply_html(update, text(lang, "subscribed", **when(sub, lang)))


async def on_unsubscribe(update: Update, context: BotContext) -> None:
    lang, chat = lang_of(update, context), update.effective_chat
    if not await may_manage(update, context):
        await reply_html(update, text(lang, "admins_only"))
        return
    removed = subscription_store(context.bot_data).remove(chat.id)
    unschedule(context.application, chat.id)
    await reply_html(update, text(lang, "unsubscribed" if removed else "not_subscribed"))


async def on_subscriptions(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    sub = subscription_store(context.bot_data).get(update.effective_chat.id)
    if sub is None:
        message = text(lang, "not_subscribed")
    elif not sub.active:
        message = text(lang, "subscription_off", note=esc(sub.note), **when(sub, lang))
    else:
        last = esc(format_day(sub.last_sent, lang)) if sub.last_sent else text(lang, "never")
        message = text(lang, "subscription", last=last, **when(sub, lang))
    await reply_html(update, message)


def register(app: Application) -> None:
    app.add_handlers([
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
        CommandHandler("subscribe", on_subscribe, filters=NEW_OR_CHANNEL),
        CommandHandler("unsubscribe", on_unsubscribe, filters=NEW_OR_CHANNEL),
        CommandHandler("subscriptions", on_subscriptions, filters=NEW_OR_CHANNEL),
    ], group=HANDLER_GROUP)
