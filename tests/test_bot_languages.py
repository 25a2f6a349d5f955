"""End to end: the interface in the user's language (English, German, Russian, Ukrainian; any
other language gets English) and questions in any language."""

from __future__ import annotations

from tests.bot_helpers import running_bot

RU_USER, UK_USER, FR_USER = 51, 52, 53


async def test_russian_and_ukrainian_users_get_their_interface(engine):
    async with running_bot(engine) as bot:
        bot.api.user(RU_USER, language_code="ru")
        [welcome] = await bot.say(RU_USER, "/start")
        assert welcome["text"].startswith("Здравствуйте! Я отвечаю на вопросы об одной статье")
        assert "Просто пришлите мне вопрос, на любом языке." in welcome["text"]
        assert "Кто, по словам Рютте, может остановить Путина?" in welcome["text"]

        [answer] = await bot.say(RU_USER, "Кто, по словам Рютте, может остановить Путина?")
        assert "Für den Moment aber gebe es nur einen Menschen" in answer["text"]  # the quote stays German
        assert "Ещё в статье" in answer["text"]
        rows = answer["reply_markup"]["inline_keyboard"]
        assert {b["text"] for row in rows for b in row} == {"Ещё", "Контекст"}

        [help_] = await bot.say(UK_USER, "/help", language_code="uk-UA")
        assert help_["text"].startswith("Як мною користуватися") and "• У цьому чаті" in help_["text"]

        [english] = await bot.say(FR_USER, "/start", language_code="fr")
        assert "Just send me a question, in any language." in english["text"]
        assert "English or German" not in english["text"]


async def test_command_menu_in_every_interface_language(engine):
    async with running_bot(engine) as bot:
        commands = bot.api.my_commands
        menus = {lang: commands[(None, code)] for lang, code in (("en", ""), ("de", "de"), ("ru", "ru"), ("uk", "uk"))}
        assert len({tuple(c["command"] for c in menu) for menu in menus.values()}) == 1
        assert menus["ru"][0]["description"] == "Задать вопрос о статье"
        assert menus["uk"][0]["description"] == "Поставити запитання про статтю"
