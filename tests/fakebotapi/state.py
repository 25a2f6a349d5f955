"""The fake Telegram's memory: users, chats, messages, the update queue, open queries, and the
record of every call. Guarded by one re-entrant lock so a test thread and a server thread can
share it; every change wakes the waiters through :class:`ChangeSignal`."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import QUERY_TOO_OLD, ApiError, bad_request, forbidden
from .faults import FaultPlan

JSON = dict[str, Any]

TOKEN = "123456789:AAF-fake-token-for-tests_0123456789abc"
FIRST_UPDATE_ID = 100_000
# Telegram does not send these unless they are named in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


@dataclass
class Call:
    """One Bot API call the bot made, successful or not."""

    method: str
    params: JSON
    response: Any = None  # the ``result`` of a successful call
    error: str | None = None  # the error description (or network fault) of a failed one
    at: float = field(default_factory=time.monotonic)


@dataclass
class StoredMessage:
    """A message in a chat: the Message object as Telegram returns it, plus what the bot sent."""

    message: JSON
    from_bot: bool
    sent: JSON = field(default_factory=dict)  # raw_text, parse_mode, reply_markup, ... as given

    def view(self) -> JSON:
        """The message as tests see it: the Message object overlaid with the request's fields."""
        return copy.deepcopy({**self.message, **self.sent})


@dataclass
class OpenQuery:
    """A callback or inline query that the bot may answer once, within the query TTL."""

    kind: str  # "callback_query" | "inline_query"
    created: float = field(default_factory=time.monotonic)
    answered: bool = False
    expired: bool = False


class ChangeSignal:
    """A version counter that wakes sync waiters and async waiters on any loop or thread."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.version = 0

    def fire(self) -> None:
        with self._condition:
            self.version += 1
            self._condition.notify_all()
            waiters = list(self._waiters)
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, event in waiters:
            if loop is current:
                event.set()
            elif not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, since: int, timeout: float) -> None:
        """Returns once the version differs from ``since`` or ``timeout`` seconds have passed."""
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._condition:
            if self.version != since:
                return
            self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter[1].wait(), max(timeout, 0))
        except TimeoutError:
            pass
        finally:
            with self._condition:
                self._waiters.discard(waiter)

    def wait_sync(self, since: int, timeout: float) -> None:
        """Blocking form of :meth:`wait`, for a test thread driving a server thread."""
        with self._condition:
            self._condition.wait_for(lambda: self.version != since, max(timeout, 0))


class BotState:
    """Storage and the low-level operations shared by the Bot API methods and the user side."""

    def __init__(
        self,
        token: str = TOKEN,
        bot_id: int | None = None,
        bot_username: str = "article_test_bot",
        bot_first_name: str = "Article Bot",
    ) -> None:
        self.token = token
        bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_user: JSON = {"id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}
        self.lock = threading.RLock()
        self.changed = ChangeSignal()
        self.query_ttl = 15.0
        self.strict_ampersand = True  # reject a bare "&" in HTML (Telegram would keep it)
        self.faults = FaultPlan()
        self.hang_seconds = 30.0  # how long the HTTP server stays silent for a "timeout" fault
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.member_statuses: dict[tuple[int, int], str] = {}
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}  # basic group id -> the supergroup it was upgraded to
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self.updates: list[JSON] = []
        self.last_update: JSON | None = None
        self._next_update_id = FIRST_UPDATE_ID
        self.allowed_updates: list[str] | None = None
        self.queries: dict[str, OpenQuery] = {}
        self._next_query_id = 4_000_000_000_000_000_000
        self.callback_answers: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        self.my_commands: dict[tuple[str | None, str], list[JSON]] = {}
        self.webhook: JSON | None = None
        self.calls: list[Call] = []
        self._poll_generation = 0

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    # --- chats and users --------------------------------------------------------------------

    def lookup_user(self, user_id: int) -> JSON | None:
        with self.lock:
            user = self.users.get(user_id)
            return dict(user) if user else None

    def get_chat(self, chat_id: int | str) -> JSON:
        """The Chat object for ``chat_id`` (a number or ``@username``); 400 if unknown."""
        with self.lock:
            if isinstance(chat_id, str):
                for chat in self.chats.values():
                    if chat.get("username") and f"@{chat['username']}".lower() == chat_id.lower():
                        return chat
            elif chat_id in self.chats:
                return self.chats[chat_id]
        raise bad_request("chat not found")

    def writable_chat(self, chat_id: int | str) -> JSON:
        """The chat, if the bot may post into it; 403 once the chat blocked or kicked the bot,
        400 with ``migrate_to_chat_id`` once a basic group was upgraded to a supergroup."""
        chat = self.get_chat(chat_id)
        if chat["id"] in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.migrated[chat["id"]]})
        if chat["id"] in self.blocked:
            if chat["type"] == "private":
                raise forbidden("bot was blocked by the user")
            raise forbidden(f"bot was kicked from the {chat['type']} chat")
        return chat

    def member_status(self, chat_id: int, user_id: int) -> str:
        """Membership as getChatMember reports it; the bot administers channels by default."""
        with self.lock:
            default = "member"
            if user_id == self.bot_id and self.chats.get(chat_id, {}).get("type") == "channel":
                default = "administrator"
            return self.member_statuses.get((chat_id, user_id), default)

    # --- messages ---------------------------------------------------------------------------

    def new_message_id(self, chat_id: int) -> int:
        with self.lock:
            self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
            return self._last_message_id[chat_id]

    def store(self, message: JSON, *, from_bot: bool, sent: JSON | None = None) -> StoredMessage:
        with self.lock:
            stored = StoredMessage(message, from_bot, sent or {})
            self.messages[(message["chat"]["id"], message["message_id"])] = stored
        return stored

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        with self.lock:
            return self.messages.get((chat_id, message_id))

    # --- updates ----------------------------------------------------------------------------

    def make_update(self, kind: str, obj: JSON) -> JSON:
        """A new Update of ``kind`` ("message", "callback_query", ...) with a fresh update_id,
        not queued; remembered as :attr:`last_update`."""
        with self.lock:
            update = {"update_id": self._next_update_id, kind: copy.deepcopy(obj)}
            self._next_update_id += 1
            self.last_update = update
            return update

    def enqueue(self, kind: str, obj: JSON) -> JSON:
        """Builds an Update and queues it for getUpdates, unless allowed_updates excludes it."""
        with self.lock:
            update = self.make_update(kind, obj)
            allowed = self.allowed_updates
            wanted = kind in allowed if allowed else kind not in OPT_IN_UPDATES
            if wanted:
                self.updates.append(update)
        self.changed.fire()
        return update

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self.lock:
            return len(self.updates)

    def confirm_updates(self, offset: int) -> None:
        """Forgets confirmed updates: ids below a positive offset, all but the last -offset."""
        with self.lock:
            if offset > 0:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            elif offset < 0:
                self.updates = self.updates[offset:]

    def start_poll(self) -> int:
        """Registers a getUpdates request; an older one still waiting ends with 409."""
        with self.lock:
            self._poll_generation += 1
            generation = self._poll_generation
        self.changed.fire()
        return generation

    def poll_superseded(self, generation: int) -> bool:
        with self.lock:
            return generation != self._poll_generation

    # --- queries ----------------------------------------------------------------------------

    def open_query(self, kind: str) -> str:
        with self.lock:
            query_id = str(self._next_query_id)
            self._next_query_id += 7919
            self.queries[query_id] = OpenQuery(kind)
            return query_id

    def claim_query(self, query_id: str, kind: str) -> None:
        """Marks a query answered; 400 if it is unknown, answered, or older than the TTL."""
        with self.lock:
            query = self.queries.get(query_id)
            too_old = query is not None and (query.expired or time.monotonic() - query.created > self.query_ttl)
            if query is None or query.kind != kind or query.answered or too_old:
                raise bad_request(QUERY_TOO_OLD)
            query.answered = True

    def expire_queries(self) -> None:
        """Lets every open query run out, as if the bot had waited too long."""
        with self.lock:
            for query in self.queries.values():
                query.expired = True

    # --- call log ---------------------------------------------------------------------------

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)
        self.changed.fire()


__all__ = ["BotState", "Call", "ChangeSignal", "OpenQuery", "StoredMessage", "TOKEN"]
