"""What Telegram checks in a bot's request before it sends anything: message text and markup,
keyboards, inline query results, bot commands and chat actions."""

from __future__ import annotations

import re
from typing import Any

from telegram.constants import MessageLimit

from .entities import Entity, UserLookup, trim, utf16_len
from .errors import bad_request, cant_parse
from .html_check import MarkupError, parse_html

MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_COMMANDS = 100
BUTTON_URL_SCHEMES = ("http://", "https://", "tg://")
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)


def parse_text(
    text: str,
    parse_mode: str | None,
    entities: list[Entity] | None = None,
    *,
    strict_ampersand: bool = True,
    lookup_user: UserLookup | None = None,
) -> tuple[str, list[Entity]]:
    """The text and entities Telegram stores for ``text`` sent with ``parse_mode``/``entities``,
    trimmed of surrounding whitespace; raises ``ApiError`` for markup Telegram rejects."""
    mode = (parse_mode or "").lower()
    try:
        if not mode:
            plain, found = text, [dict(entity) for entity in entities or []]
        elif mode == "html":
            plain, found = parse_html(text, strict_ampersand=strict_ampersand, lookup_user=lookup_user)
        elif mode in ("markdown", "markdownv2"):
            raise bad_request(
                "can't parse entities: the fake Bot API implements only the HTML parse mode (the bot's)"
            )
        else:
            raise bad_request("unsupported parse_mode")
    except MarkupError as err:
        raise cant_parse(str(err)) from None
    return trim(plain, found)


def check_message_text(
    text: str, *, empty: str = "message text is empty", too_long: str = "message is too long"
) -> None:
    """Rejects parsed message text that is empty or longer than Telegram's limit (4096 UTF-16
    code units, counted after entity parsing)."""
    if not text:
        raise bad_request(empty)
    if utf16_len(text) > MessageLimit.MAX_TEXT_LENGTH:
        raise bad_request(too_long)


def check_reply_markup(markup: Any) -> None:
    """Validates a ``reply_markup`` object; inline buttons need valid callback data or URLs."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return  # ReplyKeyboardMarkup, ReplyKeyboardRemove and ForceReply are accepted as sent
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("BUTTON_TEXT_INVALID")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(str(data).encode("utf-8"))
        if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not str(button["url"]).lower().startswith(BUTTON_URL_SCHEMES):
            raise bad_request("BUTTON_URL_INVALID")
    elif len(button) == 1:
        raise bad_request("text buttons are unallowed in the inline keyboard")


def check_inline_results(results: Any, parse: Any) -> None:
    """Validates ``answerInlineQuery`` results; ``parse`` is :func:`parse_text` bound to the API."""
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content") or {}
        if "message_text" in content:
            text, _ = parse(content["message_text"], content.get("parse_mode"), content.get("entities"))
            check_message_text(text, empty="MESSAGE_TEXT_INVALID", too_long="MESSAGE_TOO_LONG")
        check_reply_markup(result.get("reply_markup"))


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validates ``setMyCommands`` commands and returns them as stored."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not COMMAND_NAME.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def check_chat_action(action: Any) -> None:
    """``sendChatAction`` accepts only Telegram's action names."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")

