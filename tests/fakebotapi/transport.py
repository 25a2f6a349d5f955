"""FakeRequest: a python-telegram-bot ``BaseRequest`` that hands calls to a FakeBotAPI in the
same event loop, with the same status codes and JSON bodies the HTTP server would send."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from .api import FakeBotAPI

# PTB builds "<base_url><token>/<method>", with base_url ending in "/bot" by default.
BOT_URL = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
NOT_FOUND_BODY = b'{"ok":false,"error_code":404,"description":"Not Found"}'


class FakeRequest(BaseRequest):
    """Use one for ``ApplicationBuilder().request(...)`` and another for
    ``.get_updates_request(...)``; both talk to the same :class:`FakeBotAPI`."""

    __slots__ = ("_api", "_read_timeout", "_initialized")

    def __init__(self, api: FakeBotAPI, *, read_timeout: float | None = 5.0) -> None:
        self._api = api
        self._read_timeout = read_timeout
        self._initialized = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._initialized = True

    async def shutdown(self) -> None:
        self._initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        match = BOT_URL.search(url)
        if match is None:  # file downloads and anything else Telegram does not serve here
            return 404, NOT_FOUND_BODY
        params = dict(request_data.parameters) if request_data else {}
        reply = await self._api.handle(match["token"], match["method"], params)
        if reply.network_fault == "timeout":
            raise TimedOut()
        if reply.network_fault == "drop":
            raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")
        return reply.status, json.dumps(reply.body).encode("utf-8")
