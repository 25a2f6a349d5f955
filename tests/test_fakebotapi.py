"""The fake Bot API, driven by a real python-telegram-bot ``Bot``: in-process through
FakeRequest and over HTTP through FakeBotServer. No Application, no model."""

from __future__ import annotations

import asyncio
import datetime as dtm
import threading
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.fakebotapi import TOKEN, FakeBotAPI, FakeBotServer

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

USER = 42
GROUP = -1001234
OTHER_TOKEN = "987654321:AAF-some-other-bots-token-000000000"


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"Button {d}", callback_data=d) for d in data]])


def seconds(err: RetryAfter) -> float:
    value = err.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
def api() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=api.request(), get_updates_request=api.request()) as bot:
        yield bot


@pytest.fixture
async def server(api: FakeBotAPI) -> AsyncIterator[FakeBotServer]:
    async with FakeBotServer(api) as server:
        yield server


@pytest.fixture
async def http_bot(server: FakeBotServer) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=0.5)
    async with Bot(TOKEN, base_url=server.base_url, request=request, get_updates_request=HTTPXRequest()) as bot:
        yield bot


async def new_message(api: FakeBotAPI, bot: Bot, text: str = "Hallo", **kwargs) -> int:
    """A message from the bot in the user's chat; returns its id."""
    api.user(USER)
    return (await bot.send_message(USER, text, **kwargs)).message_id


# --- identity and updates ---------------------------------------------------------------------


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456789, "article_test_bot", "Article Bot", True)


async def test_user_message_is_delivered_once_and_confirmed_by_offset(api: FakeBotAPI, bot: Bot) -> None:
    sent = api.send_text(USER, "/ask@article_test_bot Wer ist Rutte?", language_code="de")

    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["/ask@article_test_bot Wer ist Rutte?"]
    message = updates[0].message
    assert message.message_id == sent["message_id"] and message.chat.type == "private"
    assert message.from_user.language_code == "de"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 21)]
    assert api.pending_updates() == 1 and len(await bot.get_updates()) == 1  # not confirmed yet

    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()
    assert api.pending_updates() == 0


async def test_group_mention_photo_sticker_and_channel_updates(api: FakeBotAPI, bot: Bot) -> None:
    api.send_text(GROUP, "Frage an @article_test_bot: wer?", user_id=USER, chat_type="supergroup", chat_title="NATO")
    api.send_photo(USER, caption="Bild")
    api.send_sticker(USER)
    api.channel_post(-100777, "Neuer Artikel", author_signature="Red.")

    mention, photo, sticker, post = await bot.get_updates()
    assert mention.message.chat.title == "NATO" and mention.message.from_user.id == USER
    assert [(e.type, e.offset, e.length) for e in mention.message.entities] == [("mention", 9, 17)]
    assert photo.message.text is None and photo.message.caption == "Bild" and photo.message.photo
    assert sticker.message.sticker.emoji == "👍"
    assert post.channel_post.sender_chat.id == -100777 and post.channel_post.from_user is None


async def test_long_polling_returns_as_soon_as_an_update_arrives(api: FakeBotAPI, bot: Bot) -> None:
    asyncio.get_running_loop().call_later(0.1, api.send_text, USER, "spät")
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["spät"]
    assert time.monotonic() - started < 1


async def test_long_polling_without_updates_waits_for_the_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.2) == ()
    assert 0.15 < time.monotonic() - started < 1


async def test_a_second_poller_ends_the_first_with_conflict(api: FakeBotAPI, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await bot.get_updates()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
        await first


async def test_get_updates_conflicts_with_an_active_webhook(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)HTTPS URL must be provided"):
        await bot.set_webhook("http://example.org/hook")
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert api.webhook["url"] == "https://example.org/hook" and api.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates()
    api.send_text(USER, "x")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


# --- message text rules -----------------------------------------------------------------------


async def test_valid_html_is_parsed_into_text_and_entities(api: FakeBotAPI, bot: Bot) -> None:
    html = '<blockquote>Rutte: <b>„Wir sind <i>bereit</i>“</b> &lt;3</blockquote>\n<a href="https://dw.com">DW</a>'
    api.user(USER)
    message = await bot.send_message(USER, html, parse_mode="HTML")

    assert message.text == "Rutte: „Wir sind bereit“ <3\nDW"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("blockquote", 0, 27), ("bold", 7, 17), ("italic", 17, 6), ("text_link", 28, 2),
    ]
    [stored] = api.bot_messages(USER)
    assert stored["text"] == message.text and stored["raw_text"] == html and stored["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("Hallo <foo>Welt</foo>", 'unsupported start tag "foo" at byte offset 6'),
        ("<b>offen", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "unmatched end tag"),
        ("Äpfel & Birnen", "character '&' at byte offset 7"),
        ("a < b", 'unsupported start tag ""'),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_invalid_html_is_rejected_and_nothing_is_sent(api: FakeBotAPI, bot: Bot, html: str, detail: str) -> None:
    api.user(USER)
    with pytest.raises(BadRequest) as err:
        await bot.send_message(USER, html, parse_mode="HTML")
    assert "can't parse entities" in err.value.message.lower()
    assert detail in err.value.message.lower()
    assert api.bot_messages() == [] and api.calls[-1].error.startswith("Bad Request: can't parse entities")


async def test_bare_ampersand_is_literal_once_strict_mode_is_off(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    api.strict_ampersand = False  # Telegram's own behaviour
    message = await bot.send_message(USER, "AT&T &amp; <b>R&D</b>", parse_mode="HTML")
    assert message.text == "AT&T & R&D" and message.entities[0].offset == 7


async def test_markdown_parse_modes_are_refused(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    for mode in ("Markdown", "MarkdownV2"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: .*only the HTML parse mode"):
            await bot.send_message(USER, "*fett*", parse_mode=mode)
    assert api.bot_messages() == []


async def test_length_limit_counts_utf16_code_units_after_parsing(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 code units
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    for too_long in ("😀" * 2048 + "a", "a" * 4097):
        with pytest.raises(BadRequest, match="(?i)Message is too long"):
            await bot.send_message(USER, too_long)
    assert len(api.bot_messages(USER)) == 2


@pytest.mark.parametrize("text", ["   \n", "<b></b>"])
async def test_empty_text_is_rejected(api: FakeBotAPI, bot: Bot, text: str) -> None:
    api.user(USER)
    with pytest.raises(BadRequest, match="(?i)Message text is empty"):
        await bot.send_message(USER, text, parse_mode="HTML")


async def test_keyboard_buttons_are_validated(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=keyboard("ä" * 33))  # 66 bytes
    url_button = InlineKeyboardMarkup([[InlineKeyboardButton("Quelle", url="ftp://dw.com")]])
    with pytest.raises(BadRequest, match="(?i)Button_url_invalid"):
        await bot.send_message(USER, "x", reply_markup=url_button)
    await bot.send_message(USER, "x", reply_markup=keyboard("a" * 64))


async def test_reply_to_an_unknown_message(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    with pytest.raises(BadRequest, match="(?i)Message to be replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=999)
    message = await bot.send_message(USER, "x", reply_to_message_id=999, allow_sending_without_reply=True)
    asked = api.send_text(USER, "Frage")
    answer = await bot.send_message(USER, "Antwort", reply_to_message_id=asked["message_id"])
    assert message.reply_to_message is None and answer.reply_to_message.text == "Frage"
    assert api.bot_messages(USER)[-1]["reply_to_message_id"] == asked["message_id"]


# --- edits --------------------------------------------------------------------------------------


async def test_edit_rules(api: FakeBotAPI, bot: Bot) -> None:
    message_id = await new_message(api, bot, "<b>Antwort</b>", parse_mode="HTML", reply_markup=keyboard("more"))
    with pytest.raises(BadRequest, match="(?i)Message is not modified"):
        await bot.edit_message_text("<b>Antwort</b>", USER, message_id, parse_mode="HTML", reply_markup=keyboard("more"))
    with pytest.raises(BadRequest, match="(?i)Can't parse entities"):
        await bot.edit_message_text("<b>Antwort</i>", USER, message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)Message is too long"):
        await bot.edit_message_text("x" * 4097, USER, message_id)
    with pytest.raises(BadRequest, match="(?i)Message to edit not found"):
        await bot.edit_message_text("neu", USER, 999)
    asked = api.send_text(USER, "Frage")
    with pytest.raises(BadRequest, match="(?i)Message can't be edited"):
        await bot.edit_message_text("neu", USER, asked["message_id"])

    edited = await bot.edit_message_text("<b>Antwort</b> neu", USER, message_id, parse_mode="HTML")  # drops the keyboard
    [stored] = api.bot_messages(USER)
    assert edited.text == stored["text"] == "Antwort neu" and stored["raw_text"] == "<b>Antwort</b> neu"
    assert "reply_markup" not in stored and "edit_date" in stored

    api.delete_message(USER, message_id)  # the user deletes the bot's message
    assert api.bot_messages(USER) == []
    with pytest.raises(BadRequest, match="(?i)Message to edit not found"):
        await bot.edit_message_text("wieder", USER, message_id)


# --- user edits --------------------------------------------------------------------------------


async def test_user_edit_becomes_an_edited_message_update(api: FakeBotAPI, bot: Bot) -> None:
    sent = api.send_text(USER, "Wer ist Rute?")
    api.edit_text(USER, sent["message_id"], "Wer ist Rutte?")
    first, edited = await bot.get_updates()
    assert edited.edited_message.text == "Wer ist Rutte?" and edited.edited_message.edit_date
    photo = api.send_photo(USER, caption="Wer ist das?")
    api.edit_text(USER, photo["message_id"], "Wer ist Rutte?")
    _, caption = await bot.get_updates(offset=edited.update_id + 1)
    assert caption.edited_message.caption == "Wer ist Rutte?" and caption.edited_message.text is None


# --- callback and inline queries ---------------------------------------------------------------


async def test_callback_query_ids_are_single_use_and_expire(api: FakeBotAPI, bot: Bot) -> None:
    message_id = await new_message(api, bot, reply_markup=keyboard("more"))
    query_id = api.press_button(USER, message_id, "more", user_id=USER)
    [update] = await bot.get_updates()
    assert update.callback_query.id == query_id and update.callback_query.message.message_id == message_id

    assert await bot.answer_callback_query(query_id, text="Mehr kommt")
    assert api.callback_answers[query_id]["text"] == "Mehr kommt"
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_callback_query(query_id)

    expired = api.press_button(USER, message_id, "more", user_id=USER)
    api.expire_queries()
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_callback_query(expired)

    api.query_ttl = 0.05
    late = api.press_button(USER, message_id, "more", user_id=USER)
    await asyncio.sleep(0.1)
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_callback_query(late)
    with pytest.raises(ValueError, match="(?i)no button"):
        api.press_button(USER, message_id, "forged", user_id=USER)


def article(result_id: str, text: str, parse_mode: str | None = None) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "Titel", InputTextMessageContent(text, parse_mode=parse_mode))


async def test_inline_query_answers_are_validated_and_single_use(api: FakeBotAPI, bot: Bot) -> None:
    query_id = api.inline_query("Rutte", user_id=USER)
    [update] = await bot.get_updates()
    assert update.inline_query.query == "Rutte" and update.inline_query.chat_type == "sender"

    with pytest.raises(BadRequest, match="(?i)Result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article("1", "a"), article("1", "b")])
    with pytest.raises(BadRequest, match="(?i)Results_too_much"):
        await bot.answer_inline_query(query_id, [article(str(i), "a") for i in range(51)])
    with pytest.raises(BadRequest, match="(?i)Can't parse entities"):
        await bot.answer_inline_query(query_id, [article("1", "<b>offen", "HTML")])
    with pytest.raises(BadRequest, match="(?i)Message_too_long"):
        await bot.answer_inline_query(query_id, [article("1", "a" * 4097)])

    assert await bot.answer_inline_query(query_id, [article("1", "<b>Rutte</b>", "HTML")], cache_time=0)
    assert api.inline_answers[query_id]["results"][0]["input_message_content"]["message_text"] == "<b>Rutte</b>"
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_inline_query(query_id, [article("2", "b")])


async def test_callback_answer_text_is_limited_to_200_characters(api: FakeBotAPI, bot: Bot) -> None:
    message_id = await new_message(api, bot, reply_markup=keyboard("more"))
    query_id = api.press_button(USER, message_id, "more", user_id=USER)
    with pytest.raises(BadRequest, match="(?i)Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201, show_alert=True)
    assert await bot.answer_callback_query(query_id, text="x" * 200)  # the failed answer did not use it up


async def test_my_chat_member_and_allowed_updates(api: FakeBotAPI, bot: Bot) -> None:
    await bot.get_updates(allowed_updates=["message"])
    api.inline_query("x", user_id=USER)  # not wanted: dropped
    api.send_text(USER, "nur das")
    assert [u.message.text for u in await bot.get_updates(allowed_updates=[])] == ["nur das"]

    change = api.my_chat_member(USER, user_id=USER, old_status="member", new_status="kicked")
    [_, update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == change["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await bot.send_message(USER, "noch da?")


# --- chats, members, commands ------------------------------------------------------------------


async def test_chat_members(api: FakeBotAPI, bot: Bot) -> None:
    api.send_text(GROUP, "hallo", user_id=USER, chat_type="group", chat_title="Runde")
    api.set_member_status(GROUP, 7, "creator")
    api.channel_post(-100555, "Post")

    assert (await bot.get_chat_member(GROUP, USER)).status == "member"
    assert (await bot.get_chat_member(GROUP, 7)).status == "creator"
    assert (await bot.get_chat_member(-100555, api.bot_id)).status == "administrator"
    with pytest.raises(BadRequest, match="(?i)Chat not found"):
        await bot.get_chat_member(31337, USER)
    await bot.send_chat_action(GROUP, "typing")
    with pytest.raises(BadRequest, match="(?i)Wrong parameter action"):
        await bot.send_chat_action(GROUP, "dancing")


async def test_commands_are_stored_per_scope_and_language(api: FakeBotAPI, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    await bot.set_my_commands([BotCommand("ask", "Frage stellen")], language_code="de")
    await bot.set_my_commands([BotCommand("ask", "Ask")], scope=BotCommandScopeAllGroupChats())
    assert api.my_commands[(None, "de")] == [{"command": "ask", "description": "Frage stellen"}]
    assert api.my_commands[('{"type": "all_group_chats"}', "")] == [{"command": "ask", "description": "Ask"}]
    with pytest.raises(BadRequest, match="(?i)Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Ask", "x")])


# --- faults -------------------------------------------------------------------------------------


async def test_retry_after_surfaces_and_the_call_is_not_executed(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    api.inject("sendmessage", "retry_after", retry_after=3)
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(USER, "einmal")
    assert seconds(err.value) == 3 and api.bot_messages() == []
    await bot.send_message(USER, "einmal")
    assert [m["text"] for m in api.bot_messages()] == ["einmal"]
    assert [c.error for c in api.calls_of("sendMessage")] == ["Too Many Requests: retry after 3", None]


@pytest.mark.parametrize(
    ("fault", "error", "executed"),
    [("server_error", NetworkError, False), ("timeout", TimedOut, False), ("drop", NetworkError, False),
     ("late_timeout", TimedOut, True)],
)
async def test_network_faults(api: FakeBotAPI, bot: Bot, fault: str, error: type, executed: bool) -> None:
    api.user(USER)
    api.inject("*", fault, times=2)
    for _ in range(2):
        with pytest.raises(error) as err:
            await bot.send_message(USER, "x")
        assert not isinstance(err.value, BadRequest)
    await bot.send_message(USER, "x")
    assert len(api.bot_messages()) == (3 if executed else 1)


async def test_blocked_chats_are_forbidden(api: FakeBotAPI, bot: Bot) -> None:
    api.send_text(GROUP, "hi", user_id=USER, chat_type="group")
    api.user(USER)
    api.send_text(USER, "hi")
    api.block_chat(USER)
    api.block_chat(GROUP)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(USER, "x")
    with pytest.raises(Forbidden, match="(?i)bot was kicked from the group chat"):
        await bot.send_message(GROUP, "x")
    assert api.bot_messages() == []


async def test_unknown_method_and_wrong_token(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):  # PTB's reading of a 404 for an unknown method
        await bot.do_api_request("sendTelepathy")
    assert api.calls[-1].error == "Not Found"
    with pytest.raises(InvalidToken, match="(?i)rejected by the server"):
        async with Bot(OTHER_TOKEN, request=api.request()):
            pass
    assert api.calls[-1].error == "Unauthorized"
    with pytest.raises(InvalidToken, match="(?i)rejected by the server"):
        async with Bot("12345:short", request=api.request()):
            pass
    assert api.calls[-1].error == "Not Found"  # not even shaped like a token


# --- waiting ------------------------------------------------------------------------------------


async def test_wait_for_wakes_on_the_bot_message(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(bot.send_message(USER, "da")))
    started = time.monotonic()
    [message] = await api.wait_for(messages=1, chat_id=USER, timeout=2)
    assert message["text"] == "da" and time.monotonic() - started < 0.5
    assert await api.wait_for(lambda a: a.calls_of("sendMessage"), timeout=0.1)


async def test_wait_for_times_out_with_a_readable_report(api: FakeBotAPI, bot: Bot) -> None:
    api.user(USER)
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "<x>", parse_mode="HTML")
    with pytest.raises(AssertionError) as err:
        await api.wait_for(messages=1, chat_id=USER, timeout=0.1)
    report = str(err.value)
    assert "wanted 1 bot message(s) in chat 42, have 0" in report
    assert 'sendMessage {"chat_id": 42, "text": "<x>", "parse_mode": "HTML"} -> ERROR Bad Request' in report


# --- over HTTP ----------------------------------------------------------------------------------


async def test_http_server_speaks_the_bot_api(api: FakeBotAPI, http_bot: Bot, server: FakeBotServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/bot")
    assert http_bot.username == "article_test_bot"
    api.send_text(USER, "/start")
    [update] = await http_bot.get_updates(timeout=1)
    message = await http_bot.send_message(
        USER, "<b>123</b> &amp; mehr", parse_mode="HTML", reply_markup=keyboard("7"),
        reply_to_message_id=update.message.message_id,
    )
    assert message.text == "123 & mehr" and message.reply_to_message.text == "/start"
    assert api.calls[-1].params["reply_markup"] == {"inline_keyboard": [[{"text": "Button 7", "callback_data": "7"}]]}
    with pytest.raises(BadRequest, match="(?i)Can't parse entities"):
        await http_bot.send_message(USER, "<b>", parse_mode="HTML")
    async with aiohttp.ClientSession() as session, session.get(f"{server.file_base_url}{TOKEN}/x.jpg") as response:
        assert response.status == 404 and (await response.json())["description"] == "Not Found"


async def test_http_faults_and_tokens(api: FakeBotAPI, http_bot: Bot, server: FakeBotServer) -> None:
    api.user(USER)
    api.hang_seconds = 2
    for fault, error in (("retry_after", RetryAfter), ("server_error", NetworkError), ("timeout", TimedOut),
                         ("drop", NetworkError)):
        api.inject("sendMessage", fault)
        with pytest.raises(error):
            await http_bot.send_message(USER, "x")
    assert api.bot_messages() == []
    with pytest.raises(InvalidToken, match="(?i)rejected by the server"):
        async with Bot(OTHER_TOKEN, base_url=server.base_url):
            pass
    assert (api.calls[-1].method, api.calls[-1].error) == ("getMe", "Unauthorized")


async def test_post_update_sends_the_secret_header(api: FakeBotAPI, server: FakeBotServer) -> None:
    received: list[tuple[str | None, dict]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        update = api.send_text(USER, "per Webhook", enqueue=False)["update"]
        assert api.pending_updates() == 0
        assert await server.post_update(f"http://127.0.0.1:{port}/hook", update, secret="s3cret") == 200
        assert await server.post_update(f"http://127.0.0.1:{port}/nope", update) == 404
    finally:
        await runner.cleanup()
    assert received == [("s3cret", update)] and update["message"]["text"] == "per Webhook"


def test_threaded_server_serves_a_bot_on_another_thread(api: FakeBotAPI) -> None:
    """The set-up of a subprocess test: server thread, bot elsewhere (here: a thread, to stay
    fast), the test thread acting as the user and waiting synchronously."""

    async def echo_bot(base_url: str) -> None:
        async with Bot(TOKEN, base_url=base_url) as bot:
            [update] = await bot.get_updates(timeout=5)
            await bot.send_message(update.message.chat_id, "Echo: " + update.message.text)

    with FakeBotServer.run_in_thread(api) as server:
        client = threading.Thread(target=asyncio.run, args=(echo_bot(server.base_url),))
        client.start()
        try:
            api.send_text(USER, "Hallo")
            [message] = api.wait_for_sync(messages=1, chat_id=USER, timeout=5)
            assert message["text"] == "Echo: Hallo"
        finally:
            client.join(5)
        update = api.send_text(USER, "per Webhook", enqueue=False)["update"]
        assert server.post_update(f"{server.base_url}{TOKEN}/getMe", update) == 200  # any URL that answers
    with pytest.raises(AssertionError, match="(?i)condition not met within 0.05s"):
        api.wait_for_sync(lambda a: False, timeout=0.05)
