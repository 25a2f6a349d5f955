"""Start-up: the quote book and the briefing are built in post_init, so the first /quote, /brief
and inline query after a start do not wait for them; a failed build does not stop the bot."""

from __future__ import annotations

import logging

from tests.bot_helpers import running_bot

USER = 42


class NoDocumentVectors:
    """The real engine, except that embedding documents (the quote book's quotations) fails."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def embed_documents(self, texts):
        raise RuntimeError("no model for documents")


async def test_quote_book_and_briefing_are_ready_when_the_bot_starts(engine):
    async with running_bot(engine) as bot:
        library = bot.app.bot_data.library
        assert library is not None, "post_init did not build the library"
        assert library.book.ready() is not None  # built, not just started
        assert library._briefing.ready() is not None
        [brief] = await bot.say(USER, "/brief")
        assert brief["text"].startswith("Briefing")


async def test_a_failed_build_at_start_does_not_stop_the_bot(engine, caplog):
    caplog.set_level(logging.WARNING, logger="bot.library")
    async with running_bot(NoDocumentVectors(engine)) as bot:
        assert any("built again on first use" in r.getMessage() for r in caplog.records)
        [reply] = await bot.say(USER, "Wer kann Putin laut Rutte stoppen?")
        assert "Für den Moment" in reply["text"]
