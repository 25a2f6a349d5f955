"""Message entities: UTF-16 lengths, trimming, and the entities Telegram detects by itself.

Telegram measures entity offsets and message lengths in UTF-16 code units, so an emoji outside
the Basic Multilingual Plane counts twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Entity = dict[str, Any]
UserLookup = Callable[[int], "dict[str, Any] | None"]

# Same shapes as tdlib's matchers: "/cmd" or "/cmd@botname" not glued to a word, "@username".
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def detect_entities(text: str) -> list[Entity]:
    """The ``bot_command`` and ``mention`` entities Telegram adds to a user's plain text."""
    found: list[Entity] = []
    for kind, pattern in (("bot_command", _BOT_COMMAND), ("mention", _MENTION)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sort_entities(found)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, an enclosing entity before the entities it contains."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, shifting and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


class TextBuilder:
    """The HTML parser's text state: the source, a read position, the plain text built so far
    with its UTF-16 length, and the entities found."""

    def __init__(self, source: str, lookup_user: UserLookup | None) -> None:
        self.source = source
        self.lookup_user = lookup_user
        self.pos = 0
        self.utf16 = 0
        self.out: list[str] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        """Telegram reports positions in error texts as UTF-8 byte offsets into the source."""
        return len(self.source[:index].encode("utf-8", "surrogatepass"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.utf16 += utf16_len(chunk)
