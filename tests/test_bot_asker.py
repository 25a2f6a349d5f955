"""The bot's concurrency layer (bot/asker.py) through the fake Bot API: chats answered at once
but each in order, the engine's concurrency capped (questions that wait are batched), an answer
cache keyed by the normalised question (dropped with the engine), "typing..." when slow."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bot.asker import Asker, get_asker, normalise
from tests.bot_helpers import running_bot


class SlowEngine:
    """The session engine, with ``ask_many`` slowed down and recorded (calls, overlap)."""

    def __init__(self, engine, delay: float = 0.2, delays: dict[str, float] | None = None) -> None:
        self._engine, self.delay, self.delays = engine, delay, delays or {}
        self.calls: list[list[str]] = []
        self.running = self.peak = 0
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def ask_many(self, questions, *args, **kwargs):
        with self._lock:
            self.calls.append(list(questions))
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(max(self.delays.get(q, self.delay) for q in questions))
            return self._engine.ask_many(questions, *args, **kwargs)
        finally:
            with self._lock:
                self.running -= 1

    def ask(self, question, top_k=None):
        return self.ask_many([question], top_k)[0]


async def test_one_chat_is_answered_in_order_while_others_go_ahead(engine):
    # the first question is slow: the chat's next ones wait for it, another chat does not
    slow = SlowEngine(engine, delay=0.05, delays={"Was sagt Heusgen zum US-Friedensplan?": 1.5})
    async with running_bot(slow) as bot:
        first = bot.api.send_text(101, "Was sagt Heusgen zum US-Friedensplan?")
        second = bot.api.send_text(101, "Ist das Baltikum bedroht?")
        third = bot.api.send_text(101, "Was ist Rutte früher gewesen?")
        other = await bot.say(202, "Was sagt Heusgen über Russland?", timeout=30)
        assert other and len(bot.api.bot_messages(101)) == 0  # chat 202 was answered during chat 101's first
        await bot.api.wait_for(messages=3, chat_id=101, timeout=30)
        expected = [(await bot.say(110 + i, q["text"], timeout=30))[0]["text"] for i, q in enumerate((first, second, third))]
        assert len(set(expected)) == 3
        assert [m["text"] for m in bot.api.bot_messages(101)] == expected


async def test_engine_calls_are_capped_and_waiting_questions_batched(engine):
    slow = SlowEngine(engine, delay=0.3)
    async with running_bot(slow) as bot:
        asker = get_asker(bot.app.bot_data)
        questions = ["Wer ist Mark Rutte?", "Was sagt Heusgen?", "Was fordert Rutte?", "Wo tagt die Nato?",
                     "Wie viel geben die Staaten für Verteidigung aus?", "Was sagt Merz?", "Wer ist Heusgen?",
                     "Was passiert in der Ukraine?"]
        for i, q in enumerate(questions):
            bot.api.send_text(300 + i, q)
        for i in range(len(questions)):
            await bot.api.wait_for(messages=1, chat_id=300 + i, timeout=60)
        assert slow.peak <= asker.limit
        assert len(slow.calls) < len(questions)  # some went in together
        assert sorted(q for call in slow.calls for q in call) == sorted(questions)


async def test_the_same_question_is_answered_from_the_cache_until_the_engine_changes(engine):
    slow = SlowEngine(engine, delay=0.0)
    async with running_bot(slow) as bot:
        first = await bot.say(401, "Wer ist Mark Rutte?", timeout=30)
        again = await bot.say(402, "  wer ist  MARK Rutte ", timeout=30)
        assert len(slow.calls) == 1
        assert first[0]["text"] == again[0]["text"]
        asker = get_asker(bot.app.bot_data)
        assert asker.hits == 1
        # a new engine (a rebuilt index) starts with an empty cache
        bot.app.bot_data.engine = SlowEngine(engine, delay=0.0)
        assert get_asker(bot.app.bot_data) is not asker
        await bot.say(403, "Wer ist Mark Rutte?", timeout=30)
        assert len(bot.app.bot_data.engine.calls) == 1


async def test_typing_is_shown_only_when_an_answer_takes_long(engine):
    slow = SlowEngine(engine, delay=0.0, delays={"Was sagt Heusgen?": 0.8})
    async with running_bot(slow) as bot:
        await bot.say(501, "Wer ist Mark Rutte?", timeout=30)
        await bot.say(502, "Was sagt Heusgen?", timeout=30)
        actions = [(int(c.params["chat_id"]), c.params["action"]) for c in bot.api.calls_of("sendChatAction")]
        assert (502, "typing") in actions
        assert all(chat != 501 for chat, _ in actions)


def test_normalised_question():
    assert normalise("  Wer ist\tMARK Rutte?? ") == normalise("wer ist mark rutte") == "wer ist mark rutte"


async def test_asker_hands_engine_errors_to_every_waiting_question():
    class Broken:
        def ask_many(self, questions):
            raise ValueError("boom")

        def ask(self, question):
            raise ValueError("boom")

    asker = Asker(Broken(), limit=1)
    results = await asyncio.gather(asker.ask("a"), asker.ask("b"), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert asker._running == 0
