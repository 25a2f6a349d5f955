"""Bot API methods about the bot itself and how it receives updates: getMe, getUpdates,
webhooks and commands."""

from __future__ import annotations

import copy
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request, conflict
from .params import Params, api_method
from .state import JSON, BotState
from .validation import check_commands

WEBHOOK_PORTS = (80, 88, 443, 8443)
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_UPDATES = 100


@api_method("getMe")
def get_me(state: BotState, p: Params) -> JSON:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("logOut", "close")
def log_out(state: BotState, p: Params) -> bool:
    return True


@api_method("getUpdates")
async def get_updates(state: BotState, p: Params) -> list[JSON]:
    """Confirms updates below ``offset`` and returns up to ``limit`` others, waiting up to
    ``timeout`` seconds for one to arrive. A newer getUpdates ends a waiting one with 409."""
    if state.webhook:
        raise conflict(
            "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        )
    limit = min(max(p.integer("limit", MAX_UPDATES) or MAX_UPDATES, 1), MAX_UPDATES)
    timeout = float(p.get("timeout", 0))
    allowed = p.json("allowed_updates")
    with state.lock:
        if allowed is not None:
            state.allowed_updates = list(allowed) or None
        state.confirm_updates(p.integer("offset", 0) or 0)
    generation = state.start_poll()
    deadline = time.monotonic() + max(timeout, 0)
    while True:
        with state.lock:
            version = state.changed.version
            if state.poll_superseded(generation):
                raise conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running"
                )
            batch = copy.deepcopy(state.updates[:limit])
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0:
            return batch
        await state.changed.wait(version, remaining)


@api_method("setWebhook")
def set_webhook(state: BotState, p: Params) -> bool:
    url = p.text("url")
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.get("secret_token")
    if secret is not None and not SECRET_TOKEN.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    with state.lock:
        if p.flag("drop_pending_updates"):
            state.updates.clear()
        allowed = p.json("allowed_updates")
        if allowed is not None:
            state.allowed_updates = list(allowed) or None
        state.webhook = None
        if url:
            state.webhook = {"url": url, "secret_token": secret, "max_connections": p.integer("max_connections", 40)}
    return True


@api_method("deleteWebhook")
def delete_webhook(state: BotState, p: Params) -> bool:
    with state.lock:
        state.webhook = None
        if p.flag("drop_pending_updates"):
            state.updates.clear()
    return True


def commands_key(p: Params) -> tuple[str | None, str]:
    """``(scope as canonical JSON or None for the default scope, language_code or "")``."""
    scope: Any = p.json("scope")
    scope_json = None if not scope or scope == {"type": "default"} else json.dumps(scope, sort_keys=True)
    return scope_json, p.text("language_code")


@api_method("setMyCommands")
def set_my_commands(state: BotState, p: Params) -> bool:
    commands = check_commands(p.json("commands"))
    with state.lock:
        state.my_commands[commands_key(p)] = commands
    return True
