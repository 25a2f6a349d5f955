"""What the handlers share, and typed access to it.

``BotData`` is the application's ``bot_data`` (one per :class:`~telegram.ext.Application`):
settings, the engine (set in ``post_init``), the flood guard, the recent questions behind the
"More" buttons and the chats already refused. Handlers receive a :class:`BotContext`, whose
``engine`` (the retriever: ask), ``article`` (the text the replies quote: a frozen
:class:`~index.article.Article`), ``settings`` and ``data`` properties are typed and fail loudly
when the engine is missing.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Generic, Hashable, TypeVar

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from .flood import FloodGuard
from .library import Library, get_library
from .settings import BotSettings
from .tuning import ANSWERED_PER_CHAT, RECENT_QUESTIONS

if TYPE_CHECKING:  # the engine pulls in torch and faiss: never at import time
    from index.article import Article
    from index.engine import Engine

    from .subscriptions import SubscriptionStore

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class QuestionRecord:
    """A question the bot answered, so that "More" can ask again and skip what was shown."""

    question: str
    lang: str
    shown: tuple[int, ...]  # passage ids already shown, in order


class LRU(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entries first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


class RecentQuestions(LRU[str, QuestionRecord]):
    """A bounded LRU of questions, keyed by a short random key (callback data is ≤ 64 bytes).

    Keys are random per process, so buttons from before a restart are reported as expired
    instead of being confused with newer questions."""

    def __init__(self, size: int = RECENT_QUESTIONS) -> None:
        super().__init__(size)

    def add(self, record: QuestionRecord) -> str:
        key = secrets.token_urlsafe(6)
        while key in self:
            key = secrets.token_urlsafe(6)
        self.put(key, record)
        return key


class RecentKeys:
    """A bounded set that forgets the oldest keys first (e.g. Context buttons already answered)."""

    def __init__(self, size: int = RECENT_QUESTIONS) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, None] = OrderedDict()

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; False when it was remembered already."""
        if key in self._items:
            self._items.move_to_end(key)
            return False
        self._items[key] = None
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class AnsweredRecord:
    """The bot's reply to one user message: the question as answered and the bot's messages."""

    question: str
    replies: tuple[int, ...]  # message ids of the bot's messages, in order


class AnsweredMessages(LRU[int, AnsweredRecord]):
    """One chat's user messages the bot replied to, by message id, the most recent
    ``ANSWERED_PER_CHAT``: an edit of one of them updates that reply (bot/handlers/replies.py)."""

    def __init__(self, size: int = ANSWERED_PER_CHAT) -> None:
        super().__init__(size)


class BotData:
    """The application's ``bot_data``. Created empty by PTB, filled by ``build_application``."""

    def __init__(self) -> None:
        self.settings: BotSettings | None = None
        self.engine: Engine | None = None
        self.engine_factory: Callable[[], Engine] | None = None
        self.owns_engine = False  # close it in post_shutdown only if post_init opened it
        self.flood: FloodGuard | None = None
        self.questions = RecentQuestions()
        self.contexts_shown = RecentKeys()  # (chat, message, callback data) of Context buttons answered
        self.refused_chats: set[int] = set()
        self.library: Library | None = None  # quote book and briefing, built in post_init
        self.subscriptions: SubscriptionStore | None = None  # given to build_application

    def configure(self, settings: BotSettings, engine: Engine | None, engine_factory: Callable[[], Engine] | None,
                  subscriptions: SubscriptionStore) -> None:
        if engine is None and engine_factory is None:
            raise ValueError("build_application needs an engine or an engine_factory")
        self.settings, self.engine, self.engine_factory = settings, engine, engine_factory
        self.subscriptions = subscriptions
        self.flood = FloodGuard(settings.flood_limit, settings.flood_window)


class BotContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """The context handlers receive (``ContextTypes(context=BotContext, bot_data=BotData)``)."""

    @property
    def data(self) -> BotData:
        return self.bot_data

    @property
    def engine(self) -> Engine:
        return get_engine(self)

    @property
    def article(self) -> Article:
        """The article the engine answers from (passages, sentences, metadata, quotations)."""
        return get_engine(self).article

    @property
    def library(self) -> Library:
        return get_library(self)

    @property
    def settings(self) -> BotSettings:
        settings = self.bot_data.settings
        if settings is None:
            raise RuntimeError("the application was not built with build_application")
        return settings


def get_engine(context: CallbackContext) -> Engine:
    engine = context.bot_data.engine
    if engine is None:
        raise RuntimeError("the engine is not open (post_init has not run)")
    return engine


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
