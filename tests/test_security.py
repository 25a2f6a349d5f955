"""Security: ALLOWED_CHAT_IDS everywhere, subscriptions for administrators only, no token or
webhook secret in any log line, no pickle anywhere, pinned dependencies.

Covered elsewhere and not repeated: strangers' private questions, /start, inline queries and
"ctx:" buttons (test_bot_robustness.py); group members, linked channels and anonymous admins on
/subscribe and /unsubscribe (test_bot_subscriptions.py); webhook requests without or with a
wrong secret get 403, and WEBHOOK_SECRET is required (test_bot_process.py).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from telegram.request import HTTPXRequest

from bot.app import build_application, webhook_options
from bot.handlers import common
from bot.redact import REDACTED, install_token_redaction
from bot.subscriptions import Schedule, Subscription, SubscriptionStore
from tests.bot_helpers import BOT_USERNAME, Harness, bot_settings, running_bot, start_app, stop_app
from tests.fakebotapi import TOKEN, FakeBotAPI, FakeBotServer
from tests.test_bot_process import SECRET, free_port
from tests.test_bot_robustness import APOLOGY, BrokenEngine
from tests.test_bot_subscriptions import jobs

ROOT = Path(__file__).resolve().parent.parent
USER, STRANGER, GROUP, STRANGER_GROUP, STRANGER_CHANNEL = 42, 43, -100777, -100901, -100902
QUESTION = "Wer kann Putin laut Rutte stoppen?"
REFUSED = "Sorry, this bot is not available here."
ADMINS_ONLY = "Only administrators of this chat can change its daily briefing."


# ---- ALLOWED_CHAT_IDS ------------------------------------------------------------------------
async def test_allowed_chat_ids_guard_commands_groups_channels_buttons_and_restored_briefings(engine, tmp_path):
    store = SubscriptionStore(tmp_path / "subscriptions.sqlite3")
    for chat in (USER, STRANGER_GROUP):  # both subscribed before ALLOWED_CHAT_IDS was set
        store.save(Subscription(chat, Schedule(8, 0, "Europe/Berlin")))
    async with running_bot(engine, allowed_chat_ids=frozenset({USER}), subscriptions_db=store.path) as bot:
        assert len(jobs(bot, USER)) == 1 and jobs(bot, STRANGER_GROUP) == ()  # not restored
        for command in ("/quote Rutte", "/brief", "/subscribe 08:00", "/subscriptions", f"/ask {QUESTION}"):
            bot.api.send_text(STRANGER, command)
        bot.api.set_member_status(STRANGER_GROUP, USER, "administrator")
        in_group = dict(chat_type="supergroup", user_id=USER)  # an allowed user, in a chat that is not allowed
        for command in (f"/ask {QUESTION}", f"@{BOT_USERNAME} {QUESTION}", "/quote Merz", "/brief", "/unsubscribe"):
            bot.api.send_text(STRANGER_GROUP, command, **in_group)
        for command in ("/brief", "/quote Rutte", "/subscribe 08:00"):
            bot.api.channel_post(STRANGER_CHANNEL, command)
        await bot.settle(USER)  # updates are handled in order: all of the above are done
        [refusal] = bot.api.bot_messages(STRANGER)  # one refusal per chat, then silence
        [group_refusal] = bot.api.bot_messages(STRANGER_GROUP)
        assert refusal["text"] == group_refusal["text"] == REFUSED
        assert bot.api.bot_messages(STRANGER_CHANNEL) == []
        answer, _ = await bot.press(STRANGER, refusal, "quote:mark-rutte", user_id=STRANGER, answers=0, check_button=False)
        assert answer["text"] == REFUSED
        assert not bot.api.calls_of("getChatMember")  # refused before any handler ran
    assert store.get(STRANGER) is None and store.get(STRANGER_CHANNEL) is None
    assert store.get(STRANGER_GROUP).active  # its /unsubscribe never got through


# ---- subscriptions: administrators only -----------------------------------------------------
async def test_no_kind_of_non_administrator_may_change_a_groups_briefing(engine, tmp_path):
    store = SubscriptionStore(tmp_path / "subscriptions.sqlite3")
    store.save(Subscription(GROUP, Schedule(8, 0, "Europe/Berlin"), "supergroup"))
    async with running_bot(engine, subscriptions_db=store.path) as bot:
        for offset, status in enumerate(("restricted", "left", "kicked")):
            user = 500 + offset
            bot.api.set_member_status(GROUP, user, status)
            for command in ("/subscribe 21:00", "/unsubscribe"):
                [reply] = await bot.say(GROUP, command, chat_type="supergroup", user_id=user)
                assert reply["text"] == ADMINS_ONLY, (status, command)
        bot.api.inject("getChatMember", "server_error")  # the check itself fails: closed, not open
        [reply] = await bot.say(GROUP, "/unsubscribe", chat_type="supergroup", user_id=500)
        assert reply["text"] == APOLOGY
    sub = store.get(GROUP)
    assert sub.active and sub.schedule == Schedule(8, 0, "Europe/Berlin")


# ---- logs --------------------------------------------------------------------------------------
class FailsOn(BrokenEngine):
    """The real engine, except for questions containing "kaputt"."""

    def ask(self, question, *args, **kwargs):
        if "kaputt" in question:
            return super().ask(question)
        return self._engine.ask(question, *args, **kwargs)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, if any


@contextlib.contextmanager
def every_log_line_at_debug():
    """A root handler that keeps every record, formatted; every logger at DEBUG (httpx, httpcore,
    telegram and apscheduler too). The redaction is installed as ``article-bot`` does."""
    names = ("", "httpx", "httpcore", "telegram", "telegram.ext.ExtBot", "apscheduler", "bot", "index", "tornado")
    levels = {name: logging.getLogger(name).level for name in names}
    collect = Collect()
    logging.getLogger().addHandler(collect)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    install_token_redaction(TOKEN)
    try:
        yield collect
    finally:
        logging.getLogger().removeHandler(collect)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_neither_the_token_nor_the_webhook_secret_reaches_any_log_line(engine, monkeypatch):
    """Over real HTTP (python-telegram-bot's HTTPXRequest against the fake server), with failing
    getUpdates and sendMessage calls, a handler that raises, and a webhook start."""
    monkeypatch.setattr(common, "RETRY_DELAYS", (0.0,))
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    api.hang_seconds = 2.0  # a "timeout" fault: longer than the client's read timeout below
    with every_log_line_at_debug() as logs:
        async with FakeBotServer(api) as server:
            settings = bot_settings(base_url=server.base_url)
            app = build_application(settings, engine=FailsOn(engine), request=HTTPXRequest(read_timeout=0.5))
            await start_app(app)
            try:
                bot = Harness(api, app)
                api.inject("getUpdates", "drop")
                api.inject("getUpdates", "server_error")
                api.inject("sendMessage", "timeout")
                api.inject("sendMessage", "drop")
                [answer] = await bot.say(USER, QUESTION, timeout=30)
                [apology] = await bot.say(USER, "kaputt?", timeout=30)
            finally:
                await stop_app(app)

            port = free_port()
            settings = bot_settings(base_url=server.base_url, webhook=True, webhook_secret=SECRET,
                                    webhook_url="https://bot.example.org/tg/hook", webhook_port=port)
            app = build_application(settings, engine=engine)
            await start_app(app, webhook=webhook_options(settings))
            try:
                update = api.send_text(USER, QUESTION, enqueue=False)["update"]
                assert await server.post_update(f"http://127.0.0.1:{port}/tg/hook", update, secret=SECRET) == 200
                await api.wait_for(messages=3, chat_id=USER, timeout=30)
            finally:
                await stop_app(app)
    assert "Für den Moment" in answer["text"] and apology["text"] == APOLOGY
    text = "\n".join(logs.lines)
    # what was logged: httpx's request lines (with the URL), PTB's debug calls, retries, a traceback
    assert "httpx: HTTP Request: POST" in text and "setWebhook" in text and "Traceback" in text
    assert "sending failed" in text and "index corrupted" in text
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text  # not even the secret part alone
    assert SECRET not in text  # the webhook secret
    assert f"bot{REDACTED}/getUpdates" in text and f"'secret_token': '{REDACTED}'" in text


# ---- no pickle -------------------------------------------------------------------------------
PICKLE_USE = re.compile(
    r"^\s*(import|from)\s+(c?pickle|dill|shelve|joblib|cloudpickle|marshal)\b|\bpickle\.loads?\(|PicklePersistence"
    r"|allow_pickle\s*=\s*True|\btorch\.load\(|\bjoblib\.load\(", re.MULTILINE)


def test_no_pickle_in_the_source_tree():
    sources = [p for d in ("bot", "index", "tests", "bench") for p in (ROOT / d).rglob("*.py")]
    sources += list(ROOT.glob("*.py"))
    assert len(sources) > 30
    found = [f"{p.relative_to(ROOT)}:{p.read_text(encoding='utf-8')[:m.start()].count(chr(10)) + 1}: {m.group().strip()}"
             for p in sources if p != Path(__file__).resolve()
             for m in PICKLE_USE.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def test_index_files_are_json_numpy_and_faiss_not_pickles(engine):
    import faiss

    files = sorted(engine.settings.index_dir.iterdir())
    assert {p.suffix for p in files} <= {".json", ".jsonl", ".npy", ".npz", ".faiss"}, files
    for path in files:
        assert not path.read_bytes()[:2] in {b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"}, path  # pickle
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        elif path.suffix == ".npy":
            assert np.load(path, allow_pickle=False).dtype != object
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as arrays:
                assert all(arrays[name].dtype != object for name in arrays.files)
        else:
            assert faiss.read_index(str(path)).ntotal > 0


def test_the_application_has_no_persistence(engine):
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    app = build_application(bot_settings(), engine=engine, request=api.request(), get_updates_request=api.request())
    assert app.persistence is None  # state that must survive a restart is in SQLite (subscriptions)


# ---- pinned dependencies ---------------------------------------------------------------------
def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"not pinned with ==: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + optional]


def closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution these requirements install (their extras included), per the installed
    metadata."""
    seen: set[str] = set()
    todo = [(r, tuple(r.extras)) for r in requirements]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen and not extras:
            continue
        seen.add(name)
        for spec in importlib.metadata.requires(req.name) or []:
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in ("", *extras)):
                todo.append((sub, tuple(sub.extras)))
    return seen


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    pins = constraints()
    direct = declared()
    assert [r.name for r in direct if canonicalize_name(r.name) not in pins] == []
    everything = closure(direct)
    assert sorted(everything - set(pins)) == []  # transitive ones too, extras included
    installed = {name: Version(importlib.metadata.version(name)).public for name in everything}
    assert {n: v for n, v in installed.items() if Version(pins[n]) != Version(v)} == {}


def test_the_makefile_installs_with_the_constraints():
    installs = [line.strip() for line in (ROOT / "Makefile").read_text().splitlines() if "pip install" in line]
    project = [line for line in installs if "-e " in line or " ." in line]
    assert project and all("-c constraints.txt" in line for line in project)
    others = [line for line in installs if line not in project and not line.endswith("--upgrade pip")]
    assert all("-c constraints.txt" in line for line in others), others
