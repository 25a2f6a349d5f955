"""Driving the real bot (``bot.app.build_application``) through the in-process fake Bot API.

A question goes in as a user's message queued for getUpdates; its latency ends when the bot's
``sendMessage`` call for that chat reaches the fake (``Call.at``, monotonic clock). Everything
runs in one process and one event loop, so the fake Telegram's own work (validation, copies)
is included in the numbers and shares the two cores with the bot.

Harness-only knobs, clearly not the bot's configuration:

* ``concurrent``: PTB's ``concurrent_updates``. ``BotSettings`` does not expose it, so the bot
  as shipped handles one update at a time; the harness builds the same Application with a
  builder that turns it on (a subclass of ``ApplicationBuilder`` swapped in while building).
* :class:`BatchingEngine`: concurrent ``engine.ask`` calls answered by one ``engine.ask_many``
  (micro-batching), to show what batching would give. The engine and the bot are unchanged.
* :class:`CachedEngine`: answers computed once beforehand, so the run measures the bot and the
  fake without the model: the ceiling the Telegram side allows on this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from concurrent.futures import Future

import common  # noqa: F401  (sys.path)

from tests.fakebotapi import FakeBotAPI

FIRST_USER = 1_000_000
ANSWER_TIMEOUT = 120.0


def ui_language(lang: str) -> str:
    return "de" if lang == "de" else "en"


class RecordingAPI(FakeBotAPI):
    """The fake Bot API plus one waiter per chat, resolved by the bot's next sendMessage there."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._waiting: dict[int, asyncio.Future] = {}
        self.answers = 0
        self.extra_messages = 0  # sendMessage calls nobody waited for (a second part of an answer)

    def record(self, call) -> None:
        super().record(call)
        if call.method != "sendMessage" or call.error:
            return
        future = self._waiting.pop(int(call.params.get("chat_id")), None)
        if future is not None and not future.done():
            self.answers += 1
            future.set_result(call.at)
        else:
            self.extra_messages += 1

    def ask(self, user_id: int, question: str, lang: str) -> tuple[float, asyncio.Future]:
        """A user writes ``question`` in their private chat; returns (enqueue time, future of the
        time the answer's sendMessage reached the fake)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[user_id] = future
        enqueued = time.monotonic()
        self.send_text(user_id, question, language_code=ui_language(lang))
        return enqueued, future

    async def latency(self, user_id: int, question: str, lang: str) -> float:
        enqueued, future = self.ask(user_id, question, lang)
        return await asyncio.wait_for(future, ANSWER_TIMEOUT) - enqueued

    def forget(self) -> None:
        """Drop what the fake Telegram stored (call log, messages): it is not the bot's memory."""
        with self.lock:
            self.calls.clear()
            self.messages.clear()
            self.queries.clear()


# ---- engine stand-ins (harness-only) -----------------------------------------------------------
class EngineProxy:
    """Everything but ``ask`` goes to the real engine."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def close(self) -> None:
        """The bot only closes engines it opened itself; nothing to do here."""


class TimedEngine(EngineProxy):
    """Records how long each ``engine.ask`` took inside the bot."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.seconds: list[float] = []

    def ask(self, question: str, top_k: int | None = None):
        start = time.perf_counter()
        try:
            return self._engine.ask(question, top_k)
        finally:
            self.seconds.append(time.perf_counter() - start)


class CachedEngine(EngineProxy):
    """Answers computed beforehand: a run measures the bot and the fake without the model."""

    def __init__(self, engine, questions: list[str]) -> None:
        super().__init__(engine)
        unique = sorted(set(questions))
        self._answers = dict(zip(unique, engine.ask_many(unique)))

    def ask(self, question: str, top_k: int | None = None):
        return self._answers.get(question) or self._engine.ask(question, top_k)


class BatchingEngine(EngineProxy):
    """Micro-batching: ``ask`` calls from the bot's worker threads wait in a queue; one thread
    answers whatever is queued (up to ``max_batch``) with a single ``engine.ask_many``."""

    def __init__(self, engine, max_batch: int = 32, window_s: float = 0.0) -> None:
        super().__init__(engine)
        self.max_batch, self.window_s = max_batch, window_s
        self.batch_sizes: list[int] = []
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="bench-batcher", daemon=True)
        self._thread.start()

    def ask(self, question: str, top_k: int | None = None):
        future: Future = Future()
        self._queue.put((question, top_k, future))
        return future.result()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _take(self) -> list | None:
        first = self._queue.get()
        if first is None:
            return None
        batch, deadline = [first], time.monotonic() + self.window_s
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic())) if self.window_s else \
                    self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
        return batch

    def _serve(self) -> None:
        while (batch := self._take()) is not None:
            by_k: dict = {}
            for item in batch:
                by_k.setdefault(item[1], []).append(item)
            for top_k, items in by_k.items():
                try:
                    answers = self._engine.ask_many([q for q, _, _ in items], top_k)
                except BaseException as exc:  # hand the error to every waiting caller
                    for _, _, future in items:
                        future.set_exception(exc)
                    continue
                for (_, _, future), answer in zip(items, answers):
                    future.set_result(answer)
            self.batch_sizes.append(len(batch))


# ---- the running bot ---------------------------------------------------------------------------
@contextlib.contextmanager
def _concurrent_updates(n: int | None):
    """While building: an ApplicationBuilder that sets ``concurrent_updates(n)``."""
    import bot.app as bot_app

    if not n:
        yield
        return
    original = bot_app.ApplicationBuilder

    class ConcurrentBuilder(original):
        __slots__ = ()

        def build(self):
            self.concurrent_updates(n)
            return super().build()

    bot_app.ApplicationBuilder = ConcurrentBuilder
    try:
        yield
    finally:
        bot_app.ApplicationBuilder = original


@contextlib.asynccontextmanager
async def running_bot(engine, *, concurrent: int | None = None, **settings):
    """``async with running_bot(engine) as (api, app):`` the real Application, long polling
    against a :class:`RecordingAPI`, rate limiter off (tests.bot_helpers.bot_settings)."""
    from bot.app import build_application
    from tests.bot_helpers import BOT_USERNAME, bot_settings, start_app, stop_app

    api = RecordingAPI(bot_username=BOT_USERNAME)
    with _concurrent_updates(concurrent):
        app = build_application(bot_settings(**settings), engine=engine, request=api.request(),
                                get_updates_request=api.request())
    await start_app(app)
    try:
        yield api, app
    finally:
        await stop_app(app)


# ---- load patterns -----------------------------------------------------------------------------
async def sequential(api: RecordingAPI, questions: list[tuple[str, str]], users: int = 100) -> list[float]:
    """One question at a time, each after the previous answer; users take turns."""
    return [await api.latency(FIRST_USER + i % users, q, lang) for i, (q, lang) in enumerate(questions)]


async def closed_loop(api: RecordingAPI, questions: list[tuple[str, str]], users: int, per_user: int) -> dict:
    """``users`` users at once, each asking ``per_user`` questions back to back (the next as soon
    as the answer arrives). Returns latencies and answers per second over the whole run."""
    latencies: list[float] = []

    async def user(u: int) -> None:
        for j in range(per_user):
            q, lang = questions[(u * per_user + j) % len(questions)]
            latencies.append(await api.latency(FIRST_USER + u, q, lang))

    start = time.monotonic()
    await asyncio.gather(*(user(u) for u in range(users)))
    wall = time.monotonic() - start
    return {"latencies": latencies, "wall_s": wall, "answers_per_s": len(latencies) / wall}


async def paced(api: RecordingAPI, questions: list[tuple[str, str]], rate: float, total: int,
                drain_s: float = 60.0) -> dict:
    """Open loop: a new question every 1/rate seconds whatever the bot is doing, each from a
    user of its own (so answers map to questions exactly); then up to ``drain_s`` seconds for the
    backlog. Questions still unanswered by then are counted, not timed."""
    futures = []
    start = time.monotonic()
    for i in range(total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        q, lang = questions[i % len(questions)]
        futures.append(api.ask(FIRST_USER + i, q, lang))
    offered = (total - 1) / (time.monotonic() - start) if total > 1 else rate
    await asyncio.wait([f for _, f in futures], timeout=drain_s)
    arrived = [(t, f.result()) for t, f in futures if f.done()]
    wall = max((a for _, a in arrived), default=time.monotonic()) - start
    return {"latencies": [a - t for t, a in arrived], "unanswered": total - len(arrived), "offered_per_s": offered,
            "answers_per_s": len(arrived) / wall, "wall_s": wall}
