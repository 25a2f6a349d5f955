"""End to end: each verdict of the engine (answer, unsure, not in the article, small talk)
rendered its own way, in private chats, by /ask, by @mention in groups and in inline mode."""

from __future__ import annotations

import dataclasses

from index.decision import Reason
from tests.bot_helpers import BOT_USERNAME, html_problems, running_bot

USER, GROUP = 42, -100778
PUTIN_DE = "Wer kann Putin laut Rutte stoppen?"
PUTIN_SENTENCE = "Für den Moment aber gebe es nur einen Menschen, der Putin stoppen könne: US-Präsident Donald Trump."
SMALL_TALK = "Hallo, wie geht's?"
UNSURE_EN = "The article may not answer this directly. Closest passages:"
UNSURE_DE = "Der Artikel beantwortet das vielleicht nicht direkt. Die nächstliegenden Stellen:"


class VerdictEngine:
    """The real engine, except that every answer gets the verdict ``reason`` (its passages kept
    unless ``drop_hits``): the bot's rendering is tested independently of the fitted thresholds."""

    def __init__(self, engine, reason: Reason, *, drop_hits: bool = False) -> None:
        self._engine, self._reason, self._drop = engine, reason, drop_hits

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def _force(self, answer):
        return dataclasses.replace(answer, reason=self._reason, answered=self._reason is Reason.ANSWER,
                                   hits=() if self._drop else answer.hits)

    def ask(self, question, *args, **kwargs):
        return self._force(self._engine.ask(question, *args, **kwargs))

    def ask_many(self, questions, *args, **kwargs):  # the bot's Asker batches questions (bot/asker.py)
        return [self._force(a) for a in self._engine.ask_many(questions, *args, **kwargs)]


def buttons(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_unsure_shows_closest_passages_plainly_not_as_an_answer(engine):
    async with running_bot(VerdictEngine(engine, Reason.UNSURE)) as bot:
        [reply] = await bot.say(USER, PUTIN_DE, language_code="de")
        html = reply["raw_text"]
        assert html.startswith(UNSURE_DE) and html_problems(html) == []
        assert "<b>" not in html and "<blockquote>" not in html  # no sentence claims to be the answer
        assert PUTIN_SENTENCE in reply["text"] and "§23" in html
        assert "Außerdem im Artikel" not in html
        assert set(buttons(reply)) == {"Mehr", "Kontext"}  # the closest passages can still be explored
        [english] = await bot.say(USER, PUTIN_DE, language_code="en")
        assert english["text"].startswith(UNSURE_EN)


async def test_unsure_by_ask_and_group_mention_take_the_same_path(engine):
    async with running_bot(VerdictEngine(engine, Reason.UNSURE)) as bot:
        say = dict(chat_type="supergroup", user_id=USER)
        [by_command] = await bot.say(GROUP, f"/ask {PUTIN_DE}", **say)
        [by_mention] = await bot.say(GROUP, f"@{BOT_USERNAME} {PUTIN_DE}", **say)
        for reply in (by_command, by_mention):
            assert reply["text"].startswith(UNSURE_EN) and "<b>" not in reply["raw_text"]


async def test_small_talk_gets_a_friendly_hint_and_no_quote(engine):
    async with running_bot(engine) as bot:
        [reply] = await bot.say(USER, SMALL_TALK, language_code="de")
        text = reply["text"]
        assert text.startswith("Hallo! Ich beantworte Fragen") and "Schick mir einfach eine Frage" in text
        assert "Wer kann Putin laut Rutte stoppen?" in text  # an example question
        assert "§" not in text and "<blockquote>" not in reply["raw_text"] and "reply_markup" not in reply
        assert "Darauf gibt der Artikel keine Antwort" not in text


async def test_small_talk_in_a_group_says_how_to_ask_in_a_group(engine):
    async with running_bot(engine) as bot:
        say = dict(chat_type="supergroup", user_id=USER)
        for question in (f"@{BOT_USERNAME} {SMALL_TALK}", f"/ask {SMALL_TALK}"):
            [reply] = await bot.say(GROUP, question, **say)
            assert reply["text"].startswith("Hello! I answer questions"), reply["text"]
            assert "/ask" in reply["text"] and f"@{BOT_USERNAME}" in reply["text"] and "§" not in reply["text"]
            assert "Just send me" not in reply["text"]


async def test_inline_query_without_confidence_offers_no_cards(engine):
    # even if passages came along with a verdict of no confidence, none becomes a card
    async with running_bot(VerdictEngine(engine, Reason.NOT_IN_ARTICLE)) as bot:
        nothing = await bot.inline("Putin stoppen", user_id=USER)
        assert nothing["results"] == [] and nothing["button"]["text"] == "Not in the article. Ask me in a private chat"
    async with running_bot(VerdictEngine(engine, Reason.UNSURE)) as bot:  # the closest passages: cards
        assert (await bot.inline("Putin stoppen", user_id=USER))["results"]


async def test_inline_small_talk_gets_a_hint_button_not_cards(engine):
    async with running_bot(engine) as bot:
        chat = await bot.inline(SMALL_TALK, user_id=USER, language_code="de")
        assert chat["results"] == [] and chat["button"]["text"] == "Tippe eine Frage zum Artikel"
