"""Daily briefing subscriptions: parsing "HH:MM [time zone]" and the SQLite repository.

Pure and standard library only (no Telegram): the handlers in ``bot/handlers/subscribe.py`` use
:func:`parse_schedule` for ``/subscribe`` and :class:`SubscriptionStore` to keep one
subscription per chat. The database file (``SUBSCRIPTIONS_DB``) and its directory are created
on the first write; reading a missing file gives nothing. Every call opens its own short
connection, so the store is safe to use from any thread.
"""

from __future__ import annotations

import re
import sqlite3
import zoneinfo
from contextlib import closing, contextmanager
from dataclasses import dataclass
import datetime as dtm
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class ScheduleError(ValueError):
    """Why ``/subscribe`` arguments were refused: ``reason`` is "usage" (no arguments),
    "bad_time", "bad_zone" or "extra_args" (an i18n key), ``value`` the offending argument(s)."""

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(f"{reason}: {value!r}" if value else reason)
        self.reason, self.value = reason, value


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def find_zone(name: str) -> str | None:
    """The IANA name of time zone ``name`` ("europe/berlin" -> "Europe/Berlin"), or None."""
    name = name.strip()
    if not name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return _zones_by_folded_name().get(name.casefold())


@dataclass(frozen=True)
class Schedule:
    """Every day at ``hour:minute`` in time zone ``zone`` (an IANA name)."""

    hour: int
    minute: int
    zone: str

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.zone)

    @property
    def time(self) -> dtm.time:
        """The time of day with its time zone, as ``JobQueue.run_daily`` takes it."""
        return dtm.time(self.hour, self.minute, tzinfo=self.tzinfo)

    @property
    def hhmm(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def local_date(self, now: dtm.datetime | None = None) -> str:
        """Today's date (ISO) in the schedule's time zone: a chat gets one briefing per such day."""
        return _now(now).astimezone(self.tzinfo).date().isoformat()

    def next_run(self, now: dtm.datetime | None = None, *, skip_today: bool = False) -> dtm.datetime:
        """The next time it is ``hour:minute`` in the zone, after ``now`` (not today if ``skip_today``)."""
        local = _now(now).astimezone(self.tzinfo)
        day = local.date()
        at = dtm.datetime.combine(day, dtm.time(self.hour, self.minute), tzinfo=self.tzinfo)
        if at <= local or skip_today:
            at = dtm.datetime.combine(day + dtm.timedelta(days=1), dtm.time(self.hour, self.minute), tzinfo=self.tzinfo)
        return at


def _now(now: dtm.datetime | None) -> dtm.datetime:
    return now or dtm.datetime.now(dtm.timezone.utc)


def parse_schedule(args: Sequence[str], default_zone: str) -> Schedule:
    """``["08:00"]`` or ``["8.30", "Europe/Vienna"]`` -> :class:`Schedule`; raises ScheduleError
    naming the first thing that is wrong: no time, a bad time, an unknown zone (all the words after
    the time when they are more than one: "New York"), or words after a valid zone."""
    if not args:
        raise ScheduleError("usage")
    match = TIME.match(args[0].strip())
    if match is None:
        raise ScheduleError("bad_time", args[0])
    raw_zone = args[1] if len(args) >= 2 else default_zone
    zone = find_zone(raw_zone)
    if zone is None:
        raise ScheduleError("bad_zone", " ".join(args[1:]) or raw_zone)
    if len(args) > 2:
        raise ScheduleError("extra_args", " ".join(args[2:]))
    return Schedule(int(match.group(1)), int(match.group(2)), zone)


@dataclass(frozen=True)
class Subscription:
    """One chat's daily briefing. ``last_sent`` is the local date of the last post; an inactive
    subscription (the bot was blocked or removed) keeps its row and says why in ``note``."""

    chat_id: int
    schedule: Schedule
    chat_type: str = "private"
    title: str = ""
    lang: str = "en"
    created_by: int | None = None
    created_at: str = ""
    last_sent: str | None = None
    active: bool = True
    note: str = ""

    def next_post(self, now: dtm.datetime | None = None) -> dtm.datetime:
        """When the next briefing goes out (tomorrow if today's was already posted)."""
        return self.schedule.next_run(now, skip_today=self.last_sent == self.schedule.local_date(now))


SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id    INTEGER PRIMARY KEY,
    chat_type  TEXT    NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    hour       INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    minute     INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 59),
    zone       TEXT    NOT NULL,
    lang       TEXT    NOT NULL DEFAULT 'en',
    created_by INTEGER,
    created_at TEXT    NOT NULL,
    last_sent  TEXT,
    active     INTEGER NOT NULL DEFAULT 1,
    note       TEXT    NOT NULL DEFAULT ''
)
"""
COLUMNS = "chat_id, chat_type, title, hour, minute, zone, lang, created_by, created_at, last_sent, active, note"


def _row(row: tuple) -> Subscription:
    chat_id, chat_type, title, hour, minute, zone, lang, created_by, created_at, last_sent, active, note = row
    return Subscription(chat_id, Schedule(hour, minute, zone), chat_type, title, lang, created_by, created_at,
                        last_sent, bool(active), note)


class SubscriptionStore:
    """One row per chat in the SQLite file ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            with conn:  # one transaction: committed on success, rolled back on error
                conn.execute(SCHEMA)
                yield conn

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if not self.path.exists():  # reading never creates the file
            return []
        with self._connect() as conn:
            return conn.execute(sql, params).fetchall()

    def _change(self, sql: str, params: tuple) -> int:
        with self._connect() as conn:
            return conn.execute(sql, params).rowcount

    def save(self, sub: Subscription) -> Subscription:
        """Insert or replace the chat's subscription (active again; the last post date is kept,
        so a chat never gets two briefings on one day)."""
        created_at = sub.created_at or _now(None).isoformat(timespec="seconds")
        self._change(
            f"INSERT INTO subscriptions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '') "
            "ON CONFLICT(chat_id) DO UPDATE SET chat_type=excluded.chat_type, title=excluded.title, "
            "hour=excluded.hour, minute=excluded.minute, zone=excluded.zone, lang=excluded.lang, "
            "created_by=excluded.created_by, created_at=excluded.created_at, active=1, note=''",
            (sub.chat_id, sub.chat_type, sub.title, sub.schedule.hour, sub.schedule.minute, sub.schedule.zone,
             sub.lang, sub.created_by, created_at, sub.last_sent),
        )
        saved = self.get(sub.chat_id)
        assert saved is not None
        return saved

    def get(self, chat_id: int) -> Subscription | None:
        rows = self._query(f"SELECT {COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return _row(rows[0]) if rows else None

    def active(self) -> list[Subscription]:
        return [_row(r) for r in self._query(f"SELECT {COLUMNS} FROM subscriptions WHERE active = 1 ORDER BY chat_id")]

    def remove(self, chat_id: int) -> bool:
        return self._change("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) > 0

    def mark_sent(self, chat_id: int, day: str) -> None:
        self._change("UPDATE subscriptions SET last_sent = ? WHERE chat_id = ?", (day, chat_id))

    def disable(self, chat_id: int, note: str) -> None:
        self._change("UPDATE subscriptions SET active = 0, note = ? WHERE chat_id = ?", (note, chat_id))

    def move(self, old_chat_id: int, new_chat_id: int, chat_type: str = "supergroup") -> Subscription | None:
        """A group became a supergroup with a new id: its subscription follows (schedule, language,
        last post date kept). Telegram announces the move twice (in the old and in the new chat),
        so moving again is a no-op; a subscription the new chat already has is kept. Returns the
        new chat's subscription, or None when neither chat has one."""
        with self._connect() as conn:
            taken = conn.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?", (new_chat_id,)).fetchone()
            if taken:
                conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            else:
                conn.execute("UPDATE subscriptions SET chat_id = ?, chat_type = ? WHERE chat_id = ?",
                             (new_chat_id, chat_type, old_chat_id))
        return self.get(new_chat_id)
