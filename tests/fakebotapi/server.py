"""FakeBotServer: the FakeBotAPI over real HTTP, for a bot that uses its normal HTTPXRequest
(``Bot(TOKEN, base_url=server.base_url)``), possibly in another process.

Serves ``/bot<token>/<method>`` with GET or POST, taking parameters from the query string,
form fields (JSON-encoded values, as python-telegram-bot posts them), multipart bodies or a JSON
body. ``run_in_thread`` runs it on a background thread with its own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from .errors import not_found

if TYPE_CHECKING:
    from .api import FakeBotAPI

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Free-text parameters stay strings even when they look like JSON ("123", "true").
STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "query", "callback_query_id", "inline_query_id", "url",
        "secret_token", "description", "short_description", "name", "language_code", "action",
        "next_offset", "inline_message_id", "business_connection_id", "message_effect_id", "emoji",
        "title", "custom_title", "question", "explanation", "address", "first_name", "last_name",
        "phone_number", "vcard", "payload", "currency", "start_parameter", "result_id", "sticker",
        "photo", "document", "audio", "video", "animation", "voice", "file_id",
    }
)


def decode_form_value(name: str, value: str) -> Any:
    """A form field as the Bot API reads it: JSON where it parses, else the raw string."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a Bot API request, decoded."""
    params: dict[str, Any] = {name: decode_form_value(name, value) for name, value in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
        return params
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[name] = {"file_name": value.filename, "size": len(value.file.read())}
        else:
            params[name] = decode_form_value(name, str(value))
    return params


class FakeBotServer:
    """Serves a FakeBotAPI on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, api: FakeBotAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api = api
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """For ``Bot(TOKEN, base_url=...)``: PTB appends the token and ``/<method>``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> FakeBotServer:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_route("*", "/{path:.*}", self._not_found)  # file downloads included
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]  # the port that port 0 became
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _method(self, request: web.Request) -> web.StreamResponse:
        params = await read_params(request)
        reply = await self.api.handle(request.match_info["token"], request.match_info["method"], params)
        if reply.network_fault == "timeout":
            await asyncio.sleep(self.api.hang_seconds)  # cancelled when the client gives up
        if reply.network_fault is not None and request.transport is not None:
            request.transport.close()  # the client sees the connection end without an answer
        return web.json_response(reply.body, status=reply.status)

    @staticmethod
    async def _not_found(request: web.Request) -> web.Response:
        return web.json_response(not_found().body(), status=404)

    async def post_update(self, url: str, update: dict[str, Any], secret: str | None = None) -> int:
        """POSTs an update to the bot's webhook like Telegram; returns the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
            return response.status

    @staticmethod
    @contextlib.contextmanager
    def run_in_thread(api: FakeBotAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[ThreadedServer]:
        """Runs a server on a background thread and event loop for the ``with`` block."""
        server = ThreadedServer(api, host, port)
        server.start()
        try:
            yield server
        finally:
            server.stop()


class ThreadedServer:
    """A FakeBotServer on its own thread; the test thread uses the API's user side and
    ``api.wait_for_sync`` meanwhile."""

    def __init__(self, api: FakeBotAPI, host: str, port: int) -> None:
        self.api = api
        self.server = FakeBotServer(api, host, port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="fake-bot-api", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def file_base_url(self) -> str:
        return self.server.file_base_url

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.server.start())
        except BaseException as err:  # reported to the starting thread
            self._error = err
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self.server.stop())
        self._loop.close()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Bot API server did not start within 10 s")
        if self._error is not None:
            raise RuntimeError("fake Bot API server failed to start") from self._error

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def post_update(self, url: str, update: dict[str, Any], secret: str | None = None, timeout: float = 10.0) -> int:
        """Blocking :meth:`FakeBotServer.post_update`, run on the server's loop."""
        future = asyncio.run_coroutine_threadsafe(self.server.post_update(url, update, secret), self._loop)
        return future.result(timeout)
