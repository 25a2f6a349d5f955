"""Per-user flood guard: at most ``limit`` questions per ``window`` seconds.

The first question past the limit gets one polite notice (``Verdict.NOTICE``); the ones after it
are dropped silently (``Verdict.SILENT``) until the oldest counted question leaves the window.
Refused questions are not counted. Pure: the clock is injected.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from typing import Callable


class Verdict(enum.Enum):
    ALLOW = "allow"
    NOTICE = "notice"
    SILENT = "silent"


class FloodGuard:
    MAX_USERS = 10_000  # past this many tracked users, idle ones are forgotten

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        if len(self._seen) > self.MAX_USERS:
            self.forget_idle()
        now = self._clock()
        seen = self._seen.setdefault(user_id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._noticed.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._noticed:
            return Verdict.SILENT
        self._noticed.add(user_id)
        return Verdict.NOTICE

    def forget_idle(self) -> None:
        """Drop users with nothing in the window (keeps memory bounded in a long-running bot)."""
        now = self._clock()
        for user_id in [u for u, seen in self._seen.items() if not seen or seen[-1] <= now - self.window]:
            del self._seen[user_id]
            self._noticed.discard(user_id)

    def __len__(self) -> int:
        return len(self._seen)
