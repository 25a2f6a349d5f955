"""End to end, when things go wrong: floods, strangers, failing engines, Telegram's 429s and
network faults, and the token in the logs."""

from __future__ import annotations

import logging

from bot.redact import REDACTED, install_token_redaction
from tests.bot_helpers import running_bot
from tests.fakebotapi import TOKEN

USER, STRANGER, GROUP = 42, 43, -100555
QUESTION = "Wer kann Putin laut Rutte stoppen?"
APOLOGY = "Sorry, something went wrong. Please try again in a moment."


class BrokenEngine:
    """The real engine, except that answering fails with an internal detail in the message."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def ask(self, *args, **kwargs):
        raise RuntimeError("index corrupted at /srv/secret/index.faiss")


async def test_flood_guard_notices_once_then_stays_silent(engine):
    async with running_bot(engine, flood_limit=2) as bot:
        for _ in range(5):
            bot.api.send_text(USER, QUESTION)
        replies = await bot.settle(USER)
        assert len(replies) == 3
        assert "Für den Moment" in replies[0]["text"] and "Für den Moment" in replies[1]["text"]
        assert replies[2]["text"] == "You are asking very quickly. Please wait a minute, then I will answer again."
        other = await bot.say(STRANGER, QUESTION)  # another user is not affected
        assert "Für den Moment" in other[0]["text"]


async def test_questions_and_quote_share_one_flood_guard(engine):
    async with running_bot(engine, flood_limit=2) as bot:
        for message in (QUESTION, "/quote", "/quote", QUESTION, "/quote"):
            bot.api.send_text(USER, message)
        replies = await bot.settle(USER)
        assert len(replies) == 3 and "Für den Moment" in replies[0]["text"]
        assert replies[2]["text"] == "You are asking very quickly. Please wait a minute, then I will answer again."


async def test_allowed_chat_ids_refuse_others_once_and_refuse_inline_and_buttons(engine):
    async with running_bot(engine, allowed_chat_ids=frozenset({USER})) as bot:
        assert "Für den Moment" in (await bot.say(USER, QUESTION))[0]["text"]
        [refusal] = await bot.say(STRANGER, QUESTION, language_code="de")
        assert refusal["text"] == "Dieser Bot ist hier leider nicht verfügbar."
        bot.api.send_text(STRANGER, "/start")
        bot.api.send_text(STRANGER, QUESTION)
        await bot.settle(USER)  # updates are handled in order: the stranger's are done
        assert len(bot.api.bot_messages(STRANGER)) == 1  # refused once per chat

        refused = await bot.inline("Putin", user_id=STRANGER)
        assert refused["results"] == [] and refused["button"]["start_parameter"] == "start"
        assert refused.get("is_personal") in (True, "true")
        assert (await bot.inline("Putin", user_id=USER))["results"]

        answer, _ = await bot.press(STRANGER, refusal, "ctx:23", user_id=STRANGER, answers=0, check_button=False)
        assert answer["text"] == "Sorry, this bot is not available here."
        await bot.settle(USER)
        assert len(bot.api.bot_messages(STRANGER)) == 1


async def test_errors_are_logged_with_traceback_and_the_user_gets_only_an_apology(engine, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(BrokenEngine(engine)) as bot:
        [reply] = await bot.say(USER, QUESTION)
        assert reply["text"] == APOLOGY
        assert "reply_markup" not in reply and "parse_mode" not in reply  # plain text, not the HTML default
        bot.api.inline_query("Putin", user_id=USER)  # no chat: logged, nothing sent
        await bot.settle(USER)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(errors) == 2 and all("index corrupted" in str(r.exc_info[1]) for r in errors)
    for message in bot.api.bot_messages():
        assert "Traceback" not in message["text"] and "corrupted" not in message["text"]


async def test_token_never_reaches_the_logs(engine, caplog):
    caplog.set_level(logging.DEBUG)
    install_token_redaction(TOKEN)
    async with running_bot(BrokenEngine(engine)) as bot:  # errors too
        bot.api.inject("getUpdates", "drop")
        await bot.say(USER, QUESTION)
    assert caplog.records and TOKEN not in caplog.text
    assert REDACTED in caplog.text  # PTB logs its API URL (with the token) at DEBUG: it was redacted
    assert all(TOKEN not in caplog.handler.format(r) for r in caplog.records)


async def test_retry_after_on_send_is_retried_once_without_duplicates(engine):
    async with running_bot(engine, rate_limiter=True, rate_limit_retries=2) as bot:
        bot.api.inject("sendMessage", "retry_after", times=1, retry_after=1)
        [reply] = await bot.say(USER, QUESTION, timeout=20)
        assert "Für den Moment" in reply["text"]
        sends = bot.api.calls_of("sendMessage")
        assert [bool(c.error) for c in sends] == [True, False]
        assert len(await bot.settle(USER)) == 1


async def test_network_faults_on_get_updates_lose_no_question(engine):
    async with running_bot(engine) as bot:
        bot.api.inject("getUpdates", "server_error")
        bot.api.inject("getUpdates", "drop")
        [reply] = await bot.say(USER, QUESTION, timeout=30)
        assert "Für den Moment" in reply["text"]
        assert len(await bot.settle(USER)) == 1


async def test_a_user_who_blocked_the_bot_causes_no_apology_loop(engine):
    async with running_bot(engine) as bot:
        await bot.say(USER, "/source")
        bot.api.block_chat(USER)
        bot.api.send_text(USER, QUESTION)
        await bot.api.wait_for(lambda api: [c for c in api.calls_of("sendMessage") if c.error])
        bot.api.unblock_chat(USER)
        assert len(await bot.settle(USER)) == 1
        assert len([c for c in bot.api.calls_of("sendMessage") if c.error]) == 1
