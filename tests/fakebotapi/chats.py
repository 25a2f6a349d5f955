"""Bot API method that reads memberships: getChatMember."""

from __future__ import annotations

from .errors import bad_request
from .params import Params, api_method
from .state import JSON, BotState

ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_pin_messages",
)
RESTRICTED_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
    "can_add_web_page_previews", "can_change_info", "can_invite_users", "can_pin_messages",
    "can_manage_topics", "can_edit_tag", "can_react_to_messages",
)
def chat_member(chat: JSON, user: JSON, status: str) -> JSON:
    """A ChatMember object with every field python-telegram-bot requires for ``status``."""
    member: JSON = {"status": status, "user": dict(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False, can_promote_members=False)
        member.update(dict.fromkeys(ADMIN_RIGHTS, True))
        if chat["type"] == "channel":
            member.update(can_post_messages=True, can_edit_messages=True)
    elif status == "restricted":
        member.update(is_member=True, until_date=0, **dict.fromkeys(RESTRICTED_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = 0
    return member


@api_method("getChatMember")
def get_chat_member(state: BotState, p: Params) -> JSON:
    chat = state.get_chat(p.chat_id())
    user_id = p.required_int("user_id")
    user = state.bot_user if user_id == state.bot_id else state.lookup_user(user_id)
    if user is None:
        raise bad_request("user not found")
    return chat_member(chat, user, state.member_status(chat["id"], user_id))
