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

Modules: ``api`` (FakeBotAPI), ``users`` (what users do), ``state`` (memory, call log),
``messages``/``queries``/``chats``/``bot_setup`` (Bot API methods), ``validation``,
``html_check``, ``markdown_check``, ``entities`` (Telegram's text rules), ``faults``,
``errors`` (exact error texts), ``transport`` (FakeRequest), ``server`` (FakeBotServer).
"""

from .api import FakeBotAPI, Reply
from .server import FakeBotServer, ThreadedServer
from .state import TOKEN, Call
from .transport import FakeRequest

__all__ = ["TOKEN", "Call", "FakeBotAPI", "FakeBotServer", "FakeRequest", "Reply", "ThreadedServer"]
