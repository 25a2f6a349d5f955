"""The quote book and the briefing of the engine's article, built once per application.

Both need the model (quotation and sentence vectors), so they are built in a worker thread, at
start (``post_init`` sets ``BotData.library`` once the engine is open and calls
:func:`prepare_library`: the first /quote and /brief do not wait); handlers use
``context.library``. Concurrent uses share
one build; a failed build is logged and tried again on the next use.
Inline mode must answer within seconds, so it only takes what is ready (:meth:`Lazy.ready`,
which starts the build in the background) and falls back to passage cards meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Callable, Generic, TypeVar

from telegram.ext import Application, CallbackContext

if TYPE_CHECKING:  # both pull in numpy; the engine pulls in torch
    from index.article import Article, Embeds
    from index.quotes import QuoteBook
    from index.schema import Briefing

log = logging.getLogger(__name__)

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value built once by ``build`` in a worker thread, on the running event loop."""

    def __init__(self, name: str, build: Callable[[], T]) -> None:
        self.name = name
        self._build = build
        self._task: asyncio.Future[T] | None = None
        self._value: T | None = None

    def _building(self) -> asyncio.Future[T]:
        task = self._task
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            log.info("building the %s", self.name)
            task = self._task = asyncio.ensure_future(asyncio.to_thread(self._build))
            task.add_done_callback(self._log_failure)
        return task

    def _log_failure(self, task: asyncio.Future[T]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("could not build the %s", self.name, exc_info=task.exception())

    async def get(self) -> T:
        """The value, built now if need be (a cancelled caller does not cancel the build)."""
        if self._value is None:
            self._value = await asyncio.shield(self._building())
        return self._value

    def ready(self) -> T | None:
        """The value if it is built; otherwise None, and the build runs in the background."""
        if self._value is None:
            task = self._building()
            if task.done() and not task.cancelled() and task.exception() is None:
                self._value = task.result()
        return self._value


class Library:
    """What the quote and briefing features read: ``await library.quote_book()``,
    ``await library.briefing()``, or ``library.book.ready()`` where waiting is not an option."""

    def __init__(self, article: Article, embeds: Embeds) -> None:
        from index.briefing import make_briefing
        from index.quotes import DocumentVectors, QuoteBook

        vectors = DocumentVectors(embeds)  # one per model: the briefing reuses the book's vectors
        self.book: Lazy[QuoteBook] = Lazy("quote book", lambda: QuoteBook.build(article, embeds, vectors))
        self._briefing: Lazy[Briefing] = Lazy("briefing", lambda: make_briefing(article, self._book_value(), vectors=vectors))

    def _book_value(self) -> QuoteBook:
        book = self.book.ready()
        if book is None:  # pragma: no cover (briefing() awaits the book first)
            raise RuntimeError("the quote book is not built")
        return book

    async def quote_book(self) -> QuoteBook:
        return await self.book.get()

    async def briefing(self) -> Briefing:
        await self.book.get()
        return await self._briefing.get()


async def prepare_library(app: Application) -> None:
    """Build the quote book and the briefing now (``post_init``, after the engine). A failure does
    not stop the bot: it is logged, and the features build again on first use."""
    try:
        await get_library(app).briefing()
    except Exception:  # logged with its traceback by Lazy
        log.warning("the quote book and briefing are not ready; they are built again on first use")


def get_library(context: CallbackContext | Application) -> Library:
    """The application's library (set in ``post_init``; ``context.library`` is the same)."""
    library = context.bot_data.library
    if library is None:
        raise RuntimeError("the quote book and briefing are not set up (post_init has not run)")
    return library
