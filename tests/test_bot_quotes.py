"""Quotes and briefings in the bot: /quote, quote cards in inline mode, /brief in private chats,
groups and channels (end to end through the fake Bot API, real Application, real engine), and
the pure formatting of cards and briefings."""

from __future__ import annotations

import re

import pytest

from bot.formatting import TELEGRAM_LIMIT
from bot.library import get_library
from bot.quoting import format_briefing, format_quote_card, format_quotes
from index.briefing import make_briefing
from index.quotes import QuoteBook
from index.schema import ArticleMeta, Briefing, BriefingPoint, Quote, Speaker
from tests.bot_helpers import BOT_USERNAME, html_problems, plain, running_bot

USER, GROUP, CHANNEL = 42, -100777, -100888
LINK = f"https://t.me/{BOT_USERNAME}?start=p"
MERZ_CEASEFIRE = "Wir wollen einen Waffenstillstand für die Ukraine, der diesem schrecklichen Krieg"
RUTTE_URGENCY = "Aber zu viele bei uns sehen die Dringlichkeit immer noch nicht."


@pytest.fixture(scope="module")
def book(engine):
    return QuoteBook.build(engine.article, engine)


@pytest.fixture
async def bot(engine, book):
    async with running_bot(engine) as harness:
        await get_library(harness.app).briefing()  # inline mode only uses a built quote book
        yield harness


def card_quotes(message: dict) -> list[str]:
    """The quotations of the cards in a message, in order."""
    return re.findall(r"„(.+?)“\n— ", message["text"], flags=re.S)


def buttons(message: dict) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


# ---- /quote ------------------------------------------------------------------------------------
async def test_quote_name_and_topic_puts_the_matching_quotation_first(bot, book, engine):
    [reply] = await bot.say(USER, "/quote Merz Waffenstillstand")
    assert reply["parse_mode"] == "HTML" and html_problems(reply["raw_text"]) == []
    expected = book.find("Merz", "Waffenstillstand", 5)
    assert expected[0].passage_id == 8 and expected[0].text.startswith(MERZ_CEASEFIRE)
    quotes = card_quotes(reply)
    assert quotes == [q.text for q in expected] and len(quotes) == 4
    assert all(q in engine.article.passage(e.passage_id).text for q, e in zip(quotes, expected))  # verbatim
    assert reply["text"].startswith("Quotations of Friedrich Merz, Bundeskanzler:\nBest match for Waffenstillstand first.")
    assert "— Friedrich Merz, Bundeskanzler · DW, 11.12.2025 · §8" in reply["text"]
    assert f'<a href="{LINK}8">§8</a>' in reply["raw_text"]

    [rutte] = await bot.say(USER, "/quote Rutte Dringlichkeit", language_code="de")
    assert rutte["text"].startswith("Zitate von Mark Rutte, NATO-Generalsekretär:")
    assert card_quotes(rutte)[0].startswith(RUTTE_URGENCY) and "· §21" in rutte["text"]


async def test_quote_unknown_or_unquoted_person_lists_who_is_quoted_with_buttons(bot):
    [unknown] = await bot.say(USER, "/quote Obama <Krieg>")
    assert unknown["text"].startswith("Nobody called Obama <Krieg> appears in the article.")
    assert "• Mark Rutte, NATO-Generalsekretär (quotations: 3)" in unknown["text"]
    assert "• Friedrich Merz, Bundeskanzler (quotations: 4)" in unknown["text"]
    assert "Named, but not quoted directly: Emmanuel Macron, Keir Starmer, Donald Trump" in unknown["text"]
    assert buttons(unknown) == {"Mark Rutte": "quote:mark-rutte", "Friedrich Merz": "quote:friedrich-merz"}

    [trump] = await bot.say(USER, "/quote Trump Frieden")
    assert trump["text"].startswith("Donald Trump, US-Präsident is named in the article but not quoted directly.")
    assert card_quotes(trump) == []

    [people] = await bot.say(USER, "/quote")
    assert people["text"].startswith("Quoted in the article\n• Mark Rutte") and "/quote Merz Waffenstillstand" in people["text"]
    answer, [cards] = await bot.press(USER, people, "quote:mark-rutte", user_id=USER)
    assert not answer.get("text")
    assert [q[:20] for q in card_quotes(cards)] == ["Die USA stehen zu ih", "Wir sind Russlands n", "Aber zu viele bei un"]
    assert cards["reply_to_message_id"] == people["message_id"]


async def test_quote_by_first_name_surname_or_other_spelling_finds_the_speaker(bot):
    for query in ("Mark", "mark rutte", "Марк", "Rütte", "Marc Rutte"):
        [reply] = await bot.say(USER, f"/quote {query}")
        assert reply["text"].startswith("Quotations of Mark Rutte, NATO-Generalsekretär:"), query
        assert len(card_quotes(reply)) == 3
    [merz] = await bot.say(USER, "/quote Friedrich Waffenstillstand")
    assert merz["text"].startswith("Quotations of Friedrich Merz, Bundeskanzler:")
    assert card_quotes(merz)[0].startswith(MERZ_CEASEFIRE)
    results = (await bot.inline("Mark", user_id=USER))["results"]
    assert results and all(r["title"].startswith("Mark Rutte: „") for r in results)


async def test_quote_topic_no_quotation_is_about_says_so_and_lists_them_in_article_order(bot, book):
    [rutte] = await bot.say(USER, "/quote Rutte Waffenstillstand")
    assert rutte["text"].startswith("Quotations of Mark Rutte, NATO-Generalsekretär:\n"
                                    "None of them is about Waffenstillstand; here they are in article order.")
    assert "Best match" not in rutte["text"]
    assert card_quotes(rutte) == [q.text for q in book.find("Rutte")]  # article order
    [merz] = await bot.say(USER, "/quote Merz Bedrohung", language_code="de")  # only the fragment „über die Pläne“ is close
    assert "Keines davon handelt von Bedrohung; hier alle in der Reihenfolge des Artikels." in merz["text"]
    [urgent] = await bot.say(USER, "/quote Rutte Dringlichkeit")
    assert "Best match for Dringlichkeit first." in urgent["text"] and card_quotes(urgent)[0].startswith(RUTTE_URGENCY)


async def test_quote_in_a_group_replies_and_stays_quiet_otherwise(bot):
    [reply] = await bot.say(GROUP, f"/quote@{BOT_USERNAME} Rutte", chat_type="supergroup", user_id=USER)
    assert reply["reply_to_message_id"] and len(card_quotes(reply)) == 3
    assert await bot.settle(GROUP) == [reply]  # no "unknown command" or anything else


# ---- inline mode -------------------------------------------------------------------------------
def check_results(results: list[dict]) -> list[str]:
    """Telegram's rules for the results; returns their message texts."""
    assert 1 <= len(results) <= 10 and len({r["id"] for r in results}) == len(results)
    assert all(len(r["id"].encode()) <= 64 for r in results)
    texts = [r["input_message_content"]["message_text"] for r in results]
    assert all(r["input_message_content"]["parse_mode"] == "HTML" for r in results)
    assert all(html_problems(t) == [] for t in texts)
    return texts


async def test_inline_speaker_query_returns_that_persons_quote_cards(bot, book):
    rutte = (await bot.inline("Rutte", user_id=USER))["results"]
    texts = check_results(rutte)
    expected = book.find("Rutte", None, 10)
    assert len(rutte) == len(expected) == 3
    for result, text_, quote in zip(rutte, texts, expected):
        assert result["id"] == f"q{quote.passage_id}-{quote.start}-{quote.end}"
        assert plain(text_).startswith(f"„{quote.text}“\n— Mark Rutte, NATO-Generalsekretär · DW, 11.12.2025 · §{quote.passage_id}")
        assert result["title"].startswith("Mark Rutte: „") and result["description"] == f"NATO-Generalsekretär · §{quote.passage_id}"

    merz = (await bot.inline("Merz Waffenstillstand", user_id=USER))["results"]
    texts = check_results(merz)
    assert merz[0]["title"].startswith("Friedrich Merz: „Wir wollen einen Waffenstillstand")
    assert plain(texts[0]).startswith(f"„{MERZ_CEASEFIRE}") and f'{LINK}8"' in texts[0]
    assert all("— Friedrich Merz, Bundeskanzler · DW, 11.12.2025 · §" in plain(t) for t in texts)


async def test_inline_empty_query_gives_key_quotes_then_the_lead_and_others_keep_passage_cards(bot, book, engine):
    results = (await bot.inline("", user_id=USER))["results"]
    texts = check_results(results)
    key = book.key_quotes(3)
    assert [r["id"] for r in results[:3]] == [f"q{q.passage_id}-{q.start}-{q.end}" for q in key]
    lead = next(p for p in engine.article.passages if p.kind == "lead")
    assert results[3]["id"] == f"p{lead.id}-0-{len(lead.text)}" and len(results) == 10
    assert any("Wir sind Russlands nächstes Ziel" in t for t in texts[:3])

    putin = (await bot.inline("Putin stoppen", user_id=USER))["results"]  # Putin is named, never quoted
    assert putin[0]["id"].startswith("p23-") and "Für den Moment" in putin[0]["input_message_content"]["message_text"]


# ---- /brief ------------------------------------------------------------------------------------
def check_briefing(message: dict, engine, book) -> Briefing:
    """The message is the briefing index/briefing.py makes, as one valid message."""
    briefing = make_briefing(engine.article, book)
    html, text_ = message["raw_text"], message["text"]
    assert len(html) <= TELEGRAM_LIMIT and html_problems(html) == []
    assert text_.startswith(f"Briefing\n{engine.article.meta.title}\nDW · 11.12.2025")
    assert 3 <= len(briefing.points) <= 5 and 2 <= len(briefing.quotes) <= 3
    for point in briefing.points:
        assert point.text in engine.article.passage(point.passage_id).text
        assert f"• {point.text} §{point.passage_id}" in text_
        assert f'<a href="{LINK}{point.passage_id}">§{point.passage_id}</a>' in html
    for quote in briefing.quotes:
        assert f"„{quote.text}“ — {quote.speaker_name}" in text_
    assert html.count(f'href="{LINK}') == len(briefing.points) + len(briefing.quotes)
    return briefing


async def test_brief_in_a_private_chat_is_one_message_with_linked_points(bot, engine, book):
    [reply] = await bot.say(USER, "/brief")
    briefing = check_briefing(reply, engine, book)
    first = briefing.points[0]
    [passage] = await bot.say(USER, f"/start p{first.passage_id}")  # the point's link opens its passage
    assert first.text in passage["text"] and passage["text"].startswith(f"§{first.passage_id} of 23")


async def test_brief_in_a_group_and_in_a_channel(bot, engine, book):
    [group] = await bot.say(GROUP, f"/brief@{BOT_USERNAME}", chat_type="group", user_id=USER, language_code="de")
    assert group["text"].startswith("Kurzfassung\n") and "Das Wichtigste" in group["text"]
    assert group["reply_to_message_id"]

    post = bot.api.channel_post(CHANNEL, "/brief")
    assert "from" not in post and post["sender_chat"]["id"] == CHANNEL
    [reply] = await bot.api.wait_for(messages=1, chat_id=CHANNEL)
    check_briefing(reply, engine, book)
    assert reply["reply_to_message_id"] == post["message_id"]


# ---- pure formatting ---------------------------------------------------------------------------
ARTICLE = ArticleMeta(id="a", title="Titel <mit> & Zeichen", publisher="DW", date="2025-12-11", language="de")
SPEAKER = Speaker(key="a-b", name="Ann <B> & Co", role="Chefin & Sprecherin")


def quote(pid: int, text_: str, speaker: Speaker | None = SPEAKER) -> Quote:
    return Quote(text_, pid, 0, len(text_), "direct", speaker)


def test_quote_card_escapes_everything_and_cites_speaker_source_and_passage():
    card = format_quote_card(quote(7, "Wir <sind> da & dort"), ARTICLE, BOT_USERNAME)
    assert html_problems(card) == []
    assert plain(card) == "„Wir <sind> da & dort“\n— Ann <B> & Co, Chefin & Sprecherin · DW, 11.12.2025 · §7"
    assert f'<a href="{LINK}7">§7</a>' in card
    anonymous = format_quote_card(quote(3, "Ohne Sprecher", None), ARTICLE)
    assert plain(anonymous).endswith("— DW, 11.12.2025 · §3") and "<a " not in anonymous


def test_quote_cards_split_between_cards_under_the_limit():
    quotes = [quote(i, f"Satz Nummer {i} " + "wort " * 40) for i in range(1, 13)]
    messages = format_quotes(SPEAKER, quotes, ARTICLE, "en", topic="<Thema>", bot_username=BOT_USERNAME, limit=700)
    assert len(messages) > 3 and all(len(m) <= 700 and html_problems(m) == [] for m in messages)
    assert all(m.count("<blockquote>") == m.count("— Ann") for m in messages)  # no card cut in two
    assert [int(n) for m in messages for n in re.findall(r"Satz Nummer (\d+)", m)] == list(range(1, 13))
    assert "Best match for <i>&lt;Thema&gt;</i> first." in messages[0]


def test_quote_cards_of_a_topic_no_quotation_matches_say_so():
    [message] = format_quotes(SPEAKER, [quote(1, "Etwas anderes")], ARTICLE, "de", topic="<Thema>", matched=False)
    assert "Keines davon handelt von <i>&lt;Thema&gt;</i>; hier alle in der Reihenfolge des Artikels." in message
    assert "Übereinstimmung" not in message and html_problems(message) == []


def test_briefing_is_one_message_under_the_limit_dropping_parts_from_the_end():
    points = tuple(BriefingPoint(f"Punkt {i} <&> " + "lang " * 120, i) for i in range(1, 6))
    quotes = tuple(quote(10 + i, f"Zitat {i} " + "viel " * 120) for i in range(3))
    big = Briefing(ARTICLE, points, quotes)
    full = format_briefing(big, "en", bot_username=BOT_USERNAME, limit=100_000)
    assert full.count(LINK) == 8 and html_problems(full) == []
    message = format_briefing(big, "en", bot_username=BOT_USERNAME)
    assert len(full) > TELEGRAM_LIMIT >= len(message) and html_problems(message) == []
    assert message.count("Zitat ") == 2 and message.count("Punkt ") == 3  # quotes go first, then points
    assert message.startswith("<b>Briefing</b>\n<b>Titel &lt;mit&gt; &amp; Zeichen</b>\nDW · 11.12.2025")
    tiny = format_briefing(big, "de", limit=300)
    assert len(tiny) <= 300 and html_problems(tiny) == [] and tiny.startswith("<b>Kurzfassung</b>")
