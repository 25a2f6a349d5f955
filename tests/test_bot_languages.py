"""End to end: the interface in the user's language (English, German, Russian, Ukrainian, French,
Spanish, Italian, Polish; any other language gets English) and questions in any language."""

from __future__ import annotations

import pytest

from bot import i18n
from tests.bot_helpers import running_bot

UK_USER, PT_USER, FR_USER, ES_USER, IT_USER, PL_USER = 52, 53, 54, 55, 56, 57


def labels(message: dict) -> set[str]:
    return {b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


# language_code, how /start begins, its line on languages, its first example, the "also" heading, the buttons
WELCOMES = [
    ("ru", "Здравствуйте! Я отвечаю на вопросы об одной статье", "Просто пришлите мне вопрос, на любом языке.",
     "Кто, по словам Рютте, может остановить Путина?", "Ещё в статье", {"Ещё", "Контекст"}),
    ("fr-CA", "Bonjour\u00a0! Je réponds aux questions sur un article",
     "Envoyez-moi simplement une question, dans n'importe quelle langue.",
     "Selon Rutte, qui peut arrêter Poutine\u00a0?", "Également dans l'article", {"Plus", "Contexte"}),
]


@pytest.mark.parametrize(("code", "start", "any_language", "example", "also", "buttons"), WELCOMES)
async def test_start_and_an_example_question_in_the_users_language(engine, code, start, any_language, example, also,
                                                                   buttons):
    async with running_bot(engine) as bot:
        bot.api.user(FR_USER, language_code=code)
        [welcome] = await bot.say(FR_USER, "/start")
        assert welcome["text"].startswith(start) and any_language in welcome["text"] and example in welcome["text"]
        [answer] = await bot.say(FR_USER, example)  # asked as shown
        assert "Für den Moment aber gebe es nur einen Menschen, der Putin stoppen könne" in answer["text"]  # German
        assert also in answer["text"] and labels(answer) == buttons


async def test_other_users_get_their_interface_and_everyone_else_english(engine):
    async with running_bot(engine) as bot:
        [help_] = await bot.say(UK_USER, "/help", language_code="uk-UA")
        assert help_["text"].startswith("Як мною користуватися") and "• У цьому чаті" in help_["text"]

        [english] = await bot.say(PT_USER, "/start", language_code="pt-BR")  # no catalogue: English
        assert "Just send me a question, in any language." in english["text"]
        assert "English or German" not in english["text"]

        [help_] = await bot.say(ES_USER, "/help", language_code="es-MX")  # a region: its language
        assert help_["text"].startswith("Cómo usarme") and "• En este chat: envíame cualquier pregunta" in help_["text"]
        [answer] = await bot.say(ES_USER, "¿Qué quiere Merz para Ucrania?", language_code="es-MX")
        assert "Wir wollen einen Waffenstillstand für die Ukraine" in answer["text"]
        assert "También en el artículo" in answer["text"] and labels(answer) == {"Más", "Contexto"}

        [hello] = await bot.say(IT_USER, "Ciao!", language_code="it")  # small talk: no quote, how to ask
        assert hello["text"].startswith("Ciao! Rispondo alle domande su un articolo di attualità")
        assert "Mandami una domanda sull'articolo, per esempio:" in hello["text"]
        assert "Secondo Rutte, chi può fermare Putin?" in hello["text"] and "Putin stoppen könne" not in hello["text"]

        [source] = await bot.say(PL_USER, "/source", language_code="pl")
        assert f"fragmenty: {len(engine.article.passages)}" in source["text"]
        [unknown] = await bot.say(PL_USER, "/quote Napoleon", language_code="pl")
        assert "W artykule nie ma nikogo o nazwisku Napoleon." in unknown["text"]
        assert "Cytowani w artykule" in unknown["text"]


async def test_command_menu_in_every_interface_language(engine):
    async with running_bot(engine) as bot:
        commands = bot.api.my_commands
        menus = {lang: commands[(None, "" if lang == "en" else lang)] for lang in i18n.LANGUAGES}
        assert len({tuple(c["command"] for c in menu) for menu in menus.values()}) == 1
        assert len({menu[0]["description"] for menu in menus.values()}) == len(i18n.LANGUAGES)  # all translated
        assert menus["ru"][0]["description"] == "Задать вопрос о статье"
        assert menus["uk"][0]["description"] == "Поставити запитання про статтю"
        assert menus["fr"][0]["description"] == "Poser une question sur l'article"
        assert menus["es"][0]["description"] == "Hacer una pregunta sobre el artículo"
        assert menus["it"][0]["description"] == "Fai una domanda sull'articolo"
        assert menus["pl"][0]["description"] == "Zadaj pytanie o artykuł"


# What each example question asks about: a sentence of the passage that answers it.
EXAMPLE_ANSWERS = ("der Putin stoppen könne",
                   "Wir wollen einen Waffenstillstand für die Ukraine",
                   "warnte Rutte dann eindringlich")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_example_questions_are_answered_in_every_language(engine, lang):
    """/start and the not-answered reply suggest the examples, and they are asked as they are: in
    every language the engine answers each with the passage that answers it among the first three."""
    for question, needle in zip(i18n.examples(lang), EXAMPLE_ANSWERS, strict=True):
        answer = engine.ask(question)
        assert answer.reason == "answer", (question, answer.reason)
        assert any(needle in hit.passage.text for hit in answer.hits[:3]), (question, [h.passage.id for h in answer.hits])
