"""Helpers for the bot tests: a checker for Telegram's HTML subset and small value builders."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from index.schema import Answer, Hit, Passage

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                 "span", "tg-spoiler", "tg-emoji"}
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def html_problems(message: str) -> list[str]:
    """What Telegram would reject in ``message`` (tags and stray ``<``/``&``); [] when fine."""
    checker = _Checker()
    checker.feed(message)
    checker.close()
    problems = list(checker.errors)
    if checker.stack:
        problems.append(f"unclosed {checker.stack}")
    if "<" in "".join(checker.text) and "&lt;" not in message:
        problems.append("a raw '<' in the text")
    return problems


def plain(message: str) -> str:
    checker = _Checker()
    checker.feed(message)
    checker.close()
    return html.unescape("".join(checker.text))


def passage(pid: int = 5, text: str = "Erster Satz. Zweiter Satz mit <Tag> & Co. Dritter.", *, kind: str = "paragraph",
            section: str = "Abschnitt & Co", credit: str = "") -> Passage:
    return Passage(id=pid, article_id="a", kind=kind, section=section, text=text, credit=credit)


def hit(p: Passage, sentence: str) -> Hit:
    start = p.text.index(sentence)
    return Hit(passage=p, score=1.0, quote=sentence, quote_start=start, quote_end=start + len(sentence))


def answer(*hits: Hit, question: str = "Frage?") -> Answer:
    return Answer(question=question, answered=bool(hits), hits=tuple(hits), reason="answer" if hits else "not_in_article")


# ---- driving the real Application through the fake Bot API ----------------------------------
BOT_USERNAME = "article_test_bot"


class Harness:
    """A running bot (long polling against a FakeBotAPI) and shortcuts for the test's side."""

    def __init__(self, api, app) -> None:
        self.api, self.app = api, app

    async def say(self, chat_id: int, text: str, *, answers: int = 1, timeout: float = 15, **kwargs) -> list[dict]:
        """A user writes ``text``; returns the ``answers`` new bot messages in that chat."""
        before = len(self.api.bot_messages(chat_id))
        self.api.send_text(chat_id, text, **kwargs)
        sent = await self.api.wait_for(messages=before + answers, chat_id=chat_id, timeout=timeout)
        return sent[before:]

    async def press(self, chat_id: int, message: dict, data: str, *, user_id: int, answers: int = 1,
                    check_button: bool = True) -> tuple[dict, list[dict]]:
        """A user presses a button; returns the callback answer and the new bot messages."""
        before = len(self.api.bot_messages(chat_id))
        query_id = self.api.press_button(chat_id, message["message_id"], data, user_id=user_id, check_button=check_button)
        answer = await self.api.wait_for(lambda api: api.callback_answers.get(query_id))
        sent = await self.api.wait_for(messages=before + answers, chat_id=chat_id) if answers else []
        return answer, sent[before:]

    async def inline(self, query: str, *, user_id: int, **kwargs) -> dict:
        query_id = self.api.inline_query(query, user_id=user_id, **kwargs)
        return await self.api.wait_for(lambda api: api.inline_answers.get(query_id))

    async def edit(self, chat_id: int, message: dict, text: str) -> list[dict]:
        """A user edits their ``message`` to ``text``; waits until the bot has handled the edit
        (:meth:`settle`) and returns the bot's messages in that chat that are new since."""
        before = {m["message_id"] for m in self.api.bot_messages(chat_id)}
        self.api.edit_text(chat_id, message["message_id"], text)
        return [m for m in await self.settle(chat_id) if m["message_id"] not in before]

    async def settle(self, chat_id: int) -> list[dict]:
        """Waits until every update sent so far is handled (updates are handled in order, so
        that is when a /source sent now is answered); returns the bot's other messages in the
        chat."""
        from bot.formatting import format_source, strip_tags

        engine = self.app.bot_data.engine
        sources = {strip_tags(format_source(engine.article.meta, len(engine.article.passages), lang)) for lang in ("en", "de")}
        command = self.api.send_text(chat_id, "/source", user_id=chat_id if chat_id > 0 else 1)

        def answered(api):
            return next((m for m in api.bot_messages(chat_id)
                         if m["message_id"] > command["message_id"] and m["text"] in sources), None)

        source = await self.api.wait_for(answered)
        return [m for m in self.api.bot_messages(chat_id) if m["message_id"] != source["message_id"]]


def bot_settings(**overrides):
    from bot.settings import BotSettings
    from tests.fakebotapi import TOKEN

    return BotSettings(**{"token": TOKEN, "rate_limiter": False, **overrides})


async def start_app(app, webhook: dict | None = None) -> None:
    """What ``Application.run_polling``/``run_webhook`` do before they idle (post_init included):
    long polling, or with ``webhook`` (``bot.app.webhook_options``) a webhook server."""
    from bot.app import ALLOWED_UPDATES

    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    if webhook is None:
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    else:
        await app.updater.start_webhook(**webhook)
    await app.start()


async def stop_app(app) -> None:
    """What ``Application.run_polling`` does on SIGTERM."""
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


def running_bot(engine, api=None, setup=None, **overrides):
    """``async with running_bot(engine, flood_limit=2) as bot:`` a Harness on a fresh fake;
    ``setup(app)`` runs before the bot starts (e.g. to register another handler module)."""
    import contextlib

    from bot.app import build_application
    from tests.fakebotapi import FakeBotAPI

    @contextlib.asynccontextmanager
    async def run():
        fake = api or FakeBotAPI(bot_username=BOT_USERNAME)
        app = build_application(bot_settings(**overrides), engine=engine,
                                request=fake.request(), get_updates_request=fake.request())
        if setup is not None:
            setup(app)
        await start_app(app)
        try:
            yield Harness(fake, app)
        finally:
            await stop_app(app)

    return run()
