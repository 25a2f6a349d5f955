"""Bad input: every hostile question of tests/data/hostile_questions.json, sent every way a user
can send text to the bot — a private message, /ask in a group, an inline query, /quote and
/subscribe arguments — gets a clear reply (inline: valid results or an empty list):

* no crash (no apology from the error handler) and no failed Bot API call at all, so no
  "can't parse entities" and no plain-text fallback (every message went out as HTML);
* every reply well-formed HTML of at most 4096 characters;
* input shown back is escaped: where a reply shows the probe word, the markup around it is shown
  literally, not interpreted.

The engine's side of hostile questions (lone surrogates, binary) is in test_cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.formatting import ECHO_CHARS, TELEGRAM_LIMIT
from tests.bot_helpers import html_problems, running_bot
from tests.test_bot_robustness import APOLOGY

CORPUS = json.loads((Path(__file__).parent / "data" / "hostile_questions.json").read_text(encoding="utf-8"))
HOSTILE = [(q["name"], q["text"] * q.get("repeat", 1)) for q in CORPUS["questions"]]
PROBE = "Zxqv"
INLINE_QUERY_LIMIT = 256  # Telegram cuts inline queries to 256 characters
FIRST_USER, GROUP = 5000, -100666
MARKUP = set("<>&")


def test_the_corpus_has_what_the_issue_asks_for():
    texts = dict(HOSTILE)
    assert "" in texts.values() and any(t and not t.strip() for t in texts.values())
    assert max(map(len, texts.values())) >= 10_000 and any(len(t) > TELEGRAM_LIMIT and " " not in t for t in texts.values())
    for needle in ("<b>", "</blockquote>", "javascript:", "&amp;", " & ", "*", "_", "[", "http", "DROP TABLE",
                   "\u202e", "\u200b", "\u0000"):
        assert any(needle in t for t in texts.values()), needle


def shown(text: str) -> str:
    return " ".join(text.split())


def check_reply(name: str, sent: str, replies: list[dict]) -> None:
    """What every way of sending must give: one or more clean HTML replies."""
    assert replies, f"{name}: no reply"
    for reply in replies:
        assert reply["text"] != APOLOGY, f"{name}: the error handler answered"
        assert reply.get("parse_mode") == "HTML", f"{name}: sent without HTML (the plain-text fallback)"
        assert len(reply["raw_text"]) <= TELEGRAM_LIMIT and html_problems(reply["raw_text"]) == [], name
        visible = shown(reply["text"])
        for token in shown(sent).split():
            if PROBE in token and MARKUP & set(token) and PROBE in visible:
                # shown back: as the user wrote it (escaped), never as formatting
                assert token[: ECHO_CHARS // 2] in visible, f"{name}: {token!r} was not escaped in {reply['raw_text']!r}"


def no_failed_calls(api) -> list[str]:
    return [f"{c.method}: {c.error}" for c in api.calls if c.error]


async def send_each(bot, command: str, *, group: bool = False) -> None:
    """Sends ``command + text`` for each hostile text (each in its own private chat, or all in
    one group) and checks the replies."""
    sent = []
    for i, (name, text) in enumerate(HOSTILE):
        if not group and not command and not text.strip():
            continue  # Telegram does not deliver an empty private message
        chat = GROUP if group else FIRST_USER + i
        message = bot.api.send_text(chat, command + text, user_id=FIRST_USER + i,
                                    chat_type="supergroup" if group else None)
        sent.append((name, chat, command + text, message))

    def replies(chat: int, message: dict) -> list[dict]:
        return [m for m in bot.api.bot_messages(chat) if not group or m.get("reply_to_message_id") == message["message_id"]]

    # long questions keep a busy machine's CPU for seconds; then settle() sees any late extra reply
    await bot.api.wait_for(lambda api: all(replies(chat, message) for _, chat, _, message in sent), timeout=180)
    await bot.settle(FIRST_USER - 1)
    for name, chat, text, message in sent:
        check_reply(name, text, replies(chat, message))
    assert no_failed_calls(bot.api) == []


@pytest.fixture
async def bot(engine, tmp_path):
    async with running_bot(engine, flood_limit=10_000, subscriptions_db=tmp_path / "subscriptions.sqlite3") as harness:
        yield harness


@pytest.mark.parametrize("way, command", [
    ("private message", ""), ("/quote NAME", "/quote "), ("/subscribe HH:MM", "/subscribe "),
    ("/subscribe 08:00 ZONE", "/subscribe 08:00 "),
])
async def test_hostile_text_in_a_private_chat_gets_a_clean_reply(bot, way, command):
    await send_each(bot, command)


async def test_hostile_ask_in_a_group_gets_a_clean_reply(bot):
    await send_each(bot, "/ask ", group=True)


async def test_hostile_inline_queries_get_valid_results_or_none(bot):
    for name, text in HOSTILE:
        answer = await bot.inline(text[:INLINE_QUERY_LIMIT], user_id=FIRST_USER)
        for result in answer["results"]:
            content = result["input_message_content"]
            assert len(content["message_text"]) <= TELEGRAM_LIMIT, name
            assert content["parse_mode"] == "HTML" and html_problems(content["message_text"]) == [], name
            assert PROBE not in content["message_text"] and PROBE not in result["title"], name  # nothing echoed
    assert no_failed_calls(bot.api) == []
