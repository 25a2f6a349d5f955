"""A user edits a question: the real Application against the fake Bot API. The bot's reply is
edited in place (editMessageText), or a new reply is sent when that cannot be done; unchanged
edits and edits not addressed to the bot get nothing."""

from __future__ import annotations

import pytest

from tests.bot_helpers import BOT_USERNAME, running_bot
from tests.test_bot_e2e import PLAN_EN, PUTIN_DE, PUTIN_SENTENCE, buttons, passage_ids

USER, OTHER, GROUP = 42, 43, -100778
WEATHER = "Wie wird das Wetter morgen in Hamburg?"
GROUP_SAY = dict(chat_type="supergroup", user_id=USER)


@pytest.fixture
async def bot(engine):
    async with running_bot(engine) as harness:
        yield harness


def edits(bot) -> list:
    return bot.api.calls_of("editMessageText")


def current(bot, chat_id: int, message: dict) -> dict:
    """The bot's message as it is now (after edits)."""
    return next(m for m in bot.api.bot_messages(chat_id) if m["message_id"] == message["message_id"])


# ---- private chat ------------------------------------------------------------------------------
async def test_an_edited_question_updates_the_answer_in_place_with_working_buttons(bot):
    question = bot.api.send_text(USER, PLAN_EN)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    assert "28 Punkten" in reply["text"]
    assert await bot.edit(USER, question, PUTIN_DE) == []  # no new message: the answer changed
    now = current(bot, USER, reply)
    assert PUTIN_SENTENCE in now["text"] and "28 Punkten" not in now["text"] and now["edit_date"]
    assert now["parse_mode"] == "HTML" and set(buttons(now)) == {"More", "Context"}
    assert buttons(now)["More"] != buttons(reply)["More"]  # "More" continues the edited question
    _, [more] = await bot.press(USER, now, buttons(now)["More"], user_id=USER)
    assert not set(passage_ids(more)) & set(passage_ids(now))
    [edit] = edits(bot)
    assert edit.error is None and edit.params["message_id"] == reply["message_id"]


async def test_an_edit_that_leaves_the_question_as_it_was_gets_nothing(bot):
    question = bot.api.send_text(USER, PUTIN_DE)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    assert await bot.edit(USER, question, "wer kann  Putin laut Rutte stoppen") == []  # case, spaces, "?"
    assert edits(bot) == [] and current(bot, USER, reply) == reply
    assert len(bot.api.calls_of("sendMessage")) == 2  # the answer and settle()'s /source


async def test_an_edit_whose_answer_is_the_same_text_is_not_answered_twice(bot):
    question = bot.api.send_text(USER, WEATHER)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    assert reply["text"].startswith("The article does not answer this")
    assert await bot.edit(USER, question, "Wie wird das Wetter übermorgen in Hamburg?") == []
    [edit] = edits(bot)
    assert "message is not modified" in edit.error  # the answer on screen already answers it


async def test_when_the_old_answer_is_gone_the_edit_gets_a_new_reply_to_the_edited_message(bot):
    question = bot.api.send_text(USER, PLAN_EN)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    bot.api.delete_message(USER, reply["message_id"])
    [new] = await bot.edit(USER, question, PUTIN_DE)
    assert PUTIN_SENTENCE in new["text"] and new["reply_to_message_id"] == question["message_id"]
    assert "message to edit not found" in edits(bot)[0].error
    # the new reply is remembered: the next edit updates it in place
    assert await bot.edit(USER, question, PLAN_EN) == []
    assert "28 Punkten" in current(bot, USER, new)["text"]


async def test_an_answer_needing_more_messages_than_before_is_sent_as_a_new_reply(engine):
    async with running_bot(engine, message_limit=300) as bot:
        question = bot.api.send_text(USER, "Hallo")
        [greeting] = await bot.api.wait_for(messages=1, chat_id=USER)
        new = await bot.edit(USER, question, PUTIN_DE)
        assert len(new) > 1 and new[0]["reply_to_message_id"] == question["message_id"]
        assert buttons(new[-1]) and PUTIN_SENTENCE in " ".join(" ".join(m["text"] for m in new).split())
        assert current(bot, USER, greeting) == greeting and edits(bot) == []


async def test_edits_of_messages_older_than_the_remembered_ones_get_a_new_reply(bot, monkeypatch):
    from bot.context import AnsweredMessages
    from bot.handlers import replies

    monkeypatch.setattr(replies, "AnsweredMessages", lambda: AnsweredMessages(size=1))
    first = bot.api.send_text(USER, PLAN_EN)
    bot.api.send_text(USER, WEATHER)
    [old, _] = await bot.api.wait_for(messages=2, chat_id=USER)
    [new] = await bot.edit(USER, first, PUTIN_DE)  # forgotten: answered as new, quoting the edit
    assert PUTIN_SENTENCE in new["text"] and new["reply_to_message_id"] == first["message_id"]
    assert current(bot, USER, old) == old and edits(bot) == []
    assert len(bot.app.chat_data[USER]["answered"]) == 1


async def test_an_edited_photo_caption_updates_its_answer(bot):
    photo = bot.api.send_photo(USER, caption=PLAN_EN)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    assert await bot.edit(USER, photo, PUTIN_DE) == []
    assert PUTIN_SENTENCE in current(bot, USER, reply)["text"]


async def test_a_rejected_html_edit_is_made_again_as_plain_text(bot, monkeypatch):
    from bot.handlers import questions

    question = bot.api.send_text(USER, PLAN_EN)
    [reply] = await bot.api.wait_for(messages=1, chat_id=USER)
    real = questions.format_answer
    monkeypatch.setattr(questions, "format_answer", lambda *a, **k: [m + " <b>unclosed &amp; broken" for m in real(*a, **k)])
    assert await bot.edit(USER, question, PUTIN_DE) == []
    now = current(bot, USER, reply)
    assert "parse_mode" not in now and "<" not in now["raw_text"] and now["text"].endswith("unclosed & broken")
    assert PUTIN_SENTENCE in now["text"] and buttons(now)  # the keyboard survives the fallback
    failed, done = edits(bot)
    assert "can't parse entities" in failed.error.lower() and done.error is None


async def test_start_help_and_source_edits_are_not_answered_again(bot):
    command = bot.api.send_text(USER, "/help")
    await bot.api.wait_for(messages=1, chat_id=USER)
    assert await bot.edit(USER, command, "/source") == []
    assert edits(bot) == []


# ---- groups ------------------------------------------------------------------------------------
async def test_group_edits_are_answered_only_when_addressed_to_the_bot(bot):
    mention = bot.api.send_text(GROUP, f"@{BOT_USERNAME} {PLAN_EN}", **GROUP_SAY)
    [reply] = await bot.api.wait_for(messages=1, chat_id=GROUP)
    assert await bot.edit(GROUP, mention, f"@{BOT_USERNAME} {PUTIN_DE}") == []
    now = current(bot, GROUP, reply)
    assert PUTIN_SENTENCE in now["text"] and now["reply_to_message_id"] == mention["message_id"]

    assert await bot.edit(GROUP, mention, PLAN_EN) == []  # no longer addressed: silence
    assert PUTIN_SENTENCE in current(bot, GROUP, reply)["text"]

    chatter = bot.api.send_text(GROUP, "Kaffee?", **GROUP_SAY)
    assert await bot.edit(GROUP, chatter, "Tee?") == []  # never addressed: silence
    [new] = await bot.edit(GROUP, chatter, f"@{BOT_USERNAME} {PLAN_EN}")  # now addressed: answered
    assert "28 Punkten" in new["text"] and new["reply_to_message_id"] == chatter["message_id"]
    assert len(edits(bot)) == 1


async def test_group_ask_edits_update_the_usage_hint_or_the_answer(bot):
    ask = bot.api.send_text(GROUP, "/ask", **GROUP_SAY)
    [hint] = await bot.api.wait_for(messages=1, chat_id=GROUP)
    assert hint["text"].startswith("Add your question after the command")
    assert await bot.edit(GROUP, ask, f"/ask {PLAN_EN}") == []
    answer = current(bot, GROUP, hint)
    assert "28 Punkten" in answer["text"] and buttons(answer)
    assert await bot.edit(GROUP, ask, f"/ask@{BOT_USERNAME} {PUTIN_DE}") == []
    assert PUTIN_SENTENCE in current(bot, GROUP, hint)["text"]
    assert await bot.edit(GROUP, ask, f"/ask@other_bot {PLAN_EN}") == []  # another bot's now: silence
    assert PUTIN_SENTENCE in current(bot, GROUP, hint)["text"] and len(edits(bot)) == 2


async def test_the_remembered_replies_stay_bounded_per_chat(bot):
    from bot.context import AnsweredMessages, AnsweredRecord
    from bot.tuning import ANSWERED_PER_CHAT

    memory = AnsweredMessages()
    for message_id in range(ANSWERED_PER_CHAT + 10):
        memory.put(message_id, AnsweredRecord("q", (message_id + 1000,)))
    assert len(memory) == ANSWERED_PER_CHAT and memory.get(9) is None and memory.get(10).replies == (1010,)
