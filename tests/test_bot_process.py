"""The bot as it is deployed: webhook mode with its secret, and ``article-bot run`` as a real
process against the fake Bot API over HTTP (TELEGRAM_BASE_URL), stopped with SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_application, webhook_options
from tests.bot_helpers import BOT_USERNAME, bot_settings, start_app, stop_app
from tests.fakebotapi import TOKEN, FakeBotAPI, FakeBotServer

ROOT = Path(__file__).resolve().parent.parent
USER = 42
QUESTION = "Wer kann Putin laut Rutte stoppen?"
ANSWER = "Für den Moment aber gebe es nur einen Menschen"
SECRET = "s3cret-Token_1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_answers_only_requests_with_the_secret(engine):
    port = free_port()
    # Telegram posts to the public https URL; a reverse proxy passes it to the local listener.
    settings = bot_settings(webhook=True, webhook_url="https://bot.example.org/tg/hook", webhook_port=port,
                            webhook_secret=SECRET)
    local = f"http://127.0.0.1:{port}/tg/hook"
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    app = build_application(settings, engine=engine, request=api.request(), get_updates_request=api.request())
    await start_app(app, webhook=webhook_options(settings))
    try:
        assert api.webhook["url"] == settings.webhook_url
        assert api.webhook.get("secret_token") == SECRET
        poster = FakeBotServer(api)
        update = api.send_text(USER, QUESTION, enqueue=False)["update"]
        assert await poster.post_update(local, update) == 403
        assert await poster.post_update(local, update, secret="wrong") == 403
        assert await poster.post_update(local, update, secret=SECRET) == 200
        [reply] = await api.wait_for(messages=1, chat_id=USER)
        assert ANSWER in reply["text"]
        second = api.send_text(USER, "/source", enqueue=False)["update"]
        assert await poster.post_update(local, second, secret=SECRET) == 200
        await api.wait_for(messages=2, chat_id=USER)
        assert len(api.bot_messages(USER)) == 2  # the refused posts were never handled
    finally:
        await stop_app(app)


# ---- article-bot run in a subprocess -------------------------------------------------------------
def bot_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "ALLOWED_", "FLOOD_", "RATE_LIMIT"))}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", SEEDS_DIR=str(ROOT / "seeds"), **values)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.main", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=kwargs.pop("timeout", 60), **kwargs)


@pytest.fixture
def index_copy(engine, engine_settings, tmp_path) -> Path:
    """The session's index, copied, so the subprocess need not rebuild it."""
    target = tmp_path / "index"
    shutil.copytree(engine_settings.index_dir, target)
    return target


def test_run_polls_answers_and_exits_cleanly_on_sigterm(index_copy, tmp_path):
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    api.send_text(USER, QUESTION)  # waiting before the bot starts: must not be dropped
    with FakeBotServer.run_in_thread(api) as server:
        env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, INDEX_DIR=str(index_copy))
        process = subprocess.Popen([sys.executable, "-m", "bot.main", "run"], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            try:  # loading the model takes a while on a busy machine
                [reply] = api.wait_for_sync(messages=1, chat_id=USER, timeout=300)
            except AssertionError:
                process.kill()
                raise AssertionError(f"no answer; the bot's stderr:\n{process.communicate()[1][-3000:]}") from None
            assert ANSWER in reply["text"]
            api.send_text(USER, "/source")
            api.wait_for_sync(messages=2, chat_id=USER, timeout=30)
            assert [c["command"] for c in api.my_commands[(None, "de")]] == [
                "ask", "quote", "brief", "source", "subscribe", "unsubscribe", "subscriptions", "help", "start"]
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        stdout, stderr = process.communicate()
    assert code == 0, stderr[-2000:]
    assert TOKEN not in stderr and TOKEN.split(":")[1] not in stderr
    assert "bot stopped" in stderr
    get_updates = api.calls_of("getUpdates")
    assert get_updates[0].params.get("allowed_updates") == ["message", "edited_message", "callback_query", "inline_query",
                                                          "channel_post"]
    assert not any(c.params.get("drop_pending_updates") for c in api.calls_of("deleteWebhook"))


@pytest.mark.parametrize("args, values, needle", [
    (["run"], {"TELEGRAM_BOT_TOKEN": "12345:tooshort"}, "TELEGRAM_BOT_TOKEN is malformed"),
    (["run", "--webhook"], {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/hook"},
     "WEBHOOK_SECRET is required"),
    (["run", "--webhook"], {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/hook",
                            "WEBHOOK_SECRET": "no spaces please"}, "WEBHOOK_SECRET must be"),
    (["run"], {"TELEGRAM_BOT_TOKEN": TOKEN, "ALLOWED_CHAT_IDS": "12,abc"}, "ALLOWED_CHAT_IDS"),
])
def test_run_with_bad_settings_exits_2_with_one_line(args, values, needle, tmp_path):
    result = run_cli(args, bot_env(**values), tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("article-bot: error:")
    assert "tooshort" not in result.stderr


def test_run_without_a_token_opens_the_terminal_chat(index_copy, tmp_path):
    result = run_cli(["run"], bot_env(INDEX_DIR=str(index_copy)), tmp_path, input=QUESTION + "\n", timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "terminal chat" in result.stderr and ANSWER in result.stdout


def test_run_with_a_token_the_server_rejects_exits_2(tmp_path):
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    with FakeBotServer.run_in_thread(api) as server:
        other = "987654321:AAF-some-other-bots-token-000000000"
        result = run_cli(["run"], bot_env(TELEGRAM_BOT_TOKEN=other, TELEGRAM_BASE_URL=server.base_url), tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "TELEGRAM_BOT_TOKEN was rejected" in result.stderr.strip().splitlines()[-1]
    assert other not in result.stderr
