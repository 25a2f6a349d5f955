"""Typed access to a call's parameters, and the registry of Bot API method handlers.

Handlers are registered with :func:`api_method` under the lower-cased method name (Telegram
matches method names case-insensitively) and receive the shared :class:`BotState` and the
call's :class:`Params`. They return the call's ``result`` or raise ``ApiError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import bad_request, missing
from .state import BotState

Handler = Callable[[BotState, "Params"], Any]
HANDLERS: dict[str, Handler] = {}
H = TypeVar("H", bound=Handler)
_INTEGER = re.compile(r"^-?\d+$")


def api_method(*names: str) -> Callable[[H], H]:
    """Registers the decorated function as the handler of the Bot API methods ``names``."""

    def register(handler: H) -> H:
        for name in names:
            HANDLERS[name.lower()] = handler
        return handler

    return register


class Params:
    """The decoded parameters of one call, with Telegram's errors for missing or bad values."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def get(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        return default if value is None else value

    def text(self, name: str, default: str = "") -> str:
        return str(self.get(name, default))

    def flag(self, name: str) -> bool:
        return self.get(name) in (True, "true", "True", 1, "1")

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter, given as number or digits; ``default`` when absent."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value)
        raise bad_request(f"invalid {name} specified")

    def required_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise missing(name)
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat identifier: an integer or a ``@channelusername``."""
        value = self.raw.get(name)
        if value is None or value == "":
            raise missing(name)
        if isinstance(value, str) and value.startswith("@"):
            return value
        return self.required_int(name)

    def json(self, name: str) -> Any:
        """A structured parameter (sent JSON-encoded over HTTP, as an object in-process)."""
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value
