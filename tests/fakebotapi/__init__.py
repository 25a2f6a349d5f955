"""A fake Telegram Bot API for testing the bot without reaching Telegram.

In-process::

    api = FakeBotAPI()
    bot = Bot(TOKEN, request=api.request(), get_updates_request=api.request())
    api.send_text(42, "/ask Wer ist Rutte?")          # a user writes to the bot
    ...                                                # the bot polls and answers
    await api.wait_for(messages=1, chat_id=42)
    assert "Rutte" in api.bot_messages(42)[0]["text"]

Over HTTP (``Bot(TOKEN, base_url=server.base_url)``)::

    async with FakeBotServer(api) as server: ...
    with FakeBotServer.run_in_thread(api) as server: ...   # bot in another process

Beyond the agreed interface: ``api.calls_of(method)``, ``api.add_chat(...)``, ``api.edit_text(...)``
(a user's edit), ``api.delete_message(...)`` (a user deletes a message), ``api.add_to_group(...)``,
``api.unblock_chat(...)``, ``api.last_update``, ``api.strict_ampersand``, ``api.hang_seconds``,
the fault "late_timeout" (executed, answer lost), and ``raw_text`` (the text as the bot sent
it) in each bot message; ``text`` is the parsed text.

Deliberate differences from Telegram: a bare ``&`` in HTML is rejected (Telegram keeps it;
set ``api.strict_ampersand = False``); the ``Markdown`` and ``MarkdownV2`` parse modes are
refused (the bot sends HTML only); ``api.user()`` gives the user a private chat with the bot as
if they had pressed Start.

Only the Bot API methods the bot calls are there (getMe, getUpdates, setWebhook, deleteWebhook,
setMyCommands, sendMessage, editMessageText, sendChatAction, getChatMember, answerCallbackQuery,
answerInlineQuery, logOut/close); any other is answered 404 "Not Found" like an unknown method.

Modules: ``api`` (FakeBotAPI), ``users`` (what users do), ``state`` (memory, call log),
``messages``/``queries``/``chats``/``bot_setup`` (Bot API methods), ``validation``,
``html_check``, ``entities`` (Telegram's text rules), ``faults``,
``errors`` (exact error texts), ``transport`` (FakeRequest), ``server`` (FakeBotServer).
"""

from .api import FakeBotAPI, Reply
from .server import FakeBotServer, ThreadedServer
from .state import TOKEN, Call
from .transport import FakeRequest

__all__ = ["TOKEN", "Call", "FakeBotAPI", "FakeBotServer", "FakeRequest", "Reply", "ThreadedServer"]
