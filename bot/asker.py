"""Answering many chats at once: concurrency, order, batching, a cache and "typing...".

* :class:`ChatOrderedProcessor` (PTB's ``concurrent_updates``): updates of different chats are
  handled concurrently, at most ``MAX_CONCURRENT_UPDATES`` at a time (they mostly wait for the Bot
  API); updates of one chat one after the other, in the order they arrived.
* :class:`Asker`: the engine answers at most ``limit`` calls at a time (the cores this process
  may use, :func:`index.threads.thread_count`); questions that arrive while it is busy wait and go
  in together as one ``engine.ask_many`` call (one batched forward pass, bench/speed.py), up to
  ``MAX_BATCH``. Answers are kept in an LRU keyed by the normalised question, dropped when the
  engine (and so the index) changes.
* :func:`typing_while` shows "typing..." in the chat when an answer takes longer than
  ``TYPING_AFTER`` seconds (and renews it every ``TYPING_EVERY`` seconds, Telegram shows it ~5 s).

Handlers call :func:`ask` instead of ``engine.ask``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from typing import TYPE_CHECKING, Awaitable, Callable

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseUpdateProcessor

from .tuning import CACHE_SIZE, MAX_BATCH, MAX_CONCURRENT_UPDATES, TYPING_AFTER, TYPING_EVERY

if TYPE_CHECKING:
    from index.article import Retriever
    from index.schema import Answer

log = logging.getLogger(__name__)



class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent updates, bounded, each chat's in arrival order (a FIFO lock per chat)."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[object, list] = {}  # key -> [users, asyncio.Lock]

    @staticmethod
    def key(update: object) -> object:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return None

    async def process_update(self, update: object, coroutine: Awaitable) -> None:  # type: ignore[override]
        """The chat's turn first (so waiting for it holds no slot), then a slot."""
        key = self.key(update)
        if key is None:
            await super().process_update(update, coroutine)
            return
        entry = self._chats.setdefault(key, [0, asyncio.Lock()])
        entry[0] += 1
        try:
            async with entry[1]:  # asyncio.Lock wakes its waiters in order
                await super().process_update(update, coroutine)
        finally:
            entry[0] -= 1
            if entry[0] == 0:
                self._chats.pop(key, None)

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def normalise(question: str) -> str:
    """The cache key: NFKC, case-folded, spaces collapsed, trailing punctuation and spaces dropped."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return re.sub(r"\s+", " ", text).strip().rstrip("?!.。？！ ").strip()


class Asker:
    """The bot's way to the engine: bounded, batched, cached (see the module docstring)."""

    def __init__(self, engine: Retriever, limit: int | None = None, max_batch: int = MAX_BATCH,
                 cache_size: int = CACHE_SIZE) -> None:
        if limit is None:
            from index.threads import thread_count

            limit = thread_count()
        self.engine = engine
        self.limit = max(1, int(limit))
        self.max_batch = max(1, int(max_batch))
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Answer] = OrderedDict()
        self._waiting: list[tuple[str, str, asyncio.Future]] = []
        self._running = 0
        self.calls = 0  # engine calls made
        self.batched = 0  # questions answered in a call with others
        self.hits = 0  # answers from the cache

    def clear(self) -> None:
        self._cache.clear()

    async def ask(self, question: str) -> Answer:
        key = normalise(question)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return cached
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((key, question, future))
        self._start()
        return await future

    def _start(self) -> None:
        while self._waiting and self._running < self.limit:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch:]
            self._running += 1
            asyncio.get_running_loop().create_task(self._answer(batch))

    async def _answer(self, batch: list[tuple[str, str, asyncio.Future]]) -> None:
        # one question per distinct key: the same question asked twice at once is answered once
        unique: dict[str, str] = {}
        for key, question, _ in batch:
            unique.setdefault(key, question)
        engine = self.engine
        try:
            texts = list(unique.values())
            if len(texts) == 1:  # engine.ask: what a lone question always called
                answers = [await asyncio.to_thread(engine.ask, texts[0])]
            else:
                answers = await asyncio.to_thread(engine.ask_many, texts)
        except BaseException as exc:  # hand the error to each waiting handler (its error handler reports it)
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
            if not isinstance(exc, Exception):
                raise
        else:
            self.calls += 1
            if len(batch) > 1:
                self.batched += len(batch)
            by_key = dict(zip(unique, answers))
            if engine is self.engine:  # not answered by an engine (index) that was replaced meanwhile
                for key, answer in by_key.items():
                    self._cache[key] = answer
                    self._cache.move_to_end(key)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            for key, _, future in batch:
                if not future.done():
                    future.set_result(by_key[key])
        finally:
            self._running -= 1
            self._start()


def get_asker(bot_data) -> Asker:
    """The application's :class:`Asker` for its current engine; a new engine (a new index) gets a
    new one, so the cached answers go with the old index."""
    engine = bot_data.engine
    if engine is None:
        raise RuntimeError("the engine is not open (post_init has not run)")
    asker = getattr(bot_data, "asker", None)
    if asker is None or asker.engine is not engine:
        asker = Asker(engine)
        bot_data.asker = asker
    return asker


async def typing_while(awaitable: Awaitable, send_action: Callable[[], Awaitable] | None,
                       after: float = TYPING_AFTER, every: float = TYPING_EVERY):
    """Await ``awaitable``; if it takes longer than ``after`` seconds, ``send_action()`` (the
    "typing..." chat action) then, and again every ``every`` seconds until it is done."""
    task = asyncio.ensure_future(awaitable)
    if send_action is None:
        return await task
    delay = after
    while True:
        done, _ = await asyncio.wait({task}, timeout=delay)
        if done:
            return task.result()
        try:
            await send_action()
        except Exception as exc:  # "typing..." is a courtesy: never fail the answer for it
            log.debug("chat action failed: %s", exc)
        delay = every


async def ask(update: Update, context, question: str) -> Answer:
    """The engine's answer to ``question`` for the chat of ``update``: through the bot's
    :class:`Asker`, with "typing..." while it takes long."""
    asker = get_asker(context.bot_data)
    chat = update.effective_chat
    send = None
    if chat is not None:
        def send():
            return context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    return await typing_while(asker.ask(question), send)
