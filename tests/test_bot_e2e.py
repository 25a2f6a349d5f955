"""End to end: the real Application (handlers, formatter, engine) against the fake Bot API,
by long polling. Private chats, groups, inline mode, buttons, commands and Telegram's limits."""

from __future__ import annotations

import re

import pytest

from tests.bot_helpers import BOT_USERNAME, html_problems, running_bot

USER, OTHER, GROUP = 42, 43, -100777
PUTIN_DE = "Wer kann Putin laut Rutte stoppen?"
PUTIN_SENTENCE = "Für den Moment aber gebe es nur einen Menschen, der Putin stoppen könne: US-Präsident Donald Trump."
PLAN_EN = "How many points did the original US plan have?"


@pytest.fixture
async def bot(engine):
    async with running_bot(engine) as harness:
        yield harness


def passage_ids(message: dict) -> list[int]:
    return [int(n) for n in re.findall(r"§(\d+)", message["raw_text"])]


def buttons(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


# ---- private chat ------------------------------------------------------------------------------
async def test_german_question_gets_quote_in_blockquote_with_bold_sentence_and_buttons(bot):
    [reply] = await bot.say(USER, PUTIN_DE, language_code="de")
    html = reply["raw_text"]
    assert reply["parse_mode"] == "HTML" and html_problems(html) == []
    assert html.startswith("<blockquote>Gedanklich müssten")
    assert f"<b>{PUTIN_SENTENCE}</b>" in html
    assert "Rutte warnt vor weiteren Angriffen Russlands · §23</i>" in html
    assert "Außerdem im Artikel" in html and len(passage_ids(reply)) == 3  # the best and two compact
    assert set(buttons(reply)) == {"Mehr", "Kontext"} and buttons(reply)["Kontext"].startswith("ctx:23:")
    assert all(len(d.encode()) <= 64 for d in buttons(reply).values())


def balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("„") == text.count("“")


async def test_also_in_the_article_shows_whole_quotations_without_dangling_marks(bot, engine):
    [reply] = await bot.say(USER, "Was fordert Merz für die Ukraine?", language_code="de")
    also = reply["text"].split("Außerdem im Artikel\n", 1)[1]
    bullets = re.findall(r"^• (.+) §(\d+)$", also, flags=re.M)
    assert len(bullets) == 2 and all(balanced(text) for text, _ in bullets), bullets
    assert all(text in engine.article.passage(int(pid)).text for text, pid in bullets)  # verbatim
    assert ('Merz sagt: "Es ist nichts mehr so wie früher. Und wir sind in einer anderen Welt. Und wir leben in einer '
            'anderen Zeit. Und diese andere Zeit erfordert andere Antworten, als wir sie in der Vergangenheit gegeben '
            'haben."', "6") in bullets


async def test_english_question_gets_english_interface_and_german_quote(bot):
    [reply] = await bot.say(USER, PLAN_EN, language_code="en-GB")
    html = reply["raw_text"]
    assert "<b>Der ursprüngliche US-Plan mit 28 Punkten für ein Kriegsende" in html
    assert "§12" in html and "Also in the article" in html
    assert set(buttons(reply)) == {"More", "Context"}


async def test_unanswerable_question_says_so_and_lists_topics_and_examples(bot):
    [reply] = await bot.say(USER, "Wie wird das Wetter morgen in Hamburg?", language_code="de")
    text = reply["text"]
    assert text.startswith("Darauf gibt der Artikel keine Antwort.")
    assert "Europa will einen Waffenstillstand und Sicherheitsgarantien" in text  # a section heading
    assert "Wer kann Putin laut Rutte stoppen?" in text
    assert "reply_markup" not in reply


async def test_more_shows_further_passages_not_shown_yet(bot):
    [reply] = await bot.say(USER, PUTIN_DE, language_code="de")
    first_ids = set(passage_ids(reply))
    assert len(first_ids) == 3
    answer, [more] = await bot.press(USER, reply, buttons(reply)["Mehr"], user_id=USER)
    assert "text" not in answer or not answer["text"]
    assert more["raw_text"].startswith("<b>Weitere Stellen</b>")
    shown = passage_ids(more)
    assert len(shown) == 3 and not set(shown) & first_ids
    assert more["reply_to_message_id"] == reply["message_id"]
    # the next press continues after those
    _, [again] = await bot.press(USER, more, buttons(more)["Mehr"], user_id=USER)
    assert not set(passage_ids(again)) & (first_ids | set(shown))


async def test_more_stops_at_the_relevant_passages_says_so_once_and_lists_no_titles(bot, engine):
    bot.api.user(USER, language_code="de")
    [reply] = await bot.say(USER, PUTIN_DE)
    message, pages = reply, []
    while "Mehr" in buttons(message):
        assert len(pages) < 6, "More never stops"
        _, [message] = await bot.press(USER, message, buttons(message)["Mehr"], user_id=USER)
        assert buttons(message).get("Mehr", buttons(reply)["Mehr"]) == buttons(reply)["Mehr"]  # the same key
        pages.append(message)
    ids = passage_ids(reply) + [i for page in pages for i in passage_ids(page)]
    assert len(ids) == len(set(ids)) < 18  # 18 passages can be retrieved at all
    kinds = {engine.article.passage(i).kind for i in ids}
    assert not kinds & {"title", "heading", "video"}
    done = "Die übrigen Stellen des Artikels passen nicht zu dieser Frage."
    assert [done in page["text"] for page in pages] == [False] * (len(pages) - 1) + [True]
    answer, sent = await bot.press(USER, reply, buttons(reply)["Mehr"], user_id=USER, answers=0)  # an older button
    assert answer["text"] == "Keine weiteren Stellen des Artikels passen zu dieser Frage." and sent == []


async def test_context_shows_neighbouring_paragraphs_with_the_quote_in_bold_once(bot):
    bot.api.user(USER, language_code="de")
    [reply] = await bot.say(USER, PUTIN_DE)
    answer, [context] = await bot.press(USER, reply, buttons(reply)["Kontext"], user_id=USER)
    assert not answer.get("text")
    html = context["raw_text"]
    assert html.startswith("<b>Kontext zu §23</b>")
    assert "§22" in html and "<blockquote>Gedanklich müssten" in html  # the passage itself is not bold
    assert html.count("<b>") == 2 and f"<b>{PUTIN_SENTENCE}</b> Und den werden" in html  # the title and the quote
    assert html_problems(html) == []
    again, sent = await bot.press(USER, reply, buttons(reply)["Kontext"], user_id=USER, answers=0)
    assert again["text"] == "Der Kontext steht schon oben." and sent == []
    assert await bot.settle(USER) == [reply, context]  # posted once


async def test_expired_or_unknown_buttons_are_answered_politely(bot):
    [reply] = await bot.say(USER, PLAN_EN)
    for data in ("more:gone1234", "something:old"):
        answer, sent = await bot.press(USER, reply, data, user_id=USER, answers=0, check_button=False)
        assert "expired" in answer["text"] and answer.get("show_alert") in (True, "true")
    await bot.settle(USER)
    assert len(bot.api.bot_messages(USER)) == 2  # the answer and the /source of settle()


async def test_non_text_message_gets_a_hint(bot):
    before = len(bot.api.bot_messages(USER))
    bot.api.send_sticker(USER)
    [hint] = (await bot.api.wait_for(messages=before + 1, chat_id=USER))[before:]
    assert hint["text"] == "I can only read text. Send me your question about the article as a message."


# ---- groups ------------------------------------------------------------------------------------
async def test_group_silent_unless_asked_by_command_mention_or_reply(bot):
    say = dict(chat_type="supergroup", user_id=USER)
    bot.api.send_text(GROUP, PUTIN_DE, **say)  # plain chatter: silence
    bot.api.send_text(GROUP, f"/ask@other_bot {PUTIN_DE}", **say)  # another bot's command
    bot.api.channel_post(-100999, PUTIN_DE)
    assert await bot.settle(GROUP) == []

    [by_command] = await bot.say(GROUP, f"/ask {PLAN_EN}", **say)
    assert "28 Punkten" in by_command["raw_text"] and by_command["reply_to_message_id"]
    [by_named_command] = await bot.say(GROUP, f"/ask@{BOT_USERNAME} {PUTIN_DE}", **say)
    assert PUTIN_SENTENCE in by_named_command["text"]
    [by_mention] = await bot.say(GROUP, f"@{BOT_USERNAME} {PLAN_EN}", **say)
    assert "28 Punkten" in by_mention["text"]
    [follow_up] = await bot.say(GROUP, PUTIN_DE, reply_to_message_id=by_mention["message_id"], **say)
    assert PUTIN_SENTENCE in follow_up["text"]

    user_message = bot.api.send_text(GROUP, "Kaffee?", user_id=OTHER)
    bot.api.send_text(GROUP, PUTIN_DE, reply_to_message_id=user_message["message_id"], **say)  # reply to a user
    assert len(await bot.settle(GROUP)) == 5  # the four answers and settle()'s earlier /source


async def test_group_bare_mention_gets_usage_hint(bot):
    [hint] = await bot.say(GROUP, f"@{BOT_USERNAME}", chat_type="group", user_id=USER)
    assert "/ask" in hint["text"]


# ---- inline mode -------------------------------------------------------------------------------
async def test_inline_query_returns_quote_cards(bot):
    answer = await bot.inline("Putin stoppen", user_id=USER)
    results = answer["results"]
    assert 1 <= len(results) <= 10 and len({r["id"] for r in results}) == len(results)
    assert answer["cache_time"] in (300, "300") and answer.get("is_personal") in (None, False, "false")
    first = results[0]["input_message_content"]
    assert first["parse_mode"] == "HTML" and PUTIN_SENTENCE in first["message_text"]
    assert (f'— Mark Rutte, NATO-Generalsekretär · DW, 11.12.2025 · <a href="https://t.me/{BOT_USERNAME}?start=p23">§23</a>'
            in first["message_text"]) and html_problems(first["message_text"]) == []
    assert results[0]["title"].startswith("Für den Moment")


async def test_inline_passage_cards_link_the_passage_and_speech_comes_whole_with_its_speaker(bot):
    results = (await bot.inline("Dringlichkeit", user_id=USER))["results"]
    texts = [r["input_message_content"]["message_text"] for r in results]
    assert all(re.search(rf'· <a href="https://t.me/{BOT_USERNAME}\?start=p\d+">§\d+</a>\n', t) for t in texts)
    first = texts[0]
    assert first.startswith('<blockquote>"Aber zu viele bei uns sehen die Dringlichkeit immer noch nicht.')
    assert 'Aber das tut sie nicht."</blockquote>\n— Mark Rutte, NATO-Generalsekretär · DW, 11.12.2025' in first
    assert not any(r["title"].startswith("Aber das tut sie nicht") for r in results)


async def test_inline_empty_query_returns_key_passages_and_unanswerable_a_button(bot):
    results = (await bot.inline("", user_id=USER))["results"]
    assert len(results) == 10 and len({r["id"] for r in results}) == 10
    assert "Wir sind Russlands nächstes Ziel" in results[0]["input_message_content"]["message_text"]
    nothing = await bot.inline("Rezept für Pizza Margherita", user_id=USER)
    assert nothing["results"] == [] and nothing["button"]["start_parameter"] == "help"


# ---- commands ----------------------------------------------------------------------------------
async def test_start_help_source_and_deep_link(bot):
    [welcome] = await bot.say(USER, "/start", language_code="de")
    assert "NATO-Chef Mark Rutte" in welcome["text"] and "DW, 11.12.2025" in welcome["text"]
    assert welcome["text"].count("•") == 3
    [passage] = await bot.say(USER, "/start p5")
    assert passage["text"].startswith("§5 of 23") and "Nationale Sicherheitsstrategie" in passage["text"]
    assert buttons(passage) == {"Context": "ctx:5"}
    [missing] = await bot.say(USER, "/start p99")
    assert "§99" in missing["text"] and "§23" in missing["text"]
    [help_] = await bot.say(USER, "/help")
    assert f"@{BOT_USERNAME}" in help_["text"] and "/ask" in help_["text"]
    [source] = await bot.say(USER, "/source", language_code="de")
    assert source["text"] == 'NATO-Chef Mark Rutte: "Wir sind Russlands nächstes Ziel"\nDW, 11.12.2025 · 23 Abschnitte'
    [usage] = await bot.say(USER, "/ask")
    assert "/ask Who can stop Putin" in usage["text"]
    [unknown] = await bot.say(USER, "/frobnicate")
    assert "/help" in unknown["text"]


async def test_commands_registered_in_german_and_english(bot):
    commands = bot.api.my_commands
    english, german = commands[(None, "")], commands[(None, "de")]
    assert [c["command"] for c in english] == [c["command"] for c in german] == [
        "ask", "quote", "brief", "source", "subscribe", "unsubscribe", "subscriptions", "help", "start"]
    assert english[0]["description"] == "Ask a question about the article"
    assert german[0]["description"] == "Eine Frage zum Artikel stellen"


# ---- Telegram's limits -------------------------------------------------------------------------
async def test_long_answers_are_split_below_the_limit_between_passages(engine):
    async with running_bot(engine, message_limit=300) as bot:
        replies = await bot.say(USER, PUTIN_DE, answers=3)
        await bot.settle(USER)
        for reply in bot.api.bot_messages(USER):
            assert len(reply["raw_text"]) <= 300 and html_problems(reply["raw_text"]) == []
        text = " ".join(r["text"] for r in replies)
        assert PUTIN_SENTENCE in " ".join(text.split())
        assert buttons(bot.api.bot_messages(USER)[-2])  # the keyboard is on the last part


async def test_rejected_html_is_sent_again_as_plain_text(bot, monkeypatch):
    from bot.handlers import questions

    real = questions.format_answer
    monkeypatch.setattr(questions, "format_answer", lambda *a, **k: [m + " <b>unclosed &amp; broken" for m in real(*a, **k)])
    [reply] = await bot.say(USER, PLAN_EN)
    assert "parse_mode" not in reply and "<" not in reply["raw_text"]
    assert reply["text"].endswith("unclosed & broken") and "28 Punkten" in reply["text"]
    failed = [c for c in bot.api.calls_of("sendMessage") if c.error]
    assert len(failed) == 1 and "can't parse entities" in failed[0].error.lower()
    assert buttons(reply)  # the keyboard survives the fallback


# ---- composition -------------------------------------------------------------------------------
async def test_a_new_handler_module_plugs_in_without_the_fallbacks_interfering(engine):
    """What the next feature module does: handlers in HANDLER_GROUP; the "unknown command" and
    "expired button" fallbacks stay quiet for them."""
    from telegram.ext import CallbackQueryHandler, CommandHandler

    from bot.handlers.common import HANDLER_GROUP, reply_html

    async def demo(update, context):
        await reply_html(update, f"demo of {len(context.article.passages)} passages")

    async def pressed(update, context):
        await update.callback_query.answer("feature button")

    def register(app):
        app.add_handlers([CommandHandler("demo", demo), CallbackQueryHandler(pressed, pattern="^feat:")],
                         group=HANDLER_GROUP)

    async with running_bot(engine, setup=register) as bot:
        [reply] = await bot.say(USER, "/demo")
        assert reply["text"] == "demo of 23 passages"
        answer, _ = await bot.press(USER, reply, "feat:1", user_id=USER, answers=0, check_button=False)
        assert answer["text"] == "feature button"
        assert len(await bot.settle(USER)) == 1  # no "unknown command" after /demo


async def test_cards_posted_through_inline_mode_are_not_questions(bot):
    via = {"id": 123456789, "is_bot": True, "first_name": "Article Bot", "username": BOT_USERNAME}
    sent = bot.api.send_text(USER, "Für den Moment aber gebe es nur einen Menschen", enqueue=False)
    from telegram import Update

    update = {**sent["update"], "message": {**sent["update"]["message"], "via_bot": via}}
    await bot.app.process_update(Update.de_json(update, bot.app.bot))
    assert await bot.settle(USER) == []


async def test_engine_is_opened_in_post_init_and_closed_in_post_shutdown_only_when_owned(engine):
    from bot.app import build_application
    from tests.bot_helpers import bot_settings, start_app, stop_app
    from tests.fakebotapi import FakeBotAPI

    class Tracked:
        def __init__(self) -> None:
            self.closed = 0

        def __getattr__(self, name):
            return getattr(engine, name)

        def close(self) -> None:
            self.closed += 1

    opened: list[Tracked] = []

    def factory():
        opened.append(Tracked())
        return opened[-1]

    for kwargs in ({"engine_factory": factory}, {"engine": Tracked()}):
        api = FakeBotAPI(bot_username=BOT_USERNAME)
        app = build_application(bot_settings(), request=api.request(), get_updates_request=api.request(), **kwargs)
        assert app.bot_data.engine is kwargs.get("engine")  # nothing opened before post_init
        await start_app(app)
        used = app.bot_data.engine
        assert used is not None
        await stop_app(app)
        assert used.closed == (1 if "engine_factory" in kwargs else 0)
    assert len(opened) == 1
    with pytest.raises(ValueError):
        build_application(bot_settings())
