"""Bot settings from the environment, checked once (``BotSettings.from_env``).

The entry point loads ``.env`` before calling this. Every problem is reported as one
:class:`SettingsError` line naming the variable; the token itself never appears in a message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from index.settings import SettingsError, _int, switch

from .formatting import TELEGRAM_LIMIT
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .subscriptions import find_zone

__all__ = ["BotSettings", "SettingsError", "TOKEN_PATTERN"]

TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def _chat_ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    ids = set()
    for item in _get(env, name).split(","):
        item = item.strip()
        if not item:
            continue
        try:
            ids.add(int(item))
        except ValueError:
            raise SettingsError(f"{name} must be comma-separated chat ids (integers), got {item!r}") from None
    return frozenset(ids)


def _language(env: Mapping[str, str], name: str) -> str:
    raw = _get(env, name).lower() or DEFAULT_LANGUAGE
    if raw not in LANGUAGES:
        raise SettingsError(f"{name} must be one of {', '.join(LANGUAGES)}, got {raw!r}")
    return raw


def _zone(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _get(env, name) or default
    zone = find_zone(raw)
    if zone is None:
        raise SettingsError(f"{name} must be an IANA time zone such as Europe/Berlin, got {raw!r}")
    return zone


@dataclass(frozen=True)
class BotSettings:
    token: str
    base_url: str = ""  # empty: Telegram's own Bot API server
    webhook: bool = False
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = ""
    allowed_chat_ids: frozenset[int] = frozenset()  # empty: everyone
    flood_limit: int = 20  # questions per user per flood window
    flood_window: float = 60.0
    rate_limiter: bool = True
    rate_limit_retries: int = 3
    message_limit: int = TELEGRAM_LIMIT  # not from the environment; tests lower it
    briefing_tz: str = "Europe/Berlin"  # default time zone of /subscribe
    subscriptions_db: Path = Path(".data/subscriptions.sqlite3")
    default_language: str = DEFAULT_LANGUAGE  # when Telegram names none (channels, anonymous admins)

    def __repr__(self) -> str:  # never show the token or the webhook secret
        return f"BotSettings(webhook={self.webhook}, base_url={self.base_url!r}, allowed={len(self.allowed_chat_ids)} chats)"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, webhook: bool = False) -> "BotSettings":
        env = os.environ if env is None else env
        settings = cls(
            token=_get(env, "TELEGRAM_BOT_TOKEN"),
            base_url=_get(env, "TELEGRAM_BASE_URL"),
            webhook=webhook,
            webhook_url=_get(env, "WEBHOOK_URL"),
            webhook_listen=_get(env, "WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=_int(env, "WEBHOOK_PORT", 8443, 1, 65535),
            webhook_secret=_get(env, "WEBHOOK_SECRET"),
            allowed_chat_ids=_chat_ids(env, "ALLOWED_CHAT_IDS"),
            flood_limit=_int(env, "FLOOD_LIMIT", 20, 1, 10_000),
            flood_window=float(_int(env, "FLOOD_WINDOW", 60, 1, 86_400)),
            rate_limiter=switch(env, "RATE_LIMITER", True),
            rate_limit_retries=_int(env, "RATE_LIMIT_RETRIES", 3, 0, 20),
            briefing_tz=_zone(env, "BRIEFING_TZ", "Europe/Berlin"),
            subscriptions_db=Path(_get(env, "SUBSCRIPTIONS_DB") or ".data/subscriptions.sqlite3"),
            default_language=_language(env, "DEFAULT_LANGUAGE"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if not self.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        if not TOKEN_PATTERN.match(self.token):
            raise SettingsError("TELEGRAM_BOT_TOKEN is malformed (expected <digits>:<secret> as issued by @BotFather)")
        if self.base_url and urlparse(self.base_url).scheme not in ("http", "https"):
            raise SettingsError("TELEGRAM_BASE_URL must be an http(s) URL, e.g. http://127.0.0.1:8081/bot")
        if not self.webhook:
            return
        if not self.webhook_secret:
            raise SettingsError("WEBHOOK_SECRET is required in webhook mode (1-256 characters of A-Z a-z 0-9 _ -)")
        if not SECRET_PATTERN.match(self.webhook_secret):
            raise SettingsError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
        url = urlparse(self.webhook_url)
        if url.scheme != "https" or not url.netloc:
            raise SettingsError("WEBHOOK_URL must be set in webhook mode to the public https:// URL Telegram posts to")

    @property
    def webhook_path(self) -> str:
        """The local path the webhook server listens on: the path of WEBHOOK_URL."""
        return urlparse(self.webhook_url).path.strip("/")

    @property
    def api_base_url(self) -> str:
        """PTB's ``base_url`` (the token is appended, or put where ``{token}`` stands)."""
        return self.base_url or "https://api.telegram.org/bot"
