"""Daily briefings: /subscribe, /unsubscribe, /subscriptions end to end (fake Bot API, real
Application, real engine; the job is run by hand, no sleeping), restarts, Forbidden; and the
pure parts: "HH:MM zone" parsing, next run times, the SQLite repository."""

from __future__ import annotations

import datetime as dtm
import logging
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.formatting import TELEGRAM_LIMIT
from bot.library import get_library
from bot.settings import BotSettings, SettingsError
from bot.subscriptions import Schedule, ScheduleError, Subscription, SubscriptionStore, find_zone, parse_schedule
from tests.bot_helpers import running_bot
from tests.fakebotapi import TOKEN, FakeBotAPI

USER, OTHER, GROUP, CHANNEL = 42, 43, -100777, -100888
BERLIN, VIENNA = ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/Vienna")
SUPERGROUP = dict(chat_type="supergroup", user_id=USER)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "state" / "subscriptions.sqlite3"


@pytest.fixture
async def bot(engine, db):
    async with running_bot(engine, subscriptions_db=db) as harness:
        await get_library(harness.app).briefing()
        yield harness


def jobs(bot, chat_id: int):
    return bot.app.job_queue.get_jobs_by_name(f"briefing:{chat_id}")


async def run_job(bot, chat_id: int) -> list[dict]:
    """Runs the chat's daily job now (as the scheduler would); returns the bot's new messages."""
    [job] = jobs(bot, chat_id)
    before = len(bot.api.bot_messages(chat_id))
    await job.run(bot.app)
    return bot.api.bot_messages(chat_id)[before:]


async def channel_says(bot, text: str) -> dict:
    before = len(bot.api.bot_messages(CHANNEL))
    bot.api.channel_post(CHANNEL, text)
    return (await bot.api.wait_for(messages=before + 1, chat_id=CHANNEL))[before]


def local_time(job, zone: ZoneInfo) -> tuple[int, int]:
    at = job.next_t.astimezone(zone)
    assert dtm.timedelta(0) < at - dtm.datetime.now(zone) <= dtm.timedelta(days=1)
    return at.hour, at.minute


# ---- end to end --------------------------------------------------------------------------------
async def test_group_admin_subscribes_and_the_job_posts_the_briefing_once_a_day(bot, db):
    bot.api.set_member_status(GROUP, USER, "administrator")
    [done] = await bot.say(GROUP, "/subscribe 08:00", **SUPERGROUP)
    assert done["text"].startswith("Done: this chat gets the briefing every day at 08:00 (Europe/Berlin), next on ")
    [job] = jobs(bot, GROUP)
    assert local_time(job, BERLIN) == (8, 0)
    assert bot.api.calls_of("getChatMember")[-1].params["user_id"] in (USER, str(USER))

    [post] = await run_job(bot, GROUP)
    assert post["text"].startswith("Briefing\nNATO-Chef Mark Rutte") and "Key quotations" in post["text"]
    assert "reply_to_message_id" not in post and len(post["raw_text"]) <= TELEGRAM_LIMIT
    today = dtm.datetime.now(BERLIN).date().isoformat()
    assert SubscriptionStore(db).get(GROUP).last_sent == today
    assert await run_job(bot, GROUP) == []  # one post per day
    [status] = await bot.say(GROUP, "/subscriptions", **SUPERGROUP)
    assert status["text"].startswith("This chat gets the briefing every day at 08:00 (Europe/Berlin).")
    # one date format, the reader's (today's briefing went out already: the next is tomorrow's)
    now = dtm.datetime.now(BERLIN)
    today_, tomorrow = now.date(), (now + dtm.timedelta(days=1)).date()
    assert f"Next: {tomorrow:%b} {tomorrow.day}, {tomorrow.year}, 08:00. " in status["text"], status["text"]
    assert status["text"].endswith(f"Last sent: {today_:%b} {today_.day}, {today_.year}.")
    [stand] = await bot.say(GROUP, "/subscriptions", chat_type="supergroup", user_id=OTHER, language_code="de")
    assert stand["text"].endswith(f"Nächstes Mal: {tomorrow:%d.%m.%Y}, 08:00. Zuletzt: {today_:%d.%m.%Y}.")

    [again] = await bot.say(GROUP, "/subscribe 18:45 Europe/Vienna", **SUPERGROUP)  # replaces the job
    [job] = jobs(bot, GROUP)
    assert "18:45 (Europe/Vienna)" in again["text"] and local_time(job, VIENNA) == (18, 45)


async def test_a_restart_restores_the_subscription_and_its_job(engine, db):
    api = FakeBotAPI(bot_username="article_test_bot")
    async with running_bot(engine, api=api, subscriptions_db=db) as first:
        done = await channel_says(first, "/subscribe 7:30 europe/vienna")  # the channel itself: admin
        assert "every day at 07:30 (Europe/Vienna)" in done["text"]
    async with running_bot(engine, api=api, subscriptions_db=db) as second:
        [job] = jobs(second, CHANNEL)
        assert local_time(job, VIENNA) == (7, 30)
        [post] = await run_job(second, CHANNEL)
        assert post["text"].startswith("Briefing\n")
        assert jobs(second, GROUP) == ()


async def test_only_administrators_may_subscribe_in_groups(bot, db):
    bot.api.set_member_status(GROUP, OTHER, "member")
    [refused] = await bot.say(GROUP, "/subscribe 08:00", chat_type="group", user_id=OTHER)
    assert refused["text"] == "Only administrators of this chat can change its daily briefing."
    assert SubscriptionStore(db).get(GROUP) is None and jobs(bot, GROUP) == ()

    def as_sender_chat(sender_chat: dict) -> Update:
        """/subscribe posted on behalf of a chat: an anonymous admin, or a linked channel."""
        sent = bot.api.send_text(GROUP, "/subscribe 09:15", chat_type="group", user_id=OTHER, enqueue=False)
        message = {**sent["update"]["message"], "sender_chat": sender_chat}
        return Update.de_json({**sent["update"], "message": message}, bot.app.bot)

    linked = {"id": CHANNEL, "type": "channel", "title": "News"}
    await bot.app.process_update(as_sender_chat(linked))
    assert SubscriptionStore(db).get(GROUP) is None
    group = {"id": GROUP, "type": "group", "title": "Test Group"}
    await bot.app.process_update(as_sender_chat(group))
    assert SubscriptionStore(db).get(GROUP).schedule == Schedule(9, 15, "Europe/Berlin")
    assert len(jobs(bot, GROUP)) == 1

    [refused] = await bot.say(GROUP, "/unsubscribe", chat_type="group", user_id=OTHER)
    assert refused["text"].startswith("Only administrators")
    assert SubscriptionStore(db).get(GROUP) is not None


async def test_unsubscribe_removes_the_subscription_and_the_job(bot, db):
    bot.api.set_member_status(GROUP, USER, "creator")
    await bot.say(GROUP, "/subscribe 06:00", **SUPERGROUP)
    assert len(jobs(bot, GROUP)) == 1
    [done] = await bot.say(GROUP, "/unsubscribe", **SUPERGROUP)
    assert done["text"] == "Done: no more daily briefings in this chat."
    assert SubscriptionStore(db).get(GROUP) is None and jobs(bot, GROUP) == ()
    [again] = await bot.say(GROUP, "/unsubscribe", **SUPERGROUP)
    [status] = await bot.say(GROUP, "/subscriptions", **SUPERGROUP)
    assert again["text"] == status["text"] == "This chat has no daily briefing. /subscribe 08:00 starts one."


async def test_forbidden_disables_the_subscription(bot, db, caplog):
    caplog.set_level(logging.INFO)
    done = await channel_says(bot, "/subscribe 12:00")
    assert "12:00 (Europe/Berlin)" in done["text"]
    bot.api.block_chat(CHANNEL)  # the bot was removed from the channel
    assert await run_job(bot, CHANNEL) == []
    sub = SubscriptionStore(db).get(CHANNEL)
    assert not sub.active and "kicked" in sub.note and sub.last_sent is None
    assert jobs(bot, CHANNEL) == () and SubscriptionStore(db).active() == []
    assert any(r.levelno == logging.WARNING and "disabled" in r.getMessage() for r in caplog.records)
    bot.api.unblock_chat(CHANNEL)
    status = await channel_says(bot, "/subscriptions")
    assert status["text"].startswith("The daily briefing of this chat at 12:00 (Europe/Berlin) is stopped")
    await channel_says(bot, "/subscribe 12:00")  # and can be started again
    assert SubscriptionStore(db).get(CHANNEL).active and len(jobs(bot, CHANNEL)) == 1


BASIC, UPGRADED = -4001, -1004001  # a basic group and the supergroup it becomes


async def subscribe_basic_group(bot) -> None:
    bot.api.set_member_status(BASIC, USER, "administrator")
    [done] = await bot.say(BASIC, "/subscribe 07:00", chat_type="group", user_id=USER)
    assert "07:00 (Europe/Berlin)" in done["text"] and len(jobs(bot, BASIC)) == 1


async def test_a_group_upgraded_to_a_supergroup_keeps_its_briefing(bot, db):
    await subscribe_basic_group(bot)
    SubscriptionStore(db).mark_sent(BASIC, "2025-12-10")
    bot.api.upgrade_group(BASIC, UPGRADED, user_id=USER)
    await bot.api.wait_for(lambda api: jobs(bot, UPGRADED) and not jobs(bot, BASIC))
    await bot.api.wait_for(lambda api: api.pending_updates() == 0)  # both service messages handled
    moved = SubscriptionStore(db).get(UPGRADED)
    assert SubscriptionStore(db).get(BASIC) is None
    assert (moved.schedule, moved.chat_type, moved.last_sent) == (Schedule(7, 0, "Europe/Berlin"), "supergroup", "2025-12-10")
    [post] = await run_job(bot, UPGRADED)
    assert post["text"].startswith("Briefing\n") and post["chat"]["id"] == UPGRADED
    assert bot.api.bot_messages(BASIC)[-1]["text"].startswith("Done:")  # nothing else went to the old id


async def test_a_missed_upgrade_is_caught_when_the_briefing_is_posted(bot, db, caplog):
    caplog.set_level(logging.INFO)
    await subscribe_basic_group(bot)
    bot.api.upgrade_group(BASIC, UPGRADED, user_id=USER, enqueue=False)  # the bot never saw the service messages
    [job] = jobs(bot, BASIC)
    await job.run(bot.app)
    [post] = await bot.api.wait_for(messages=1, chat_id=UPGRADED)
    assert post["text"].startswith("Briefing\n")
    assert SubscriptionStore(db).get(BASIC) is None and SubscriptionStore(db).get(UPGRADED).last_sent is not None
    assert jobs(bot, BASIC) == () and len(jobs(bot, UPGRADED)) == 1
    assert any("became supergroup" in r.getMessage() for r in caplog.records)


async def test_an_allowed_group_upgraded_to_an_unlisted_supergroup_is_not_scheduled(engine, db, caplog):
    async with running_bot(engine, subscriptions_db=db, allowed_chat_ids=frozenset({BASIC})) as bot:
        await subscribe_basic_group(bot)
        bot.api.upgrade_group(BASIC, UPGRADED, user_id=USER)
        await bot.api.wait_for(lambda api: api.pending_updates() == 0 and SubscriptionStore(db).get(UPGRADED))
        assert jobs(bot, BASIC) == () and jobs(bot, UPGRADED) == ()  # the operator must list the new id
        assert bot.api.bot_messages(UPGRADED) == []  # no refusal for the service message
        assert any("ALLOWED_CHAT_IDS" in r.getMessage() for r in caplog.records)


def test_store_moves_a_subscription_once(db):
    store = SubscriptionStore(db)
    assert store.move(1, 2) is None
    store.save(Subscription(1, Schedule(8, 0, "UTC"), "group", "G", "de"))
    moved = store.move(1, 2)
    assert (moved.chat_id, moved.chat_type, moved.lang) == (2, "supergroup", "de") and store.get(1) is None
    assert store.move(1, 2) == moved  # the second service message changes nothing
    store.save(Subscription(3, Schedule(9, 0, "UTC"), "group"))
    assert store.move(3, 2).schedule == Schedule(8, 0, "UTC")  # the new chat's own subscription wins
    assert store.get(3) is None


@pytest.mark.parametrize("command, expected", [
    ("/subscribe", ["Send /subscribe HH:MM or /subscribe HH:MM time-zone"]),
    ("/subscribe 25:00", ["25:00 is not a time of day", "Send /subscribe HH:MM"]),
    ("/subscribe 08:00 Mars/Olympus", ["Mars/Olympus is not a time zone I know.", "without one, Europe/Berlin applies"]),
    ("/subscribe 08:00 Europe/Berlin extra", ["I did not expect extra: after the time only a time zone may follow.",
                                              "Send /subscribe HH:MM"]),
    ("/subscribe 08:00 New York", ["New York is not a time zone I know.", "Time zones are IANA names"]),
])
async def test_bad_time_or_zone_gets_the_usage_message(bot, db, command, expected):
    [reply] = await bot.say(USER, command)  # a private chat: the user's own, no admin check
    assert all(e in reply["text"] for e in expected), reply["text"]
    assert SubscriptionStore(db).get(USER) is None and not db.exists()


async def test_private_chat_subscribes_itself_in_german(bot, db):
    [done] = await bot.say(USER, "/subscribe 8.05 america/new_york", language_code="de")
    assert done["text"].startswith("Erledigt: Dieser Chat bekommt die Kurzfassung jeden Tag um 08:05 (America/New_York)")
    assert SubscriptionStore(db).get(USER).lang == "de"
    [post] = await run_job(bot, USER)
    assert post["text"].startswith("Kurzfassung\n")


async def test_a_channel_gets_the_default_language_setting(engine, db):
    async with running_bot(engine, subscriptions_db=db, default_language="de") as bot:
        done = await channel_says(bot, "/subscribe 06:30")  # a channel post names no language
        assert done["text"].startswith("Erledigt: Dieser Chat bekommt die Kurzfassung jeden Tag um 06:30")
        [post] = await run_job(bot, CHANNEL)
        assert post["text"].startswith("Kurzfassung\n")
        [reply] = await bot.say(USER, "/subscriptions", language_code="en")  # a user's own language wins
        assert reply["text"].startswith("This chat has no daily briefing")


# ---- pure parts --------------------------------------------------------------------------------
@pytest.mark.parametrize("args, expected", [
    (["08:00"], Schedule(8, 0, "Europe/Berlin")),
    (["7:05", "UTC"], Schedule(7, 5, "UTC")),
    (["23.59", "asia/tokyo"], Schedule(23, 59, "Asia/Tokyo")),
    (["0:00", "America/Argentina/Buenos_Aires"], Schedule(0, 0, "America/Argentina/Buenos_Aires")),
])
def test_parse_schedule(args, expected):
    assert parse_schedule(args, "Europe/Berlin") == expected


@pytest.mark.parametrize("args, reason, value", [
    ([], "usage", ""), (["1", "2", "3"], "bad_time", "1"),
    (["08:00", "UTC", "extra", "words"], "extra_args", "extra words"), (["08:00", "New", "York"], "bad_zone", "New York"),
    (["24:00"], "bad_time", "24:00"), (["8"], "bad_time", "8"), (["08:60"], "bad_time", "08:60"),
    (["morgen"], "bad_time", "morgen"), (["08:00", "Berlin"], "bad_zone", "Berlin"),
    (["08:00", "../../etc/passwd"], "bad_zone", "../../etc/passwd"), (["08:00", "Europe/"], "bad_zone", "Europe/"),
])
def test_parse_schedule_refuses(args, reason, value):
    with pytest.raises(ScheduleError) as err:
        parse_schedule(args, "Europe/Berlin")
    assert (err.value.reason, err.value.value) == (reason, value)


def test_find_zone_and_the_default_zone_setting():
    assert find_zone("EUROPE/berlin") == "Europe/Berlin" and find_zone("Nowhere/City") is None and find_zone(" ") is None
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert BotSettings.from_env(env).briefing_tz == "Europe/Berlin"
    assert BotSettings.from_env({**env, "BRIEFING_TZ": "europe/vienna", "SUBSCRIPTIONS_DB": "/x/s.db"}).briefing_tz == "Europe/Vienna"
    assert str(BotSettings.from_env({**env, "SUBSCRIPTIONS_DB": "/x/s.db"}).subscriptions_db) == "/x/s.db"
    with pytest.raises(SettingsError, match="BRIEFING_TZ"):
        BotSettings.from_env({**env, "BRIEFING_TZ": "Mitteleuropa"})


def test_next_run_and_local_date_follow_the_time_zone_across_dst():
    s = Schedule(8, 0, "Europe/Berlin")
    before_dst = dtm.datetime(2026, 3, 28, 12, 0, tzinfo=dtm.timezone.utc)  # Saturday; clocks go forward on Sunday
    assert s.next_run(before_dst) == dtm.datetime(2026, 3, 29, 6, 0, tzinfo=dtm.timezone.utc)  # 08:00 CEST
    early = dtm.datetime(2026, 1, 10, 6, 59, tzinfo=dtm.timezone.utc)  # 07:59 in Berlin
    assert s.next_run(early) == dtm.datetime(2026, 1, 10, 7, 0, tzinfo=dtm.timezone.utc)
    assert s.next_run(early, skip_today=True) == dtm.datetime(2026, 1, 11, 7, 0, tzinfo=dtm.timezone.utc)
    late = dtm.datetime(2026, 1, 10, 23, 30, tzinfo=dtm.timezone.utc)
    assert s.local_date(late) == "2026-01-11" and Schedule(8, 0, "America/New_York").local_date(late) == "2026-01-10"
    sent = Subscription(1, s, last_sent="2026-01-10")
    assert sent.next_post(early).day == 11 and Subscription(1, s).next_post(early).day == 10
    assert s.time == dtm.time(8, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_store_crud_on_a_file(tmp_path):
    store = SubscriptionStore(tmp_path / "new" / "dir" / "subs.sqlite3")
    assert store.get(1) is None and store.active() == [] and not store.path.parent.exists()  # reads create nothing
    saved = store.save(Subscription(-5, Schedule(8, 0, "Europe/Berlin"), "supergroup", "Gruppe <1>", "de", 42))
    assert store.path.exists() and saved.active and saved.created_at and saved.last_sent is None
    assert (saved.chat_id, saved.chat_type, saved.title, saved.lang, saved.created_by) == (-5, "supergroup", "Gruppe <1>", "de", 42)
    store.save(Subscription(7, Schedule(6, 30, "UTC")))
    assert [s.chat_id for s in store.active()] == [-5, 7]

    store.mark_sent(-5, "2026-01-10")
    store.disable(-5, "Forbidden: bot was kicked")
    off = store.get(-5)
    assert not off.active and off.note == "Forbidden: bot was kicked" and [s.chat_id for s in store.active()] == [7]
    again = store.save(Subscription(-5, Schedule(9, 0, "Asia/Tokyo"), "supergroup", "Gruppe", "en", 43))
    assert again.active and again.note == "" and again.last_sent == "2026-01-10"  # still one post per day
    assert again.schedule == Schedule(9, 0, "Asia/Tokyo") and again.created_by == 43

    assert SubscriptionStore(store.path).get(7).schedule == Schedule(6, 30, "UTC")  # another connection sees it
    assert store.remove(7) and not store.remove(7) and store.get(7) is None
    assert [s.chat_id for s in store.active()] == [-5]
