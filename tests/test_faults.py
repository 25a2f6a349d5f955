"""Faults: what the network, Telegram, the operating system and the operator can do to a running
bot, through the fake Bot API.

* sendMessage fails with 429, 5xx, a timeout or a dropped connection: the answer is sent again
  (``bot.handlers.common.with_retries``) and arrives exactly once; a "late timeout" (Telegram
  posted the message, only its reply was lost) gives the documented duplicate; a send that keeps
  failing ends in the apology, never in silence.
* getUpdates fails: python-telegram-bot polls on, and every question is answered exactly once.
* SIGTERM in the middle of traffic: exit code 0, nothing answered twice, nothing lost across a
  restart, the subscription still in SQLite and restored into the JobQueue.
* Bad settings for ``article-bot run``: one line, exit code 2.

Covered elsewhere and not repeated: 429 with AIORateLimiter, 5xx and dropped connections on
getUpdates, a blocked user (test_bot_robustness.py); truncated, corrupt and other-model index
files, detected and rebuilt (test_store.py; a bot-level copy would cost a ~30 s rebuild);
malformed token, WEBHOOK_SECRET and ALLOWED_CHAT_IDS errors, a token the server rejects
(test_bot_process.py); unknown model and INDEX_DIR for ``ask`` (test_cli.py).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.handlers import common
from bot.subscriptions import SubscriptionStore
from bot.main import main
from tests.bot_helpers import BOT_USERNAME, running_bot
from tests.fakebotapi import TOKEN, FakeBotAPI, FakeBotServer
from tests.test_bot_process import bot_env, index_copy  # noqa: F401 (index_copy is a fixture)
from tests.test_bot_robustness import APOLOGY

USER, GROUP = 42, -100444
QUESTION = "Wer kann Putin laut Rutte stoppen?"
ANSWER = "Für den Moment aber gebe es nur einen Menschen"


@pytest.fixture
def no_retry_wait(monkeypatch):
    """Retries after 5xx/timeouts without the production back-off (a 429 still waits)."""
    monkeypatch.setattr(common, "RETRY_DELAYS", (0.0,))


def outcomes(api: FakeBotAPI) -> list[bool]:
    """For every sendMessage so far: did it fail?"""
    return [bool(c.error) for c in api.calls_of("sendMessage")]


# ---- sendMessage -----------------------------------------------------------------------------
@pytest.mark.parametrize("fault, times", [
    ("retry_after", 1), ("server_error", common.SEND_RETRIES), ("timeout", common.SEND_RETRIES),
    ("drop", common.SEND_RETRIES),
])
async def test_transient_send_failures_are_retried_and_answered_exactly_once(engine, no_retry_wait, fault, times):
    async with running_bot(engine) as bot:  # rate_limiter off: the bot's own retry does the work
        bot.api.inject("sendMessage", fault, times=times)
        [reply] = await bot.say(USER, QUESTION, timeout=30)
        assert ANSWER in reply["text"] and reply["parse_mode"] == "HTML"
        assert outcomes(bot.api) == [True] * times + [False]
        if fault == "retry_after":  # Telegram's wait was respected
            failed, sent = bot.api.calls_of("sendMessage")
            assert sent.at - failed.at >= 1.0
        assert len(await bot.settle(USER)) == 1  # no apology, no second answer


async def test_a_late_timeout_gives_the_documented_duplicate_not_a_lost_answer(engine, no_retry_wait):
    """Telegram posted the answer but its reply was lost: the bot cannot tell this from a lost
    request, sends again, and the user sees the answer twice (docs/telegram.md)."""
    async with running_bot(engine) as bot:
        bot.api.inject("sendMessage", "late_timeout")
        first, second = await bot.say(USER, QUESTION, answers=2, timeout=30)
        assert ANSWER in first["text"] and first["raw_text"] == second["raw_text"]
        assert outcomes(bot.api) == [True, False]
        assert len(await bot.settle(USER)) == 2  # exactly one retry, no apology


async def test_a_send_that_keeps_failing_ends_in_the_apology_not_in_silence(engine, no_retry_wait, caplog):
    async with running_bot(engine) as bot:
        bot.api.inject("sendMessage", "server_error", times=common.SEND_RETRIES + 1)
        [apology] = await bot.say(USER, QUESTION, timeout=30)
        assert apology["text"] == APOLOGY
        assert outcomes(bot.api) == [True] * (common.SEND_RETRIES + 1) + [False]  # bounded
        [later] = await bot.say(USER, QUESTION)  # and the bot keeps running
        assert ANSWER in later["text"]
    assert any(r.levelname == "ERROR" and "Bad Gateway" in str(r.exc_info and r.exc_info[1]) for r in caplog.records)


async def test_a_flood_wait_longer_than_a_minute_is_not_sat_out(engine):
    async with running_bot(engine) as bot:
        bot.api.inject("sendMessage", "retry_after", retry_after=int(common.MAX_FLOOD_WAIT) + 1)
        [apology] = await bot.say(USER, QUESTION, timeout=30)
        assert apology["text"] == APOLOGY and outcomes(bot.api) == [True, False]


# ---- getUpdates ------------------------------------------------------------------------------
async def test_get_updates_faults_deliver_every_question_exactly_once(engine):
    """Questions wait before the bot starts; its first polls time out, lose their answer after
    Telegram sent the updates ("late timeout"), and are told to wait (429)."""
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    users = (USER, USER + 1, USER + 2)
    for user in users:
        api.send_text(user, QUESTION)
    for fault in ("timeout", "late_timeout", "retry_after"):
        api.inject("getUpdates", fault)
    async with running_bot(engine, api=api) as bot:
        for user in users:
            await api.wait_for(messages=1, chat_id=user, timeout=30)
        await bot.settle(USER)
        assert [len(api.bot_messages(u)) for u in users] == [2, 1, 1]  # (USER also got settle's /source)
        assert all(ANSWER in api.bot_messages(u)[0]["text"] for u in users)
        polls = api.calls_of("getUpdates")
        assert [c.error is not None for c in polls[:4]] == [True, True, True, False]
        lost = [u["update_id"] for u in polls[1].response]  # delivered by Telegram, lost on the way
        assert len(lost) == 3 and [u["update_id"] for u in polls[3].response][:3] == lost  # fetched again


# ---- SIGTERM ---------------------------------------------------------------------------------
ASKED = (QUESTION, "How many points did the original US plan have?", "Was sagt Merz über die neue Zeit?",
         "Ist das Baltikum bedroht?", "What does Merz want for Ukraine?", "Wovor warnt Rutte die NATO-Staaten?")


class BotProcess:
    """``article-bot -v run`` in a subprocess; its stderr (debug logging) goes to a file, which
    never fills up and blocks the bot the way an unread pipe does."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str) -> None:
        self.log = cwd / f"{name}.log"
        with self.log.open("w") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.main", "-v", "run"], env=env, cwd=cwd,
                                            stdout=subprocess.DEVNULL, stderr=err)

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:  # the test failed before its SIGTERM
            self.process.kill()
            self.process.wait()

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, api: FakeBotAPI, predicate, timeout: float):
        try:  # loading the model takes a while on a busy machine
            return api.wait_for_sync(predicate, timeout)
        except AssertionError as exc:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{exc}\nthe bot's stderr:\n{self.stderr()[-3000:]}") from None

    def sigterm(self, meanwhile=lambda: None) -> int:
        """SIGTERM, then ``meanwhile()`` while the bot stops; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        meanwhile()
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"no exit after SIGTERM; the bot's stderr:\n{self.stderr()[-3000:]}") from None


def test_sigterm_mid_traffic_stops_gracefully_and_the_restart_keeps_state(index_copy, tmp_path):  # noqa: F811
    db = tmp_path / "state" / "subscriptions.sqlite3"
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    group = dict(chat_type="supergroup", user_id=USER)
    api.set_member_status(GROUP, USER, "administrator")
    subscribe = api.send_text(GROUP, "/subscribe 08:00", **group)

    def replies_to(message: dict) -> list[dict]:
        return [m for m in api.bot_messages(GROUP) if m.get("reply_to_message_id") == message["message_id"]]

    with FakeBotServer.run_in_thread(api) as server:
        env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url, INDEX_DIR=str(index_copy),
                      SUBSCRIPTIONS_DB=str(db))
        with BotProcess(env, tmp_path, "first") as first:
            [done] = first.wait_for(api, lambda a: replies_to(subscribe), 300)
            assert "every day at 08:00 (Europe/Berlin)" in done["text"]
            asked = [api.send_text(GROUP, f"/ask {q}", **group) for q in ASKED]
            first.wait_for(api, lambda a: any(replies_to(m) for m in asked), 60)
            answered_at_signal = sum(bool(replies_to(m)) for m in asked)
            # while the other questions are being answered, and two more arrive
            code = first.sigterm(lambda: asked.extend(api.send_text(GROUP, f"/ask {q}", **group) for q in ASKED[:2]))

        sub = SubscriptionStore(db).get(GROUP)
        assert sub is not None and sub.active and sub.schedule.hhmm == "08:00"

        with BotProcess(env, tmp_path, "second") as second:
            status = api.send_text(GROUP, "/subscriptions", **group)  # queued after the questions
            [shown] = second.wait_for(api, lambda a: replies_to(status), 300)
            code_after_restart = second.sigterm()

    first_log, second_log = first.stderr(), second.stderr()
    assert code == 0, first_log[-2000:]
    assert code_after_restart == 0, second_log[-2000:]
    assert "bot stopped" in first_log and "restored 1 daily briefing(s)" in second_log
    assert answered_at_signal < len(ASKED)  # it really was in the middle of the traffic
    assert [len(replies_to(m)) for m in asked] == [1] * (len(ASKED) + 2)  # none lost, none twice
    assert all(APOLOGY not in m["text"] for m in api.bot_messages(GROUP))
    assert shown["text"].startswith("This chat gets the briefing every day at 08:00 (Europe/Berlin).")
    for log in (first_log, second_log):  # -v: debug logging, and still no token
        assert TOKEN not in log and TOKEN.split(":")[1] not in log


# ---- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize("values, needle", [
    ({"BRIEFING_TZ": "Mars/Olympus_Mons"}, "BRIEFING_TZ"),
    ({"FLOOD_LIMIT": "many"}, "FLOOD_LIMIT"),
    ({"FLOOD_LIMIT": "0"}, "FLOOD_LIMIT"),
    ({"FLOOD_WINDOW": "-60"}, "FLOOD_WINDOW"),
    ({"RATE_LIMITER": "maybe"}, "RATE_LIMITER"),
    ({"RATE_LIMIT_RETRIES": "1e9"}, "RATE_LIMIT_RETRIES"),
    ({"TELEGRAM_BASE_URL": "ftp://127.0.0.1/bot"}, "TELEGRAM_BASE_URL"),
    ({"TOP_K": "500"}, "TOP_K"),
    ({"INDEX_DIR": "{file}"}, "INDEX_DIR"),
    ({"INDEX_DIR": "{file}/index"}, "INDEX_DIR"),  # below a file: was a traceback and exit code 1
    ({"WEBHOOK": "1", "WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": "s3cret"}, "WEBHOOK_URL"),
    ({"WEBHOOK": "1", "WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "s3cret",
      "WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
])
def test_run_with_a_bad_setting_is_one_line_and_exit_code_2(values, needle, tmp_path, monkeypatch, capsys):
    """In-process ``article-bot run``: every one of these stops before the bot connects."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    defaults = dict(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL="http://127.0.0.1:9/bot", INDEX_DIR=str(tmp_path / "index"))
    for name, value in bot_env(**{**defaults, **values}).items():
        monkeypatch.setenv(name, value.replace("{file}", str(a_file)))
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    code = main(["run", "--webhook"] if values.get("WEBHOOK") else ["run"])
    assert_one_line_exit_2(code, capsys.readouterr().err, needle)


def test_run_with_an_unknown_model_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys):
    api = FakeBotAPI(bot_username=BOT_USERNAME)
    with FakeBotServer.run_in_thread(api) as server:
        for name, value in bot_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=server.base_url,
                                   INDEX_DIR=str(tmp_path / "index"), EMBEDDING_MODEL="no-such-org/no-such-model").items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        code = main(["run"])
    assert_one_line_exit_2(code, capsys.readouterr().err, "no-such-org/no-such-model")
    assert not api.calls_of("getUpdates")  # it stopped before polling


def assert_one_line_exit_2(code: int, err: str, needle: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("article-bot: error:") and needle in lines[0], err
    assert TOKEN.split(":")[1] not in err and "Traceback" not in err
