"""FakeBotAPI: the fake Telegram a test talks to — the user side, the Bot API dispatcher with
fault injection, the call log, and waiting for the bot to react."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import re
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

# Importing the method modules registers their handlers.
from . import bot_setup, chats, queries  # noqa: F401
from . import messages as message_methods  # noqa: F401
from .errors import ApiError, bad_gateway, not_found, retry_after, unauthorized
from .params import HANDLERS, Params
from .state import JSON, Call
from .transport import FakeRequest
from .users import UserActions

TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
DUMP_CALLS = 15

Predicate = Callable[["FakeBotAPI"], Any]


@dataclass
class Reply:
    """What the transport sends back: an HTTP status and JSON body, unless ``network_fault``
    says to fail like a network would ("timeout": no answer; "drop": connection closed)."""

    status: int
    body: JSON
    network_fault: str | None = None


class FakeBotAPI(UserActions):
    """An in-memory Telegram for one bot. See the package docstring for the whole interface."""

    # --- transports -------------------------------------------------------------------------

    def request(self, *, read_timeout: float | None = 5.0) -> FakeRequest:
        """A python-telegram-bot ``BaseRequest`` that calls this API in-process."""
        return FakeRequest(self, read_timeout=read_timeout)

    async def handle(self, token: str, method: str, params: JSON) -> Reply:
        """Runs one Bot API call as Telegram would, records it, and returns the reply."""
        call = Call(method, copy.deepcopy(params))
        try:
            return await self._run(call, token, params)
        except ApiError as err:
            call.error = err.description
            return Reply(err.code, err.body())
        except asyncio.CancelledError:
            call.error = "cancelled: the client stopped waiting"
            raise
        except Exception as exc:  # a bug in the fake: recorded, and raised to the test
            call.error = f"internal error in the fake Bot API: {exc!r}"
            raise
        finally:
            self.record(call)

    async def _run(self, call: Call, token: str, params: JSON) -> Reply:
        if token != self.token:
            raise unauthorized() if TOKEN_SHAPE.match(token) else not_found()
        fault = self.faults.take(call.method)
        if fault is not None and fault.kind == "retry_after":
            raise retry_after(fault.retry_after)
        if fault is not None and fault.kind == "server_error":
            raise bad_gateway()
        if fault is not None and fault.kind != "late_timeout":
            call.error = f"injected {fault.kind}"
            return Reply(0, {}, fault.kind)
        handler = HANDLERS.get(call.method.lower())
        if handler is None:
            raise not_found()
        result = handler(self, Params(params))
        if inspect.isawaitable(result):
            result = await result
        call.response = json.loads(json.dumps(result))
        if fault is not None:
            call.error = "injected late_timeout: executed, but the answer was lost"
            return Reply(0, {}, "timeout")
        return Reply(200, {"ok": True, "result": call.response})

    # --- fault injection --------------------------------------------------------------------

    def inject(self, method: str, fault: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Makes the next ``times`` calls of ``method`` (any case, or "*") fail with ``fault``:
        "retry_after", "server_error", "timeout", "late_timeout" or "drop"."""
        self.faults.inject(method, fault, times=times, retry_after=retry_after)

    def reset_faults(self) -> None:
        self.faults.reset()

    # --- what the bot did -------------------------------------------------------------------

    def bot_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages the bot sent, oldest first."""
        with self.lock:
            return [
                stored.view()
                for (chat, _), stored in self.messages.items()
                if stored.from_bot and (chat_id is None or chat == chat_id)
            ]

    def calls_of(self, method: str) -> list[Call]:
        """The recorded calls of one method (case-insensitive)."""
        with self.lock:
            return [call for call in self.calls if call.method.lower() == method.lower()]

    # --- waiting ----------------------------------------------------------------------------

    def _check(self, predicate: Predicate | None, messages: int | None, chat_id: int | None) -> Any:
        if predicate is None and messages is None:
            raise ValueError("wait_for needs a predicate or messages=")
        with self.lock:
            if messages is not None:
                sent = self.bot_messages(chat_id)
                if len(sent) < messages:
                    return None
                if predicate is None:
                    return sent
            return predicate(self) if predicate else None

    def _timeout_report(self, timeout: float, messages: int | None, chat_id: int | None) -> str:
        with self.lock:
            recent = self.calls[-DUMP_CALLS:]
            lines = [
                f"condition not met within {timeout}s"
                + (f" (wanted {messages} bot message(s){f' in chat {chat_id}' if chat_id is not None else ''},"
                   f" have {len(self.bot_messages(chat_id))})" if messages is not None else ""),
                f"pending updates: {len(self.updates)}; calls so far: {len(self.calls)}; last {len(recent)}:",
            ]
            for call in recent:
                params = {k: v for k, v in call.params.items() if k not in ("timeout", "offset")}
                outcome = f"ERROR {call.error}" if call.error else "ok"
                lines.append(f"  {call.method} {json.dumps(params, ensure_ascii=False)[:200]} -> {outcome}")
            return "\n".join(lines)

    def _steps(
        self, predicate: Predicate | None, messages: int | None, chat_id: int | None, timeout: float
    ) -> Generator[tuple[int, float], None, Any]:
        """The waiting loop without the waiting: yields ``(version, seconds left)`` while the
        condition is unmet, returns its outcome, raises AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            version = self.changed.version
            outcome = self._check(predicate, messages, chat_id)
            if outcome:
                return outcome
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._timeout_report(timeout, messages, chat_id))
            yield version, remaining

    async def wait_for(
        self,
        predicate: Predicate | None = None,
        *,
        messages: int | None = None,
        chat_id: int | None = None,
        timeout: float = 10.0,
    ) -> Any:
        """Waits until ``predicate(api)`` is truthy (returns its value) or until the bot has
        sent ``messages`` messages (in ``chat_id``; returns them). Wakes on every change;
        raises AssertionError with the recent calls on timeout."""
        steps = self._steps(predicate, messages, chat_id, timeout)
        try:
            while True:
                await self.changed.wait(*next(steps))
        except StopIteration as done:
            return done.value

    def wait_for_sync(
        self,
        predicate: Predicate | None = None,
        timeout: float = 10.0,
        *,
        messages: int | None = None,
        chat_id: int | None = None,
    ) -> Any:
        """Blocking :meth:`wait_for`, for a test thread while the bot talks to a server thread."""
        steps = self._steps(predicate, messages, chat_id, timeout)
        try:
            while True:
                self.changed.wait_sync(*next(steps))
        except StopIteration as done:
            return done.value
