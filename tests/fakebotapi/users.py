"""What users do: each action builds the Update Telegram would send the bot and queues it for
getUpdates (or, with ``enqueue=False``, only builds it, for pushing to a webhook)."""

from __future__ import annotations

import copy
import time
from typing import Any

from .chats import chat_member
from .entities import Entity, detect_entities
from .state import JSON, MEMBER_STATUSES, BotState

_UNSET: Any = object()
GROUP_TYPES = ("group", "supergroup")



def text_content(text: str, field: str = "text", entities: list[Entity] | None = None) -> JSON:
    """``{"text": ..., "entities": ...}`` (or caption/caption_entities) of a user's text, with
    the entities Telegram detects unless ``entities`` is given."""
    found = detect_entities(text) if entities is None else entities
    key = "entities" if field == "text" else f"{field}_entities"
    return {field: text, **({key: found} if found else {})}


class UserActions(BotState):
    """User-side helpers of :class:`FakeBotAPI`; safe to call from any thread."""

    def user(
        self,
        user_id: int,
        first_name: str = _UNSET,
        language_code: str | None = _UNSET,
        username: str | None = _UNSET,
        last_name: str | None = _UNSET,
    ) -> JSON:
        """Registers (or updates) a user, with a private chat with the bot, and returns the
        User object. Defaults for a new user: first_name "Ada", language_code "en", no username."""
        with self.lock:
            new_user = {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}
            user = self.users.setdefault(user_id, new_user)
            for key, value in (("first_name", first_name), ("last_name", last_name),
                               ("username", username), ("language_code", language_code)):
                if value is None:
                    user.pop(key, None)
                elif value is not _UNSET:
                    user[key] = value
            # The user's private chat with the bot, as if they had pressed Start.
            self.chats.setdefault(user_id, {}).update(self._private_chat(user))
            return dict(user)

    @staticmethod
    def _private_chat(user: JSON) -> JSON:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        chat.update({k: user[k] for k in ("last_name", "username") if k in user})
        return chat

    def add_chat(self, chat_id: int, chat_type: str, title: str | None = None, username: str | None = None) -> JSON:
        """Registers a group, supergroup or channel (private chats come from :meth:`user`)."""
        if chat_type not in (*GROUP_TYPES, "channel"):
            raise ValueError(f"add_chat is for groups and channels, not {chat_type!r}")
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is not None and chat["type"] != chat_type:
                raise ValueError(f"chat {chat_id} is a {chat['type']}, not a {chat_type}")
            chat = self.chats.setdefault(chat_id, {"id": chat_id, "type": chat_type, "title": title or "Test Group"})
            if title:
                chat["title"] = title
            if username:
                chat["username"] = username
            return dict(chat)

    def _chat_for(self, chat_id: int, user_id: int | None, chat_type: str | None, title: str | None) -> JSON:
        """The chat a user writes in, registering it on first use."""
        existing = self.chats.get(chat_id)
        kind = chat_type or (existing["type"] if existing else "private")
        if kind == "private":
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat the chat_id is the user's id")
            if chat_id not in self.users:
                self.user(chat_id)
            return dict(self.chats[chat_id])
        return self.add_chat(chat_id, kind, title)

    def _sender(self, chat: JSON, user_id: int | None, language_code: str | None) -> JSON:
        if user_id is None:
            if chat["type"] != "private":
                raise ValueError(f"user_id is required for a message in a {chat['type']} chat")
            user_id = chat["id"]
        sender = self._known_user(user_id)
        if language_code is not None:
            sender["language_code"] = language_code
        return sender

    def _known_user(self, user_id: int) -> JSON:
        """The User object of ``user_id``, registering it with the defaults if new."""
        return dict(self.users[user_id]) if user_id in self.users else self.user(user_id)

    def _deliver(self, kind: str, obj: JSON, enqueue: bool) -> JSON:
        """Queues the update for ``obj`` (or, with ``enqueue=False``, only builds it)."""
        return self.enqueue(kind, obj) if enqueue else self.make_update(kind, obj)

    def _post(self, kind: str, message: JSON, enqueue: bool, *, store: bool = True) -> JSON:
        """Stores a user's message, builds its update; returns the message plus ``"update"``."""
        if store:
            self.store(message, from_bot=False)
        update = self._deliver(kind, message, enqueue)
        return {**copy.deepcopy(message), "update": update}

    def _user_message(
        self,
        chat_id: int,
        content: JSON,
        *,
        user_id: int | None,
        chat_type: str | None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        language_code: str | None = None,
        enqueue: bool = True,
    ) -> JSON:
        with self.lock:
            chat = self._chat_for(chat_id, user_id, chat_type, chat_title)
            message: JSON = {
                "message_id": self.new_message_id(chat_id),
                "from": self._sender(chat, user_id, language_code),
                "chat": chat,
                "date": int(time.time()),
            }
            if reply_to_message_id is not None:
                replied = self.find_message(chat_id, reply_to_message_id)
                if replied is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
                message["reply_to_message"] = {k: v for k, v in replied.message.items() if k != "reply_to_message"}
            message.update(content)
            return self._post("message", message, enqueue)

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[Entity] | None = None,
        language_code: str | None = None,
        enqueue: bool = True,
    ) -> JSON:
        """A user sends ``text``. Commands and @mentions get their entities automatically
        (unless ``entities`` is given). ``chat_type`` defaults to the chat's known type or
        "private", where ``chat_id`` is the user's id."""
        content = text_content(text, entities=entities)
        return self._user_message(
            chat_id, content, user_id=user_id, chat_type=chat_type, chat_title=chat_title,
            reply_to_message_id=reply_to_message_id, language_code=language_code, enqueue=enqueue,
        )

    def send_sticker(
        self, chat_id: int, *, user_id: int | None = None, chat_type: str | None = None,
        emoji: str = "👍", enqueue: bool = True,
    ) -> JSON:
        """A user sends a sticker (a message without text)."""
        sticker = {
            "file_id": "CAACAgIAAxkBAAFake-sticker", "file_unique_id": "AgADFakeSticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
        }
        return self._user_message(chat_id, {"sticker": sticker}, user_id=user_id, chat_type=chat_type, enqueue=enqueue)

    def send_photo(
        self, chat_id: int, *, user_id: int | None = None, chat_type: str | None = None,
        caption: str | None = None, reply_to_message_id: int | None = None, language_code: str | None = None,
        enqueue: bool = True,
    ) -> JSON:
        """A user sends a photo, optionally with a caption (no ``text``; @mentions in the caption
        get their ``caption_entities``)."""
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAFake-photo-{width}", "file_unique_id": f"AQADFake{width}",
                "width": width, "height": width * 3 // 4, "file_size": width * 40,
            }
            for width in (90, 320, 800)
        ]
        content: JSON = {"photo": sizes}
        if caption is not None:
            content.update(text_content(caption, "caption"))
        return self._user_message(chat_id, content, user_id=user_id, chat_type=chat_type,
                                  reply_to_message_id=reply_to_message_id, language_code=language_code, enqueue=enqueue)

    def edit_text(self, chat_id: int, message_id: int, new_text: str, *, enqueue: bool = True) -> JSON:
        """A user edits the text (or, of a photo, the caption) of one of their messages: an
        ``edited_message`` update; a reply keeps its ``reply_to_message``."""
        with self.lock:
            stored = self.find_message(chat_id, message_id)
            if stored is None or stored.from_bot:
                raise ValueError(f"no user message {message_id} in chat {chat_id}")
            message = stored.message
            field = "caption" if "caption" in message or "photo" in message else "text"
            message.pop("entities" if field == "text" else "caption_entities", None)
            message.update(text_content(new_text, field))
            message["edit_date"] = int(time.time())
            return self._post("edited_message", message, enqueue, store=False)

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A user deletes a message (in a private chat also one of the bot's, for both sides):
        it is gone, and editing it fails with "message to edit not found"."""
        with self.lock:
            if self.messages.pop((chat_id, message_id), None) is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
        self.changed.fire()

    def channel_post(
        self, chat_id: int, text: str, *, chat_title: str = "News", author_signature: str | None = None,
        enqueue: bool = True,
    ) -> JSON:
        """A post in a channel: ``sender_chat`` is the channel, there is no ``from``."""
        with self.lock:
            chat = self.add_chat(chat_id, "channel", chat_title)
            message: JSON = {
                "message_id": self.new_message_id(chat_id), "sender_chat": chat, "chat": chat,
                "date": int(time.time()),
            }
            if author_signature:
                message["author_signature"] = author_signature
            message.update(text_content(text))
            return self._post("channel_post", message, enqueue)

    def press_button(
        self, chat_id: int, message_id: int, callback_data: str, *, user_id: int,
        check_button: bool = True, enqueue: bool = True,
    ) -> str:
        """A user presses an inline button of the bot's message; returns the callback query id.
        With ``check_button`` the message must really carry a button with that data."""
        with self.lock:
            stored = self.find_message(chat_id, message_id)
            if stored is None or not stored.from_bot:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            rows = stored.message.get("reply_markup", {}).get("inline_keyboard", [])
            if check_button and not any(b.get("callback_data") == callback_data for row in rows for b in row):
                raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}")
            query_id = self.open_query("callback_query")
            query = {
                "id": query_id, "from": self._known_user(user_id),
                "chat_instance": f"-{abs(chat_id) * 31 + 7}", "message": copy.deepcopy(stored.message),
                "data": callback_data,
            }
            self._deliver("callback_query", query, enqueue)
            return query_id

    def inline_query(
        self, query: str, *, user_id: int, offset: str = "", chat_type: str | None = "sender",
        language_code: str | None = None, enqueue: bool = True,
    ) -> str:
        """A user types ``@bot query`` in some chat; returns the inline query id."""
        with self.lock:
            sender = self._known_user(user_id)
            if language_code is not None:
                sender["language_code"] = language_code
            query_id = self.open_query("inline_query")
            inline = {"id": query_id, "from": sender, "query": query, "offset": offset}
            if chat_type is not None:
                inline["chat_type"] = chat_type
            self._deliver("inline_query", inline, enqueue)
            return query_id

    def my_chat_member(
        self, chat_id: int, *, user_id: int, old_status: str = "left", new_status: str = "member",
        chat_type: str | None = None, chat_title: str | None = None, enqueue: bool = True,
    ) -> JSON:
        """The bot's own membership changes (added to a group, blocked in private, ...)."""
        with self.lock:
            private = (chat_type or "private") == "private"
            chat = self._chat_for(chat_id, user_id if private else None, chat_type, chat_title)
            self.set_member_status(chat_id, self.bot_id, new_status)
            if new_status == "kicked" or new_status == "left":
                self.blocked.add(chat_id)
            else:
                self.blocked.discard(chat_id)
            bot = dict(self.bot_user)
            change = {
                "chat": chat, "from": self._known_user(user_id), "date": int(time.time()),
                "old_chat_member": chat_member(chat, bot, old_status),
                "new_chat_member": chat_member(chat, bot, new_status),
            }
            self._deliver("my_chat_member", change, enqueue)
            return copy.deepcopy(change)

    def add_to_group(
        self, chat_id: int, *, user_id: int, members: list[int] | None = None, chat_type: str = "supergroup",
        chat_title: str | None = None, enqueue: bool = True,
    ) -> JSON:
        """A user adds ``members`` (user ids; default: the bot) to a group: the service message
        with them in ``new_chat_members``, as Telegram sends it (also in privacy mode), and for the
        bot its ``my_chat_member`` update (if requested). Returns the service message."""
        with self.lock:
            members = [self.bot_id] if members is None else members
            if self.bot_id in members:
                self.my_chat_member(chat_id, user_id=user_id, chat_type=chat_type, chat_title=chat_title,
                                    enqueue=enqueue)
            content = {"new_chat_members": [dict(self.bot_user) if m == self.bot_id else self._known_user(m)
                                            for m in members]}
            return self._user_message(chat_id, content, user_id=user_id, chat_type=chat_type,
                                      chat_title=chat_title, enqueue=enqueue)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember/getChatAdministrators report for ``user_id`` in ``chat_id``."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        with self.lock:
            if user_id != self.bot_id and user_id not in self.users:
                self.user(user_id)
            self.member_statuses[(chat_id, user_id)] = status

    def upgrade_group(self, old_id: int, new_id: int, *, user_id: int, enqueue: bool = True) -> tuple[JSON, JSON]:
        """A basic group becomes a supergroup with a new id, as Telegram does it: the old group
        gets a service message with ``migrate_to_chat_id``, the new supergroup one with
        ``migrate_from_chat_id``; members keep their status; from now on sending to the old id
        fails with 400 and ``parameters.migrate_to_chat_id``. Returns the two messages."""
        with self.lock:
            old = self.chats.get(old_id)
            if old is None or old["type"] != "group":
                raise ValueError(f"chat {old_id} is not a known basic group")
            if new_id in self.chats:
                raise ValueError(f"chat {new_id} already exists")
            self.chats[new_id] = {**old, "id": new_id, "type": "supergroup"}
            for (chat, member), status in list(self.member_statuses.items()):
                if chat == old_id:
                    self.member_statuses[(new_id, member)] = status
            if old_id in self.blocked:
                self.blocked.add(new_id)
            self.migrated[old_id] = new_id
            sender, now = self._known_user(user_id), int(time.time())
            to_message = {"message_id": self.new_message_id(old_id), "from": sender, "chat": dict(old),
                          "date": now, "migrate_to_chat_id": new_id}
            from_message = {"message_id": self.new_message_id(new_id), "from": sender,
                            "chat": dict(self.chats[new_id]), "date": now, "migrate_from_chat_id": old_id}
            return (self._post("message", to_message, enqueue), self._post("message", from_message, enqueue))

    def block_chat(self, chat_id: int) -> None:
        """The user blocks the bot (private) or the bot is kicked (group/channel): sends to the
        chat fail with 403 from now on."""
        with self.lock:
            self.blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self.lock:
            self.blocked.discard(chat_id)

