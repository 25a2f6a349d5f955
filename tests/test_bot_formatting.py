"""Pure formatting: HTML escaping, the answer layout, splitting at Telegram's limit."""

from __future__ import annotations

import random

import pytest

from bot.formatting import (
    format_answer,
    format_context,
    format_inline_card,
    format_more,
    format_passage,
    format_source,
    format_welcome,
    split_html,
    split_message,
    strip_tags,
)
from bot.cards import Card
from index.schema import ArticleMeta
from tests.bot_helpers import answer, hit, html_problems, passage, plain

ARTICLE = ArticleMeta(id="a", title='Rutte: "Wir <sind> Ziel" & mehr', publisher="DW", date="2025-12-11", language="de")


def test_answer_puts_best_passage_in_blockquote_with_bold_sentence_and_section():
    p = passage(5)
    messages = format_answer(answer(hit(p, "Zweiter Satz mit <Tag> & Co.")), "en")
    assert len(messages) == 1
    m = messages[0]
    assert m.startswith("<blockquote>Erster Satz. <b>Zweiter Satz mit &lt;Tag&gt; &amp; Co.</b> Dritter.</blockquote>")
    assert "Abschnitt &amp; Co · §5" in m
    assert html_problems(m) == []


def test_answer_lists_further_hits_compactly_with_their_numbers():
    a, b = passage(5), passage(9, "Nur ein Satz hier. Noch einer.")
    m = format_answer(answer(hit(a, "Dritter."), hit(b, "Noch einer.")), "de")[0]
    assert "Außerdem im Artikel" in m
    assert "• Noch einer. <i>§9</i>" in m
    assert "Nur ein Satz hier" not in m  # compact: the matching sentence only


def test_unanswered_says_so_and_suggests_topics_and_examples():
    for lang, phrase, example in (("en", "does not answer", "Who can stop Putin"), ("de", "keine Antwort", "Wer kann Putin")):
        m = format_answer(answer(), lang, topics=["Europa & Frieden", "Rutte warnt"])[0]
        assert phrase in m and "Europa &amp; Frieden; Rutte warnt" in m and example in m
        assert html_problems(m) == []


def test_unanswered_names_what_the_article_never_mentions_escaped():
    from index.schema import Answer

    for lang, phrase in (("en", "never mentions <b>&lt;Iran&gt; &amp; Co</b>"), ("de", "erwähnt <b>&lt;Iran&gt; &amp; Co</b> nicht")):
        m = format_answer(Answer(question="q", answered=False, unknown_name="<Iran> & Co"), lang)[0]
        assert phrase in m and html_problems(m) == []
        assert not m.startswith(("The article does not answer", "Darauf gibt der Artikel keine Antwort"))


def verdict(reason: str, *hits, question: str = "Frage?"):
    from index.schema import Answer

    return Answer(question=question, answered=reason == "answer", hits=tuple(hits), reason=reason)


def test_unsure_says_so_plainly_and_lists_closest_passages_without_a_bold_answer():
    a, b = passage(5), passage(9, "Nur ein Satz hier. Noch einer.")
    for lang, intro in (("en", "The article may not answer this directly. Closest passages:"),
                        ("de", "Der Artikel beantwortet das vielleicht nicht direkt. Die nächstliegenden Stellen:")):
        [m] = format_answer(verdict("unsure", hit(a, "Zweiter Satz mit <Tag> & Co."), hit(b, "Noch einer.")), lang)
        assert m.startswith(intro + "\n")
        assert "<b>" not in m and "<blockquote>" not in m  # nothing is presented as the answer
        assert "• Zweiter Satz mit &lt;Tag&gt; &amp; Co. <i>§5</i>" in m and "• Noch einer. <i>§9</i>" in m
        assert html_problems(m) == []


def test_unsure_reason_enum_is_read_like_its_string():
    from index.decision import Reason

    [m] = format_answer(verdict(Reason.UNSURE, hit(passage(5), "Dritter.")), "en")
    assert m.startswith("The article may not answer this directly.")


def test_small_talk_and_empty_get_a_friendly_hint_never_a_quote():
    for reason, lang, opening, hint in (
        ("small_talk", "en", "Hello! I answer questions", "Just send me a question about the article"),
        ("small_talk", "de", "Hallo! Ich beantworte Fragen", "Schick mir einfach eine Frage zum Artikel"),
        ("empty", "en", "That does not look like a question yet.", "Just send me a question"),
        ("empty", "de", "Das sieht noch nicht nach einer Frage aus.", "Schick mir einfach eine Frage"),
    ):
        [m] = format_answer(verdict(reason), lang, topics=["Europa & Frieden"])
        assert m.startswith(opening) and hint in m, m
        assert "Putin" in m  # the example questions
        assert "§" not in m and "<blockquote>" not in m and "Europa" not in m
        assert html_problems(m) == []


def test_small_talk_in_a_group_says_how_to_ask_there():
    [m] = format_answer(verdict("small_talk"), "en", mention="@article_<bot>")
    assert "<code>/ask</code>" in m and "mention me (@article_&lt;bot&gt;)" in m and "reply to one of my messages" in m
    assert "Just send me" not in m and html_problems(m) == []


def test_not_in_article_and_unknown_name_refuse_with_topics():
    [m] = format_answer(verdict("not_in_article"), "en", topics=["Rutte warnt"])
    assert m.startswith("The article does not answer this question.") and "It covers: Rutte warnt." in m
    from index.schema import Answer

    [m] = format_answer(Answer(question="q", answered=False, reason="unknown_name", unknown_name="Iran"), "en")
    assert m.startswith("The article never mentions <b>Iran</b>")


def test_caption_label_shows_kind_and_credit():
    p = passage(3, "Ein Foto.", kind="caption", credit="Bild: X/Y")
    m = format_answer(answer(hit(p, "Ein Foto.")), "de")[0]
    assert "Bildunterschrift · Abschnitt &amp; Co · §3 (Bild: X/Y)" in m


def test_passage_context_source_welcome_and_more_are_valid_html():
    p, q = passage(4, "Davor <x>."), passage(5)
    out = [format_passage(p, "en", total=23), format_source(ARTICLE, 23, "en"), format_welcome(ARTICLE, 23, "de")]
    out += format_context([p, q], 5, "en", span=(0, len("Erster Satz."))) + format_more([hit(q, "Dritter.")], "de")
    for m in out:
        assert html_problems(m) == [], m
    assert any("<blockquote><b>Erster Satz.</b> Zweiter" in m for m in out)  # the quote in the focus passage
    assert "DW, 11.12.2025 · 23 passages" in out[1]
    assert "&lt;sind&gt;" in out[1]


def test_inline_card_quotes_verbatim_and_cites_source_and_passage():
    p = passage(20, 'Er sagte: "Wir sind Ziel." Dann ging er.')
    card = Card(p, 0, p.text.index("Dann") - 1, speaker="Mark Rutte")
    m = format_inline_card(card, ARTICLE)
    assert m.startswith('<blockquote>Er sagte: "Wir sind Ziel."</blockquote>')
    assert "— Mark Rutte · DW, 11.12.2025 · §20" in m
    assert html_problems(m) == []
    assert "§20" in format_inline_card(Card(p, 0, 5), ARTICLE) and "Mark" not in format_inline_card(Card(p, 0, 5), ARTICLE)
    linked = format_inline_card(card, ARTICLE, "article_test_bot")  # §N links as on quote cards
    assert '· <a href="https://t.me/article_test_bot?start=p20">§20</a>\n' in linked and html_problems(linked) == []


def test_strip_tags_unescapes_entities():
    assert strip_tags("<b>a &lt;b&gt; &amp; c</b>\n<i>§1</i>") == "a <b> & c\n§1"


# ---- split_message ---------------------------------------------------------------------------
def test_split_packs_parts_in_order_within_limit():
    parts = [f"<b>part {i}</b> " + "x" * 30 for i in range(10)]
    messages = split_message(parts, limit=100)
    assert all(len(m) <= 100 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(parts)  # cuts only between parts
    assert len(messages) == 5


def test_split_keeps_short_answers_whole():
    assert split_message(["<b>a</b>", "b"]) == ["<b>a</b>\n\nb"]
    assert split_message([]) == [] and split_message(["", "  "]) == []


def test_split_long_part_never_inside_a_tag_or_entity_and_keeps_all_text():
    body = " ".join(f"Wort{i} &amp; <i>kursiv {i}</i>" for i in range(300))
    part = f"<blockquote>Anfang <b>{body}</b> Ende</blockquote>"
    for limit in (60, 200, 4096):
        messages = split_message([part], limit=limit)
        assert all(len(m) <= limit for m in messages)
        for m in messages:
            assert html_problems(m) == [], m
            assert m.startswith("<blockquote>")
        assert " ".join(plain(m) for m in messages).split() == plain(part).split()


def test_split_cuts_a_word_longer_than_the_limit():
    messages = split_message(["<b>" + "y" * 250 + "</b>"], limit=100)
    assert all(len(m) <= 100 for m in messages) and all(html_problems(m) == [] for m in messages)
    assert "".join(plain(m) for m in messages) == "y" * 250


@pytest.mark.parametrize("seed", range(20))
def test_split_random_html_stays_valid(seed):
    rng = random.Random(seed)
    words = []
    for _ in range(rng.randint(50, 400)):
        w = rng.choice(["wort", "&amp;", "&lt;x&gt;", "ä" * rng.randint(1, 30), "\n", "Satz."])
        tag = rng.choice([None, None, "b", "i", "code"])
        words.append(f"<{tag}>{w}</{tag}>" if tag else w)
    part = "<blockquote>" + " ".join(words) + "</blockquote>"
    limit = rng.randint(80, 600)
    messages = split_html(part, limit)
    assert all(len(m) <= limit for m in messages)
    assert all(html_problems(m) == [] for m in messages)
    assert " ".join(plain(m) for m in messages).split() == plain(part).split()


def test_welcome_and_help_in_a_group_say_how_to_ask_there():
    from bot.formatting import format_help

    group = format_welcome(ARTICLE, 23, "en", mention="@a_bot")
    assert "In this group, write <code>/ask</code>" in group and "(@a_bot)" in group and "Just send me" not in group
    assert "Just send me a question" in format_welcome(ARTICLE, 23, "en")
    for lang, here, private in (("en", "• In this group:", "• In this chat:"), ("de", "• In dieser Gruppe:", "• In diesem Chat:")):
        in_group, alone = format_help(lang, "a_bot", group=True), format_help(lang, "a_bot")
        assert here in in_group and private not in in_group and "@a_bot" in in_group
        assert private in alone and here not in alone
        assert html_problems(in_group) == [] and html_problems(alone) == []


def test_dates_and_times_follow_the_readers_locale():
    import datetime as dtm
    from zoneinfo import ZoneInfo

    from bot.formatting import format_day, format_moment

    moment = dtm.datetime(2026, 12, 2, 8, 22, tzinfo=ZoneInfo("Europe/Berlin"))
    assert format_moment(moment, "en") == "Dec 2, 2026, 08:22"
    assert format_moment(moment, "de") == "02.12.2026, 08:22"
    assert format_day("2026-12-01", "en") == "Dec 1, 2026" and format_day(dtm.date(2026, 12, 1), "de") == "01.12.2026"
    assert format_day("2026-12-01", "xx-nonsense") == "Dec 1, 2026"  # an unknown language: English


def test_context_bolds_only_the_quoted_sentence_of_the_focus_passage():
    before, focus = passage(4, "Davor <x>."), passage(5)
    start = focus.text.index("Zweiter")
    end = focus.text.index(" Dritter")
    [message] = format_context([before, focus], 5, "en", span=(start, end))
    assert "<blockquote>Erster Satz. <b>Zweiter Satz mit &lt;Tag&gt; &amp; Co.</b> Dritter.</blockquote>" in message
    assert "<blockquote>Davor &lt;x&gt;.</blockquote>" in message and html_problems(message) == []
    for span in (None, (3, 3), (0, 999)):  # no quote, an empty or a stale span: nothing in bold
        [plain_context] = format_context([before, focus], 5, "en", span=span)
        assert plain_context.count("<b>") == 1  # the title


@pytest.mark.parametrize("sentence, whole", [
    ('"Aber zu viele sehen es nicht.', '"Aber zu viele sehen es nicht. Zu viele glauben es. Aber das tut sie nicht."'),
    ('Aber das tut sie nicht."', '"Aber zu viele sehen es nicht. Zu viele glauben es. Aber das tut sie nicht."'),
    ("Zu viele glauben es.", "Zu viele glauben es."),  # inside the quotation, no mark: as it is
    ("Davor war nichts.", "Davor war nichts."),
])
def test_whole_quote_widens_to_the_whole_quotation(sentence, whole):
    from bot.formatting import whole_quote

    text_ = 'Davor war nichts. "Aber zu viele sehen es nicht. Zu viele glauben es. Aber das tut sie nicht." Dann geht es weiter.'
    start = text_.index(sentence)
    s, e = whole_quote(text_, start, start + len(sentence))
    assert text_[s:e] == whole


def test_whole_quote_runs_on_to_the_end_of_the_sentence_and_gives_up_beyond_the_limit():
    from bot.formatting import whole_quote

    text_ = 'Er warnte: „Wir sind das Ziel. Und wir haben Schaden genommen“, so Rutte. Danach nichts.'
    start = text_.index("Er")
    s, e = whole_quote(text_, start, text_.index("Und") - 1)
    assert text_[s:e] == "Er warnte: „Wir sind das Ziel. Und wir haben Schaden genommen“, so Rutte."
    tail = text_.index("Und")
    s, e = whole_quote(text_, tail, text_.index(" Danach"), max_chars=20)  # too long: the mark is dropped
    assert text_[s:e] == "Und wir haben Schaden genommen“, so Rutte."
    s, e = whole_quote('„Nur das hier.', 0, 14, max_chars=5)
    assert (s, e) == (1, 14)


def test_compact_bullets_are_whole_quotations():
    p = passage(21, 'Russland greift an. "Aber zu viele sehen es nicht. Aber das tut sie nicht."')
    bullet = format_more([hit(p, 'Aber das tut sie nicht."')], "en")[0].split("\n")[1]
    assert bullet == '• "Aber zu viele sehen es nicht. Aber das tut sie nicht." <i>§21</i>'
