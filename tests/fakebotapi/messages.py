"""Bot API methods that post or change messages: sendMessage, editMessageText, sendChatAction."""

from __future__ import annotations

import time
from typing import Any

from .entities import Entity
from .errors import NOT_MODIFIED, bad_request
from .params import Params, api_method
from .state import JSON, BotState, StoredMessage
from .validation import check_chat_action, check_message_text, check_reply_markup, parse_text

# Request fields kept with a sent message so tests can inspect what the bot asked for.
KEPT_FIELDS = ("parse_mode", "reply_markup", "link_preview_options", "disable_web_page_preview")


def parse_for(
    state: BotState, text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    """:func:`parse_text` with this API's settings."""
    return parse_text(
        text, parse_mode, entities, strict_ampersand=state.strict_ampersand, lookup_user=state.lookup_user
    )


def parsed_message_text(state: BotState, p: Params) -> tuple[str, list[Entity]]:
    """The validated text and entities of a sendMessage/editMessageText call."""
    text, entities = parse_for(state, p.text("text"), p.get("parse_mode"), p.json("entities"))
    check_message_text(text)
    return text, entities


def inline_markup(markup: Any) -> JSON | None:
    """The reply_markup a Message object shows: only inline keyboards are returned."""
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def reply_target(state: BotState, chat_id: int, p: Params) -> tuple[int | None, StoredMessage | None]:
    """The message a send replies to, from reply_parameters or the older reply_to_message_id."""
    reply = p.json("reply_parameters") or {}
    message_id = Params(reply).integer("message_id") or p.integer("reply_to_message_id")
    if message_id is None:
        return None, None
    target_chat = Params(reply).integer("chat_id", chat_id)
    allow_missing = Params(reply).flag("allow_sending_without_reply") or p.flag("allow_sending_without_reply")
    stored = state.find_message(target_chat if target_chat is not None else chat_id, message_id)
    if stored is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return message_id, stored


def replied_copy(stored: StoredMessage) -> JSON:
    """A message as embedded in reply_to_message: without its own reply_to_message."""
    return {k: v for k, v in stored.message.items() if k != "reply_to_message"}


def kept_request_fields(p: Params, raw_text: str) -> JSON:
    sent: JSON = {"raw_text": raw_text}
    for name in KEPT_FIELDS:
        value = p.json(name) if name != "parse_mode" else p.get(name)
        if value is not None:
            sent[name] = value
    return sent


def set_content(message: JSON, text: str, entities: list[Entity], markup: JSON | None) -> None:
    message["text"] = text
    for key, value in (("entities", entities), ("reply_markup", markup)):
        if value:
            message[key] = value
        else:
            message.pop(key, None)


@api_method("sendMessage")
def send_message(state: BotState, p: Params) -> JSON:
    with state.lock:
        chat = state.writable_chat(p.chat_id())
        text, entities = parsed_message_text(state, p)
        markup = p.json("reply_markup")
        check_reply_markup(markup)
        reply_to_id, replied = reply_target(state, chat["id"], p)
        message: JSON = {
            "message_id": state.new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": dict(chat),
        }
        if chat["type"] == "channel":
            message["sender_chat"] = dict(chat)
        else:
            message["from"] = dict(state.bot_user)
        if replied is not None:
            message["reply_to_message"] = replied_copy(replied)
        set_content(message, text, entities, inline_markup(markup))
        sent = kept_request_fields(p, p.text("text"))
        if reply_to_id is not None:
            sent["reply_to_message_id"] = reply_to_id
        state.store(message, from_bot=True, sent=sent)
        return message


def editable_message(state: BotState, p: Params) -> StoredMessage:
    """The bot's message an edit targets (only messages in chats; the bot edits no inline messages)."""
    chat = state.writable_chat(p.chat_id())
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = state.find_message(chat["id"], message_id)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return stored


def apply_edit(stored: StoredMessage, text: str, entities: list[Entity], markup: Any, sent: JSON) -> JSON:
    """Changes a message, or raises Telegram's "message is not modified"."""
    message = stored.message
    new_markup = inline_markup(markup)
    same_text = text == message.get("text") and entities == message.get("entities", [])
    if same_text and new_markup == message.get("reply_markup"):
        raise bad_request(NOT_MODIFIED)
    set_content(message, text, entities, new_markup)
    message["edit_date"] = int(time.time())
    for name in ("raw_text", *KEPT_FIELDS):
        stored.sent.pop(name, None)
    stored.sent.update(sent)
    return message


@api_method("editMessageText")
def edit_message_text(state: BotState, p: Params) -> JSON:
    """Like Telegram: the text is checked as in sendMessage (HTML entities, length); an edit
    without reply_markup removes the inline keyboard."""
    with state.lock:
        stored = editable_message(state, p)
        text, entities = parsed_message_text(state, p)
        markup = p.json("reply_markup")
        check_reply_markup(markup)
        return apply_edit(stored, text, entities, markup, kept_request_fields(p, p.text("text")))


@api_method("sendChatAction")
def send_chat_action(state: BotState, p: Params) -> bool:
    state.writable_chat(p.chat_id())
    check_chat_action(p.get("action"))
    return True
