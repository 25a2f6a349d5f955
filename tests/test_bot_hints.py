"""End to end: how the bot explains itself where it matters: /start and /help in groups (plain
group messages are not answered), a bare @mention, a photo with a caption."""

from __future__ import annotations

from tests.bot_helpers import BOT_USERNAME, running_bot

USER, GROUP = 42, -100779
GROUP_SAY = dict(chat_type="supergroup", user_id=USER)


async def test_start_and_help_in_a_group_say_how_to_ask_there(engine):
    async with running_bot(engine) as bot:
        [welcome] = await bot.say(GROUP, "/start", **GROUP_SAY)
        text = welcome["text"]
        assert "NATO-Chef Mark Rutte" in text
        assert "Just send me a question" not in text
        assert "In this group, write /ask and your question" in text and f"mention me (@{BOT_USERNAME})" in text
        assert "reply to one of my messages" in text and text.count("•") == 3  # and the examples

        [help_] = await bot.say(GROUP, "/help", **GROUP_SAY)
        assert "In this chat: send any question" not in help_["text"]
        assert "• In this group: /ask your question" in help_["text"]
        assert "Other messages here I leave alone." in help_["text"]

        [hilfe] = await bot.say(GROUP, "/help", chat_type="supergroup", user_id=USER + 1, language_code="de")
        assert "• In dieser Gruppe: /ask deine Frage" in hilfe["text"] and "In diesem Chat" not in hilfe["text"]


async def test_being_added_to_a_group_says_what_the_bot_does_and_how_to_ask_there(engine):
    async with running_bot(engine) as bot:
        added = bot.api.add_to_group(GROUP, user_id=USER, chat_title="Runde")
        [welcome] = await bot.api.wait_for(messages=1, chat_id=GROUP)
        assert "NATO-Chef Mark Rutte" in welcome["text"] and "In this group, write /ask" in welcome["text"]
        assert welcome["reply_to_message_id"] == added["message_id"]
        bot.api.send_text(GROUP, "/source", user_id=USER)  # another member joining: nothing
        bot.api.add_to_group(GROUP, user_id=USER, members=[77])
        assert len(await bot.settle(GROUP)) == 2  # the welcome and the first /source


async def test_start_and_help_in_a_private_chat_keep_saying_just_send_it(engine):
    async with running_bot(engine) as bot:
        [welcome] = await bot.say(USER, "/start")
        assert "Just send me a question" in welcome["text"] and "In this group" not in welcome["text"]
        [help_] = await bot.say(USER, "/help")
        assert "• In this chat: send any question" in help_["text"] and "In this group" not in help_["text"]


async def test_bare_mention_is_told_to_put_the_question_after_the_name(engine):
    async with running_bot(engine) as bot:
        [hint] = await bot.say(GROUP, f"@{BOT_USERNAME}", **GROUP_SAY)
        assert "Add your question after the command" not in hint["text"]
        assert hint["text"].startswith("Write your question after my name, e.g. "
                                       f"@{BOT_USERNAME} Who can stop Putin, according to Rutte?")
        [usage] = await bot.say(GROUP, "/ask", **GROUP_SAY)  # a bare command keeps its own hint
        assert usage["text"].startswith("Add your question after the command")


PUTIN_DE = "Wer kann Putin laut Rutte stoppen?"
PUTIN_SENTENCE = "Für den Moment aber gebe es nur einen Menschen, der Putin stoppen könne: US-Präsident Donald Trump."


async def test_photo_caption_is_the_question_in_private_chats(engine):
    async with running_bot(engine) as bot:
        bot.api.user(USER, language_code="de")
        before = len(bot.api.bot_messages(USER))
        bot.api.send_photo(USER, caption=PUTIN_DE)
        [reply] = (await bot.api.wait_for(messages=before + 1, chat_id=USER))[before:]
        assert "I can only read text" not in reply["text"] and "Ich kann nur Text lesen" not in reply["text"]
        assert f"<b>{PUTIN_SENTENCE}</b>" in reply["raw_text"]
        bot.api.send_photo(USER)  # no caption: still the hint
        [hint] = (await bot.api.wait_for(messages=before + 2, chat_id=USER))[before + 1:]
        assert hint["text"].startswith("Ich kann nur Text lesen")


async def test_photo_caption_in_a_group_only_when_addressed_to_the_bot(engine):
    async with running_bot(engine) as bot:
        bot.api.send_photo(GROUP, caption=PUTIN_DE, **GROUP_SAY)  # group chatter with a photo: silence
        assert await bot.settle(GROUP) == []
        before = len(bot.api.bot_messages(GROUP))
        bot.api.send_photo(GROUP, caption=f"@{BOT_USERNAME} {PUTIN_DE}", **GROUP_SAY)
        [by_mention] = (await bot.api.wait_for(messages=before + 1, chat_id=GROUP))[before:]
        assert PUTIN_SENTENCE in by_mention["text"] and by_mention["reply_to_message_id"]
        bot.api.send_photo(GROUP, caption=PUTIN_DE, reply_to_message_id=by_mention["message_id"], **GROUP_SAY)
        [by_reply] = (await bot.api.wait_for(messages=before + 2, chat_id=GROUP))[before + 1:]
        assert PUTIN_SENTENCE in by_reply["text"]
