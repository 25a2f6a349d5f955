"""Telegram's ``parse_mode=HTML``: the same tag set, attribute rules and error texts as tdlib.

``parse_html`` returns the plain text and the Bot API entities, or raises ``MarkupError`` with
the detail Telegram puts after ``Bad Request: can't parse entities:``.

One deliberate difference: Telegram keeps an ``&`` that starts no entity as a literal ``&``;
with ``strict_ampersand`` (the default) the fake rejects it, because in a bot it almost always
means text that was put into HTML without ``html.escape``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .entities import Entity, TextBuilder, UserLookup, sort_entities

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
SUPPORTED_TAGS = frozenset(SIMPLE_TAGS) | {"a", "span", "tg-emoji", "pre", "code", "blockquote"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
LINK_SCHEMES = ("http://", "https://", "tg://", "ton://", "mailto:")


class MarkupError(ValueError):
    """Text whose markup Telegram rejects; ``str(err)`` is Telegram's detail text."""


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    offset: int  # UTF-16 offset of the tag's content in the output text
    text_start: int  # index of the content in the output pieces
    argument: str = ""
    expandable: bool = False


class _Parser(TextBuilder):
    def __init__(self, source: str, strict_ampersand: bool, lookup_user: UserLookup | None) -> None:
        super().__init__(source, lookup_user)
        self.strict_ampersand = strict_ampersand
        self.stack: list[_OpenTag] = []

    def peek(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def run(self) -> tuple[str, list[Entity]]:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "&":
                self.ampersand()
            elif char == "<":
                if self.peek(self.pos + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            raise MarkupError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        for entity in self.entities:
            if entity["type"] == "code":
                del entity["language"]  # only a <pre> keeps the language of its <code>
        return "".join(self.out), sort_entities(self.entities)

    def ampersand(self) -> None:
        decoded, end = decode_entity(self.source, self.pos)
        if decoded is None:
            if self.strict_ampersand:
                raise MarkupError(
                    f"Character '&' at byte offset {self.byte_offset(self.pos)} starts no HTML "
                    'entity and must be written as "&amp;"'
                )
            decoded, end = "&", self.pos + 1
        self.emit(decoded)
        self.pos = end

    def start_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        i = begin + 1
        while i < len(self.source) and not self.source[i].isspace() and self.source[i] != ">":
            i += 1
        if i >= len(self.source):
            raise MarkupError(f"Unclosed start tag at byte offset {at}")
        name = self.source[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise MarkupError(f'Unsupported start tag "{name}" at byte offset {at}')
        tag = _OpenTag(name, self.utf16, len(self.out))
        i = self.attributes(tag, i, at)
        if name == "span" and tag.argument != "spoiler":
            raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.stack.append(tag)
        self.pos = i + 1

    def attributes(self, tag: _OpenTag, i: int, at: int) -> int:
        """Reads the attributes of ``tag`` from index ``i``; returns the index of its ``>``."""
        html = self.source
        while True:
            while i < len(html) and html[i].isspace():
                i += 1
            if i >= len(html):
                raise MarkupError(f"Unclosed start tag at byte offset {at}")
            if html[i] == ">":
                return i
            name_start = i
            while i < len(html) and not html[i].isspace() and html[i] not in "=>":
                i += 1
            attribute = html[name_start:i]
            while i < len(html) and html[i].isspace():
                i += 1
            if tag.name == "blockquote" and attribute == "expandable" and self.peek(i) != "=":
                tag.expandable = True
                continue
            if self.peek(i) != "=":
                raise MarkupError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag.name}" at byte offset {at}'
                )
            i += 1
            while i < len(html) and html[i].isspace():
                i += 1
            if i >= len(html):
                raise MarkupError(f'Unclosed start tag "{tag.name}" at byte offset {at}')
            value, i = self.attribute_value(i, at)
            self.apply_attribute(tag, attribute, value)

    def attribute_value(self, i: int, at: int) -> tuple[str, int]:
        html = self.source
        quote = html[i]
        if quote not in "'\"":
            start = i
            while i < len(html) and (html[i].isalnum() or html[i] in ".-"):
                i += 1
            if i < len(html) and not html[i].isspace() and html[i] != ">":
                raise MarkupError(f"Unexpected end of name token at byte offset {self.byte_offset(start)}")
            return html[start:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(html) and html[i] != quote:
            decoded, end = decode_entity(html, i) if html[i] == "&" else (None, i)
            if decoded is None:
                decoded, end = html[i], i + 1
            value.append(decoded)
            i = end
        if i >= len(html):
            raise MarkupError(f"Unclosed start tag at byte offset {at}")
        return "".join(value), i + 1

    @staticmethod
    def apply_attribute(tag: _OpenTag, attribute: str, value: str) -> None:
        if tag.name == "a" and attribute == "href":
            tag.argument = value
        elif tag.name == "code" and attribute == "class" and value.startswith("language-"):
            tag.argument = value[len("language-") :]
        elif tag.name == "span" and attribute == "class" and value.startswith("tg-"):
            tag.argument = value[len("tg-") :]
        elif tag.name == "tg-emoji" and attribute == "emoji-id":
            tag.argument = value

    def end_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        if not self.stack:
            raise MarkupError(f"Unexpected end tag at byte offset {at}")
        i = begin + 2
        while i < len(self.source) and not self.source[i].isspace() and self.source[i] != ">":
            i += 1
        name = self.source[begin + 2 : i].lower()
        while i < len(self.source) and self.source[i].isspace():
            i += 1
        if self.peek(i) != ">":
            raise MarkupError(f"Unclosed end tag at byte offset {at}")
        tag = self.stack[-1]
        if name and name != tag.name:
            raise MarkupError(
                f'Unmatched end tag at byte offset {at}, expected "</{tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = i + 1
        if self.utf16 > tag.offset:
            self.close_entity(tag)

    def close_entity(self, tag: _OpenTag) -> None:
        span = {"offset": tag.offset, "length": self.utf16 - tag.offset}
        if tag.name in SIMPLE_TAGS or tag.name == "span":
            self.entities.append({"type": SIMPLE_TAGS.get(tag.name, "spoiler"), **span})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.expandable else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise MarkupError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            url = tag.argument or "".join(self.out[tag.text_start :])
            link = link_entity(url, self.lookup_user)
            if link:
                self.entities.append({**link, **span})
        else:
            self.code_or_pre(tag.name, span, tag.argument)

    def code_or_pre(self, name: str, span: dict[str, int], language: str) -> None:
        """``<pre><code class="language-x">`` (either nesting order) makes one ``pre`` entity."""
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (span["offset"], span["length"])
        if last is not None and same_span and name == "pre" and last["type"] == "code" and last["language"]:
            last["type"] = "pre"
        elif last is not None and same_span and name == "code" and last["type"] == "pre" and language:
            last["language"] = language
        elif name == "code":
            self.entities.append({"type": "code", **span, "language": language})
        else:
            self.entities.append({"type": "pre", **span})


def link_entity(url: str, lookup_user: UserLookup | None = None) -> dict[str, Any] | None:
    """The ``text_link``/``text_mention`` entity (without offsets) for a link, or ``None`` when
    Telegram would silently drop the link."""
    url = url.strip()
    if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
        user_id = int(url[len("tg://user?id=") :])
        user = lookup_user(user_id) if lookup_user else None
        return {"type": "text_mention", "user": user or {"id": user_id, "is_bot": False, "first_name": "User"}}
    if not url or any(ch.isspace() for ch in url):
        return None
    if not url.lower().startswith(LINK_SCHEMES):
        if "://" in url or url.lower().startswith("javascript:"):
            return None
        url = "http://" + url
    return {"type": "text_link", "url": url}


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decodes the character reference at ``text[pos] == "&"`` like tdlib.

    Returns ``(character, end)`` or ``(None, pos)`` when no supported reference starts there.
    The closing ``;`` is optional, as in Telegram.
    """
    end = pos + 1
    if text[end : end + 1] == "#":
        end += 1
        hexadecimal = text[end : end + 1] == "x"
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        code = int(text[start:end], 16 if hexadecimal else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        if 0xD800 <= code <= 0xDFFF:
            raise MarkupError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if text[end : end + 1] == ";":
        end += 1
    return char, end


def parse_html(
    html: str, *, strict_ampersand: bool = True, lookup_user: UserLookup | None = None
) -> tuple[str, list[Entity]]:
    """Plain text and Bot API entities of Telegram-HTML ``html``; raises ``MarkupError``."""
    return _Parser(html, strict_ampersand, lookup_user).run()
