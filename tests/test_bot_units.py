"""Pure parts of the bot: settings, flood guard, token redaction, recent questions, i18n, cards."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from bot.cards import cards_for_answer, key_cards
from bot.tuning import INLINE_MAX_RESULTS
from bot.context import QuestionRecord, RecentQuestions
from bot.flood import FloodGuard, Verdict
from bot.i18n import TEXTS, language_of, text
from bot.redact import REDACTED, install_token_redaction, redact
from bot.settings import BotSettings, SettingsError
from tests.bot_helpers import GOOD_TOKEN


# ---- settings --------------------------------------------------------------------------------
def env(**values):
    return {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, **values}


def test_settings_defaults():
    s = BotSettings.from_env(env())
    assert (s.webhook, s.webhook_listen, s.flood_limit, s.rate_limiter, s.allowed_chat_ids) == (False, "127.0.0.1", 20, True, frozenset())
    assert s.api_base_url == "https://api.telegram.org/bot"
    assert GOOD_TOKEN not in repr(s)


def test_settings_parse_every_variable():
    s = BotSettings.from_env(env(
        TELEGRAM_BASE_URL="http://127.0.0.1:8081/bot", WEBHOOK_URL="https://example.org/tg/hook",
        WEBHOOK_LISTEN="0.0.0.0", WEBHOOK_PORT="9000", WEBHOOK_SECRET="s3cr3t_-X", ALLOWED_CHAT_IDS=" 1, -1002, ",
        FLOOD_LIMIT="5", FLOOD_WINDOW="30", RATE_LIMITER="off", RATE_LIMIT_RETRIES="1", DEFAULT_LANGUAGE="DE"),
        webhook=True)
    assert s.api_base_url == "http://127.0.0.1:8081/bot"
    assert (s.webhook_listen, s.webhook_port, s.webhook_path, s.webhook_secret) == ("0.0.0.0", 9000, "tg/hook", "s3cr3t_-X")
    assert s.allowed_chat_ids == {1, -1002}
    assert (s.flood_limit, s.flood_window, s.rate_limiter, s.rate_limit_retries) == (5, 30.0, False, 1)
    assert s.default_language == "de" and BotSettings.from_env(env()).default_language == "en"


@pytest.mark.parametrize("values, webhook, needle", [
    ({"TELEGRAM_BOT_TOKEN": ""}, False, "TELEGRAM_BOT_TOKEN is not set"),
    ({"TELEGRAM_BOT_TOKEN": "1234:short"}, False, "TELEGRAM_BOT_TOKEN is malformed"),
    ({"TELEGRAM_BOT_TOKEN": "abc:" + "x" * 40}, False, "TELEGRAM_BOT_TOKEN is malformed"),
    ({"ALLOWED_CHAT_IDS": "1,two"}, False, "ALLOWED_CHAT_IDS"),
    ({"FLOOD_LIMIT": "0"}, False, "FLOOD_LIMIT"),
    ({"WEBHOOK_PORT": "http"}, False, "WEBHOOK_PORT"),
    ({"RATE_LIMITER": "maybe"}, False, "RATE_LIMITER"),
    ({"DEFAULT_LANGUAGE": "pt"}, False, "DEFAULT_LANGUAGE must be one of en, de, ru, uk, fr, es, it, pl"),
    ({"TELEGRAM_BASE_URL": "localhost:8081"}, False, "TELEGRAM_BASE_URL"),
    ({"WEBHOOK_URL": "https://x.org/h"}, True, "WEBHOOK_SECRET is required"),
    ({"WEBHOOK_URL": "https://x.org/h", "WEBHOOK_SECRET": "bad secret!"}, True, "WEBHOOK_SECRET must be"),
    ({"WEBHOOK_URL": "https://x.org/h", "WEBHOOK_SECRET": "x" * 257}, True, "WEBHOOK_SECRET must be"),
    ({"WEBHOOK_SECRET": "ok"}, True, "WEBHOOK_URL must be set"),
    ({"WEBHOOK_SECRET": "ok", "WEBHOOK_URL": "http://x.org/h"}, True, "https://"),
])
def test_settings_errors_are_one_line_without_the_token(values, webhook, needle):
    with pytest.raises(SettingsError) as info:
        BotSettings.from_env(env(**values), webhook=webhook)
    message = str(info.value)
    assert needle in message and "\n" not in message
    assert GOOD_TOKEN not in message and "short" not in message


# ---- flood guard -----------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_guard_notice_once_then_silence_until_the_window_passes():
    clock = Clock()
    guard = FloodGuard(3, 60, clock)
    assert [guard.check(7) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check(7) is Verdict.NOTICE
    assert [guard.check(7) for _ in range(5)] == [Verdict.SILENT] * 5
    assert guard.check(8) is Verdict.ALLOW  # per user
    clock.now += 59.9
    assert guard.check(7) is Verdict.SILENT
    clock.now += 0.2
    assert guard.check(7) is Verdict.ALLOW  # window passed: answered again, and a new notice later
    assert [guard.check(7) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTICE]


def test_flood_guard_sliding_window_and_forgetting_idle_users():
    clock = Clock()
    guard = FloodGuard(2, 10, clock)
    guard.check(1)
    clock.now += 6
    guard.check(1)
    clock.now += 5  # the first question left the window
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.NOTICE
    clock.now += 100
    guard.forget_idle()
    assert len(guard) == 0
    with pytest.raises(ValueError):
        FloodGuard(0)


# ---- redaction -------------------------------------------------------------------------------
def test_redact_token_and_token_shaped_urls():
    assert redact(f"GET https://api.telegram.org/bot{GOOD_TOKEN}/getMe", GOOD_TOKEN) == \
        f"GET https://api.telegram.org/bot{REDACTED}/getMe"
    other = "987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    assert other not in redact(f"http://x/bot{other}/sendMessage")
    assert redact("chat 12345 said 10:30") == "chat 12345 said 10:30"


def test_log_filter_redacts_message_args_and_traceback(caplog):
    caplog.set_level(logging.INFO)
    install_token_redaction(GOOD_TOKEN)
    install_token_redaction(GOOD_TOKEN)  # idempotent: one filter per handler
    handler = caplog.handler
    assert sum(type(f).__name__ == "TokenRedactingFilter" for f in handler.filters) == 1
    log = logging.getLogger("test.redact")
    log.info("calling %s", f"https://api.telegram.org/bot{GOOD_TOKEN}/getUpdates")
    try:
        raise RuntimeError(f"failed for {GOOD_TOKEN}")
    except RuntimeError:
        log.exception("boom %d", 1)
    assert GOOD_TOKEN not in caplog.text and REDACTED in caplog.text
    assert all(GOOD_TOKEN not in handler.format(r) for r in caplog.records)


# ---- recent questions ------------------------------------------------------------------------
def test_recent_questions_is_a_bounded_lru_with_short_keys():
    recent = RecentQuestions(size=3)
    keys = [recent.add(QuestionRecord(f"q{i}", "en", (i,))) for i in range(3)]
    assert all(len(f"more:{k}".encode()) <= 64 for k in keys) and len(set(keys)) == 3
    recent.get(keys[0])  # touch: keys[1] is now the oldest
    recent.add(QuestionRecord("q3", "en", ()))
    assert recent.get(keys[1]) is None and recent.get(keys[0]).question == "q0" and len(recent) == 3
    assert recent.get("unknown") is None


# ---- i18n ------------------------------------------------------------------------------------
def test_language_choice():
    assert [language_of(c) for c in ("de", "de-AT", "DE", "en", "pt", None, "")] == ["de", "de", "de", "en", "en", "en", "en"]
    assert [language_of(c) for c in ("ru", "ru-RU", "uk", "UK-ua", "be", "pt-br")] == ["ru", "ru", "uk", "uk", "en", "en"]
    assert [language_of(c) for c in ("fr", "fr-CA", "es", "es-MX", "es_419", "it-CH", "pl", "PL-pl")] == \
        ["fr", "fr", "es", "es", "es", "it", "pl", "pl"]
    assert [language_of(c, "de") for c in (None, "", "pt", "de-CH", "fr")] == ["de", "de", "en", "de", "fr"]  # default: none named
    assert text("pt", "not_answered") == TEXTS["not_answered"]


# ---- cards (on the real article) ---------------------------------------------------------------
def test_cards_for_a_question_quote_the_answer_verbatim(engine):
    answer = engine.ask("Wer kann Putin stoppen?", INLINE_MAX_RESULTS)
    cards = cards_for_answer(answer)
    assert 1 <= len(cards) <= INLINE_MAX_RESULTS
    assert cards[0].passage.id == answer.hits[0].passage.id and cards[0].quote == answer.hits[0].quote
    assert "Putin" in cards[0].quote
    assert len({c.result_id for c in cards}) == len(cards)


def test_key_cards_start_with_headline_and_lead_then_quotations(engine):
    cards = key_cards(engine.article)
    assert len(cards) == INLINE_MAX_RESULTS
    assert [c.passage.kind for c in cards[:2]] == ["title", "lead"]
    assert any(c.quote.startswith("Merz sagt: \"Es ist nichts mehr so wie früher.") for c in cards)
    assert not any("Münchner Sicherheitskonferenz" in c.quote for c in cards[2:5])  # a name in quotes is no quotation
    for c in cards:
        assert c.quote in c.passage.text and len(c.result_id.encode()) <= 64
    assert len({c.result_id for c in cards}) == len(cards)


def test_cards_are_whole_quotations_credited_to_their_speaker_or_left_out():
    from bot.cards import Card, with_speakers
    from index.schema import Quote, Speaker
    from tests.bot_helpers import passage

    rutte = Speaker("mark-rutte", "Mark Rutte", "NATO-Generalsekretär")
    p = passage(21, 'Russland greift an. "Aber zu viele sehen es nicht. Aber das tut sie nicht."')
    inner = p.text.index("Aber zu"), len(p.text) - 1
    q = passage(22, 'Jemand sagte: "Das bleibt ohne Namen, ganz sicher." Dann nichts.')
    unknown = q.text.index("Das"), q.text.index('."') + 1
    quotes = [Quote(p.text[inner[0]:inner[1]], 21, *inner, "direct", rutte),
              Quote(q.text[unknown[0]:unknown[1]], 22, *unknown, "direct", None)]
    fragment = Card(p, p.text.index("Aber das"), len(p.text))
    narrative = Card(p, 0, p.text.index(" ") + 1)
    [whole, plain_card] = with_speakers([fragment, Card(q, 0, len(q.text)), narrative], quotes)
    assert whole.quote == '"Aber zu viele sehen es nicht. Aber das tut sie nicht."'
    assert whole.speaker == "Mark Rutte, NATO-Generalsekretär"
    assert plain_card.speaker == "" and plain_card.quote == "Russland "  # no speech: no speaker, kept
    assert not list(with_speakers([Card(q, q.text.index("ganz"), len(q.text))], quotes))  # nobody said it: left out


def test_cards_on_the_real_article_name_who_speaks(engine):
    quotes = engine.article.quotes
    assert engine.article.quotes is quotes  # extracted once per article
    answer = engine.ask("Dringlichkeit", INLINE_MAX_RESULTS)
    cards = cards_for_answer(answer, quotes=quotes)
    assert cards[0].quote.startswith('"Aber zu viele') and cards[0].quote.endswith('Aber das tut sie nicht."')
    assert cards[0].speaker == "Mark Rutte, NATO-Generalsekretär"
    for card in cards + key_cards(engine.article, quotes=quotes):
        speech = [q for q in quotes if q.kind == "direct" and q.passage_id == card.passage.id
                  and q.start < card.end and card.start < q.end]
        assert card.quote in card.passage.text and (card.speaker or not speech)


# ---- nothing heavy at import ---------------------------------------------------------------------
def test_importing_the_bot_loads_no_model_libraries():
    code = ("import sys, bot.main, bot.app, bot.handlers, bot.formatting, bot.cards, bot.redact;"
            "print([m for m in ('torch', 'faiss', 'sentence_transformers') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_engine_never_imports_the_bot():
    """The arrows run one way: bot/ uses index/, index/ knows nothing of bot/ (bot/main.py is the
    composition root and adds ``run`` to index/cli.py's commands)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "index"
    upward = re.compile(r"^\s*(?:from\s+bot[\s.]|import\s+bot\b)", re.MULTILINE)
    assert [str(p) for p in root.rglob("*.py") if upward.search(p.read_text(encoding="utf-8"))] == []


# ---- "More" -------------------------------------------------------------------------------------
def test_further_passages_stop_below_the_relevant_share_and_skip_titles():
    from dataclasses import replace

    from bot.handlers.callbacks import RELEVANT_SHARE, further_passages
    from tests.bot_helpers import hit, passage

    def scored(pid, score, kind="paragraph"):
        return replace(hit(passage(pid, "Ein Satz.", kind=kind), "Ein Satz."), score=score)

    hits = [scored(1, 0.05), scored(2, 0.049), scored(3, 0.048, "video"), scored(4, 0.047, "heading"),
            scored(5, 0.0465, "caption"), scored(6, 0.046), scored(7, 0.05 * RELEVANT_SHARE - 0.001)]
    page, left = further_passages(hits, shown=(1,), page=2)
    assert [h.passage.id for h in page] == [2, 5] and left
    page, left = further_passages(hits, shown=(1, 2, 5), page=2)
    assert [h.passage.id for h in page] == [6] and not left  # 7 is far below the best
    assert further_passages(hits, shown=(1, 2, 5, 6)) == ([], False)
    assert further_passages([], shown=()) == ([], False)


# ---- "Context" ----------------------------------------------------------------------------------
def test_context_data_carries_the_quote_span_and_repeats_are_remembered():
    from bot.context import RecentKeys
    from bot.handlers.callbacks import context_request
    from bot.handlers.common import answer_keyboard

    keyboard = answer_keyboard("en", more_key="k", context_id=23, context_span=(120, 230))
    data = [b.callback_data for b in keyboard.inline_keyboard[0]]
    assert data == ["more:k", "ctx:23:120-230"] and all(len(d.encode()) <= 64 for d in data)
    assert context_request("ctx:23:120-230") == (23, (120, 230))
    assert context_request("ctx:5") == (5, None)
    with pytest.raises(ValueError):
        context_request("ctx:5:x")
    seen = RecentKeys(size=2)
    assert seen.add((1, 2, "ctx:5")) and not seen.add((1, 2, "ctx:5"))
    assert seen.add((1, 3, "ctx:5")) and seen.add((1, 4, "ctx:5")) and seen.add((1, 2, "ctx:5"))  # the oldest forgotten
    assert len(seen) == 2
