"""Telegram's ``parse_mode=MarkdownV2``, close enough to catch what a bot gets wrong.

Checks the rule bots break most: every ``_*[]()~`>#+-=|{}.!`` outside code must be escaped
with ``\\``, and every entity must be closed. Supports bold, italic, underline, strikethrough,
spoiler, inline code, pre blocks (with language), links and ``>`` block quotations.
Error texts are tdlib's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .entities import Entity, TextBuilder, UserLookup, sort_entities
from .html_check import MarkupError, link_entity

RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
# Longest marker first, so "__" is underline and "||" spoiler.
MARKERS = (("||", "spoiler", "Spoiler"), ("__", "underline", "Underline"), ("*", "bold", "Bold"),
           ("_", "italic", "Italic"), ("~", "strikethrough", "Strikethrough"))


@dataclass
class _Open:
    marker: str
    api_type: str
    tdlib_name: str
    offset: int
    byte: int
    text_start: int


class _Parser(TextBuilder):
    def __init__(self, source: str, lookup_user: UserLookup | None) -> None:
        super().__init__(source, lookup_user)
        self.stack: list[_Open] = []
        self.quote: tuple[int, str] | None = None  # (offset, type) of the open block quotation

    def add(self, api_type: str, offset: int, **extra: object) -> None:
        if self.utf16 > offset:
            self.entities.append({"type": api_type, "offset": offset, "length": self.utf16 - offset, **extra})

    def run(self) -> tuple[str, list[Entity]]:
        text = self.source
        while self.pos < len(text):
            if self.pos == 0 or text[self.pos - 1] == "\n":
                self.line_start()
                if self.pos >= len(text):
                    break
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text) and 0 < ord(text[self.pos + 1]) < 127:
                self.emit(text[self.pos + 1])
                self.pos += 2
            elif text.startswith("```", self.pos):
                self.code_block("```", "pre", "Pre")
            elif char == "`":
                self.code_block("`", "code", "Code")
            elif char == "[":
                self.open_entity("[", "text_link", "TextUrl")
                self.pos += 1
            elif char == "]" and self.stack and self.stack[-1].marker == "[":
                self.pos += 1
                self.close_link(self.stack.pop())
            elif not self.toggle_marker():
                if char in RESERVED:
                    raise MarkupError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
                self.emit(char)
                self.pos += 1
        self.end_quote()
        if self.stack:
            top = self.stack[-1]
            raise MarkupError(f"Can't find end of {top.tdlib_name} entity at byte offset {top.byte}")
        return "".join(self.out), sort_entities(self.entities)

    def line_start(self) -> None:
        """``>`` (or ``**>`` for an expandable one) at a line start continues a quotation."""
        for prefix, kind in (("**>", "expandable_blockquote"), (">", "blockquote")):
            if self.source.startswith(prefix, self.pos):
                if self.quote is None:
                    self.quote = (self.utf16, kind)
                self.pos += len(prefix)
                return
        self.end_quote()

    def end_quote(self) -> None:
        if self.quote is not None:
            offset, kind = self.quote
            self.quote = None
            trailing_newline = int(bool(self.out) and self.out[-1] == "\n")  # not part of the quote
            self.utf16 -= trailing_newline
            self.add(kind, offset)
            self.utf16 += trailing_newline

    def open_entity(self, marker: str, api_type: str, tdlib_name: str) -> None:
        self.stack.append(_Open(marker, api_type, tdlib_name, self.utf16, self.byte_offset(self.pos), len(self.out)))

    def toggle_marker(self) -> bool:
        for marker, api_type, name in MARKERS:
            if self.source.startswith(marker, self.pos):
                if self.stack and self.stack[-1].marker == marker:
                    self.add(api_type, self.stack.pop().offset)
                else:
                    self.open_entity(marker, api_type, name)
                self.pos += len(marker)
                return True
        return False

    def code_block(self, fence: str, api_type: str, name: str) -> None:
        """Inline code or a pre block: only ``\\`` and the backtick need escaping inside."""
        start_byte = self.byte_offset(self.pos)
        i = self.pos + len(fence)
        language = ""
        if fence == "```":
            newline = self.source.find("\n", i)
            end_fence = self.source.find("```", i)
            if 0 <= newline < end_fence:
                language, i = self.source[i:newline].strip(), newline + 1
        offset = self.utf16
        while not self.source.startswith(fence, i):
            if i >= len(self.source):
                raise MarkupError(f"Can't find end of {name} entity at byte offset {start_byte}")
            if self.source[i] == "\\" and i + 1 < len(self.source) and self.source[i + 1] in "\\`":
                i += 1
            self.emit(self.source[i])
            i += 1
        self.pos = i + len(fence)
        self.add(api_type, offset, **({"language": language} if language else {}))

    def close_link(self, opened: _Open) -> None:
        label = "".join(self.out[opened.text_start :])
        url = label
        if self.source.startswith("(", self.pos):
            end = self.pos + 1
            chars: list[str] = []
            while end < len(self.source) and self.source[end] != ")":
                if self.source[end] == "\\" and end + 1 < len(self.source):
                    end += 1
                chars.append(self.source[end])
                end += 1
            if end >= len(self.source):
                raise MarkupError(f"Can't find end of a URL at byte offset {self.byte_offset(self.pos)}")
            url, self.pos = "".join(chars), end + 1
        link = link_entity(url, self.lookup_user)
        if link and self.utf16 > opened.offset:
            self.entities.append({**link, "offset": opened.offset, "length": self.utf16 - opened.offset})


def parse_markdown_v2(text: str, *, lookup_user: UserLookup | None = None) -> tuple[str, list[Entity]]:
    """Plain text and Bot API entities of MarkdownV2 ``text``; raises ``MarkupError``."""
    return _Parser(text, lookup_user).run()
